"""An alliance's own view ("where is it worst within my alliance?") on the tiny dataset of conftest.py.

Expected values are the fixture's counts worked by hand (the docstring of tests/app/conftest.py):
early-stage lung cancer in 2022, Norfolk and Waveney 240/500 = 48.0%, Cambridgeshire and
Peterborough 140/300 = 46.7%, Mid and South Essex 123/410 = 30.0%, the North alliance (the first
two) 380/800 = 47.5%, the South alliance (Essex alone) 30.0%, England 503/1210 = 41.6%.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from dashboard.figures.maps import AREAS, SELECTED, MapGeometry
from dashboard.presenters.download import download_view
from dashboard.presenters.map import map_view
from dashboard.presenters.table import table_view
from dashboard.core.selection import Selection
from downloads import read_download  # tests/downloads.py
from tiny_values import CAMBS, ENGLAND, ESSEX, NORFOLK, NORTH, SOUTH, card_view, selection


def ranked_rows(figure: dict) -> list[tuple[str, float]]:
    """(label, value) top to bottom, whichever trace draws each row."""
    points = [(y, x) for trace in figure["data"] for x, y in zip(trace["x"], trace["y"], strict=True) if trace["name"] != "Benchmark: peers of similar deprivation"]
    order = list(reversed(figure["layout"]["yaxis"]["categoryarray"]))
    return sorted(points, key=lambda point: order.index(point[0]))


def test_the_ranked_chart_lists_the_alliances_areas_with_the_alliance_and_england(tiny_explorer) -> None:
    figure, title = card_view("ranked", tiny_explorer, selection(alliance=NORTH))
    assert ranked_rows(figure) == [
        ("Norfolk and Waveney", 48.0),
        ("East of England - North (alliance, reference)", 47.5),
        ("Cambridgeshire and Peterborough", pytest.approx(46.6667, abs=1e-4)),
        ("England (reference)", pytest.approx(41.5702, abs=1e-4)),
    ]
    assert title == "East of England - North's areas ranked, with the alliance and England for reference (95% confidence intervals)"
    references = next(trace for trace in figure["data"] if trace["name"] == "Reference")
    assert references["marker"]["symbol"] == "diamond"
    assert [cells[0] for cells in references["customdata"]] == ["", ""]  # a click on a reference selects no area


def test_an_alliance_of_one_icb_still_reads_against_its_references(tiny_explorer) -> None:
    figure, _ = card_view("ranked", tiny_explorer, selection(alliance=SOUTH))
    labels = [label for label, _ in ranked_rows(figure)]
    assert labels[0] == "England (reference)"  # 41.6% is above both 30.0% rows
    assert set(labels) == {"Mid and South Essex", "East of England - South (alliance, reference)", "England (reference)"}


def test_all_england_and_the_alliance_level_list_every_area(tiny_explorer) -> None:
    figure, title = card_view("ranked", tiny_explorer, selection())
    assert [label for label, _ in ranked_rows(figure)] == ["Norfolk and Waveney", "Cambridgeshire and Peterborough", "Mid and South Essex"]
    assert "areas, with the alliance" not in title
    figure, _ = card_view("ranked", tiny_explorer, selection(level="alliance", alliance=NORTH))
    assert len(ranked_rows(figure)) == 2  # both alliances; no reference rows at the alliance level


def test_the_table_and_the_download_hold_the_listed_rows(tiny_explorer) -> None:
    sel = selection(alliance=NORTH)
    records = table_view(tiny_explorer, Selection.from_dict(sel))
    assert [r["area_code"] for r in records] == [NORFOLK, CAMBS, NORTH, ENGLAND]
    assert [r["value"] for r in records] == [48.0, 46.7, 47.5, 41.6]
    _, text = download_view(tiny_explorer, Selection.from_dict(sel), permalink="http://x/?a=1", generated=datetime(2026, 1, 1))
    notes, table, _ = read_download(text, dtype={"area_code": str})
    assert table["area_code"].tolist() == [NORFOLK, CAMBS, NORTH, ENGLAND]
    assert any(note.startswith("# Areas: East of England - North's 2 areas") for note in notes)
    # England's row is the reference itself, never compared with itself.
    assert table.loc[table["area_code"] == ENGLAND, "comparison"].tolist() == ["not compared"]
    # The alliance is compared with England as at the alliance level: 95% interval of 380/800 is about
    # 44.1% to 51.0%, wholly above 41.6%: better (higher is better).
    assert table.loc[table["area_code"] == NORTH, "comparison"].tolist() == ["better"]


def test_the_map_fades_other_alliances_and_outlines_the_selected_area(tiny_explorer, geometry: MapGeometry) -> None:
    traces = map_view(tiny_explorer, Selection.from_dict(selection(alliance=NORTH, area=CAMBS)), geometry).properties["traces"]
    # plotly.js fades choropleth areas one by one only as unselected points (an opacity array is ignored).
    areas = traces[AREAS]
    kept = {areas["locations"][i] for i in areas["selectedpoints"]}
    assert kept == {NORFOLK, CAMBS} and ESSEX in areas["locations"]
    assert areas["unselected"]["marker"]["opacity"] <= 0.25  # outside the alliance: clearly faded
    assert "opacity" not in areas["marker"]
    # With All England nothing is faded.
    everything = map_view(tiny_explorer, Selection.from_dict(selection()), geometry).properties["traces"][AREAS]
    assert everything["selectedpoints"] is None
    # The selected area's outline is its own trace, drawn over every other (no neighbour covers it).
    assert traces[SELECTED]["locations"] == [CAMBS] and max(traces) == SELECTED


def test_the_switch_lists_every_area_again(tiny_explorer) -> None:
    figure, title = card_view("ranked", tiny_explorer, selection(alliance=NORTH, listing="all"))
    assert [label for label, _ in ranked_rows(figure)] == ["Norfolk and Waveney", "Cambridgeshire and Peterborough", "Mid and South Essex"]
    assert "reference" not in title
    records = table_view(tiny_explorer, Selection.from_dict(selection(alliance=NORTH, listing="all")))
    assert [r["area_code"] for r in records] == [NORFOLK, CAMBS, ESSEX]


def test_the_listing_is_in_the_permalink_and_a_bad_value_falls_back(tiny_explorer) -> None:
    from dashboard.web.urlstate import decode, encode

    sel, notices = decode(f"?level=icb&alliance={NORTH}&listing=all", tiny_explorer)
    assert sel.listing == "all" and notices == [] and "listing=all" in encode(sel)
    sel, notices = decode(f"?level=icb&alliance={NORTH}&listing=zzz", tiny_explorer)
    assert sel.listing == "alliance" and [n.parameter for n in notices] == ["listing"]


def test_the_ranked_charts_sentence_describes_what_it_lists(tiny_explorer) -> None:
    from tiny_values import card_summary

    # A user trial found the alliance's chart described as every ICB in England.
    assert card_summary("ranked", tiny_explorer, selection(alliance=NORTH)) == (
        "East of England - North's 2 STP/ICB areas ranked by diagnosed at stage 1 or 2: "
        "highest Norfolk and Waveney (48.0%), lowest Cambridgeshire and Peterborough (46.7%). "
        "With the alliance and England for reference."
    )
    assert card_summary("ranked", tiny_explorer, selection()).startswith("3 STP/ICB areas ranked")


def test_an_area_outside_the_alliances_own_view_is_not_selected(tiny_explorer) -> None:
    # An adversarial check found the headline and the download's name about Essex while the list held
    # the North alliance's areas only. In the alliance's own view only its areas can be selected.
    sel, notices = tiny_explorer.normalise(Selection.from_dict(selection(alliance=NORTH, area=ESSEX)))
    assert sel.area == "" and [n.parameter for n in notices] == ["area"]
    assert "outside the chosen alliance" in notices[0].message
    # With every area listed, any area can be.
    sel, notices = tiny_explorer.normalise(Selection.from_dict(selection(alliance=NORTH, area=ESSEX, listing="all")))
    assert sel.area == ESSEX and notices == []


def test_area_none_in_a_link_means_no_area(tiny_explorer) -> None:
    from dashboard.web.urlstate import decode

    sel, notices = decode(f"?level=icb&alliance={NORTH}&area=none", tiny_explorer)
    assert sel.area == "" and notices == []


def test_every_area_listed_means_every_area_in_the_area_control(tiny_explorer) -> None:
    from dashboard.query.areas import area_options

    own = [o.value for o in area_options(tiny_explorer, Selection.from_dict(selection(alliance=NORTH)))]
    every = [o.value for o in area_options(tiny_explorer, Selection.from_dict(selection(alliance=NORTH, listing="all")))]
    assert ESSEX not in own and ESSEX in every  # a keyboard can choose what a click on the map can
