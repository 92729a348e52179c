"""The series-over-time trend card when two of its lines are one: an alliance of one ICB.

On the tiny dataset (tests/app/conftest.py) East of England - South (E56000023) is one ICB, Mid
and South Essex (E54000026): their early-stage Lung series are the same, 116 / 412 = 28.1553% in
2021 and 123 / 410 = 30.0% in 2022. Drawn in order, the alliance's line hid the ICB's; the
ICB's is now drawn last, dashed, and the note says why. Names that read alike (Lancashire and
South Cumbria ICB, Lancashire & South Cumbria Cancer Alliance) are told apart by their kind.
"""

from __future__ import annotations

from types import MappingProxyType, SimpleNamespace

from dashboard.presenters.trend import distinct_names, series_title
from tiny_values import ESSEX, NORFOLK, NORTH, SOUTH, card_view, selection  # tests/tiny_values.py


def test_an_icb_that_is_its_alliance_is_drawn_dashed_on_top_and_said_to_be_the_same(tiny_explorer) -> None:
    figure, title, note, _icons = card_view("trend", tiny_explorer, selection(area=ESSEX))
    assert title == "Mid and South Essex over time, with East of England - South and England"
    lines = [t for t in figure["data"] if t["mode"] == "lines+markers"]
    assert [t["name"] for t in lines] == ["East of England - South", "England", "Mid and South Essex"]  # the ICB last: on top
    essex = lines[-1]
    assert essex["line"]["dash"] == "dash" and lines[0]["line"]["dash"] == "solid"
    assert essex["y"] == lines[0]["y"] == [28.1553, 30.0]
    # The legend keeps the order area, alliance, England.
    assert [t["legendrank"] for t in lines] == [2, 3, 1] and figure["layout"]["legend"]["traceorder"] == "normal"
    # Its band would be the alliance's: not drawn twice.
    assert not any(t["name"].startswith("Mid and South Essex ") for t in figure["data"])
    assert note.endswith("Mid and South Essex is the alliance's only ICB, so their lines are the same: the ICB's is dashed, on top.")


def test_an_icb_of_a_larger_alliance_keeps_its_own_solid_line(tiny_explorer) -> None:
    # Norfolk and Waveney, 240 / 500 = 48.0% in 2022, is one of North's two ICBs (North 380 / 800 = 47.5%).
    figure, title, note, _icons = card_view("trend", tiny_explorer, selection(area=NORFOLK))
    assert title == "Norfolk and Waveney over time, with East of England - North and England"
    lines = [t for t in figure["data"] if t["mode"] == "lines+markers"]
    assert [t["name"] for t in lines] == ["Norfolk and Waveney", "East of England - North", "England"]
    assert all(t["line"]["dash"] == "solid" for t in lines)
    assert "dashed" not in note


LANCASHIRE_ICB, LANCASHIRE_ALLIANCE, ENGLAND = "E54000048", "E56000018", "E92000001"
NAMED = SimpleNamespace(
    names={LANCASHIRE_ICB: "NHS Lancashire and South Cumbria Integrated Care Board",
           LANCASHIRE_ALLIANCE: "Lancashire & South Cumbria Cancer Alliance", ENGLAND: "England",
           NORTH: "East of England - North Cancer Alliance", NORFOLK: "NHS Norfolk and Waveney Integrated Care Board"},
    members=MappingProxyType({LANCASHIRE_ALLIANCE: frozenset({LANCASHIRE_ICB, "E38000227"}), NORTH: frozenset({NORFOLK}), SOUTH: frozenset({ESSEX})}),
)


def test_names_that_read_alike_are_told_apart_by_their_kind_and_the_title_says_its_alliance() -> None:
    codes = [LANCASHIRE_ICB, LANCASHIRE_ALLIANCE, ENGLAND]
    names = distinct_names(NAMED, codes)
    # "Lancashire and South Cumbria" and "Lancashire & South Cumbria" read alike once "&" is "and".
    assert names == {LANCASHIRE_ICB: "Lancashire and South Cumbria ICB",
                     LANCASHIRE_ALLIANCE: "Lancashire & South Cumbria Cancer Alliance", ENGLAND: "England"}
    assert series_title(NAMED, LANCASHIRE_ICB, LANCASHIRE_ALLIANCE, codes, names) == (
        "Lancashire and South Cumbria ICB over time, with its Cancer Alliance and England"
    )
    # Names that differ stay short.
    codes = [NORFOLK, NORTH, ENGLAND]
    names = distinct_names(NAMED, codes)
    assert series_title(NAMED, NORFOLK, NORTH, codes, names) == "Norfolk and Waveney over time, with East of England - North and England"
    assert series_title(NAMED, ENGLAND, "", [ENGLAND], {ENGLAND: "England"}) == "England over time"
