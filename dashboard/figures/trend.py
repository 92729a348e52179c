"""The trend card's charts: series over time with interval bands, an area's monthly XmR
(SPC) chart in the Making Data Count style, or, with fewer than 12 months, its run chart.

The SPC legend names every colour and line once: the monthly values; one entry per kind of
point (common cause, special cause improvement, concern or neither), each with its own
colour *and* marker shape, so colour is never the only cue; the mean; the process limits
(upper and lower in one entry); trial limits where a segment is short; each target, drawn
only across the months it applied to. Where limits were recalculated (rebased), mean and
limits are drawn per segment with a gap between them and a labelled line at the change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pandas as pd

from dashboard.core.measures import Unit
from dashboard.figures.layout import AXIS, card_layout, empty_figure
from dashboard.figures.theme import HIGHLIGHT, NHS_BLACK, NHS_DARK_GREY, NHS_LIGHT_BLUE, NHS_PALE_GREY
from dashboard.stats.spc_rebase import RebasedXmR, Segment


def _band(rows: pd.DataFrame, name: str, colour: str, fill: str) -> list[dict[str, Any]]:
    x = rows["period"].astype(str).tolist()
    upper = {"type": "scatter", "x": x, "y": rows["upper_ci"].round(4).tolist(), "mode": "lines", "line": {"width": 0}, "hoverinfo": "skip", "showlegend": False, "name": f"{name} upper"}
    lower = {"type": "scatter", "x": x, "y": rows["lower_ci"].round(4).tolist(), "mode": "lines", "line": {"width": 0}, "fill": "tonexty", "fillcolor": fill, "hoverinfo": "skip", "showlegend": False, "name": f"{name} lower"}
    return [upper, lower, _series_line(rows, name, colour)]


def _series_line(rows: pd.DataFrame, name: str, colour: str, dash: str = "solid") -> dict[str, Any]:
    return {"type": "scatter", "x": rows["period"].astype(str).tolist(), "y": rows["value"].round(4).tolist(), "mode": "lines+markers",
            "name": name, "line": {"color": colour, "width": 3, "dash": dash}, "marker": {"size": 7}}


def trend_figure(series: list[tuple[str, pd.DataFrame]], *, unit: Unit | str, on_top: str | None = None) -> dict[str, Any]:
    """The focus area, its alliance and England over time, each with its 95% CI band.

    `on_top` names a series whose values are another's (an ICB that is its alliance's only
    one): drawn last, dashed and without its (identical) band, so it shows over the other
    line instead of hiding under it; the legend keeps the series' order.
    """
    styles = [(NHS_BLACK, "rgba(35,31,32,0.12)"), (HIGHLIGHT, "rgba(0,94,184,0.15)"), (NHS_LIGHT_BLUE, "rgba(65,182,230,0.15)")]
    traces, last = [], []
    for rank, ((name, rows), (colour, fill)) in enumerate(zip(series, styles, strict=False), start=1):
        if rows.empty:
            continue
        if name == on_top:
            last.append({**_series_line(rows, name, colour, dash="dash"), "legendrank": rank})
        else:
            drawn = _band(rows, name, colour, fill)
            traces += [*drawn[:2], {**drawn[2], "legendrank": rank}]
    traces += last
    if not traces:
        return empty_figure("No series over time for this selection")
    return {
        "data": traces,
        "layout": card_layout(
            xaxis={**AXIS, "type": "category"},
            yaxis={**AXIS, "title": {"text": unit}},
            showlegend=True,
            # "normal": the filled bands would otherwise make plotly list the series bottom up.
            legend={"orientation": "h", "y": -0.35, "yanchor": "top", "traceorder": "normal"},
            hovermode="x unified",
        ),
    }


# --- the SPC chart ----------------------------------------------------------------------------

# Each at least 3:1 against white (WCAG 1.4.11), as the assets/spc/*.svg icons use them.
COMMON_CAUSE_GREY = "#768692"
IMPROVEMENT_BLUE = "#0072B2"
CONCERN_ORANGE = "#D55E00"
NEUTRAL_PURPLE = "#7B2C83"
TARGET_RED = "#D5281B"


@dataclass(frozen=True)
class PointKind:
    legend: str
    colour: str
    symbol: str


POINT_KINDS = {
    "common_cause": PointKind("Common cause: the usual ups and downs", COMMON_CAUSE_GREY, "circle"),
    "improvement": PointKind("Special cause: improvement", IMPROVEMENT_BLUE, "diamond"),
    "concern": PointKind("Special cause: concern", CONCERN_ORANGE, "square"),
    "neutral": PointKind("Special cause: neither better nor worse", NEUTRAL_PURPLE, "triangle-up"),
}
KIND_OF_POINT_TYPE = {
    "common_cause": "common_cause",
    "special_cause_improvement": "improvement",
    "special_cause_concern": "concern",
    "special_cause_neutral_high": "neutral",
    "special_cause_neutral_low": "neutral",
}
RULE_WORDS = {
    "outside_limits": "outside the process limits",
    "seven_point_trend": "in a run of 7 rising or falling",
    "two_in_three": "2 of 3 close to a limit",
    "seven_point_one_side": "in a run of 7 or more on one side of the mean",
}
MEAN_LEGEND = "Mean"
LIMITS_LEGEND = "Process limits: the range of usual variation"
TRIAL_LIMITS_LEGEND = "Trial limits (fewer than 12 months so far)"
REBASE_LABEL = "Limits recalculated"
CHOSEN_LEGEND = "Shaded: the period chosen"


@dataclass(frozen=True)
class TargetSpan:
    """A standard drawn across the months it applied to (indices first..last, inclusive)."""

    legend: str
    value: float
    first: int
    last: int


def kinds_for(improvement_direction: str) -> list[str]:
    """The kinds of point a chart can show, so the legend keys them even before one appears."""
    if improvement_direction == "neutral":
        return ["common_cause", "neutral"]
    return ["common_cause", "improvement", "concern"]


def _gapped(pieces: Sequence[tuple[list[str], list[float]]]) -> tuple[list[str | None], list[float | None]]:
    """Several line pieces as one trace: a None between pieces breaks the line."""
    x: list[str | None] = []
    y: list[float | None] = []
    for xs, ys in pieces:
        if x:
            x.append(None)
            y.append(None)
        x.extend(xs)
        y.extend(ys)
    return x, y


def _line(name: str, pieces: Sequence[tuple[list[str], list[float]]], colour: str, dash: str, width: float = 2) -> dict[str, Any]:
    x, y = _gapped(pieces)
    return {"type": "scatter", "mode": "lines", "x": x, "y": y, "name": name, "line": {"color": colour, "dash": dash, "width": width}, "hoverinfo": "skip"}


def _segment_lines(months: list[str], segments: Sequence[Segment]) -> list[dict[str, Any]]:
    """Mean, and limits per segment: locked limits in one legend entry, trial limits in another."""
    def span(segment: Segment, level: float) -> tuple[list[str], list[float]]:
        return [months[segment.start], months[segment.end - 1]], [round(level, 4)] * 2

    means = [span(s, s.chart.mean) for s in segments]
    traces = [_line(MEAN_LEGEND, means, NHS_BLACK, "solid")]
    locked = [p for s in segments if not s.trial for p in (span(s, s.chart.upl), span(s, s.chart.lpl))]
    trial = [p for s in segments if s.trial for p in (span(s, s.chart.upl), span(s, s.chart.lpl))]
    if locked:
        traces.append(_line(LIMITS_LEGEND, locked, NHS_DARK_GREY, "dash"))
    if trial:
        traces.append(_line(TRIAL_LIMITS_LEGEND, trial, NHS_DARK_GREY, "dot"))
    return traces


def _point_traces(months: list[str], values: list[float], chart: RebasedXmR, kinds: list[str], unit: str) -> list[dict[str, Any]]:
    """One marker trace per kind of point, always in the legend (an empty kind has one null point)."""
    suffix = _suffix(unit)
    traces = []
    for kind in kinds:
        style = POINT_KINDS[kind]
        chosen = [i for i, t in enumerate(chart.point_type) if KIND_OF_POINT_TYPE[t] == kind]
        why = [RULE_WORDS.get(chart.rules[i], "") for i in chosen]
        traces.append({
            "type": "scatter", "mode": "markers", "name": style.legend,
            "x": [months[i] for i in chosen] or [None], "y": [round(values[i], 4) for i in chosen] or [None],
            "marker": {"color": style.colour, "symbol": style.symbol, "size": 10, "line": {"color": "#FFFFFF", "width": 1}},
            "customdata": why or [""],
            "hovertemplate": f"%{{x|%B %Y}}: %{{y:.1f}}{suffix}<br>{style.legend}<br>%{{customdata}}<extra></extra>",
        })
    return traces


def _between(months: list[str], index: int) -> str:
    """The date halfway between month index-1 and month index: where a change is drawn."""
    before, after = pd.Timestamp(months[index - 1]), pd.Timestamp(months[index])
    return (before + (after - before) / 2).date().isoformat()


def _edge(months: list[str], index: int, side: int) -> str:
    """Half a month before (side -1) or after (side +1) month `index`, for shading whole months."""
    return (pd.Timestamp(months[index]) + pd.Timedelta(days=15 * side)).date().isoformat()


def _rebase_marks(months: list[str], chart: RebasedXmR) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    shapes, notes = [], []
    for start in chart.rebased_at:
        x = _between(months, start)
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1, "line": {"color": NHS_DARK_GREY, "width": 1, "dash": "dot"}})
        notes.append({"x": x, "xref": "x", "xanchor": "right", "y": 1, "yref": "paper", "yanchor": "bottom", "text": REBASE_LABEL,
                      "showarrow": False, "font": {"size": 12, "color": NHS_DARK_GREY}})
    return shapes, notes


def _chosen_band(months: list[str], chosen: tuple[int, int, str]) -> tuple[dict[str, Any], dict[str, Any]]:
    """The shading of the chosen period's months, and its legend entry. A legend entry, not a
    label on the chart: a data-anchored label would stretch the axis to fit its text."""
    first, last, label = chosen
    shape = {"type": "rect", "xref": "x", "yref": "paper", "x0": _edge(months, first, -1), "x1": _edge(months, last, 1), "y0": 0, "y1": 1,
             "fillcolor": NHS_PALE_GREY, "line": {"width": 0}, "layer": "below"}
    key = {"type": "scatter", "mode": "markers", "x": [None], "y": [None], "name": f"{CHOSEN_LEGEND}: {label}", "hoverinfo": "skip",
           "marker": {"symbol": "square", "size": 14, "color": NHS_PALE_GREY, "line": {"color": NHS_DARK_GREY, "width": 1}}}
    return shape, key


def _target_traces(months: list[str], targets: Sequence[TargetSpan]) -> list[dict[str, Any]]:
    """One trace per distinct standard, drawn only over the months it applied to; a standard
    that applied to one charted month only is drawn across that month (a line from a month to
    itself would not show)."""
    by_legend: dict[str, list[tuple[list[str], list[float]]]] = {}
    for t in targets:
        x = [months[t.first], months[t.last]] if t.first < t.last else [_edge(months, t.first, -1), _edge(months, t.last, 1)]
        by_legend.setdefault(t.legend, []).append((x, [t.value, t.value]))
    return [_line(legend, pieces, TARGET_RED, "dashdot", 2.5) for legend, pieces in by_legend.items()]


def _monthly_layout(unit: Unit | str, shapes: list[dict[str, Any]], notes: list[dict[str, Any]]) -> dict[str, Any]:
    return card_layout(
        height=480,
        margin={"l": 10, "r": 20, "t": 28, "b": 10},
        # Below the chart, entries side by side as the width allows (fixed columns would cut long names).
        legend={"orientation": "h", "y": -0.12, "yanchor": "top", "traceorder": "normal", "font": {"size": 13}},
        xaxis={**AXIS, "type": "date", "tickformat": "%b %Y", "hoverformat": "%B %Y"},
        yaxis={**AXIS, "title": {"text": str(unit)}},
        shapes=shapes,
        annotations=notes,
        hovermode="closest",
    )


def _suffix(unit: Unit | str) -> str:
    return "%" if unit == Unit.PERCENT else f" {unit}" if unit else ""


def run_figure(
    months: list[str],
    values: list[float],
    *,
    name: str,
    unit: Unit | str,
    targets: Sequence[TargetSpan] = (),
    chosen: tuple[int, int, str] | None = None,
) -> dict[str, Any]:
    """A run chart: the monthly values joined in time order, with no mean or limits (too few
    months for them), each target over the months it applied to and the chosen period shaded."""
    line = {"type": "scatter", "mode": "lines+markers", "x": months, "y": [round(v, 4) for v in values], "name": f"{name}, monthly",
            "line": {"color": NHS_DARK_GREY, "width": 1.5}, "marker": {"color": NHS_BLACK, "size": 9},
            "hovertemplate": f"%{{x|%B %Y}}: %{{y:.1f}}{_suffix(unit)}<extra></extra>"}
    traces = [line, *_target_traces(months, targets)]
    shapes: list[dict[str, Any]] = []
    if chosen is not None:
        band, key = _chosen_band(months, chosen)
        shapes, traces = [band], [*traces, key]
    return {"data": traces, "layout": _monthly_layout(unit, shapes, [])}


def spc_figure(
    months: list[str],
    values: list[float],
    chart: RebasedXmR,
    *,
    name: str,
    unit: Unit | str,
    improvement_direction: str,
    targets: Sequence[TargetSpan] = (),
    chosen: tuple[int, int, str] | None = None,
) -> dict[str, Any]:
    """XmR chart of monthly values. `months` are the months' first days (ISO dates);
    `chosen` = (first, last, label): the months of the period the Period control holds."""
    line = {"type": "scatter", "mode": "lines", "x": months, "y": [round(v, 4) for v in values], "name": f"{name}, monthly",
            "line": {"color": NHS_DARK_GREY, "width": 1.5}, "hoverinfo": "skip"}
    traces = [line, *_point_traces(months, values, chart, kinds_for(improvement_direction), str(unit)),
              *_segment_lines(months, chart.segments), *_target_traces(months, targets)]
    shapes, notes = _rebase_marks(months, chart)
    if chosen is not None:
        band, key = _chosen_band(months, chosen)
        shapes, traces = [band, *shapes], [*traces, key]
    return {"data": traces, "layout": _monthly_layout(unit, shapes, notes)}
