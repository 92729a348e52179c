"""Ranked, trend and group charts as plotly figure dicts (pure; no dash here).

Plotly wants error bars as distances from the point, not as bounds, hence the
subtractions below.
"""

from __future__ import annotations

import textwrap
from typing import Any

import numpy as np
import pandas as pd

from dashboard.core.geography import short_name
from dashboard.stats.compare import COMPARISON_LABELS, Comparison
from dashboard.figures.formatting import format_interval, format_value, is_missing
from dashboard.figures.theme import (
    COMPARISON_COLOURS,
    COMPARISON_SYMBOLS,
    FIGURE_LAYOUT,
    HIGHLIGHT,
    MUTED,
    NHS_BLACK,
    NHS_DARK_BLUE,
    NHS_DARK_GREY,
    NHS_LIGHT_BLUE,
)

AXIS = {"gridcolor": "#E8EDEE", "zeroline": False, "automargin": True}


def card_layout(**overrides: Any) -> dict[str, Any]:
    """The layout shared by the charts in the lower cards: legend below, room for it."""
    return {
        **FIGURE_LAYOUT,
        "margin": {"l": 10, "r": 20, "t": 10, "b": 80},
        "height": 340,
        "legend": {"orientation": "h", "y": -0.35},
        **overrides,
    }


def empty_figure(message: str) -> dict[str, Any]:
    """A figure that says why there is nothing to draw, never a blank box.

    Plotly does not wrap annotation text, so the message is wrapped here to fit a card.
    """
    message = "<br>".join(textwrap.wrap(message, width=44))
    return {
        "data": [],
        "layout": {
            **FIGURE_LAYOUT,
            "xaxis": {"visible": False},
            "yaxis": {"visible": False},
            "annotations": [{"text": message, "showarrow": False, "xref": "paper", "yref": "paper", "x": 0.5, "y": 0.5, "font": {"size": 16, "color": NHS_DARK_GREY}}],
            "height": 220,
        },
    }


def _errors(rows: pd.DataFrame) -> dict[str, Any]:
    return {
        "type": "data",
        "symmetric": False,
        "array": (rows["upper_ci"] - rows["value"]).round(4).fillna(0).tolist(),
        "arrayminus": (rows["value"] - rows["lower_ci"]).round(4).fillna(0).tolist(),
        "color": NHS_DARK_GREY,
        "thickness": 1.5,
        "width": 0,
    }


def ranked_figure(rows: pd.DataFrame, *, unit: str, benchmark: float | None, benchmark_name: str, selected_area: str) -> dict[str, Any]:
    """Every area, highest at the top, with 95% CIs, the benchmark line and the alliance highlighted."""
    rows = rows[rows["value"].notna()].iloc[::-1]
    if rows.empty:
        return empty_figure("No values to rank for this selection")
    colour = np.where(rows["in_alliance"].to_numpy(dtype=bool), HIGHLIGHT, MUTED)
    colour = np.where((rows["area_code"] == selected_area).to_numpy(), NHS_BLACK, colour)
    trace = {
        "type": "scatter",
        "mode": "markers",
        "x": rows["value"].round(4).tolist(),
        "y": rows["area_name"].astype(str).map(short_name).tolist(),
        "error_x": _errors(rows),
        "marker": {
            "size": 11,
            "color": colour.tolist(),
            "symbol": [COMPARISON_SYMBOLS[c] for c in rows["comparison"]],
            "line": {"width": 1.5, "color": colour.tolist()},
        },
        "customdata": [
            [code, format_value(v, unit), format_interval(lo, hi, unit), COMPARISON_LABELS[Comparison(c)]]
            for code, v, lo, hi, c in rows[["area_code", "value", "lower_ci", "upper_ci", "comparison"]].itertuples(index=False)
        ],
        "hovertemplate": "<b>%{y}</b><br>%{customdata[1]} (95% CI %{customdata[2]})<br>%{customdata[3]}<extra></extra>",
        "name": "Areas",
    }
    shapes, annotations = [], []
    if benchmark is not None and not is_missing(benchmark):
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": benchmark, "x1": benchmark, "y0": 0, "y1": 1, "line": {"color": NHS_DARK_BLUE, "width": 2, "dash": "dash"}})
        annotations.append({"text": f"{benchmark_name}: {format_value(benchmark, unit)}", "xref": "x", "yref": "paper", "x": benchmark, "y": 1.0, "yanchor": "bottom", "xanchor": "center", "showarrow": False, "font": {"color": NHS_DARK_BLUE, "size": 14}})
    height = max(320, 22 * len(rows) + 90)
    return {
        "data": [trace],
        "layout": {
            **FIGURE_LAYOUT,
            "margin": {"l": 10, "r": 20, "t": 36, "b": 40},
            "height": height,
            "xaxis": {**AXIS, "title": {"text": unit}},
            "yaxis": {**AXIS, "tickfont": {"size": 13}},
            "shapes": shapes,
            "annotations": annotations,
            "showlegend": False,
        },
    }


