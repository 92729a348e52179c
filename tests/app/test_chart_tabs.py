"""One chart beside the map at a time (web/charts.py), through the page callback on the tiny dataset."""

from __future__ import annotations

import pytest
from dash import dcc

from dashboard.figures.maps import MapGeometry
from dashboard.web import ids
from dashboard.web.callbacks import page
from dashboard.web.callbacks.state import FIELDS, sync_state
from tiny_values import ICB_2022, ICB_2022_SEARCH, STORED, answer, control_values, notice_texts, selection  # tests/tiny_values.py




def charts_drawn(sent: dict[tuple[str, str], object]) -> set[str]:
    """The graphs whose figure was sent: as a figure (the map, the ranked chart), or as a graph
    made in its slot (the other charts, ids.GRAPH_SLOTS)."""
    drawn = {component for component, prop in sent if prop == "figure"}
    slots = set(ids.GRAPH_SLOTS.values())
    drawn |= {value.id for (component, prop), value in sent.items() if component in slots and isinstance(value, dcc.Graph)}
    return drawn


def test_choosing_a_chart_sends_it_alone_and_shows_its_panel(tiny_explorer, geometry: MapGeometry) -> None:
    sent = answer(tiny_explorer, geometry, trigger=ids.CHART, values=control_values(ICB_2022), previous=STORED, chart="funnel")
    assert sent[(ids.SELECTION, "data")] == {**ICB_2022, "chart": "funnel", "present": ""}
    assert sent[(ids.URL, "search")] == ICB_2022_SEARCH.replace("chart=ranked", "chart=funnel")
    assert {chart: sent[(ids.CHART_PANELS[chart], "hidden")] for chart in ids.CHART_PANELS} == {
        "ranked": True, "trend": True, "groups": True, "funnel": False, "inequality": True, "table": True,
    }
    assert charts_drawn(sent) == {ids.FUNNEL}  # the selection is the same: the map is not sent again, nor any other chart
    # No control changed value, so none is sent back.
    assert not any((ids.CONTROLS[f], "value") in sent for f in FIELDS)


def test_a_change_redraws_the_chart_shown_and_no_other(tiny_explorer, geometry: MapGeometry) -> None:
    shown = {**STORED, "chart": "funnel"}
    values = control_values(selection(period="2021"))
    sent = answer(tiny_explorer, geometry, trigger=ids.PERIOD, values=values, previous=shown, chart="funnel")
    assert charts_drawn(sent) == {ids.MAP, ids.FUNNEL}
    assert not any(prop == "hidden" and component in ids.CHART_PANELS.values() for component, prop in sent)  # the panels stay
    assert (ids.PERIOD, "value") not in sent  # the control already holds 2021
    assert sent[(ids.SELECTION, "data")]["period"] == "2021"


def test_a_link_names_its_chart_and_a_wrong_one_gives_a_notice(tiny_explorer, geometry: MapGeometry) -> None:
    sent = answer(tiny_explorer, geometry, trigger=None, search="?level=icb&chart=trend", values=control_values(ICB_2022), previous=None)
    assert sent[(ids.CHART, "value")] == "trend" and sent[(ids.GRAPH_SLOTS[ids.TREND], "children")].figure
    assert sent[(ids.CHART_PANELS["trend"], "hidden")] is False
    out = sync_state(tiny_explorer, trigger=None, search="?level=icb&chart=pie", values={}, map_click=None, ranked_click=None, previous=None)
    assert out[1]["chart"] == "ranked"
    assert notice_texts(out[2]) == [
        "Link parameter 'chart': 'pie' is not a chart (one of ranked, trend, groups, funnel, inequality, table); showing the ranked chart"
    ]


def test_a_change_sends_only_the_outputs_that_differ(tiny_explorer, geometry: MapGeometry) -> None:
    """2021 and 2022 (tiny data, ICB level) both have data and neither is modelled: the headline's
    text changes, its badge and no-data message do not, so only the text is sent."""
    values = control_values(selection(period="2021"))
    sent = answer(tiny_explorer, geometry, trigger=ids.PERIOD, values=values, previous=STORED, chart="ranked")
    assert (ids.HEADLINE, "children") in sent
    assert not {(ids.MODELLED_BADGE, "hidden"), (ids.NO_DATA, "children"), (ids.NO_DATA, "hidden")} & sent.keys()


@pytest.mark.parametrize("store", ["str", [1, 2], 5, {"indicator": ["x"]}])
@pytest.mark.parametrize("click", [{"points": "abc"}, "str", 5, {"points": {"0": 1}}])
def test_a_malformed_store_or_click_gets_an_answer_not_an_error(tiny_explorer, geometry, store, click) -> None:
    from dashboard.web import ids
    from dashboard.web.callbacks import page

    outputs = page.update(
        tiny_explorer, geometry, trigger=ids.RANKED, search="", values=control_values(ICB_2022),
        map_click=None, ranked_click=click, previous=store,  # type: ignore[arg-type]
    )
    assert len(outputs) == len(page.OUTPUTS)


@pytest.mark.parametrize("search", [5, ["?level=icb"], {"a": 1}])
def test_a_non_text_address_is_no_address(tiny_explorer, geometry, search) -> None:
    outputs = page.update(
        tiny_explorer, geometry, trigger=ids.URL, search=search, values=control_values(ICB_2022),  # type: ignore[arg-type]
        map_click=None, ranked_click=None, previous=STORED,
    )
    assert len(outputs) == len(page.OUTPUTS)
