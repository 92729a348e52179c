"""The page as a Dash component tree."""

from __future__ import annotations

from typing import Any

import dash_bootstrap_components as dbc
from dash import dash_table, dcc, html

from dashboard import PRODUCT_NAME, ids
from dashboard.data.schema import GROUPS_WITHOUT_DATA
from dashboard.query import Option
from dashboard.sources import BOUNDARY_ATTRIBUTION, CANCER_DATA_ATTRIBUTION, POPULATION_ATTRIBUTION
from dashboard.views.tables import TABLE_COLUMNS

CONTROL_LABELS = {
    "indicator": "Indicator",
    "cancer": "Cancer type",
    "period": "Period",
    "level": "Area level",
    "alliance": "Alliance",
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


def _card(title: str, *children: Any, title_id: str | None = None, class_name: str = "card") -> html.Section:
    heading = html.H3(title, id=title_id) if title_id else html.H3(title)
    return html.Section(className=class_name, children=[heading, *children])


def page(*, selection: dict[str, str], options: dict[str, list[Option]], map_figure: dict[str, Any], topojson_url: str) -> html.Div:
    graph_config = {"displaylogo": False, "scrollZoom": False, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}
    controls = [_select(field, options[field], selection[field]) for field in CONTROL_LABELS]
    return html.Div(
        className="page",
        children=[
            dcc.Location(id=ids.URL, refresh=False),
            dcc.Store(id=ids.SELECTION, data=selection),
            dcc.Download(id=ids.DOWNLOAD),
            html.Header(
                id=ids.HEADER,
                className="nhs-header",
                children=[
                    html.H1(PRODUCT_NAME),
                    html.P("Where, and for whom, cancer outcomes differ across England's Cancer Alliances"),
                ],
            ),
            html.Div(
                className="layout",
                children=[
                    html.Aside(
                        className="controls",
                        **{"aria-label": "Choose what to show"},
                        children=[html.H2("Choose"), *controls],
                    ),
                    html.Main(
                        className="content",
                        children=[
                            html.Div(id=ids.NOTICES, className="notices", role="status"),
                            html.Div(
                                className="headline-row",
                                children=[
                                    html.P(id=ids.HEADLINE, className="headline", **{"aria-live": "polite"}),
                                    html.Span(id=ids.MODELLED_BADGE, className="badge-modelled", hidden=True, children="MODELLED"),
                                ],
                            ),
                            html.P(id=ids.NO_DATA, className="no-data", hidden=True),
                            html.Div(
                                className="grid",
                                children=[
                                    _card(
                                        "Map",
                                        html.Fieldset(
                                            className="radio-row",
                                            children=[
                                                html.Legend("Colour map by"),
                                                dcc.RadioItems(id=ids.COLOUR, options=as_options(options["colour"]), value=selection["colour"], inline=True),
                                            ],
                                        ),
                                        dcc.Graph(id=ids.MAP, figure=map_figure, className="map", config={**graph_config, "topojsonURL": topojson_url}),
                                        html.Ul(id=ids.MAP_LEGEND, className="legend"),
                                        html.P(id=ids.MAP_CAPTION, className="caption"),
                                    ),
                                    _card("Areas ranked, with 95% confidence intervals", dcc.Graph(id=ids.RANKED, config=graph_config), class_name="card scroll"),
                                    _card("Trend", dcc.Graph(id=ids.TREND, config=graph_config), title_id=ids.TREND_TITLE),
                                    _card("Groups of patients", dcc.Graph(id=ids.GROUPS, config=graph_config), html.P(id=ids.GAP, className="caption")),
                                ],
                            ),
                            _card(
                                "Table",
                                html.Button("Download CSV", id=ids.DOWNLOAD_BUTTON, className="button"),
                                dash_table.DataTable(
                                    id=ids.TABLE,
                                    columns=table_columns(),
                                    sort_action="native",
                                    page_action="none",
                                    style_table={"maxHeight": "420px", "overflowY": "auto"},
                                    style_cell={"fontFamily": "Frutiger, Arial, sans-serif", "fontSize": "15px", "padding": "6px", "textAlign": "left"},
                                    style_header={"fontWeight": "bold", "backgroundColor": "#E8EDEE"},
                                    style_data_conditional=[
                                        {"if": {"filter_query": '{data_status} = "modelled"'}, "backgroundColor": "#FFF4CC"},
                                    ],
                                ),
                                class_name="card wide",
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
                ],
            ),
        ],
    )


def table_columns() -> list[dict[str, Any]]:
    """Numbers sort as numbers and show as the CSV writes them (1 decimal place)."""
    one_decimal = {"type": "numeric", "format": {"specifier": ".1f"}}
    formats = {"value": one_decimal, "lower_ci": one_decimal, "upper_ci": one_decimal, "numerator": {"type": "numeric"}, "denominator": {"type": "numeric"}}
    return [{"id": c, "name": name, **formats.get(c, {})} for c, name in TABLE_COLUMNS]


def help_text() -> list[Any]:
    missing = " and ".join(label.lower() for label in GROUPS_WITHOUT_DATA.values())
    return [
        html.P(
            "Each value comes with its 95% confidence interval. An area is 'significantly better' or "
            "'significantly worse' than its benchmark only when its whole interval lies on one side of "
            "the benchmark value; otherwise it is 'similar'. Whether higher is better depends on the indicator."
        ),
        html.P(
            "Benchmarks: England; the selected alliance; or peers of similar deprivation (areas at the same "
            "level in the same fifth by share of residents living in England's most deprived fifth of "
            "neighbourhoods, pooled)."
        ),
        html.P(
            "MODELLED figures (breakdowns of early-stage diagnosis by deprivation quintile and ethnic group) "
            "are estimates from a stated model that adds up to the published totals; no source publishes "
            "these breakdowns for areas. They are marked MODELLED wherever they appear."
        ),
        html.P(
            f"No data exist, published or modelled, for {missing}. This dashboard does not invent them; "
            "an alliance holding its own figures can load them (see the README, 'Loading an alliance's own data')."
        ),
    ]
