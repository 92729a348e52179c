"""The funnel plot: areas by size against value, inside control limits around the benchmark."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dashboard.core.geography import short_name
from dashboard.core.measures import Unit
from dashboard.figures.formatting import format_value
from dashboard.figures.layout import AXIS, card_layout, empty_figure
from dashboard.figures.theme import NHS_BLACK, NHS_DARK_BLUE, NHS_DARK_GREY


# (legend label, colour, marker symbol) of an area by where it falls: colour is never the only cue.
# Within the limits is grey, not blue: beside the map, blue means "significantly better".
INSIDE = ("Within the 95% limits", NHS_DARK_GREY, "circle")
OUTSIDE_95 = ("Outside the 95% limits", "#E69F00", "square")
OUTSIDE_998 = ("Outside the 99.8% limits", "#D55E00", "diamond")


def shape_key() -> list[dict[str, Any]]:
    """Legend entries for the areas' colours and shapes: traces with one empty point, which draw
    nothing but show their marker in the legend."""
    return [
        {"type": "scatter", "mode": "markers", "x": [None], "y": [None], "name": label, "hoverinfo": "skip",
         "marker": {"size": 10, "color": colour, "symbol": symbol, "line": {"width": 1, "color": NHS_BLACK}}}
        for label, colour, symbol in (INSIDE, OUTSIDE_95, OUTSIDE_998)
    ]


def funnel_figure(rows: pd.DataFrame, limits, *, unit: Unit | str, benchmark_name: str, adjusted) -> dict[str, Any]:
    """Areas by size (denominator) against value, inside the 95% and 99.8% control limits."""
    rows = rows[rows["value"].notna() & rows["denominator"].notna()]
    if rows.empty:
        return empty_figure("No areas to plot for this selection")
    shown = adjusted or limits
    x = np.asarray(shown.denominators).round(2).tolist()
    # Each limit is a pair of lines, one legend entry: the lower line joins the upper's group, unlisted.
    line = lambda y, name, dash, listed: {"type": "scatter", "mode": "lines", "x": x, "y": np.asarray(y).round(4).tolist(), "name": name, "legendgroup": name, "showlegend": listed, "line": {"color": NHS_DARK_GREY, "dash": dash, "width": 1.5}, "hoverinfo": "skip"}  # noqa: E731
    outside_998 = (rows["value"] > np.interp(rows["denominator"], shown.denominators, shown.upper_998)) | (rows["value"] < np.interp(rows["denominator"], shown.denominators, shown.lower_998))
    outside_95 = (rows["value"] > np.interp(rows["denominator"], shown.denominators, shown.upper_95)) | (rows["value"] < np.interp(rows["denominator"], shown.denominators, shown.lower_95))
    colour = np.where(outside_998, OUTSIDE_998[1], np.where(outside_95, OUTSIDE_95[1], INSIDE[1]))
    symbol = np.where(outside_998, OUTSIDE_998[2], np.where(outside_95, OUTSIDE_95[2], INSIDE[2]))
    traces = [
        line(shown.upper_998, "99.8% limits", "dot", True),
        line(shown.lower_998, "99.8% limits", "dot", False),
        line(shown.upper_95, "95% limits", "dash", True),
        line(shown.lower_95, "95% limits", "dash", False),
        {"type": "scatter", "mode": "lines", "x": [x[0], x[-1]], "y": [shown.baseline, shown.baseline], "name": f"{benchmark_name} {format_value(shown.baseline, unit)}", "line": {"color": NHS_DARK_BLUE, "width": 2}, "hoverinfo": "skip"},
        {
            "type": "scatter",
            "mode": "markers",
            "name": "Areas",
            "x": rows["denominator"].round(2).tolist(),
            "y": rows["value"].round(4).tolist(),
            "text": rows["area_name"].astype(str).map(short_name).tolist(),
            "marker": {"size": 10, "color": colour.tolist(), "symbol": symbol.tolist(), "line": {"width": 1, "color": NHS_BLACK}},
            "hovertemplate": "<b>%{text}</b><br>%{y:.1f} (denominator %{x:,.0f})<extra></extra>",
            "showlegend": False,  # its colours and shapes are keyed below, one entry each
        },
        *shape_key(),
    ]
    return {
        "data": traces,
        "layout": card_layout(
            height=360,
            xaxis={**AXIS, "title": {"text": "Denominator (size)"}, "type": "log", **log_ticks(x[0], x[-1])},
            yaxis={**AXIS, "title": {"text": unit}},
            legend={"orientation": "h", "y": -0.45, "yanchor": "top"},  # clear of the axis title when the legend wraps to three lines
        ),
    }


def log_ticks(low: float, high: float) -> dict[str, Any]:
    """Ticks at round numbers within [low, high], written in full ("2,000"): plotly's own log
    ticks label the minor ones with a bare digit ("5 6 7 8 9 1000 2 3 4"). Within a tenfold span,
    1 to 8 times a power of ten; within a thousandfold, 1, 2 and 5 times; wider, the powers alone."""
    span = high / max(low, 1)
    steps = (1, 2, 3, 4, 5, 6, 8) if span <= 10 else (1, 2, 5) if span <= 1000 else (1,)
    values = [m * 10**e for e in range(int(np.floor(np.log10(max(low, 1)))), int(np.ceil(np.log10(max(high, 1)))) + 1) for m in steps]
    inside = [v for v in values if low <= v <= high] or [low, high]
    return {"tickvals": inside, "ticktext": [f"{v:,.0f}" for v in inside]}
