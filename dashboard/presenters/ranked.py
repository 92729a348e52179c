"""The ranked chart: every area at the level, highest first, with its interval and the benchmark."""

from __future__ import annotations

from typing import Any

from dashboard.core.selection import Comparator, Selection
from dashboard.figures.layout import with_modelled_mark
from dashboard.figures.ranked import ranked_figure
from dashboard.presenters.common import modelled_statement, unit_of
from dashboard.query.explorer import Explorer

RANKED_TITLE = "Areas ranked, with 95% confidence intervals"
LISTED_TITLE = "Areas listed by name: MODELLED figures are not ranked and have no interval"


def ranked_title(explorer: Explorer, sel: Selection) -> str:
    return LISTED_TITLE if modelled_statement(explorer, sel, explorer.compared_rows(sel)) else RANKED_TITLE


def ranked_view(explorer: Explorer, sel: Selection) -> dict[str, Any]:
    rows = explorer.compared_rows(sel)
    benchmark = None
    if sel.compare != Comparator.PEERS.value and not rows.empty:
        benchmark = float(rows["benchmark"].iloc[0])  # one benchmark for all areas, except with peers
    figure = ranked_figure(rows, unit=unit_of(explorer, sel), benchmark=benchmark, benchmark_name=explorer.benchmark_name(sel), selected_area=sel.area, slots=explorer.lookups.area_count(sel.indicator, sel.level))
    statement = modelled_statement(explorer, sel, rows)
    return with_modelled_mark(figure, f"{statement} Areas are listed by name, not ranked.") if statement else figure
