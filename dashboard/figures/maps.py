"""The explorer's map: pure functions from rows to plotly properties (no dash here).

Boundaries never travel in the figure: each trace's `geojson` is the URL of a layer
the server serves once (the browser and plotly cache it), so a filter change sends
only locations, values, colours and text. `map_properties` gives every property
that changes; the first render and every later Patch use the same function.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from dashboard.core.geography import EAST_OF_ENGLAND_CODE, EAST_OF_ENGLAND_MEMBERS, AreaLevel
from dashboard.core.measures import Unit
from dashboard.core.selection import ColourBy, Selection
from dashboard.data.schema import DataStatus
from dashboard.figures.formatting import format_count, format_interval, format_value
from dashboard.figures.theme import (
    COMPARISON_COLOURS,
    COMPARISON_ORDER,
    FADED_OPACITY,
    FIGURE_LAYOUT,
    NHS_DARK_BLUE,
    NHS_WHITE,
    NO_DATA_FILL,
    SEQUENTIAL_SCALE,
)
from dashboard.stats.compare import COMPARISON_LABELS, Comparison

TRANSPARENT = "rgba(0,0,0,0)"
# Trace order. The grey layer holds only areas with no value, so it never lies under a coloured
# one and may come after; the coloured areas come first (and are the first trace drawn). The
# selected area's outline is drawn last, so no neighbour's fill or border covers half of it.
AREAS, BACKGROUND, OUTLINES, SELECTED = 0, 1, 2, 3
SELECTED_LINE = {"width": 4, "color": "#000000"}
MARGIN_DEGREES = 0.15


@dataclass(frozen=True)
class MapGeometry:
    """Where each layer's boundaries are served, and what the map needs to know of them."""

    urls: dict[str, str]  # map level -> URL of its GeoJSON
    outline_url: str
    level_codes: dict[str, list[str]]
    alliance_codes: list[str]
    bounds: dict[str, tuple[float, float, float, float]]  # area code -> lon/lat box; "" = England


def _geo_ranges(box: tuple[float, float, float, float]) -> dict[str, Any]:
    minx, miny, maxx, maxy = box
    pad_x, pad_y = (maxx - minx) * 0.05 + MARGIN_DEGREES, (maxy - miny) * 0.05 + MARGIN_DEGREES
    return {"lonaxis": {"range": [minx - pad_x, maxx + pad_x]}, "lataxis": {"range": [miny - pad_y, maxy + pad_y]}}


def _comparison_scale() -> list[list[Any]]:
    """A stepped colour scale: category i of COMPARISON_ORDER is drawn in its colour."""
    n = len(COMPARISON_ORDER)
    scale = []
    for i, key in enumerate(COMPARISON_ORDER):
        scale += [[i / n, COMPARISON_COLOURS[key]], [(i + 1) / n, COMPARISON_COLOURS[key]]]
    return scale


HOVER_COLUMNS = ["area_name", "value", "lower_ci", "upper_ci", "numerator", "denominator", "comparison", "data_status", "area_code"]


def hover_text(rows: pd.DataFrame | Mapping[str, np.ndarray], *, unit: Unit | str, period: str, benchmark_name: str) -> list[list[str]]:
    # Column lists, not itertuples over every column of the table: this runs on every filter change.
    columns = [np.asarray(rows[c], dtype=object).tolist() for c in HOVER_COLUMNS]
    modelled = DataStatus.MODELLED.value
    return [
        [
            str(name),
            format_value(value, unit),
            "no interval: modelled" if status == modelled else format_interval(lower, upper, unit),
            f"{format_count(numerator)} / {format_count(denominator)}",
            period,
            "Not compared: modelled" if status == modelled else f"{COMPARISON_LABELS[Comparison(comparison)]} compared with {benchmark_name}",
            "MODELLED estimate" if status == modelled else "Published data",
            str(code),
        ]
        for name, value, lower, upper, numerator, denominator, comparison, status, code in zip(*columns, strict=True)
    ]


HOVER_TEMPLATE = (
    "<b>%{customdata[0]}</b><br>%{customdata[1]} (95% CI %{customdata[2]})<br>"
    "Numerator / denominator: %{customdata[3]}<br>Period: %{customdata[4]}<br>%{customdata[5]}<br>"
    "%{customdata[6]}<extra></extra>"
)


def background_hover(rows: pd.DataFrame, codes: list[str], names: dict[str, str]) -> list[list[str]]:
    """Why an area has no colour: suppressed (with the rule), or no data for this selection."""
    reasons = {str(code): str(reason) for code, reason in zip(rows["area_code"], rows["suppression"], strict=True) if str(reason)}
    return [[names.get(code, code), reasons.get(code, "No data for this selection")] for code in codes]


