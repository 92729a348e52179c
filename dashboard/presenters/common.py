"""What several cards share: names as spoken, the unit, why a selection shows nothing."""

from __future__ import annotations

import pandas as pd

from dashboard.core.geography import LEVEL_LABELS, AreaLevel, short_name
from dashboard.core.measures import Unit
from dashboard.core.selection import Selection
from dashboard.data.schema import DataStatus
from dashboard.query.explorer import Explorer


def unit_of(explorer: Explorer, sel: Selection) -> Unit:
    return explorer.indicator(sel).unit


def series_name(explorer: Explorer, code: str) -> str:
    """The name as spoken: 'Lancashire and South Cumbria', not 'NHS … Integrated Care Board'."""
    return short_name(explorer.names.get(code, code))


def possessive(name: str) -> str:
    """"Derby and Derbyshire's", "East Midlands'"."""
    return f"{name}'" if name.endswith("s") else f"{name}'s"


def alliance_of(explorer: Explorer, sel: Selection, code: str) -> str:
    """The alliance an area's row names; "" when it names none."""
    row = explorer.area_row(sel, code)
    if row is None or row["alliance_code"] is None or str(row["alliance_code"]) in ("", "nan", "<NA>"):
        return ""
    return str(row["alliance_code"])


NOT_ON_MODELLED = "not computed on MODELLED figures: gaps between their groups are the model's assumptions, not findings"


def modelled_statement(explorer: Explorer, sel: Selection, rows: pd.DataFrame) -> str:
    """The assumption line to carry when `rows` include modelled figures; "" when none do."""
    if not (rows["data_status"] == DataStatus.MODELLED.value).any():
        return ""
    return explorer.indicator(sel).modelled_statement or "MODELLED, not observed: estimates from the project's stated model."


def no_data_reason(explorer: Explorer, sel: Selection) -> str:
    """Why a selection shows nothing, in words; empty when there is data."""
    rows = explorer.level_rows(sel)
    level = LEVEL_LABELS[AreaLevel(sel.level)]
    name = explorer.indicator(sel).name
    if rows.empty:
        return f"No {level} data for '{name}', {sel.cancer}, {sel.period}, group {sel.group_value}: the source does not publish this combination."
    if rows["value"].isna().all():
        return f"Every {level} value is missing for this selection (too few cases to give a value)."
    return ""
