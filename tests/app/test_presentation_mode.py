"""Presentation mode through the page callback on the tiny dataset (issue 13): `present=1` in the
permalink and the store, the toggle, and charts at 18 px and up while presenting."""

from __future__ import annotations

from dash import Patch, dcc

from dashboard.figures.maps import MapGeometry
from dashboard.web import ids
from tiny_values import ICB_2022, ICB_2022_SEARCH, STORED, answer, control_values, notice_texts  # tests/tiny_values.py

PRESENTING = {**STORED, "present": "1"}




def ranked_font_sizes(figure: dict) -> list[int]:
    """The chart's text sizes: its font, and each axis's labels (an axis without its own size takes the chart's)."""
    layout = figure["layout"]
    base = layout["font"]["size"]
    return [base, *((layout[axis].get("tickfont") or {}).get("size", base) for axis in ("xaxis", "yaxis"))]


def test_the_toggle_enters_presentation_and_the_permalink_says_so(tiny_explorer, geometry: MapGeometry) -> None:
    sent = answer(tiny_explorer, geometry, trigger=ids.PRESENT, values=control_values(ICB_2022), previous=STORED, chart="ranked")
    assert sent[(ids.URL, "search")] == ICB_2022_SEARCH + "&present=1"
    assert sent[(ids.SELECTION, "data")] == {**ICB_2022, "chart": "ranked", "present": "1"}
    # The same selection, redrawn at presentation sizes: the ranked chart whole, the map patched.
    assert min(ranked_font_sizes(sent[(ids.RANKED, "figure")])) >= 18
    assert isinstance(sent[(ids.MAP, "figure")], Patch)
    assert "18" in str(sent[(ids.MAP, "figure")].to_plotly_json())


def test_pressing_it_again_leaves_and_a_change_keeps_the_mode(tiny_explorer, geometry: MapGeometry) -> None:
    left = answer(tiny_explorer, geometry, trigger=ids.PRESENT, values=control_values(ICB_2022), previous=PRESENTING, chart="ranked")
    assert left[(ids.URL, "search")] == ICB_2022_SEARCH
    assert left[(ids.SELECTION, "data")]["present"] == ""
    assert max(ranked_font_sizes(left[(ids.RANKED, "figure")])) < 18
    kept = answer(tiny_explorer, geometry, trigger=ids.PERIOD, values=control_values({**ICB_2022, "period": "2021"}), previous=PRESENTING, chart="ranked")
    assert kept[(ids.URL, "search")].endswith("&chart=ranked&present=1") and "period=2021" in kept[(ids.URL, "search")]
    assert min(ranked_font_sizes(kept[(ids.RANKED, "figure")])) >= 18


def test_a_link_opens_in_presentation_and_a_wrong_value_gives_a_notice(tiny_explorer, geometry: MapGeometry) -> None:
    sent = answer(tiny_explorer, geometry, trigger=None, search="?level=icb&chart=funnel&present=1", values={}, previous=None)
    assert sent[(ids.SELECTION, "data")]["present"] == "1"
    graph = sent[(ids.GRAPH_SLOTS[ids.FUNNEL], "children")]
    assert isinstance(graph, dcc.Graph) and graph.figure["layout"]["font"]["size"] >= 18
    wrong = answer(tiny_explorer, geometry, trigger=None, search="?level=icb&present=yes", values={}, previous=None)
    assert wrong[(ids.SELECTION, "data")]["present"] == ""
    assert notice_texts(wrong[(ids.NOTICES, "children")]) == ["Link parameter 'present': 'yes' is not 1 or 0; not presenting"]


def test_the_headline_card_gives_the_key_figure_and_the_caveats(tiny_explorer, geometry: MapGeometry) -> None:
    sent = answer(tiny_explorer, geometry, trigger=None, search="?level=icb&area=E54000022&present=1", values={}, previous=None)
    # Norfolk and Waveney, 2022: 240 of 500 diagnosed early (tests/app/conftest.py) = 48.0%.
    assert sent[(ids.KEY_FIGURE, "children")] == "48.0%"
    assert "48.0%" in sent[(ids.HEADLINE, "children")]
    caveats = sent[(ids.CAVEATS, "children")]
    assert caveats.startswith("95% intervals · compared with England · Source: ")
    assert "counts of 1 to 4 withheld" in caveats
    assert "/)" not in caveats  # the source named, without the raw folder it was read from


def test_presented_charts_take_their_panels_height_and_keep_the_legend_below_the_axis(tiny_explorer, geometry: MapGeometry) -> None:
    for chart, slot in (("funnel", ids.FUNNEL), ("groups", ids.GROUPS), ("trend", ids.TREND)):
        sent = answer(tiny_explorer, geometry, trigger=None, search=f"?level=icb&chart={chart}&present=1", values={}, previous=None)
        layout = sent[(ids.GRAPH_SLOTS[slot], "children")].figure["layout"]
        assert "height" not in layout and layout["autosize"] is True, chart  # the panel's height (style.css)
        if chart != "groups":  # the groups chart of one area has no legend
            assert (layout["legend"]["yref"], layout["legend"]["y"], layout["legend"]["yanchor"]) == ("container", 0, "bottom"), chart
            assert layout["margin"]["b"] >= 150, chart
    # Browsing: the chart's own height (360 px), the legend as a fraction below the plot.
    browsing = answer(tiny_explorer, geometry, trigger=None, search="?level=icb&chart=funnel", values={}, previous=None)
    layout = browsing[(ids.GRAPH_SLOTS[ids.FUNNEL], "children")].figure["layout"]
    assert layout["height"] == 360 and "yref" not in layout["legend"]
    # The ranked chart keeps a height set by its rows.
    ranked = answer(tiny_explorer, geometry, trigger=None, search="?level=icb&chart=ranked&present=1", values={}, previous=None)
    assert isinstance(ranked[(ids.RANKED, "figure")]["layout"]["height"], int)


def test_the_presented_table_shows_the_value_beside_the_area(tiny_explorer, geometry: MapGeometry) -> None:
    sent = answer(tiny_explorer, geometry, trigger=None, search="?level=icb&chart=table&present=1", values={}, previous=None)
    fields = [column["field"] for column in sent[(ids.TABLE_DATA, "data")]["columnDefs"]]
    assert fields[:6] == ["area_name", "value", "lower_ci", "upper_ci", "comparison", "suppression"]
    browsing = answer(tiny_explorer, geometry, trigger=None, search="?level=icb&chart=table", values={}, previous=None)
    browsing_fields = [column["field"] for column in browsing[(ids.TABLE_DATA, "data")]["columnDefs"]]
    assert browsing_fields[:2] == ["area_name", "area_code"] and sorted(browsing_fields) == sorted(fields)  # the same columns
