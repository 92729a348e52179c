"""Wiring only: each callback hands its inputs to a plain function in state, cards or download."""

from __future__ import annotations

from datetime import datetime, timezone

from dash import Dash, Input, Output, State, ctx

from dashboard.figures.maps import MapGeometry
from dashboard.query.explorer import Explorer
from dashboard.web import ids
from dashboard.web.callbacks import cards, download, state

FIELDS = state.FIELDS


def register(app: Dash, explorer: Explorer, geometry: MapGeometry) -> None:
    @app.callback(
        Output(ids.URL, "search"),
        Output(ids.SELECTION, "data"),
        Output(ids.NOTICES, "children"),
        *[Output(ids.CONTROLS[f], "value") for f in FIELDS],
        *[Output(ids.CONTROLS[f], "options") for f in FIELDS],
        Output(ids.GROUP_VALUE, "disabled"),
        Input(ids.URL, "search"),
        *[Input(ids.CONTROLS[f], "value") for f in FIELDS],
        Input(ids.MAP, "clickData"),
        Input(ids.RANKED, "clickData"),
        State(ids.SELECTION, "data"),
    )
    def sync_state(search, *args):
        values = dict(zip(FIELDS, args[: len(FIELDS)], strict=True))
        map_click, ranked_click, previous = args[len(FIELDS):]
        return state.sync_state(
            explorer, trigger=ctx.triggered_id, search=search, values=values,
            map_click=map_click, ranked_click=ranked_click, previous=previous,
        )

    selection = Input(ids.SELECTION, "data")
    app.callback(Output(ids.MAP, "figure"), Output(ids.MAP_LEGEND, "children"), Output(ids.MAP_CAPTION, "children"), selection)(
        lambda data: cards.map_outputs(explorer, geometry, data)
    )
    app.callback(Output(ids.RANKED, "figure"), Output(ids.RANKED_TITLE, "children"), selection)(lambda data: cards.ranked_outputs(explorer, data))
    app.callback(
        Output(ids.TREND, "figure"), Output(ids.TREND_TITLE, "children"), Output(ids.TREND_NOTE, "children"), Output(ids.SPC_ICONS, "children"),
        selection,
    )(lambda data: cards.trend_outputs(explorer, data))
    app.callback(Output(ids.GROUPS, "figure"), Output(ids.GAP, "children"), selection)(lambda data: cards.groups_outputs(explorer, data))
    app.callback(
        Output(ids.HEADLINE, "children"), Output(ids.MODELLED_BADGE, "hidden"), Output(ids.NO_DATA, "children"), Output(ids.NO_DATA, "hidden"),
        selection,
    )(lambda data: cards.headline_outputs(explorer, data))
    app.callback(Output(ids.VARIATION, "children"), selection)(lambda data: cards.variation_outputs(explorer, data))
    app.callback(Output(ids.INEQUALITY_RANK, "figure"), Output(ids.INEQUALITY_NOTE, "children"), selection)(
        lambda data: cards.inequality_outputs(explorer, data)
    )
    app.callback(Output(ids.FUNNEL, "figure"), Output(ids.FUNNEL_NOTE, "children"), selection)(lambda data: cards.funnel_outputs(explorer, data))
    app.callback(Output(ids.TABLE, "data"), selection)(lambda data: cards.table_outputs(explorer, data))
    app.callback(
        Output(ids.DOWNLOAD, "data"),
        Input(ids.DOWNLOAD_BUTTON, "n_clicks"),
        State(ids.SELECTION, "data"),
        State(ids.URL, "href"),
        prevent_initial_call=True,
    )(lambda _clicks, data, href: download.download_output(explorer, data, href, datetime.now(timezone.utc)))
