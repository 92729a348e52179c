"""The CSV download: the same selection through the same query as the table, with a header."""

from __future__ import annotations

from datetime import datetime

from dashboard.core.geography import ENGLAND_CODE
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
    # An alliance with no row of its own (an own file's indicator, given for ICBs) still names the file: its
    # ICBs are the rows, and two alliances' files once had one name, England's (an adversarial check).
    area = explorer.focus_area(sel)
    if area == ENGLAND_CODE and sel.has_alliance:
        area = sel.alliance
    return download_filename(sel, indicator_name=explorer.indicator(sel).name, area_name=explorer.names.get(area, area)), text
