"""The CSV download: the same selection through the same query as the table, with a header."""

from __future__ import annotations

from datetime import datetime

from dashboard.core.selection import Selection
from dashboard.figures.exports import csv_text, download_filename
from dashboard.presenters.scope import listed_rows, scope_note
from dashboard.query.explorer import Explorer


def download_view(explorer: Explorer, sel: Selection, *, permalink: str, generated: datetime) -> tuple[str, str]:
    """(file name, CSV text) for exactly the rows of the table."""
    rows = listed_rows(explorer, sel)
    text = csv_text(
        rows, sel=sel, listing=scope_note(explorer, sel, rows), indicator=explorer.indicator(sel), permalink=permalink,
        generated=generated, benchmark_name=explorer.benchmark_name(sel),
    )
    # The area the rows are about, as the headline and trend name it: the clicked area, else the alliance, else England.
    area = explorer.focus_area(sel)
    return download_filename(sel, indicator_name=explorer.indicator(sel).name, area_name=explorer.names.get(area, area)), text
