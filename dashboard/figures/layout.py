"""What every card chart shares: axes, the card layout, error bars, the figure that says why it is empty.

Plotly wants error bars as distances from the point, not as bounds, hence the subtractions.
"""

from __future__ import annotations

import textwrap
from typing import Any

import pandas as pd

from dashboard.figures.theme import FIGURE_LAYOUT, NHS_DARK_GREY

AXIS = {"gridcolor": "#E8EDEE", "zeroline": False, "automargin": True}


def card_layout(**overrides: Any) -> dict[str, Any]:
    """The layout shared by the charts in the lower cards: legend below, room for it."""
    return {
        **FIGURE_LAYOUT,
        "margin": {"l": 10, "r": 20, "t": 10, "b": 80},
        "height": 340,
        "legend": {"orientation": "h", "y": -0.35, "yanchor": "top"},  # top: a legend of several lines grows down, not into the axis title
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


def errors_style() -> dict[str, Any]:
    """How every chart draws an interval: asymmetric bars in dark grey, no caps."""
    return {"type": "data", "symmetric": False, "color": NHS_DARK_GREY, "thickness": 1.5, "width": 0}


def errors(rows: pd.DataFrame) -> dict[str, Any]:
    return {
        **errors_style(),
        "array": (rows["upper_ci"] - rows["value"]).round(4).fillna(0).tolist(),
        "arrayminus": (rows["value"] - rows["lower_ci"]).round(4).fillna(0).tolist(),
    }


MODELLED_FILL = "#FFF4CC"  # the table's highlight for modelled rows: one colour means "modelled" everywhere


MARK_WIDTH = 58  # characters per line: the mark fits a card chart 420 px wide, so no word is cut off
MARK_LINE_PX = 17


def _mark_lines(statement: str) -> list[str]:
    return textwrap.wrap("MODELLED: " + statement.removeprefix("MODELLED, not observed: ").removeprefix("MODELLED: "), width=MARK_WIDTH)


def modelled_annotations(statement: str, *, inside: bool = False) -> list[dict[str, Any]]:
    """The mark a chart of modelled figures carries inside the image itself, so that a
    screenshot, a copied chart or a shared screen keeps it: "MODELLED" and what was assumed.

    Above the plot area, right-aligned with it so that a chart whose labels take the left
    side (the ranked chart) still shows the whole box (room made by `with_modelled_mark`);
    or `inside` the top-left corner for the map, whose top-left is sea.
    """
    lines = _mark_lines(statement)
    lines[0] = lines[0].replace("MODELLED:", "<b>MODELLED</b>:", 1)
    return [{
        "text": "<br>".join(lines), "xref": "paper", "yref": "paper", "x": 0 if inside else 1, "y": 0.99 if inside else 1,
        "xanchor": "left" if inside else "right", "yanchor": "top" if inside else "bottom",
        "showarrow": False, "align": "left", "bgcolor": MODELLED_FILL, "bordercolor": NHS_DARK_GREY, "borderwidth": 1,
        "font": {"size": 12, "color": "#231F20"},
    }]


def with_modelled_mark(figure: dict[str, Any], statement: str) -> dict[str, Any]:
    """`figure` with the modelled mark on top and room made for it."""
    layout = dict(figure["layout"])
    margin = dict(layout.get("margin", {}))
    margin["t"] = max(int(margin.get("t", 10)), 20 + MARK_LINE_PX * len(_mark_lines(statement)))
    layout["margin"] = margin
    layout["annotations"] = [*layout.get("annotations", []), *modelled_annotations(statement)]
    return {**figure, "layout": layout}
