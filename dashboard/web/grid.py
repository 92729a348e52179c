"""The data table: an AG Grid (dash-ag-grid, the maintained Dash grid), made in the browser.

The server sends the grid's properties (`grid_props`) to a store; assets/table_grid.js loads
dash-ag-grid's code the first time the table is shown and makes the grid in its slot. Dash
would otherwise send that code (324 KB compressed) with every page, for a table most visits
never open: the page's first load was 0.79 MB without it.
"""

from __future__ import annotations

from typing import Any

import dash_ag_grid  # imported so that Dash serves the package's files (its component registry)

from dashboard.figures.tables import TABLE_COLUMNS
from dashboard.web import ids

GRID_BUNDLE = "dash_ag_grid.min.js"
ONE_DECIMAL = "params.value == null ? '' : d3.format('.1f')(params.value)"  # as the CSV writes them
NUMBER_COLUMNS = frozenset({"numerator", "denominator", "value", "lower_ci", "upper_ci"})
# Columns wider than the rest (names and sentences), and those that can be narrow (codes).
COLUMN_WIDTHS = {"area_name": (200, 2), "suppression": (180, 2), "comparison": (130, 1), "area_code": (110, 1), "period": (90, 1), "cancer_type": (110, 1)}
DEFAULT_WIDTH = 96
GRID_WIDTH = sum(width for width, _flex in (COLUMN_WIDTHS.get(column, (DEFAULT_WIDTH, 1)) for column, _name in TABLE_COLUMNS))
MODELLED_ROW = "modelled-row"  # assets/style.css: the modelled rows' highlight


def serve_grid_on_request() -> None:
    """Leave dash-ag-grid's main bundle out of the page's scripts: Dash still serves it (a
    "dynamic" resource), and assets/table_grid.js asks for it when the table is first shown.
    Called by create_app (it changes the package's own list, so not on import); idempotent."""
    for resource in dash_ag_grid._js_dist:
        if resource.get("relative_package_path") == GRID_BUNDLE:
            resource["dynamic"] = True


def grid_props(records: list[dict[str, Any]]) -> dict[str, Any]:
    """The grid's properties: the rows the CSV download holds, sortable by mouse and keyboard
    (a header takes focus; Enter sorts), numbers right-aligned, the modelled rows highlighted."""
    return {
        "id": ids.TABLE_GRID,
        "rowData": records,
        "columnDefs": [_column(column, name) for column, name in TABLE_COLUMNS],
        "defaultColDef": {"sortable": True, "resizable": True, "wrapHeaderText": True, "autoHeaderHeight": True},
        "rowClassRules": {MODELLED_ROW: "params.data.data_status === 'modelled'"},
        "dashGridOptions": {
            # Tab leaves the grid from a cell (the arrow keys move between cells): the old table kept
            # Tab and Shift+Tab inside it, a trap; Tab through every cell would be 500 presses.
            "tabToNextCell": {"function": "false"},
            "tabToNextHeader": {"function": "false"},
            # Every row and column is in the page: the grid is at most 106 rows, and the rows read
            # back (tests, screen readers' table navigation) are then all the rows there are.
            "suppressRowVirtualisation": True,
            "suppressColumnVirtualisation": True,
            "enableCellTextSelection": True,
            "ensureDomOrder": True,
            # As tall and as wide as its rows and columns: the grid never scrolls itself. Its box
            # (layout.py, "table-scroll") scrolls instead, and is a focusable, named region: the
            # grid's own scrolling parts took no focus, so a keyboard could not scroll them.
            "domLayout": "autoHeight",
        },
        "style": {"width": f"{GRID_WIDTH}px"},
        "className": "table-grid",
    }


def _column(column: str, name: str) -> dict[str, Any]:
    min_width, flex = COLUMN_WIDTHS.get(column, (DEFAULT_WIDTH, 1))
    definition: dict[str, Any] = {"field": column, "headerName": name, "minWidth": min_width, "flex": flex}
    if column in NUMBER_COLUMNS:
        definition |= {"type": "rightAligned", "cellDataType": "number"}
    if column in ("value", "lower_ci", "upper_ci"):
        definition["valueFormatter"] = {"function": ONE_DECIMAL}
    if column in ("area_name", "suppression", "comparison"):
        definition |= {"wrapText": True, "autoHeight": True}
    return definition


# Presentation mode: what a board reads first, beside the map; the rest follows (the panel scrolls).
PRESENTED_FIRST = ("area_name", "value", "lower_ci", "upper_ci", "comparison", "suppression")


def presented_grid(props: dict[str, Any]) -> dict[str, Any]:
    """`grid_props` for a shared screen: the area, its value, interval, comparison and note first,
    so that at 1280x720 they are seen without scrolling sideways; the same rows and columns."""
    order = {column: index for index, column in enumerate(PRESENTED_FIRST)}
    columns = sorted(props["columnDefs"], key=lambda definition: order.get(definition["field"], len(order)))
    return {**props, "columnDefs": columns}
