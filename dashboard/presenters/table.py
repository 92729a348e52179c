"""The data table: exactly the rows the map and the ranked chart show."""

from __future__ import annotations

from dashboard.core.selection import Selection
from dashboard.figures.tables import table_records
from dashboard.query.explorer import Explorer


def table_view(explorer: Explorer, sel: Selection) -> list[dict[str, object]]:
    return table_records(explorer.compared_rows(sel))
