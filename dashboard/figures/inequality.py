"""Areas ranked by their slope index of inequality."""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from dashboard.core.geography import short_name
from dashboard.core.measures import Unit
from dashboard.figures.layout import AXIS, empty_figure
from dashboard.figures.theme import FIGURE_LAYOUT, HIGHLIGHT, NHS_BLACK, NHS_DARK_GREY


def inequality_rank_figure(frame: pd.DataFrame, *, unit: Unit | str, selected_area: str, slots: int = 0) -> dict[str, Any]:
    """Areas ranked by their slope index of inequality, with 95% intervals, as tall as `slots` areas (see `ranked_figure`)."""
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
            "height": max(320, 22 * max(len(frame), slots) + 80),
            "xaxis": {**AXIS, "title": {"text": f"Slope index of inequality ({'percentage points' if Unit(unit).is_share else unit})"}, "zeroline": True},
            "yaxis": {**AXIS, "tickfont": {"size": 13}},
            "showlegend": False,
        },
    }
