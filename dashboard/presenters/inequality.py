"""The inequality card, and the SII sentence the groups card uses."""

from __future__ import annotations

import dataclasses
from typing import Any

import pandas as pd

from dashboard.core.selection import Selection
from dashboard.data.schema import GROUP_LABELS, ORDERED_DIMENSIONS, GroupDimension
from dashboard.figures.inequality import inequality_rank_figure
from dashboard.figures.layout import empty_figure
from dashboard.presenters.common import NOT_ON_MODELLED, unit_of
from dashboard.query.explorer import Explorer
from dashboard.query.inequality import (
    AREA_REPETITIONS,
    RANK_COLUMNS,
    rank_by_inequality,
    sii_of,
)
from dashboard.stats import inequality


def inequality_sentence(explorer: Explorer, sel: Selection, code: str) -> str:
    if sel.group not in ORDERED_DIMENSIONS:
        return ""
    rows = explorer.group_rows(sel, code)
    result = sii_of(rows, AREA_REPETITIONS)
    if result is None:
        return "No slope index of inequality: it needs a value for every group, and some are withheld or missing."
    if not result.rii > 0:  # a ratio of fitted ends is meaningless when one end is at or below zero
        result = dataclasses.replace(result, rii=float("nan"), rii_lower=float("nan"), rii_upper=float("nan"))
    first, last = str(rows["group_value"].iloc[0]), str(rows["group_value"].iloc[-1])
    unit = unit_of(explorer, sel)
    return inequality.describe(result, unit="percentage points" if unit.is_share else unit, first=first, last=last)


def inequality_rank_view(explorer: Explorer, sel: Selection) -> tuple[dict[str, Any], str]:
    """Areas at the level ranked by the slope index of inequality across the ordered groups."""
    unit = unit_of(explorer, sel)
    if sel.group not in ORDERED_DIMENSIONS:
        return inequality_rank_figure(pd.DataFrame(columns=RANK_COLUMNS), unit=unit, selected_area=sel.area), ""
    frame, modelled = rank_by_inequality(explorer, sel)
    if modelled:
        statement = explorer.indicator(sel).modelled_statement or "MODELLED, not observed."
        return empty_figure(f"Not ranked: these group figures are MODELLED. {statement}"), f"Ranking by inequality is {NOT_ON_MODELLED}."
    if frame.empty:
        return empty_figure("No area can be ranked: every area has a group withheld or without a value"), "0 areas ranked."
    label = GROUP_LABELS[GroupDimension(sel.group)]
    note = (
        f"{len(frame)} areas ranked by the slope index of inequality across {label[0].lower() + label[1:]} "
        f"(the fitted difference from the first group to the last, 95% CI by simulation)."
    )
    return inequality_rank_figure(frame, unit=unit, selected_area=sel.area, slots=explorer.lookups.area_count(sel.indicator, sel.level)), note