def map_properties(
    *, sel: Selection, rows: pd.DataFrame, unit: Unit | str, benchmark_name: str, geometry: MapGeometry, names: dict[str, str] | None = None
) -> dict[str, Any]:
    """Every map property that depends on the selection: per trace, and for the geo layout."""
    # The areas with a value, column by column: filtering the frame copied its thirty columns.
    has_value = rows["value"].notna().to_numpy()
    valued = {column: rows[column].to_numpy()[has_value] for column in {*HOVER_COLUMNS, "in_alliance"}}
    codes = valued["area_code"].astype(str).tolist()
    in_alliance = valued["in_alliance"].astype(bool)
    areas: dict[str, Any] = {
        "geojson": geometry.urls[sel.level],
        "locations": codes,
        "customdata": hover_text(valued, unit=unit, period=sel.period, benchmark_name=benchmark_name),
        # Areas outside the chosen alliance are faded as plotly's "unselected" points: plotly.js
        # applies choropleth opacity per location only that way (an array `marker.opacity` is
        # written to every path's style as one invalid value, and nothing fades).
        "selectedpoints": None if in_alliance.all() else np.flatnonzero(in_alliance).tolist(),
        "unselected": {"marker": {"opacity": FADED_OPACITY}},
        "marker": {"line": {"width": 0.8, "color": NHS_WHITE}},
    }
    if sel.colour == ColourBy.COMPARISON.value:
        order = {key: i for i, key in enumerate(COMPARISON_ORDER)}
        areas |= {
            "z": [order[c] + 0.5 for c in valued["comparison"]],
            "zmin": 0,
            "zmax": len(COMPARISON_ORDER),
            "colorscale": _comparison_scale(),
            "showscale": False,
        }
    else:
        values = valued["value"].astype(float)
        low, high = (float(values.min()), float(values.max())) if len(values) else (0.0, 1.0)
        areas |= {
            "z": np.round(values, 4).tolist(),
            "zmin": low,
            "zmax": high if high > low else low + 1,
            "colorscale": SEQUENTIAL_SCALE,
            "showscale": True,
            "colorbar": {"title": {"text": unit}, "thickness": 14, "len": 0.7},
        }
    # Drawing costs the browser per area on every change (bench/browser.py): the grey layer holds
    # only the areas without a value, and at the alliance level, where the areas are the
    # alliances, the outline layer holds only the chosen alliance's thick border.
    shown = set(codes)
    missing = [code for code in geometry.level_codes[sel.level] if code not in shown and not _drawn_by_grouping(code, shown)]
    outlined = [c for c in geometry.alliance_codes if c == sel.alliance] if sel.level == AreaLevel.ALLIANCE.value else list(geometry.alliance_codes)
    return {
        "traces": {
            BACKGROUND: {
                "geojson": geometry.urls[sel.level],
                "locations": missing,
                "z": [0] * len(missing),
                "customdata": background_hover(rows, missing, names or {}),
            },
            AREAS: areas,
            SELECTED: {"geojson": geometry.urls[sel.level], "locations": [sel.area] if sel.area in geometry.level_codes[sel.level] else [], "z": [0]},
            OUTLINES: {
                "locations": outlined,
                "z": [0] * len(outlined),
                "marker": {"line": {"width": [3.5 if code == sel.alliance else 1.8 for code in outlined], "color": NHS_DARK_BLUE}},
            },
        },
        "geo": _geo_ranges(geometry.bounds.get(sel.alliance, geometry.bounds[""])),
    }


def _drawn_by_grouping(code: str, shown: set[str]) -> bool:
    """NDRS's East of England grouping and its two alliances cover the same ground: whichever
    has the values is drawn, and the other needs no grey beneath it."""
    if code == EAST_OF_ENGLAND_CODE:
        return set(EAST_OF_ENGLAND_MEMBERS) <= shown
    return code in EAST_OF_ENGLAND_MEMBERS and EAST_OF_ENGLAND_CODE in shown


def map_figure(properties: dict[str, Any], geometry: MapGeometry) -> dict[str, Any]:
    """The first render of the map; later renders patch `map_properties` into it."""
    static = {
        BACKGROUND: {
            "type": "choropleth",
            "colorscale": [[0, NO_DATA_FILL], [1, NO_DATA_FILL]],
            "showscale": False,
            "marker": {"line": {"color": NHS_WHITE, "width": 0.8}},
            "hovertemplate": "<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
            "name": "No data",
        },
        AREAS: {"type": "choropleth", "hovertemplate": HOVER_TEMPLATE, "name": "Areas"},
        SELECTED: {
            "type": "choropleth",
            "colorscale": [[0, TRANSPARENT], [1, TRANSPARENT]],
            "showscale": False,
            "hoverinfo": "skip",  # hover and clicks go to the area beneath
            "marker": {"line": SELECTED_LINE},
            "name": "Selected area",
        },
        OUTLINES: {
            "type": "choropleth",
            "geojson": geometry.outline_url,
            "colorscale": [[0, TRANSPARENT], [1, TRANSPARENT]],
            "showscale": False,
            "hoverinfo": "skip",
            "name": "Cancer Alliances",
        },
    }
    traces = []
    for index in (AREAS, BACKGROUND, OUTLINES, SELECTED):
        trace = dict(static[index])
        for key, value in properties["traces"][index].items():
            trace[key] = {**trace.get(key, {}), **value} if isinstance(value, dict) and isinstance(trace.get(key), dict) else value
        traces.append(trace)
    geo = {
        "visible": False,
        "projection": {"type": "mercator"},
        "bgcolor": NHS_WHITE,
        "showframe": False,
        **properties["geo"],
    }
    layout = {**FIGURE_LAYOUT, "geo": geo, "showlegend": False, "dragmode": False, "uirevision": "map", "annotations": properties.get("annotations", [])}
    return {"data": traces, "layout": layout}


def comparison_legend(rows: pd.DataFrame) -> list[tuple[str, str, str]]:
    """(key, label, colour) for each comparison result on the map."""
    present = set(rows["comparison"])
    return [(key, COMPARISON_LABELS[Comparison(key)], COMPARISON_COLOURS[key]) for key in COMPARISON_ORDER if key in present]
