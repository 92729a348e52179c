"""The ranked chart: every area, highest at the top, with its interval and the benchmark."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dashboard.core.geography import short_name
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


def ranked_figure(
    rows: pd.DataFrame, *, unit: Unit | str, benchmark: float | None, benchmark_name: str, selected_area: str, slots: int = 0
) -> dict[str, Any]:
    """Every area, highest at the top, with 95% CIs, the benchmark line and the alliance highlighted.

    The chart is as tall as `slots` areas (all the level has) however many have a value: a chart
    whose height changed with the cancer type was drawn twice per change (the graph saw its own
    new height as a resize)."""
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
        "error_x": errors(rows),
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
    height = max(320, 22 * max(len(rows), slots) + 90)
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
