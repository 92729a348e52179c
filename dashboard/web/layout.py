"""The page as a Dash component tree."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dcc, html
from dash.development.base_component import Component

from dashboard.core.selection import Option
from dashboard.core.settings import PRODUCT_NAME
from dashboard.core.sources import (
    BOUNDARY_ATTRIBUTION,
    CANCER_DATA_ATTRIBUTION,
    POPULATION_ATTRIBUTION,
)
from dashboard.presenters.ranked import RANKED_TITLE
from dashboard.query.areas import control_value
from dashboard.web import ids
from dashboard.web.charts import CHARTS, DEFAULT_CHART, FILLING_CHARTS, FIXED_HEADINGS
from dashboard.web.help import help_text

CONTROL_LABELS = {
    "indicator": "Indicator",
    "cancer": "Cancer type",
    "period": "Period",
    "level": "Area level",
    "alliance": "Alliance",
    "area": "Area",
    "group": "Group",
    "group_value": "Group value",
    "compare": "Compare with",
    "confidence": "Significance level",
}


def as_options(options: list[Option]) -> list[dict[str, Any]]:
    return [{"label": o.label, "value": o.value, "disabled": o.disabled} for o in options]


def _select(field: str, options: list[Option], value: str) -> html.Div:
    control_id = ids.CONTROLS[field]
    return html.Div(
        className="control",
        children=[
            html.Label(CONTROL_LABELS[field], htmlFor=control_id),
            # A native <select>: named by its <label>, for screen readers and tests alike.
            dbc.Select(id=control_id, options=as_options(options), value=value),
        ],
    )


def _radio(field: str, legend: str, options: dict[str, list[Option]], selection: dict[str, str]) -> html.Fieldset:
    """A radio group named by its legend (a fieldset), for two- or three-way switches: native
    radio buttons sharing a name (dcc.RadioItems drew role="option" labels around its inputs,
    a radio group with no name and interactive elements nested in interactive ones)."""
    control_id = ids.CONTROLS[field]
    return html.Fieldset(
        className="radio-row",
        children=[
            html.Legend(legend),
            dbc.RadioItems(id=control_id, name=control_id, options=as_options(options[field]), value=selection[field], inline=True),
        ],
    )


def _card(title: str, *children: Any, title_id: str | None = None, class_name: str = "card") -> html.Section:
    heading = html.H3(title, id=title_id) if title_id else html.H3(title)
    return html.Section(className=class_name, children=[heading, *children])


MAP_HEADING = "map-heading"


# The charts' toolbars keep what helps a reader: the reset (the map: zoom in and out too).
# Plotly's others (pan, box zoom, autoscale, hover and spike toggles, select and lasso) were tab
# stops a keyboard user met 45 times between two controls, and none sends a chart to a cloud
# service ("Share chart", "Edit in Chart Studio"). Its picture download saved the chart with no
# title, legend, period or source: the page's own Image buttons save one that keeps its
# meaning (assets/chart_images.js).
GRAPH_CONFIG: dict[str, Any] = {
    "displaylogo": False, "scrollZoom": False, "showSendToCloud": False, "showEditInChartStudio": False,
    "modeBarButtons": [["resetScale2d"]],
}
MAP_CONFIG: dict[str, Any] = {**GRAPH_CONFIG, "modeBarButtons": [["zoomInGeo", "zoomOutGeo", "resetGeo"]]}


def chart_graph(graph_id: str, figure: dict[str, Any]) -> dcc.Graph:
    """A chart made in its slot (ids.GRAPH_SLOTS) when shown. `responsive` is left to Dash
    ("auto"), as for the ranked chart: the panel's width and the figure's own height."""
    return dcc.Graph(id=graph_id, figure=figure, config=GRAPH_CONFIG)


def described(chart: str, labelled_by: str, *children: Any) -> html.Figure:
    """A chart and its one-sentence text alternative (filled by its card), the figure named by its
    heading and described by the sentence. Not role="img": the chart's own controls stay reachable."""
    summary_id = ids.SUMMARIES[chart]
    return html.Figure(
        className="chart-figure",
        **{"aria-labelledby": labelled_by, "aria-describedby": summary_id},
        children=[*children, html.P(id=summary_id, className="visually-hidden summary")],
    )


