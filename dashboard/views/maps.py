"""Map figures: pure functions from boundary layers to plotly figures (no dash here)."""

from __future__ import annotations

from typing import Any

import plotly.graph_objects as go

from dashboard.views.theme import FIGURE_LAYOUT, NHS_DARK_BLUE, NHS_PALE_GREY, NHS_WHITE

TRANSPARENT = "rgba(0,0,0,0)"


def _codes(layer: dict[str, Any]) -> list[str]:
    return [feature["id"] for feature in layer["features"]]


def alliance_overview_figure(
    *, icb_layer: dict[str, Any], alliance_layer: dict[str, Any], icb_alliance: dict[str, str]
) -> go.Figure:
    """England's STP/ICB areas with the Cancer Alliance outlines drawn over them.

    Uses the SVG `go.Choropleth` trace so every area is a DOM path that a browser test
    can count; its base map is hidden and its topojson is served locally (see README).
    """
    icb_codes = _codes(icb_layer)
    icb_names = {f["id"]: f["properties"]["name"] for f in icb_layer["features"]}
    alliance_names = {f["id"]: f["properties"]["name"] for f in alliance_layer["features"]}
    alliance_codes = _codes(alliance_layer)
    areas = go.Choropleth(
        geojson=icb_layer,
        locations=icb_codes,
        z=[0] * len(icb_codes),
        colorscale=[[0, NHS_PALE_GREY], [1, NHS_PALE_GREY]],
        showscale=False,
        marker={"line": {"color": NHS_WHITE, "width": 1}},
        customdata=[[icb_names[c], alliance_names[icb_alliance[c]]] for c in icb_codes],
        hovertemplate="<b>%{customdata[0]}</b><br>%{customdata[1]}<extra></extra>",
        name="STP/ICB",
    )
    outlines = go.Choropleth(
        geojson=alliance_layer,
        locations=alliance_codes,
        z=[0] * len(alliance_codes),
        colorscale=[[0, TRANSPARENT], [1, TRANSPARENT]],
        showscale=False,
        marker={"line": {"color": NHS_DARK_BLUE, "width": 2.5}},
        hoverinfo="skip",
        name="Cancer Alliance",
    )
    figure = go.Figure([areas, outlines])
    figure.update_layout(**FIGURE_LAYOUT, showlegend=False, dragmode=False)
    figure.update_geos(
        fitbounds="locations",
        visible=False,
        projection_type="mercator",
        bgcolor=NHS_WHITE,
    )
    return figure
