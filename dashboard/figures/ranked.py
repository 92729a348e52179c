"""The ranked chart: every area, highest at the top, with its interval and the benchmark."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dashboard.core.geography import AreaLevel, short_name
from dashboard.core.measures import Unit
from dashboard.figures.formatting import format_interval, format_value, is_missing
from dashboard.figures.layout import AXIS, empty_figure, errors_style
from dashboard.figures.theme import (
    COMPARISON_SYMBOLS,
    FIGURE_LAYOUT,
    HIGHLIGHT,
    MUTED,
    NHS_BLACK,
    NHS_DARK_BLUE,
)
from dashboard.stats.compare import COMPARISON_LABELS, Comparison


REFERENCE_ROLE = "reference"  # presenters/scope.py: the alliance's and England's rows beside an alliance's areas


def ranked_figure(
    rows: pd.DataFrame, *, unit: Unit | str, benchmark: float | None, benchmark_name: str, selected_area: str, slots: int = 0,
    per_area_benchmarks: bool = False,
) -> dict[str, Any]:
    """Every area, highest at the top, with 95% CIs, the benchmark line and the alliance highlighted.

    `rows` are drawn in their order, top down. Rows whose `row_role` is "reference" (the
    alliance and England, beside an alliance's own areas) are drawn as dark diamonds and named
    as such. With `per_area_benchmarks` (peers of similar deprivation: each area has its own),
    each area's benchmark is a short vertical mark on its row instead of one line.

    The chart is as tall as `slots` rows however many have a value: a chart whose height
    changed with the cancer type was drawn twice per change (the graph saw its own new height
    as a resize)."""
    drawn = _drawn(rows)
    if not len(drawn["value"]):
        return empty_figure("No values to rank for this selection")
    reference = drawn["row_role"] == REFERENCE_ROLE
    labels = [_label(str(name), str(level), bool(is_reference)) for name, level, is_reference in zip(drawn["area_name"], drawn["area_level"], reference, strict=True)]
    areas, references = _subset(drawn, ~reference), _subset(drawn, reference)
    area_labels = [label for label, is_reference in zip(labels, reference, strict=True) if not is_reference]
    traces = [_area_trace(areas, area_labels, unit=unit, selected_area=selected_area)]
    if reference.any():
        traces.append(_reference_trace(references, [label for label, is_reference in zip(labels, reference, strict=True) if is_reference], unit=unit))
    if per_area_benchmarks and not np.isnan(areas["benchmark"]).all():
        traces.append(_benchmark_marks(areas, area_labels, unit=unit, name=benchmark_name))
    shapes, annotations = [], []
    if benchmark is not None and not is_missing(benchmark):
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": benchmark, "x1": benchmark, "y0": 0, "y1": 1, "line": {"color": NHS_DARK_BLUE, "width": 2, "dash": "dash"}})
        annotations.append({"text": f"{benchmark_name}: {format_value(benchmark, unit)}", "xref": "x", "yref": "paper", "x": benchmark, "y": 1.0, "yanchor": "bottom", "xanchor": "center", "showarrow": False, "font": {"color": NHS_DARK_BLUE, "size": 14}})
    height = max(320, 22 * max(len(labels), slots) + 90)
    return {
        "data": traces,
        "layout": {
            **FIGURE_LAYOUT,
            "margin": {"l": 10, "r": 20, "t": 36, "b": 40},
            "height": height,
            "xaxis": {**AXIS, "title": {"text": unit}},
            # Rows in the order given, whichever trace draws them.
            "yaxis": {**AXIS, "tickfont": {"size": 13}, "categoryorder": "array", "categoryarray": labels},
            "shapes": shapes,
            "annotations": annotations,
            "showlegend": False,
        },
    }


def _label(name: str, level: str, is_reference: bool) -> str:
    if not is_reference:
        return short_name(name)
    return "England (reference)" if level == AreaLevel.COUNTRY.value else f"{short_name(name)} (alliance, reference)"


Columns = dict[str, np.ndarray]  # the drawn rows, column by column


def _drawn(rows: pd.DataFrame) -> Columns:
    """The rows with a value, bottom row first (plotly draws a category axis upwards), as
    arrays: each pandas filter copied every column of the frame, a third of the chart's time."""
    value = rows["value"].to_numpy(dtype=float)
    keep = np.flatnonzero(~np.isnan(value))[::-1]
    drawn = {column: rows[column].to_numpy()[keep] for column in ("area_code", "area_name", "area_level", "comparison", "in_alliance")}
    for column in ("value", "lower_ci", "upper_ci", "benchmark"):
        drawn[column] = rows[column].to_numpy(dtype=float)[keep]
    drawn["row_role"] = rows["row_role"].to_numpy()[keep] if "row_role" in rows else np.full(len(keep), "", dtype=object)
    return drawn


def _subset(drawn: Columns, mask: np.ndarray) -> Columns:
    return {column: values[mask] for column, values in drawn.items()}


def _rounded(values: np.ndarray) -> list[float]:
    return np.round(values, 4).tolist()


def _error_bars(drawn: Columns) -> dict[str, Any]:
    """As figures.layout.errors, from arrays: a missing bound draws no bar on its side."""
    above, below = drawn["upper_ci"] - drawn["value"], drawn["value"] - drawn["lower_ci"]
    return {
        **errors_style(),
        "array": _rounded(np.where(np.isnan(above), 0.0, above)),
        "arrayminus": _rounded(np.where(np.isnan(below), 0.0, below)),
    }


def _customdata(drawn: Columns, unit: Unit | str) -> list[list[str]]:
    return [
        [str(code), format_value(float(v), unit), format_interval(float(lo), float(hi), unit), COMPARISON_LABELS[Comparison(c)]]
        for code, v, lo, hi, c in zip(drawn["area_code"], drawn["value"], drawn["lower_ci"], drawn["upper_ci"], drawn["comparison"], strict=True)
    ]


HOVER = "<b>%{y}</b><br>%{customdata[1]} (95% CI %{customdata[2]})<br>%{customdata[3]}<extra></extra>"


def _area_trace(drawn: Columns, labels: list[str], *, unit: Unit | str, selected_area: str) -> dict[str, Any]:
    colour = np.where(drawn["in_alliance"].astype(bool), HIGHLIGHT, MUTED)
    colour = np.where(drawn["area_code"].astype(str) == selected_area, NHS_BLACK, colour).tolist()
    return {
        "type": "scatter",
        "mode": "markers",
        "x": _rounded(drawn["value"]),
        "y": labels,
        "error_x": _error_bars(drawn),
        "marker": {
            "size": 11,
            "color": colour,
            "symbol": [COMPARISON_SYMBOLS[c] for c in drawn["comparison"]],
            "line": {"width": 1.5, "color": colour},
        },
        "customdata": _customdata(drawn, unit),
        "hovertemplate": HOVER,
        "name": "Areas",
    }


def _reference_trace(drawn: Columns, labels: list[str], *, unit: Unit | str) -> dict[str, Any]:
    """The alliance and England: reference rows, not areas to rank (diamonds, no click target)."""
    return {
        "type": "scatter",
        "mode": "markers",
        "x": _rounded(drawn["value"]),
        "y": labels,
        "error_x": {**_error_bars(drawn), "color": NHS_DARK_BLUE},
        "marker": {"size": 12, "color": NHS_DARK_BLUE, "symbol": "diamond"},
        # No area code: a click on a reference row clears the selected area (web/callbacks/state.py).
        "customdata": [["", *cells[1:]] for cells in _customdata(drawn, unit)],
        "hovertemplate": HOVER.replace("<extra></extra>", "<br>Reference<extra></extra>"),
        "name": "Reference",
    }


def _benchmark_marks(drawn: Columns, labels: list[str], *, unit: Unit | str, name: str) -> dict[str, Any]:
    """Each area's own benchmark (its peers' pooled value) as a short vertical mark on its row."""
    return {
        "type": "scatter",
        "mode": "markers",
        "x": _rounded(drawn["benchmark"]),
        "y": labels,
        "marker": {"size": 16, "color": NHS_DARK_BLUE, "symbol": "line-ns", "line": {"width": 2, "color": NHS_DARK_BLUE}},
        # A click on the mark selects its area, as a click on the area's marker does.
        "customdata": [[str(code), format_value(float(b), unit)] for code, b in zip(drawn["area_code"], drawn["benchmark"], strict=True)],
        "hovertemplate": f"<b>%{{y}}</b><br>Benchmark ({name}): %{{customdata[1]}}<extra></extra>",
        "name": f"Benchmark: {name}",
    }