def page(*, selection: dict[str, str], options: dict[str, list[Option]], map_figure: dict[str, Any], topojson_url: str) -> html.Div:
    controls = [_select(field, options[field], control_value(field, selection[field])) for field in CONTROL_LABELS]
    return html.Div(
        className="page",
        children=[
            dcc.Location(id=ids.URL, refresh=False),
            # Empty until the first answer: the server then knows the page holds no cards yet
            # (it leaves out whatever the page already shows, by the selection stored here).
            dcc.Store(id=ids.SELECTION, data=None),
            dcc.Store(id=ids.LINKED_VIEW_SHOWN),
            dcc.Store(id=ids.ADDRESS_CORRECTION),
            dcc.Store(id=ids.ADDRESS_CORRECTED),
            dcc.Store(id=ids.PRESENT_SHOWN),
            dcc.Store(id=ids.STORY_SHOWN),
            dcc.Download(id=ids.DOWNLOAD),
            html.P(id="image-status", className="visually-hidden", role="status"),
            # Past the eleven controls in one key press (WCAG 2.4.1).
            html.A("Skip to the map and charts", href=f"#{ids.CONTENT}", className="skip-link"),
            html.Header(
                id=ids.HEADER,
                className="nhs-header",
                children=[
                    html.H1(PRODUCT_NAME),
                    html.P("Where, and for whom, cancer outcomes differ across England's Cancer Alliances"),
                    html.Nav(id=ids.STORY_STEPS, className="story-steps", **{"aria-label": "Storyboard steps"}),
                    _present_toggle(),
                ],
            ),
            html.Div(
                className="layout",
                children=[
                    html.Aside(
                        id=ids.CONTROLS_REGION,
                        className="controls",
                        **{"aria-label": "Choose what to show"},
                        children=[html.H2("Choose"), *controls, html.Section(id=ids.STORYBOARD, className="storyboard"), board_pack_controls()],
                    ),
                    html.Main(
                        id=ids.CONTENT,
                        tabIndex="-1",
                        className="content",
                        children=[
                            # For screen readers' heading list, and presentation mode's (its controls,
                            # the page's other level-2 heading, are hidden there).
                            html.H2("Map and charts", className="visually-hidden"),
                            html.Div(id=ids.NOTICES, className="notices", role="status"),
                            html.Div(
                                className="headline-row",
                                children=[
                                    # Presentation mode: the headline's number, large (style.css).
                                    html.P(id=ids.KEY_FIGURE, className="key-figure", **{"aria-hidden": "true"}),
                                    html.P(id=ids.HEADLINE, className="headline", **{"aria-live": "polite"}),
                                    html.Span(id=ids.MODELLED_BADGE, className="badge-modelled", hidden=True, children="MODELLED"),
                                ],
                            ),
                            html.P(id=ids.CAVEATS, className="caveats"),
                            html.P(id=ids.NO_DATA, className="no-data", hidden=True),
                            html.Div(
                                className="grid",
                                children=[
                                    _card(
                                        "Map",
                                        _radio("colour", "Colour map by", options, selection),
                                        described("map", MAP_HEADING, dcc.Graph(id=ids.MAP, figure=map_figure, className="map", config={**MAP_CONFIG, "topojsonURL": topojson_url})),
                                        html.Ul(id=ids.MAP_LEGEND, className="legend"),
                                        image_buttons("map"),
                                        html.P(id=ids.MAP_CAPTION, className="caption"),
                                        html.H4("Variation across areas"),
                                        html.Dl(id=ids.VARIATION, className="variation"),
                                        title_id=MAP_HEADING,
                                        class_name="card map-card",
                                    ),
                                    html.Section(className="card charts", children=[_chart_tabs(), *_chart_panels(options, selection)]),
                                ],
                            ),
                            _card("Help", *help_text(), class_name="card wide help"),
                        ],
                    ),
                ],
            ),
            html.Footer(
                className="nhs-footer",
                children=[
                    html.P(CANCER_DATA_ATTRIBUTION),
                    html.P(POPULATION_ATTRIBUTION),
                    html.P(BOUNDARY_ATTRIBUTION, id=ids.ATTRIBUTION),
                    html.P(html.A("Back to the controls", href=f"#{ids.CONTROLS_REGION}")),
                ],
            ),
        ],
    )


