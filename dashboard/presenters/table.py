"""The data table: exactly the rows the ranked chart lists (presenters/scope.py), as the CSV holds them."""

from __future__ import annotations

from dashboard.core.selection import Selection
from dashboard.figures.tables import table_records
from dashboard.presenters.scope import listed_rows
from dashboard.query.explorer import Explorer


def table_view(explorer: Explorer, sel: Selection) -> list[dict[str, object]]:
    return table_records(listed_rows(explorer, sel))
