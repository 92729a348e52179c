"""The ranked chart: the level's areas (an alliance's own, with reference rows), highest first,
with their intervals and the benchmark."""

from __future__ import annotations

from typing import Any

from dashboard.core.selection import Comparator, Selection
from dashboard.figures.layout import with_modelled_mark
from dashboard.figures.ranked import ranked_figure
from dashboard.presenters.common import modelled_statement, possessive, series_name, unit_of
from dashboard.presenters.scope import alliance_scoped, listed_rows
from dashboard.query.explorer import Explorer

RANKED_TITLE = "Areas ranked, with 95% confidence intervals"
LISTED_TITLE = "Areas listed by name: MODELLED figures are not ranked and have no interval"


def ranked_title(explorer: Explorer, sel: Selection) -> str:
    modelled = bool(modelled_statement(explorer, sel, explorer.compared_rows(sel)))
    if not alliance_scoped(sel):
        return LISTED_TITLE if modelled else RANKED_TITLE
    whose = possessive(series_name(explorer, sel.alliance))
    if modelled:
        return f"{whose} areas listed by name (MODELLED: not ranked, no interval), with the alliance and England"
    return f"{whose} areas ranked, with the alliance and England for reference (95% confidence intervals)"


def ranked_view(explorer: Explorer, sel: Selection) -> dict[str, Any]:
    rows = listed_rows(explorer, sel)
    statement = modelled_statement(explorer, sel, rows)
    if not statement:  # modelled figures are listed by name, as compared_rows orders them
        rows = rows.sort_values("value", ascending=False, na_position="last", kind="stable")
    peers = sel.compare == Comparator.PEERS.value
    benchmark = None
    if not peers and not rows.empty:
        benchmark = float(explorer.compared_rows(sel)["benchmark"].iloc[0])  # one benchmark for all areas, except with peers
    slots = len(rows) if alliance_scoped(sel) else explorer.lookups.area_count(sel.indicator, sel.level)
    figure = ranked_figure(
        rows, unit=unit_of(explorer, sel), benchmark=benchmark, benchmark_name=explorer.benchmark_name(sel),
        selected_area=sel.area, slots=slots, per_area_benchmarks=peers,
    )
    return with_modelled_mark(figure, f"{statement} Areas are listed by name, not ranked.") if statement else figure