def _present_toggle() -> html.Button:
    """Presentation mode on and off (`present=1` in the permalink; Esc leaves it): the page's
    controls hidden, its headline, map and chosen chart large for a shared screen."""
    return html.Button(
        [html.Span("Present", className="when-browsing"), html.Span("Leave presentation (Esc)", className="when-presenting")],
        id=ids.PRESENT, type="button", className="button present-toggle",
        title="Presentation mode: the headline, the map and the chosen chart, large, for a shared screen",
    )


def image_buttons(kind: str) -> html.Div:
    """Save the map, or the chart shown, as a picture for slides (1920x1080, PNG or SVG) with its
    title, headline, legend, caveats and permalink in it: made in the browser (assets/chart_images.js)."""
    what = "the map" if kind == "map" else "the chart shown"
    return html.Div(
        className="image-buttons",
        children=[
            html.Span("Image:", className="image-label"),
            *[
                html.Button(fmt.upper(), type="button", className="image-button", **{"data-image": f"{kind} {fmt}", "aria-label": f"Save {what} as a {fmt.upper()} image for slides"})
                for fmt in ("png", "svg")
            ],
        ],
    )


def board_pack_controls() -> html.Section:
    """Make the board pack (assets/board_pack.js): a PDF or PowerPoint file of this view or of
    the storyboard, a title page then a page per view, drawn here and put together by the server."""
    def pack_button(scope: str, fmt: str, label: str) -> html.Button:
        what = "this view" if scope == "view" else "every view in the storyboard"
        return html.Button(label, type="button", className="story-button", **{"data-pack": f"{scope} {fmt}", "aria-label": f"Make a {label} board pack of {what}"})

    return html.Section(
        className="board-pack",
        **{"aria-labelledby": "board-pack-heading"},
        children=[
            html.H3("Board pack", id="board-pack-heading"),
            html.P("A title page, then a page per view: headline, map, chart, notes and permalink.", className="caption"),
            html.Label("Title", htmlFor=ids.PACK_TITLE, className="pack-label"),
            html.Div(dcc.Input(id=ids.PACK_TITLE, type="text", placeholder="Board pack", maxLength=120, debounce=True, className="pack-title"), className="pack-row"),
            *[
                html.Div(className="pack-row", children=[html.Span(label, className="pack-label"), pack_button(scope, "pdf", "PDF"), pack_button(scope, "pptx", "PowerPoint")])
                for scope, label in (("view", "This view:"), ("story", "Storyboard:"))
            ],
            html.Progress(id=ids.PACK_PROGRESS, className="pack-progress", hidden=True, max=1, value=0, **{"aria-label": "Board pack: views drawn"}),
            html.P(id=ids.PACK_STATUS, className="caption", role="status"),
        ],
    )


def _chart_tabs() -> html.Div:
    """The "Chart" choice, a radio group styled as tabs (arrow keys move between them), and the download."""
    return html.Div(
        className="chart-bar",
        children=[
            html.Fieldset(
                className="chart-tabs",
                children=[
                    html.Legend("Chart"),
                    dbc.RadioItems(
                        id=ids.CHART, name=ids.CHART, options=[{"label": label, "value": key} for key, label in CHARTS.items()],
                        value=DEFAULT_CHART, inline=True, label_checked_class_name="checked",
                    ),
                ],
            ),
            html.Div(
                className="chart-actions",
                children=[
                    image_buttons("chart"),
                    html.Button("Download CSV", id=ids.DOWNLOAD_BUTTON, className="button", title="The table's rows for this selection, as the page shows them"),
                ],
            ),
        ],
    )


