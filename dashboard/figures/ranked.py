"""The ranked chart: every area, highest at the top, with its interval and the benchmark."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dashboard.core.geography import AreaLevel, short_name
from dashboard.core.measures import Unit
from dashboard.figures.formatting import format_interval, format_value, is_missing
from dashboard.figures.layout import AXIS, empty_figure, errors
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
    rows = rows[rows["value"].notna()].iloc[::-1]
    if rows.empty:
        return empty_figure("No values to rank for this selection")
    reference = (rows["row_role"] == REFERENCE_ROLE).to_numpy() if "row_role" in rows else np.zeros(len(rows), dtype=bool)
    labels = [_label(name, level, is_reference) for name, level, is_reference in zip(rows["area_name"].astype(str), rows["area_level"].astype(str), reference, strict=True)]
    areas, references = rows[~reference], rows[reference]
    traces = [_area_trace(areas, [lab for lab, r in zip(labels, reference, strict=True) if not r], unit=unit, selected_area=selected_area)]
    if len(references):
        traces.append(_reference_trace(references, [lab for lab, r in zip(labels, reference, strict=True) if r], unit=unit))
    if per_area_benchmarks and areas["benchmark"].notna().any():
        traces.append(_benchmark_marks(areas, [lab for lab, r in zip(labels, reference, strict=True) if not r], unit=unit, name=benchmark_name))
    shapes, annotations = [], []
    if benchmark is not None and not is_missing(benchmark):
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": benchmark, "x1": benchmark, "y0": 0, "y1": 1, "line": {"color": NHS_DARK_BLUE, "width": 2, "dash": "dash"}})
        annotations.append({"text": f"{benchmark_name}: {format_value(benchmark, unit)}", "xref": "x", "yref": "paper", "x": benchmark, "y": 1.0, "yanchor": "bottom", "xanchor": "center", "showarrow": False, "font": {"color": NHS_DARK_BLUE, "size": 14}})
    height = max(320, 22 * max(len(rows), slots) + 90)
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


def _customdata(rows: pd.DataFrame, unit: Unit | str) -> list[list[str]]:
    return [
        [code, format_value(v, unit), format_interval(lo, hi, unit), COMPARISON_LABELS[Comparison(c)]]
        for code, v, lo, hi, c in rows[["area_code", "value", "lower_ci", "upper_ci", "comparison"]].itertuples(index=False)
    ]


HOVER = "<b>%{y}</b><br>%{customdata[1]} (95% CI %{customdata[2]})<br>%{customdata[3]}<extra></extra>"


def _area_trace(rows: pd.DataFrame, labels: list[str], *, unit: Unit | str, selected_area: str) -> dict[str, Any]:
    colour = np.where(rows["in_alliance"].to_numpy(dtype=bool), HIGHLIGHT, MUTED)
    colour = np.where((rows["area_code"] == selected_area).to_numpy(), NHS_BLACK, colour)
    return {
        "type": "scatter",
        "mode": "markers",
        "x": rows["value"].round(4).tolist(),
        "y": labels,
        "error_x": errors(rows),
        "marker": {
            "size": 11,
            "color": colour.tolist(),
            "symbol": [COMPARISON_SYMBOLS[c] for c in rows["comparison"]],
            "line": {"width": 1.5, "color": colour.tolist()},
        },
        "customdata": _customdata(rows, unit),
        "hovertemplate": HOVER,
        "name": "Areas",
    }


def _reference_trace(rows: pd.DataFrame, labels: list[str], *, unit: Unit | str) -> dict[str, Any]:
    """The alliance and England: reference rows, not areas to rank (diamonds, no click target)."""
    return {
        "type": "scatter",
        "mode": "markers",
        "x": rows["value"].round(4).tolist(),
        "y": labels,
        "error_x": {**errors(rows), "color": NHS_DARK_BLUE},
        "marker": {"size": 12, "color": NHS_DARK_BLUE, "symbol": "diamond"},
        # No area code: a click on a reference row clears the selected area (web/callbacks/state.py).
        "customdata": [["", *cells[1:]] for cells in _customdata(rows, unit)],
        "hovertemplate": HOVER.replace("<extra></extra>", "<br>Reference<extra></extra>"),
        "name": "Reference",
    }


def _benchmark_marks(rows: pd.DataFrame, labels: list[str], *, unit: Unit | str, name: str) -> dict[str, Any]:
    """Each area's own benchmark (its peers' pooled value) as a short vertical mark on its row."""
    return {
        "type": "scatter",
        "mode": "markers",
        "x": rows["benchmark"].round(4).tolist(),
        "y": labels,
        "marker": {"size": 16, "color": NHS_DARK_BLUE, "symbol": "line-ns", "line": {"width": 2, "color": NHS_DARK_BLUE}},
        # A click on the mark selects its area, as a click on the area's marker does.
        "customdata": [[code, format_value(b, unit)] for code, b in zip(rows["area_code"], rows["benchmark"], strict=True)],
        "hovertemplate": f"<b>%{{y}}</b><br>Benchmark ({name}): %{{customdata[1]}}<extra></extra>",
        "name": f"Benchmark: {name}",
    }
