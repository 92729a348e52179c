"""Which areas the ranked chart, the table and the download list: an alliance's own view.

With an alliance chosen at a level finer than alliances, a leader asks "where is it worst
within my alliance?": the list holds the alliance's own areas, then the alliance and England
as reference rows, so each area reads against both. At the alliance level, or with All
England, every area is listed (the alliance is one of them, highlighted). The map keeps every
area, the others faded, so the alliance is seen in its place.
"""

from __future__ import annotations

import pandas as pd

from dashboard.core.geography import ENGLAND_CODE, AreaLevel
from dashboard.core.selection import Selection
from dashboard.presenters.common import possessive, series_name
from dashboard.query.explorer import Explorer
from dashboard.stats.compare import Comparison

ROLE = "row_role"  # a column the listed rows carry: "area" or "reference"
AREA, REFERENCE = "area", "reference"


def alliance_scoped(sel: Selection) -> bool:
    """Whether the list holds only the chosen alliance's areas (and the reference rows)."""
    return sel.lists_alliance_areas


def listed_rows(explorer: Explorer, sel: Selection) -> pd.DataFrame:
    """The rows the ranked chart, the table and the download list, in that order: the level's
    areas (the alliance's own when `alliance_scoped`), then any reference rows.

    Memoised (the ranked chart and its sentence both ask; building the reference rows costs
    a few milliseconds of categorical concatenation): callers must treat it as read-only."""
    return explorer.memo(("listed_rows", sel), lambda: _listed_rows(explorer, sel))


def _listed_rows(explorer: Explorer, sel: Selection) -> pd.DataFrame:
    rows = explorer.compared_rows(sel)
    if not alliance_scoped(sel):
        return rows.assign(**{ROLE: AREA})
    own = rows[rows["in_alliance"].to_numpy(dtype=bool)].assign(**{ROLE: AREA})
    return pd.concat([own, reference_rows(explorer, sel)], ignore_index=True)


def reference_rows(explorer: Explorer, sel: Selection) -> pd.DataFrame:
    """The alliance's row (compared with the benchmark as at the alliance level) and England's
    (the reference itself: not compared), for the same cancer, period and group."""
    parts = []
    alliance_code = explorer.alliance_in_data(sel)
    if alliance_code is not None:
        alliance_rows = explorer.compared_rows(sel.with_(level=AreaLevel.ALLIANCE.value))
        parts.append(alliance_rows[alliance_rows["area_code"] == alliance_code])
    england = explorer.compared_rows(sel.with_(level=AreaLevel.COUNTRY.value))
    parts.append(england[england["area_code"] == ENGLAND_CODE].assign(benchmark=float("nan"), comparison=Comparison.NOT_COMPARED.value))
    # The alliance's row is compared as at the alliance level (with peers: among alliances), as
    # the headline compares it; England's is the reference itself.
    return pd.concat(parts, ignore_index=True).assign(in_alliance=False, **{ROLE: REFERENCE})


def scope_note(explorer: Explorer, sel: Selection, rows: pd.DataFrame) -> str:
    """What the list holds, in words, when it is an alliance's own view; "" otherwise."""
    if not alliance_scoped(sel):
        return ""
    own = int((rows[ROLE] == AREA).sum())
    alliance = series_name(explorer, sel.alliance)
    return (
        f"{possessive(alliance)} {own} area{'s' if own != 1 else ''}, then the alliance and England as reference rows "
        "(England's is the reference itself: not compared)."
    )