def _chart_panels(options: dict[str, list[Option]], selection: dict[str, str]) -> list[html.Div]:
    """One panel per chart; only the chosen one is shown, and only it is drawn on a change."""
    def panel(chart: str, *children: Any, class_name: str = "panel") -> html.Div:
        class_name += " fills" if chart in FILLING_CHARTS else ""
        return html.Div(id=ids.CHART_PANELS[chart], className=class_name, hidden=chart != DEFAULT_CHART, children=list(children))

    return [
        panel(
            "ranked",
            html.H3(RANKED_TITLE, id=ids.RANKED_TITLE),
            # With an alliance chosen: its own areas (and reference rows), or every area. The table
            # and the download follow it (presenters/scope.py).
            _radio("listing", "Areas listed", options, selection),
            # `responsive` is left to Dash ("auto"): each drawing takes the panel's width and the
            # figure's own height (the level's number of areas). True would drop that height and
            # redraw on every resize; False drew 700 px wide whatever the panel (at 1280x720 a
            # 431 px panel cut off the best areas).
            described("ranked", ids.RANKED_TITLE, dcc.Graph(id=ids.RANKED, config=GRAPH_CONFIG)),
            class_name="panel scroll",
        ),
        panel(
            "trend",
            html.H3("Trend", id=ids.TREND_TITLE),
            html.Div(id=ids.SPC_ICONS, className="spc-icons"),
            described("trend", ids.TREND_TITLE, html.Div(id=ids.GRAPH_SLOTS[ids.TREND])),
            html.P(id=ids.TREND_NOTE, className="caption"),
        ),
        panel(
            "groups",
            html.H3(FIXED_HEADINGS["groups"], id=heading("groups")),
            described("groups", heading("groups"), html.Div(id=ids.GRAPH_SLOTS[ids.GROUPS])),
            html.P(id=ids.GAP, className="caption"),
        ),
        panel(
            "funnel",
            html.H3(FIXED_HEADINGS["funnel"], id=heading("funnel")),
            _radio("overdispersion", "Funnel limits", options, selection),
            described("funnel", heading("funnel"), html.Div(id=ids.GRAPH_SLOTS[ids.FUNNEL])),
            html.P(id=ids.FUNNEL_NOTE, className="caption"),
        ),
        panel(
            "inequality",
            html.H3(FIXED_HEADINGS["inequality"], id=heading("inequality")),
            # Above the chart: the panel scrolls, and below 106 sub-ICBs the note was out of sight.
            html.P(id=ids.INEQUALITY_NOTE, className="caption"),
            described("inequality", heading("inequality"), html.Div(id=ids.GRAPH_SLOTS[ids.INEQUALITY_RANK])),
            class_name="panel scroll",
        ),
        # The grid is made in its slot, in the browser, from the properties the server puts in the
        # store (web/grid.py, assets/table_grid.js): its code loads only when the table is first shown.
        panel(
            "table",
            html.H3(FIXED_HEADINGS["table"], id=heading("table")),
            dcc.Store(id=ids.TABLE_DATA),
            # Scrolls both ways, by keyboard too (a focusable region named by its heading).
            html.Div(className="table-scroll", tabIndex="0", role="region", **{"aria-labelledby": heading("table")}, children=html.Div(id=ids.TABLE)),
        ),
    ]


def heading(chart: str) -> str:
    """The id of a chart panel's heading, which names its figure."""
    return f"{chart}-heading"


def with_initial(tree: Component, values: dict[tuple[str, str], Any]) -> Component:
    """The page with the first view's card contents already in place, by (component id,
    property): the browser draws every card as the page loads, and the first answer then
    carries only what differs (a link to another view), not every card again."""
    for component in [tree, *tree._traverse()]:
        for (component_id, prop), value in values.items():
            if getattr(component, "id", None) == component_id:
                setattr(component, prop, value)
    return tree
