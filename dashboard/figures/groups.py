"""The groups card: one area's groups of patients beside England's, and the gap in words."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.core.measures import Unit
from dashboard.figures.formatting import format_value
from dashboard.figures.layout import AXIS, card_layout, empty_figure, errors
from dashboard.figures.theme import HIGHLIGHT, NHS_DARK_GREY


def groups_figure(area: tuple[str, pd.DataFrame], england: tuple[str, pd.DataFrame], *, unit: Unit | str) -> dict[str, Any]:
    """The focus area's value in each group beside England's, with 95% CIs."""
    traces = []
    for (name, rows), colour, symbol in ((area, HIGHLIGHT, "circle"), (england, NHS_DARK_GREY, "diamond")):
        rows = rows[rows["value"].notna()]
        if rows.empty:
            continue
        traces.append(
            {
                "type": "scatter",
                "mode": "markers",
                "name": name,
                "x": rows["value"].round(4).tolist(),
                "y": rows["group_value"].astype(str).tolist(),
                "error_x": errors(rows),
                "marker": {"size": 12, "color": colour, "symbol": symbol},
            }
        )
    if not traces:
        return empty_figure("No group breakdown for this selection")
    return {
        "data": traces,
        "layout": card_layout(
            xaxis={**AXIS, "title": {"text": unit}},
            yaxis={**AXIS, "autorange": "reversed", "type": "category"},
            scattermode="group",
        ),
    }


def gap_sentence(rows: pd.DataFrame, *, ordered: bool, area_name: str, unit: Unit | str) -> str:
    """The gap between the extreme groups, in words: first against last when the groups are ordered."""
    if ordered and len(rows) >= 2:
        missing = [str(r["group_value"]) for _, r in rows.iloc[[0, -1]].iterrows() if pd.isna(r["value"])]
        if missing:
            return f"No gap between the first and last groups: '{', '.join(missing)}' has no value shown."
    rows = rows[rows["value"].notna()]
    if len(rows) < 2:
        return ""
    if ordered:
        first, last = rows.iloc[0], rows.iloc[-1]
        which = "first and last groups"
    else:
        first, last = rows.loc[rows["value"].idxmax()], rows.loc[rows["value"].idxmin()]
        which = "highest and lowest groups"
    difference = abs(float(first["value"]) - float(last["value"]))
    gap = f"{difference:.1f} percentage points" if Unit(unit).is_share else format_value(difference, unit)
    # A ratio with a 0 on either side reads as "0.00" or "inf": say there is none, and why.
    if float(first["value"]) and float(last["value"]):
        ratio = f"a ratio of {float(first['value']) / float(last['value']):.2f}"
    else:
        ratio = "no ratio, as one of them is 0"
    return (
        f"In {area_name}, {format_value(first['value'], unit)} in '{first['group_value']}' against "
        f"{format_value(last['value'], unit)} in '{last['group_value']}' ({which}): a gap of "
        f"{gap}, {ratio}."
    )
