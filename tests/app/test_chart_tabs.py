"""One chart beside the map at a time (web/charts.py), through the page callback on the tiny dataset."""

from __future__ import annotations

import pytest
from dash import dcc, no_update

from dashboard.figures.maps import MapGeometry
from dashboard.web import ids
from dashboard.web.app import map_geometry, map_layers
from dashboard.web.callbacks import page
from dashboard.web.callbacks.state import sync_state
from tiny_values import ICB_2022, ICB_2022_SEARCH, STORED, control_values, notice_texts, selection  # tests/tiny_values.py

GRAPHS = ids.GRAPH_TYPE


@pytest.fixture(scope="module")
def geometry(tiny_dataset) -> MapGeometry:
    return map_geometry(map_layers(tiny_dataset))


def answer(explorer, geometry: MapGeometry, made: dict[str, list[str]] | None = None, **kwargs) -> tuple[dict, dict]:
    """(the page callback's outputs by (component id, property), the unsent ones left out;
    the made components' new values by (kind, slot), the unsent ones left out)."""
    made = made or {}
    out = page.update(explorer, geometry, search=kwargs.pop("search", ICB_2022_SEARCH), map_click=None, ranked_click=None, made=made, **kwargs)
    fixed, lists = out[:len(page.OUTPUTS)], out[len(page.OUTPUTS):]
    sent = {output: value for output, value in zip(page.OUTPUTS, fixed, strict=True) if value is not no_update}
    values = {(kind, slot): value for (kind, _), found in zip(page.MADE_OUTPUTS, lists, strict=True)
              for slot, value in zip(made.get(kind, []), found, strict=True) if value is not no_update}
    return sent, values


def graphs_drawn(sent: dict, values: dict) -> set[str]:
    """The graphs an answer draws: the map, each chart made in its slot, and each made chart given a figure."""
    made_now = {component for (component, prop), value in sent.items() if prop == "children" and isinstance(value, dcc.Graph)}
    return {c for c, prop in sent if prop == "figure"} | made_now | {slot for kind, slot in values if kind == GRAPHS}


def test_choosing_a_chart_makes_it_alone_and_shows_its_panel(tiny_explorer, geometry: MapGeometry) -> None:
    sent, values = answer(tiny_explorer, geometry, made={GRAPHS: [ids.RANKED]}, trigger=ids.CHART,
                          values=control_values(ICB_2022), previous=STORED, chart="funnel")
    assert sent[(ids.SELECTION, "data")] == {**ICB_2022, "chart": "funnel"}
    assert sent[(ids.URL, "search")] == ICB_2022_SEARCH.replace("chart=ranked", "chart=funnel")
    assert {chart: sent[(ids.CHART_PANELS[chart], "hidden")] for chart in ids.CHART_PANELS} == {
        "ranked": True, "trend": True, "groups": True, "funnel": False, "inequality": True, "table": True,
    }
    # The selection is the same: the map is not sent again, nor any other chart.
    assert graphs_drawn(sent, values) == {ids.FUNNEL}
    # First shown: the funnel's graph is made in its slot, with its figure.
    assert sent[(ids.FUNNEL, "children")].figure["data"]
    assert sent[(ids.FUNNEL, "children")].id == {"type": GRAPHS, "name": ids.FUNNEL}
    # No control changed value, so none is sent back.
    assert not any((ids.CONTROLS[f], "value") in sent for f in ids.CONTROLS)


def test_a_change_redraws_the_chart_shown_and_no_other(tiny_explorer, geometry: MapGeometry) -> None:
    shown = {**STORED, "chart": "funnel"}
    values = control_values(selection(period="2021"))
    sent, made = answer(tiny_explorer, geometry, made={GRAPHS: [ids.RANKED, ids.FUNNEL]}, trigger=ids.PERIOD,
                        values=values, previous=shown, chart="funnel")
    assert graphs_drawn(sent, made) == {ids.MAP, ids.FUNNEL}
    # Made already: its figure changes and the graph stays (a graph made again is drawn from scratch).
    assert made[(GRAPHS, ids.FUNNEL)]["data"] and (ids.FUNNEL, "children") not in sent
    assert not any(prop == "hidden" and component in ids.CHART_PANELS.values() for component, prop in sent)  # the panels stay
    assert (ids.PERIOD, "value") not in sent  # the control already holds 2021
    assert sent[(ids.SELECTION, "data")]["period"] == "2021"


def test_a_link_names_its_chart_and_a_wrong_one_gives_a_notice(tiny_explorer, geometry: MapGeometry) -> None:
    sent, _ = answer(tiny_explorer, geometry, trigger=None, search="?level=icb&chart=trend", values=control_values(ICB_2022), previous=None)
    assert sent[(ids.CHART, "value")] == "trend" and sent[(ids.TREND, "children")].figure["data"]
    assert sent[(ids.CHART_PANELS["trend"], "hidden")] is False
    out = sync_state(tiny_explorer, trigger=None, search="?level=icb&chart=pie", values={}, map_click=None, ranked_click=None, previous=None)
    assert out[1]["chart"] == "ranked"
    assert notice_texts(out[2]) == [
        "Link parameter 'chart': 'pie' is not a chart (one of ranked, trend, groups, funnel, inequality, table); showing ranked areas"
    ]
