"""Thin callbacks: parse inputs into a Selection, make one call into views, return."""

from __future__ import annotations

from datetime import datetime, timezone

from dash import Dash, Input, Output, Patch, State, ctx, dcc, html, no_update

from dashboard.web import ids
from dashboard.core.selection import Selection
from dashboard.web.callbacks.state import next_state
from dashboard.query.explorer import Explorer
from dashboard.web.layout import as_options
from dashboard.web.urlstate import encode
from dashboard.presenters import page
from dashboard.figures.maps import MapGeometry

FIELDS = list(ids.CONTROLS)


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
        trigger = ctx.triggered_id
        click = map_click if trigger == ids.MAP else ranked_click if trigger == ids.RANKED else None
        state = next_state(explorer, trigger=trigger, search=search, values=values, previous=previous, click=click)
        notices = [html.P(f"Link parameter '{n.parameter}': {n.message}", className="notice") for n in state.notices]
        from_url = trigger in (None, ids.URL)
        selection = state.selection.as_dict()
        return (
            no_update if from_url else state.search,
            selection,
            notices,
            *[selection[f] for f in FIELDS],
            *[as_options(state.options[f]) for f in FIELDS],
            state.selection.group == "all",
        )

    @app.callback(
        Output(ids.MAP, "figure"),
        Output(ids.MAP_LEGEND, "children"),
        Output(ids.MAP_CAPTION, "children"),
        Input(ids.SELECTION, "data"),
    )
    def update_map(data):
        view = page.map_view(explorer, Selection.from_dict(data), geometry)
        patched = Patch()
        for index, properties in view.properties["traces"].items():
            for key, value in properties.items():
                patched["data"][index][key] = value
        for key, value in view.properties["geo"].items():
            patched["layout"]["geo"][key] = value
        legend = [html.Li([html.Span(className="swatch", style={"background": colour}), label], **{"data-key": key}) for key, label, colour in view.legend]
        return patched, legend, view.caption

    @app.callback(Output(ids.RANKED, "figure"), Input(ids.SELECTION, "data"))
    def update_ranked(data):
        return page.ranked_view(explorer, Selection.from_dict(data))

    @app.callback(
        Output(ids.TREND, "figure"), Output(ids.TREND_TITLE, "children"), Output(ids.TREND_NOTE, "children"), Output(ids.SPC_ICONS, "children"),
        Input(ids.SELECTION, "data"),
    )
    def update_trend(data):
        figure, title, note, icons = page.trend_view(explorer, Selection.from_dict(data))
        badges = [html.Span(letter, className=f"spc-icon {css}", title=label, role="img", **{"aria-label": label}) for css, letter, label in icons]
        return figure, title, note, badges

    @app.callback(Output(ids.GROUPS, "figure"), Output(ids.GAP, "children"), Input(ids.SELECTION, "data"))
    def update_groups(data):
        return page.groups_view(explorer, Selection.from_dict(data))

    @app.callback(
        Output(ids.HEADLINE, "children"),
        Output(ids.MODELLED_BADGE, "hidden"),
        Output(ids.NO_DATA, "children"),
        Output(ids.NO_DATA, "hidden"),
        Input(ids.SELECTION, "data"),
    )
    def update_headline(data):
        sel = Selection.from_dict(data)
        reason = page.no_data_reason(explorer, sel)
        return page.headline_view(explorer, sel), not explorer.modelled_in_view(sel), reason, not reason

    @app.callback(Output(ids.VARIATION, "children"), Input(ids.SELECTION, "data"))
    def update_variation(data):
        items = page.variation_view(explorer, Selection.from_dict(data))
        return [child for term, text in items for child in (html.Dt(term), html.Dd(text))]

    @app.callback(Output(ids.INEQUALITY_RANK, "figure"), Output(ids.INEQUALITY_NOTE, "children"), Input(ids.SELECTION, "data"))
    def update_inequality(data):
        return page.inequality_rank_view(explorer, Selection.from_dict(data))

    @app.callback(Output(ids.FUNNEL, "figure"), Output(ids.FUNNEL_NOTE, "children"), Input(ids.SELECTION, "data"))
    def update_funnel(data):
        return page.funnel_view(explorer, Selection.from_dict(data))

    @app.callback(Output(ids.TABLE, "data"), Input(ids.SELECTION, "data"))
    def update_table(data):
        return page.table_view(explorer, Selection.from_dict(data))

    @app.callback(
        Output(ids.DOWNLOAD, "data"),
        Input(ids.DOWNLOAD_BUTTON, "n_clicks"),
        State(ids.SELECTION, "data"),
        State(ids.URL, "href"),
        prevent_initial_call=True,
    )
    def download(_clicks, data, href):
        sel = Selection.from_dict(data)
        permalink = (href or "").split("?")[0] + encode(sel)
        name, text = page.download_view(explorer, sel, permalink=permalink, generated=datetime.now(timezone.utc))
        return dcc.send_string(text, name, type="text/csv")
