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
