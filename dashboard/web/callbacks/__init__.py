"""Wiring only: one callback per change, whose body is `page.update`; and the download.

A filter change is one round trip: the state (URL, controls, the selection store) and
every card come back in one response, so the browser paints every view from one answer
(docs/performance.md: measured against the ten callbacks per change this replaced).
"""

from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from dash import ClientsideFunction, Dash, Input, Output, State, ctx

from dashboard.figures.maps import MapGeometry
from dashboard.query.explorer import Explorer
from dashboard.web import ids, serving
from dashboard.web.callbacks import cards, download, page, state

FIELDS = state.FIELDS
# The page callback's inputs and state, in the order its body takes them.
PAGE_INPUTS: list[tuple[str, str]] = [
    (ids.URL, "search"), *[(ids.CONTROLS[f], "value") for f in FIELDS], (ids.MAP, "clickData"), (ids.RANKED, "clickData"), (ids.CHART, "value"),
    (ids.PRESENT, "n_clicks"),
]
PAGE_STATE: list[tuple[str, str]] = [(ids.SELECTION, "data")]

# What the browser does alone (assets/*.js): (namespace, function, output, input, also on load).
CLIENTSIDE: list[tuple[str, str, tuple[str, str], tuple[str, str], bool]] = [
    # A linked view's page is shown once the first answer has written the store.
    ("linkedView", "shown", (ids.LINKED_VIEW_SHOWN, "data"), (ids.SELECTION, "data"), True),
    # The table's grid, made from the properties the server sent, once the grid's code has
    # loaded (assets/table_grid.js fetches it the first time the table is shown).
    ("tableGrid", "made", (ids.TABLE, "children"), (ids.TABLE_DATA, "data"), False),
    # Presentation mode follows the address (`present=1`): assets/presentation.js.
    ("presentation", "follow", (ids.PRESENT_SHOWN, "data"), (ids.URL, "search"), True),
    # The storyboard's position ("3 of 7") follows the view the server settled (the selection
    # store): assets/storyboard.js.
    ("storyboard", "follow", (ids.STORY_SHOWN, "data"), (ids.SELECTION, "data"), True),
    # An invalid link's address is replaced by the corrected one, not pushed.
    ("linkedView", "correctAddress", (ids.ADDRESS_CORRECTED, "data"), (ids.ADDRESS_CORRECTION, "data"), False),
]


def register(app: Dash, explorer: Explorer, geometry: MapGeometry, cache: page.ResultCache | None = None, public_url: str | None = None) -> None:
    @app.callback(
        *[Output(component, prop) for component, prop in page.OUTPUTS],
        *[Input(component, prop) for component, prop in PAGE_INPUTS],
        *[State(component, prop) for component, prop in PAGE_STATE],
    )
    def update_page(search, *args):
        values = dict(zip(FIELDS, args[: len(FIELDS)], strict=True))
        map_click, ranked_click, chart, _present_clicks, previous = args[len(FIELDS):]
        return page.update(
            explorer, geometry, trigger=ctx.triggered_id, search=search, values=values,
            map_click=map_click, ranked_click=ranked_click, previous=previous, cache=cache, chart=chart,
        )

    for namespace, function, output, source, on_load in CLIENTSIDE:
        app.clientside_callback(ClientsideFunction(namespace=namespace, function_name=function), Output(*output), Input(*source), prevent_initial_call=not on_load)
    app.callback(
        Output(ids.DOWNLOAD, "data"),
        Input(ids.DOWNLOAD_BUTTON, "n_clicks"),
        State(ids.SELECTION, "data"),
        prevent_initial_call=True,
    )(lambda _clicks, data: download.download_output(explorer, data, serving.link_base(public_url, app.get_relative_path("/").rstrip("/")) + "/", datetime.now(timezone.utc)))


def first_visit_request(search: str) -> dict[str, Any]:
    """The body dash-renderer posts when a page opens at `search` (its store still empty)."""
    values = {(ids.URL, "search"): search}
    return {
        "output": ".." + "...".join(f"{component}.{prop}" for component, prop in page.OUTPUTS) + "..",
        "outputs": [{"id": component, "property": prop} for component, prop in page.OUTPUTS],
        "inputs": [{"id": component, "property": prop, "value": values.get((component, prop))} for component, prop in PAGE_INPUTS],
        "state": [{"id": component, "property": prop, "value": None} for component, prop in PAGE_STATE],
        "changedPropIds": [f"{ids.URL}.search"],
    }


__all__ = ["cards", "first_visit_request", "page", "register"]
