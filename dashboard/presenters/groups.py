"""The groups card: the focus area's groups of patients beside England's, and the gap in words."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.core.geography import ENGLAND_CODE
from dashboard.core.selection import Selection
from dashboard.data.schema import ORDERED_DIMENSIONS, GroupDimension
from dashboard.figures.groups import gap_sentence, groups_figure
from dashboard.figures.layout import empty_figure, with_modelled_mark
from dashboard.presenters.common import (
    NOT_ON_MODELLED,
    modelled_statement,
    series_name,
    unit_of,
)
from dashboard.presenters.inequality import inequality_sentence
from dashboard.query.explorer import Explorer


def groups_view(explorer: Explorer, sel: Selection) -> tuple[dict[str, Any], str]:
    if sel.group == GroupDimension.ALL.value:
        return empty_figure("Choose a Group (for example deprivation quintile) to compare groups of patients."), ""
    focus = explorer.focus_area(sel)
    area_rows = explorer.group_rows(sel, focus)
    england_rows = explorer.group_rows(sel, ENGLAND_CODE) if focus != ENGLAND_CODE else area_rows.iloc[0:0]
    unit = unit_of(explorer, sel)
    figure = groups_figure((series_name(explorer, focus), area_rows), ("England", england_rows), unit=unit)
    statement = modelled_statement(explorer, sel, pd.concat([area_rows, england_rows]))
    if statement:
        return with_modelled_mark(figure, statement), f"{statement} The gap between groups, its ratio and the slope index are {NOT_ON_MODELLED}."
    sentence = gap_sentence(area_rows, ordered=sel.group in ORDERED_DIMENSIONS, area_name=series_name(explorer, focus), unit=unit)
    sentence = f"{sentence} {inequality_sentence(explorer, sel, focus)}".strip()
    withheld = area_rows.loc[area_rows["suppression"].astype(str) != "", "group_value"].astype(str).tolist()
    if withheld:
        sentence += f" Withheld to protect small numbers: {', '.join(withheld)}."
    return figure, sentence
