"""The page as a Dash component tree."""

from __future__ import annotations

import plotly.graph_objects as go
from dash import dcc, html

from dashboard import PRODUCT_NAME, ids
from dashboard.sources import BOUNDARY_ATTRIBUTION


def page(*, overview_map: go.Figure, topojson_url: str, alliance_count: int, icb_count: int) -> html.Div:
    return html.Div(
        className="page",
        children=[
            html.Header(
                id=ids.HEADER,
                className="nhs-header",
                children=[
                    html.H1(PRODUCT_NAME),
                    html.P("Where, and for whom, cancer outcomes differ across England's Cancer Alliances"),
                ],
            ),
            html.Main(
                className="content",
                children=[
                    html.H2("England's Cancer Alliances"),
                    html.P(
                        f"{alliance_count} Cancer Alliances (dark outlines) over the {icb_count} "
                        "STP/ICB areas they bring together, as mapped by NHS England in 2022.",
                        className="lede",
                    ),
                    dcc.Graph(
                        id=ids.MAP,
                        figure=overview_map,
                        className="map",
                        # Plotly would otherwise fetch its world base map from a CDN.
                        config={"topojsonURL": topojson_url, "displaylogo": False, "scrollZoom": False},
                    ),
                ],
            ),
            html.Footer(className="nhs-footer", children=[html.P(BOUNDARY_ATTRIBUTION, id=ids.ATTRIBUTION)]),
        ],
    )
