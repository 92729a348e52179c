"""Charts for presentation mode: every text at least 18 px, for a screen shared to a meeting room.

A pure function of the figure the page would draw, so the figure and its data are the same in
both modes; only sizes change. The ranked chart's rows get taller with its labels, so that
names at 18 px do not overlap.
"""

from __future__ import annotations

from typing import Any

from dashboard.figures.theme import BASE_FONT_SIZE

PRESENTATION_FONT_PX = 18
PRESENTATION_ROW_PX = 28  # the ranked chart's row at 18 px labels (22 px at 13 px)
RANKED_CHROME_PX = 110
AXIS_BELOW_PX = 90  # the x axis's labels and title at 18 px
LEGEND_ROW_PX = 30  # a legend row at 18 px
LONGEST_LEGEND_BELOW = 6  # entries shown whole; a longer legend shows LEGEND_ROWS_SHOWN rows and scrolls
LEGEND_ROWS_SHOWN = 4


def _larger(font: Any) -> dict[str, Any]:
    font = dict(font) if isinstance(font, dict) else {}
    font["size"] = max(PRESENTATION_FONT_PX, font.get("size") or 0)
    return font


def _axis(axis: dict[str, Any]) -> dict[str, Any]:
    axis = {**axis, "tickfont": _larger(axis.get("tickfont"))}
    title = axis.get("title")
    if isinstance(title, dict):
        axis["title"] = {**title, "font": _larger(title.get("font"))}
    return axis


def _trace(trace: dict[str, Any]) -> dict[str, Any]:
    trace = dict(trace)
    if isinstance(trace.get("colorbar"), dict):
        bar = trace["colorbar"]
        title = bar.get("title")
        trace["colorbar"] = {**bar, "tickfont": _larger(bar.get("tickfont")), **({"title": {**title, "font": _larger(title.get("font"))}} if isinstance(title, dict) else {})}
    if "textfont" in trace:
        trace["textfont"] = _larger(trace["textfont"])
    if isinstance(trace.get("hoverlabel"), dict):
        trace["hoverlabel"] = {**trace["hoverlabel"], "font": _larger(trace["hoverlabel"].get("font"))}
    return trace


def _room_for(annotations: list[dict[str, Any]], margin: dict[str, Any]) -> dict[str, Any]:
    """Margins for annotations at their larger size: a note above the plot (the MODELLED mark)
    gets half as much room again above it, and a label on the x axis's scale (the benchmark's)
    room to its right, so that neither covers the plot nor is cut off at the edge."""
    if any(note.get("yref") == "paper" and (note.get("y") or 0) >= 1 for note in annotations):
        margin["t"] = round((margin.get("t") or 0) * 1.5)
    if any(str(note.get("xref", "")).startswith("x") and note.get("xref") != "paper" for note in annotations):
        margin["r"] = max(margin.get("r") or 0, 80)
    return margin


def _legend_below(legend: dict[str, Any], margin: dict[str, Any], entries: int) -> tuple[dict[str, Any], dict[str, Any]]:
    """A horizontal legend below the plot, made to fit at 18 px: at the figure's foot, with room
    for it (placed as a fraction of the plot's height it met the x axis's title: the funnel). A
    long one (the SPC chart's nine entries) shows LEGEND_ROWS_SHOWN rows and scrolls: whole, at
    1280x720 it was taller than the plot and ran off the figure's foot, and beside the plot it
    left the plot 100 px wide."""
    legend = {**legend, "yref": "container", "y": 0, "yanchor": "bottom"}
    if entries > LONGEST_LEGEND_BELOW:
        legend["maxheight"] = LEGEND_ROWS_SHOWN * LEGEND_ROW_PX
        return legend, {**margin, "b": max(margin.get("b") or 0, AXIS_BELOW_PX + LEGEND_ROWS_SHOWN * LEGEND_ROW_PX)}
    return legend, {**margin, "b": max(margin.get("b") or 0, AXIS_BELOW_PX + 2 * LEGEND_ROW_PX)}


def _legend_entries(figure: dict[str, Any]) -> int:
    """How many entries the legend lists: named traces not left out of it (legend groups once)."""
    groups = set()
    count = 0
    for trace in figure.get("data") or []:
        if trace.get("showlegend") is False or not trace.get("name"):
            continue
        group = trace.get("legendgroup")
        if group and group in groups:
            continue
        groups.add(group)
        count += 1
    return count


def for_presentation(figure: dict[str, Any], *, fill: bool = False) -> dict[str, Any]:
    """`figure` with every font at least PRESENTATION_FONT_PX (layout, axes, legend, annotations,
    colour bars, hover labels), and a ranked chart's rows tall enough for its larger labels.
    `fill`: the figure drops its own height and takes its container's (a chart whose height is
    not set by its rows, so that it uses a large screen)."""
    layout = dict(figure.get("layout") or {})
    if fill and isinstance(layout.get("height"), int | float):
        del layout["height"]
        layout["autosize"] = True
    layout["font"] = _larger(layout.get("font"))
    layout["hoverlabel"] = {**(layout.get("hoverlabel") or {}), "font": _larger((layout.get("hoverlabel") or {}).get("font"))}
    for key, value in list(layout.items()):
        if key.startswith(("xaxis", "yaxis")) and isinstance(value, dict):
            layout[key] = _axis(value)
    if isinstance(layout.get("legend"), dict) or "showlegend" in layout:
        layout["legend"] = {**(layout.get("legend") or {}), "font": _larger((layout.get("legend") or {}).get("font"))}
        if layout["legend"].get("orientation") == "h" and (layout["legend"].get("y") or 0) < 0:
            layout["legend"], layout["margin"] = _legend_below(layout["legend"], dict(layout.get("margin") or {}), _legend_entries(figure))
    if isinstance(layout.get("annotations"), list):
        layout["annotations"] = [{**note, "font": _larger(note.get("font"))} for note in layout["annotations"]]
        layout["margin"] = _room_for(layout["annotations"], dict(layout.get("margin") or {}))
    rows = (layout.get("yaxis") or {}).get("categoryarray")
    if isinstance(rows, list) and isinstance(layout.get("height"), int | float):
        layout["height"] = max(layout["height"], PRESENTATION_ROW_PX * len(rows) + RANKED_CHROME_PX)
    return {**figure, "data": [_trace(trace) for trace in figure.get("data") or []], "layout": layout}


def font_sizes(present: bool) -> dict[str, int]:
    """The map's font sizes in each mode (the map is patched, never re-sent: dashboard/web)."""
    size = PRESENTATION_FONT_PX if present else BASE_FONT_SIZE
    return {"layout": size, "colorbar": size}


def with_whole_legend(figure: dict[str, Any]) -> tuple[dict[str, Any], int]:
    """`figure` (at presentation sizes) with a long legend shown whole rather than scrolling, and
    the pixels it adds: for a picture on paper, which cannot scroll (the board pack)."""
    layout = dict(figure.get("layout") or {})
    legend = layout.get("legend")
    if not isinstance(legend, dict) or "maxheight" not in legend:
        return figure, 0
    entries = _legend_entries(figure)
    layout["legend"] = {key: value for key, value in legend.items() if key != "maxheight"}
    added = max(0, entries - LEGEND_ROWS_SHOWN) * LEGEND_ROW_PX
    layout["margin"] = {**(layout.get("margin") or {}), "b": AXIS_BELOW_PX + entries * LEGEND_ROW_PX}
    return {**figure, "layout": layout}, added
