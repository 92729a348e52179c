"""The trend card: series over time with interval bands, or an XmR (SPC) chart of one area."""

from __future__ import annotations

from typing import Any

import pandas as pd

from dashboard.core.measures import Unit
from dashboard.figures.formatting import format_value
from dashboard.figures.layout import AXIS, card_layout, empty_figure
from dashboard.figures.theme import (
    HIGHLIGHT,
    MUTED,
    NHS_BLACK,
    NHS_DARK_GREY,
    NHS_LIGHT_BLUE,
)


def _band(rows: pd.DataFrame, name: str, colour: str, fill: str) -> list[dict[str, Any]]:
    x = rows["period"].astype(str).tolist()
    upper = {"type": "scatter", "x": x, "y": rows["upper_ci"].round(4).tolist(), "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False, "name": f"{name} upper"}
    lower = {"type": "scatter", "x": x, "y": rows["lower_ci"].round(4).tolist(), "mode": "lines", "line": {"width": 0}, "fill": "tonexty", "fillcolor": fill, "hoverinfo": "skip", "showlegend": False, "name": f"{name} lower"}
    line = {"type": "scatter", "x": x, "y": rows["value"].round(4).tolist(), "mode": "lines+markers", "name": name, "line": {"color": colour, "width": 3}, "marker": {"size": 7}}
    return [upper, lower, line]


def trend_figure(series: list[tuple[str, pd.DataFrame]], *, unit: Unit | str) -> dict[str, Any]:
    """The focus area, its alliance and England over time, each with its 95% CI band."""
    styles = [(NHS_BLACK, "rgba(35,31,32,0.12)"), (HIGHLIGHT, "rgba(0,94,184,0.15)"), (NHS_LIGHT_BLUE, "rgba(65,182,230,0.15)")]
    traces = []
    for (name, rows), (colour, fill) in zip(series, styles, strict=False):
        if not rows.empty:
            traces += _band(rows, name, colour, fill)
    if not traces:
        return empty_figure("No series over time for this selection")
    return {
        "data": traces,
        "layout": card_layout(
            xaxis={**AXIS, "type": "category"},
            yaxis={**AXIS, "title": {"text": unit}},
            showlegend=True,
            hovermode="x unified",
        ),
    }


SPECIAL_CAUSE_COLOURS = {"special_cause_improvement": "#0072B2", "special_cause_concern": "#E69F00", "special_cause_neutral_high": "#7B2C83", "special_cause_neutral_low": "#7B2C83"}


def spc_figure(rows: pd.DataFrame, result, *, name: str, unit: Unit | str, target: float | None) -> dict[str, Any]:
    """XmR chart: values, mean, process limits; special-cause points coloured and shaped."""
    x = rows["period"].astype(str).tolist()
    colours = [SPECIAL_CAUSE_COLOURS.get(t, MUTED) for t in result.point_type]
    symbols = ["circle" if t == "common_cause" else "diamond" for t in result.point_type]
    flat = lambda y, label, colour, dash: {"type": "scatter", "mode": "lines", "x": [x[0], x[-1]], "y": [y, y], "name": label, "line": {"color": colour, "dash": dash, "width": 2}, "hoverinfo": "skip"}  # noqa: E731
    traces = [
        {"type": "scatter", "mode": "lines+markers", "x": x, "y": rows["value"].round(4).tolist(), "name": name,
         "line": {"color": NHS_DARK_GREY, "width": 2}, "marker": {"size": 9, "color": colours, "symbol": symbols},
         "customdata": result.rules, "hovertemplate": "%{x}: %{y:.1f}<br>%{customdata}<extra></extra>"},
        flat(result.mean, "Mean", NHS_BLACK, "solid"),
        flat(result.upl, "Process limits", NHS_DARK_GREY, "dash"),
        flat(result.lpl, "Process limits ", NHS_DARK_GREY, "dash"),
    ]
    if target is not None:
        traces.append(flat(target, f"Target {format_value(target, unit)}", "#D5281B", "dot"))
    return {
        "data": traces,
        "layout": card_layout(
            xaxis={**AXIS, "type": "category", "nticks": 12},
            yaxis={**AXIS, "title": {"text": unit}},
        ),
    }
