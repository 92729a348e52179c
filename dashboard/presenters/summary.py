"""One sentence per chart, in words: each chart's text alternative (WCAG 1.1.1), read by a
screen reader with the chart (aria-describedby); the chart's numbers are in the table.

Each sentence says what is drawn and its two ends, from the rows the chart is drawn from.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.core.geography import LEVEL_LABELS, AreaLevel
from dashboard.core.selection import ColourBy, Selection
from dashboard.data.schema import ORDERED_DIMENSIONS, DataStatus, GroupDimension
from dashboard.figures.formatting import format_value
from dashboard.presenters.common import possessive, series_name, unit_of
from dashboard.presenters.scope import AREA, ROLE, alliance_scoped, listed_rows
from dashboard.query.explorer import Explorer
from dashboard.query.inequality import rank_by_inequality
from dashboard.query.trend import SPC_MIN_POINTS, chart_months


def _areas(count: int, sel: Selection) -> str:
    level = LEVEL_LABELS[AreaLevel(sel.level)]
    return f"{count} {level} area{'s' if count != 1 else ''}"


def _ends(explorer: Explorer, sel: Selection, rows: pd.DataFrame, name_column: str = "area_name") -> str:
    """'highest A (v), lowest B (w)' over the rows with a value; '' when none has one."""
    values = rows["value"].to_numpy(dtype=float)
    if np.isnan(values).all():
        return ""
    unit = unit_of(explorer, sel)
    top, bottom = int(np.nanargmax(values)), int(np.nanargmin(values))  # the first of equals, as idxmax
    return (f"highest {_name(explorer, rows, top, name_column)} ({format_value(float(values[top]), unit)}), "
            f"lowest {_name(explorer, rows, bottom, name_column)} ({format_value(float(values[bottom]), unit)})")


def _name(explorer: Explorer, rows: pd.DataFrame, position: int, column: str) -> str:
    if column == "area_name":
        return series_name(explorer, str(rows["area_code"].iat[position]))
    return str(rows[column].iat[position])


def map_summary(explorer: Explorer, sel: Selection) -> str:
    rows = explorer.compared_rows(sel)
    name = explorer.indicator(sel).name
    if sel.colour == ColourBy.COMPARISON.value:
        counts = rows["comparison"].astype(str).value_counts()
        parts = ", ".join(f"{count} {label}" for label, count in counts.items())
        return f"Map of {_areas(len(rows), sel)} coloured by comparison with {explorer.benchmark_name(sel)}: {parts or 'none compared'}."
    ends = _ends(explorer, sel, rows)
    return f"Map of {_areas(len(rows), sel)} coloured by {name.lower()}: {ends or 'no values for this selection'}."


def ranked_summary(explorer: Explorer, sel: Selection) -> str:
    """Of the rows the chart lists: an alliance's own areas (and its reference rows), or all."""
    listed = listed_rows(explorer, sel)
    rows = listed[listed[ROLE] == AREA]
    whose = f"{possessive(series_name(explorer, sel.alliance))} " if alliance_scoped(sel) else ""
    references = " With the alliance and England for reference." if alliance_scoped(sel) else ""
    if (rows["data_status"] == DataStatus.MODELLED.value).any():
        return f"{whose}{_areas(len(rows), sel)} listed by name with their MODELLED values, not ranked.{references}"
    ends = _ends(explorer, sel, rows)
    return f"{whose}{_areas(len(rows), sel)} ranked by {explorer.indicator(sel).name.lower()}: {ends or 'no values for this selection'}.{references}"


def trend_summary(explorer: Explorer, sel: Selection) -> str:
    code = explorer.focus_area(sel)
    unit = unit_of(explorer, sel)
    months = chart_months(explorer, sel, code)
    if months is not None:  # the card charts the monthly series, whatever the period chosen
        limits = ("with statistical process control limits" if len(months.starts) >= SPC_MIN_POINTS
                  else f"without limits (they need {SPC_MIN_POINTS} months; it has {len(months.starts)})")
        return (
            f"{series_name(explorer, code)} each month, {months.first:%B %Y} to {months.latest:%B %Y}, {limits}: "
            f"{format_value(months.values[0], unit)} in {months.first:%B %Y}, "
            f"{format_value(months.values[-1], unit)} in {months.latest:%B %Y}."
        )
    series = explorer.trend_rows(sel, code)
    series = series[series["value"].notna()]
    if series.empty:
        return f"No series over time for {series_name(explorer, code)}."
    first, last = series.iloc[0], series.iloc[-1]
    return (f"{series_name(explorer, code)} over {len(series)} periods: {format_value(first['value'], unit)} in {first['period']}, "
            f"{format_value(last['value'], unit)} in {last['period']}.")


def groups_summary(explorer: Explorer, sel: Selection) -> str:
    if sel.group == GroupDimension.ALL.value:
        return "No groups drawn: no Group is chosen."
    code = explorer.focus_area(sel)
    rows = explorer.group_rows(sel, code)
    ends = _ends(explorer, sel, rows, name_column="group_value")
    return f"{possessive(series_name(explorer, code))} value for each of {len(rows)} groups: {ends or 'no values'}."


def funnel_summary(explorer: Explorer, sel: Selection) -> str:
    rows = explorer.level_rows(sel)
    if (rows["data_status"] == DataStatus.MODELLED.value).any():
        return "No funnel drawn: these figures are MODELLED."
    drawn = int((rows["value"].notna() & rows["denominator"].notna()).sum())
    limits = (
        "limits widened for the variation found between areas (overdispersion)" if sel.widens_for_overdispersion
        else "the limits chance alone would keep it within"
    )
    return f"Each of {_areas(drawn, sel)}' value against its size, with {limits}."


def inequality_summary(explorer: Explorer, sel: Selection) -> str:
    if sel.group not in ORDERED_DIMENSIONS:
        return "No areas ranked: the slope index needs ordered groups (deprivation quintiles or age bands)."
    frame, modelled = rank_by_inequality(explorer, sel)
    if modelled or frame.empty:
        return "No areas ranked by inequality for this selection."
    top, bottom = frame.loc[frame["sii"].idxmax()], frame.loc[frame["sii"].idxmin()]
    return (f"{_areas(len(frame), sel)} ranked by the slope index of inequality between groups: "
            f"largest {series_name(explorer, str(top['area_code']))}, smallest {series_name(explorer, str(bottom['area_code']))}.")
