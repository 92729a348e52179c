"""A card's outputs at presentation mode's sizes (figures/presentation.py), output by output.

Charts are sent whole, so each is re-sized as it is sent. The map is never re-sent (a Patch of
what changed: callbacks/cards.py), so its fonts are patched when the mode changes, and its
MODELLED mark whenever it is sent in presentation mode.
"""

from __future__ import annotations

from typing import Any

from dash import Patch, dcc

from dashboard.figures.maps import AREAS
from dashboard.figures.presentation import PRESENTATION_FONT_PX, font_sizes, for_presentation
from dashboard.web.grid import presented_grid


def presented(outputs: tuple, present: bool, *, changed: bool, fill: bool = False) -> tuple:
    """`outputs` (one card's), each figure at presentation sizes when `present` (and taking its
    panel's height if `fill`); a Patch (the map) with its fonts set when the mode has `changed`."""
    return tuple(_presented(output, present, changed, fill) for output in outputs)


def _presented(value: Any, present: bool, changed: bool, fill: bool = False) -> Any:
    if isinstance(value, Patch):
        if changed:
            sizes = font_sizes(present)
            value["layout"]["font"]["size"] = sizes["layout"]
            value["layout"]["hoverlabel"] = {"font": {"size": sizes["layout"]}}
            value["data"][AREAS]["colorbar"]["tickfont"] = {"size": sizes["colorbar"]}
            value["data"][AREAS]["colorbar"]["title"]["font"] = {"size": sizes["colorbar"]}
        return value
    if not present:
        return value
    if isinstance(value, dcc.Graph) and isinstance(getattr(value, "figure", None), dict):
        value.figure = for_presentation(value.figure, fill=fill)
        return value
    if isinstance(value, dict) and "layout" in value:
        return for_presentation(value, fill=fill)
    if isinstance(value, dict) and "columnDefs" in value:
        return presented_grid(value)
    return value


PRESENTED_MARK = "MODELLED estimates (the model's assumption: see the full page)"


def presented_annotations(annotations: list[dict[str, Any]], present: bool) -> list[dict[str, Any]]:
    """The map's annotations (its MODELLED mark) when `present`: at presentation sizes, and the
    mark in one short line, which at 18 px would otherwise cover a quarter of the map (the
    caveats line under the headline says the figures are modelled too)."""
    if not present:
        return annotations
    return [
        {**note, "text": PRESENTED_MARK if "MODELLED" in str(note.get("text", "")) else note.get("text"),
         "font": {**(note.get("font") or {}), "size": max(PRESENTATION_FONT_PX, (note.get("font") or {}).get("size") or 0)}}
        for note in annotations
    ]