def _band(rows: pd.DataFrame, name: str, colour: str, fill: str) -> list[dict[str, Any]]:
    x = rows["period"].astype(str).tolist()
    upper = {"type": "scatter", "x": x, "y": rows["upper_ci"].round(4).tolist(), "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False, "name": f"{name} upper"}
    lower = {"type": "scatter", "x": x, "y": rows["lower_ci"].round(4).tolist(), "mode": "lines", "line": {"width": 0}, "fill": "tonexty", "fillcolor": fill, "hoverinfo": "skip", "showlegend": False, "name": f"{name} lower"}
    line = {"type": "scatter", "x": x, "y": rows["value"].round(4).tolist(), "mode": "lines+markers", "name": name, "line": {"color": colour, "width": 3}, "marker": {"size": 7}}
    return [upper, lower, line]


def trend_figure(series: list[tuple[str, pd.DataFrame]], *, unit: str) -> dict[str, Any]:
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


def groups_figure(area: tuple[str, pd.DataFrame], england: tuple[str, pd.DataFrame], *, unit: str) -> dict[str, Any]:
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
                "error_x": _errors(rows),
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


ORDERED_GROUPS = {"imd_quintile", "imd_quintile_males", "imd_quintile_females", "age_band"}


def gap_sentence(rows: pd.DataFrame, *, dimension: str, area_name: str, unit: str) -> str:
    """The gap between the extreme groups, in words."""
    rows = rows[rows["value"].notna()]
    if len(rows) < 2:
        return ""
    if dimension in ORDERED_GROUPS:
        first, last = rows.iloc[0], rows.iloc[-1]
        which = "first and last groups"
    else:
        first, last = rows.loc[rows["value"].idxmax()], rows.loc[rows["value"].idxmin()]
        which = "highest and lowest groups"
    difference = abs(float(first["value"]) - float(last["value"]))
    gap = f"{difference:.1f} percentage points" if unit == "%" else format_value(difference, unit)
    ratio = float(first["value"]) / float(last["value"]) if float(last["value"]) else float("nan")
    return (
        f"In {area_name}, {format_value(first['value'], unit)} in '{first['group_value']}' against "
        f"{format_value(last['value'], unit)} in '{last['group_value']}' ({which}): a gap of "
        f"{gap}, a ratio of {ratio:.2f}."
    )


def funnel_figure(rows: pd.DataFrame, limits, *, unit: str, benchmark_name: str, adjusted) -> dict[str, Any]:
    """Areas by size (denominator) against value, inside the 95% and 99.8% control limits."""
    rows = rows[rows["value"].notna() & rows["denominator"].notna()]
    if rows.empty:
        return empty_figure("No areas to plot for this selection")
    shown = adjusted or limits
    x = np.asarray(shown.denominators).round(2).tolist()
    line = lambda y, name, dash: {"type": "scatter", "mode": "lines", "x": x, "y": np.asarray(y).round(4).tolist(), "name": name, "line": {"color": NHS_DARK_GREY, "dash": dash, "width": 1.5}, "hoverinfo": "skip"}  # noqa: E731
    outside_998 = (rows["value"] > np.interp(rows["denominator"], shown.denominators, shown.upper_998)) | (rows["value"] < np.interp(rows["denominator"], shown.denominators, shown.lower_998))
    outside_95 = (rows["value"] > np.interp(rows["denominator"], shown.denominators, shown.upper_95)) | (rows["value"] < np.interp(rows["denominator"], shown.denominators, shown.lower_95))
    colour = np.where(outside_998, "#D55E00", np.where(outside_95, "#E69F00", HIGHLIGHT))
    symbol = np.where(outside_998, "diamond", np.where(outside_95, "square", "circle"))
    traces = [
        line(shown.upper_998, "99.8% limits", "dot"),
        line(shown.lower_998, "99.8% limits ", "dot"),
        line(shown.upper_95, "95% limits", "dash"),
        line(shown.lower_95, "95% limits ", "dash"),
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
        },
    ]
    return {
        "data": traces,
        "layout": card_layout(
            height=360,
            xaxis={**AXIS, "title": {"text": "Denominator (size)"}, "type": "log"},
            yaxis={**AXIS, "title": {"text": unit}},
            legend={"orientation": "h", "y": -0.3},
        ),
    }


SPECIAL_CAUSE_COLOURS = {"special_cause_improvement": "#0072B2", "special_cause_concern": "#E69F00", "special_cause_neutral_high": "#7B2C83", "special_cause_neutral_low": "#7B2C83"}


def spc_figure(rows: pd.DataFrame, result, *, name: str, unit: str, target: float | None) -> dict[str, Any]:
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


def inequality_rank_figure(frame: pd.DataFrame, *, unit: str, selected_area: str) -> dict[str, Any]:
    """Areas ranked by their slope index of inequality, with 95% intervals."""
    frame = frame[frame["sii"].notna()].sort_values("sii")
    if frame.empty:
        return empty_figure("Choose an ordered Group (deprivation quintile or age band) to rank areas by inequality")
    colour = np.where((frame["area_code"] == selected_area).to_numpy(), NHS_BLACK, HIGHLIGHT)
    trace = {
        "type": "scatter",
        "mode": "markers",
        "x": frame["sii"].round(4).tolist(),
        "y": frame["area_name"].astype(str).map(short_name).tolist(),
        "error_x": {"type": "data", "symmetric": False, "array": (frame["sii_upper"] - frame["sii"]).round(4).tolist(), "arrayminus": (frame["sii"] - frame["sii_lower"]).round(4).tolist(), "color": NHS_DARK_GREY, "width": 0},
        "marker": {"size": 10, "color": colour.tolist()},
        "hovertemplate": "<b>%{y}</b><br>SII %{x:.1f}<extra></extra>",
    }
    return {
        "data": [trace],
        "layout": {
            **FIGURE_LAYOUT,
            "margin": {"l": 10, "r": 20, "t": 10, "b": 40},
            "height": max(320, 22 * len(frame) + 80),
            "xaxis": {**AXIS, "title": {"text": f"Slope index of inequality ({'percentage points' if unit == '%' else unit})"}, "zeroline": True},
            "yaxis": {**AXIS, "tickfont": {"size": 13}},
            "showlegend": False,
        },
    }
