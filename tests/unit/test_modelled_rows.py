"""Modelled rows cannot pass for evidence, on the committed data.

The early-stage breakdowns by deprivation quintile and ethnic group are MODELLED (the
published total split by population mix under assumed ratios), so every card must show
them without an interval, a comparison, a funnel, a ranking by inequality, a slope index,
a trend test or a gap, and every chart of them must carry the MODELLED mark and the
model's assumption inside the figure itself. Each modelled check sits beside its
published counterpart (the same indicator, cancer, year and level, group "all"), so the
rule cannot quietly spread to published rows either.
"""

from __future__ import annotations

import io
import json
from datetime import datetime, timezone

import numpy as np
import pandas as pd
import pytest

from dashboard.core.selection import Selection
from dashboard.data.schema import DataStatus
from dashboard.figures import maps
from dashboard.presenters.common import NOT_ON_MODELLED
from dashboard.presenters.download import download_view
from dashboard.presenters.funnel import funnel_view
from dashboard.presenters.groups import groups_view
from dashboard.presenters.headline import headline_view
from dashboard.presenters.inequality import inequality_rank_view
from dashboard.presenters.map import map_view
from dashboard.presenters.ranked import ranked_title, ranked_view
from dashboard.presenters.table import table_view
from dashboard.presenters.trend import trend_view
from dashboard.presenters.variation import variation_view
from dashboard.query.explorer import Explorer
from dashboard.query.inequality import rank_by_inequality
from dashboard.web.app import map_geometry, map_layers
from dashboard.web.callbacks.cards import card_outputs
from downloads import read_download  # tests/downloads.py

MODELLED = DataStatus.MODELLED.value
PUBLISHED = DataStatus.PUBLISHED.value
MARK = "<b>MODELLED</b>"
LIMITS = ["lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998"]
VERDICTS = {"better", "worse", "similar", "higher", "lower"}
LANCASHIRE = "E54000048"  # NHS Lancashire and South Cumbria ICB: its published Lung 2022 figure is significantly below England's
GENERATED = datetime(2024, 1, 1, tzinfo=timezone.utc)

MODELLED_ICB = Selection("early_stage", "Lung", "2022", "icb", group="imd_quintile", group_value="1 - most deprived")
PUBLISHED_ICB = Selection("early_stage", "Lung", "2022", "icb")
# Further modelled selections: the other dimension, another level, the other confidence level, another comparator.
MODELLED_MORE = [
    Selection("early_stage", "Lung", "2022", "alliance", group="ethnic_group", group_value="White"),
    Selection("early_stage", "All cancers", "2019", "icb", group="imd_quintile", group_value="5 - least deprived", confidence="99.8"),
    Selection("early_stage", "Lung", "2022", "icb", group="ethnic_group", group_value="Asian", compare="peers"),
]


# --- fixtures and helpers ----------------------------------------------------------------


@pytest.fixture(scope="module")
def explorer(dataset) -> Explorer:
    return Explorer.from_dataset(dataset)


@pytest.fixture(scope="module")
def statement(dataset) -> str:
    return dataset.registry["early_stage"].modelled_statement


@pytest.fixture(scope="module")
def geometry(dataset) -> maps.MapGeometry:
    return map_geometry(map_layers(dataset))


def valid(explorer: Explorer, sel: Selection) -> Selection:
    """`sel` normalised; it must already be valid, so each test looks at what it names."""
    normalised, notices = explorer.normalise(sel)
    assert notices == [], notices
    assert normalised == sel
    return normalised


def marks(figure: dict) -> list[dict]:
    """The MODELLED marks a figure carries in the figure dict itself (what an exported image draws)."""
    figure = json.loads(json.dumps(figure))  # a plain, serialisable dict, as sent to the browser or an image export
    return [a for a in figure["layout"].get("annotations", []) if str(a.get("text", "")).startswith(MARK)]


def assert_one_mark(figure: dict) -> None:
    found = marks(figure)
    assert len(found) == 1, figure["layout"].get("annotations")
    text = found[0]["text"].replace("<br>", " ")
    assert "most vs least deprived fifth 0.92" in text and "Black vs White 0.93" in text
    assert found[0]["xref"] == found[0]["yref"] == "paper"  # placed on the image, not on a data point


def message(figure: dict) -> str:
    """The text of an empty figure's annotation, unwrapped."""
    return " ".join(a["text"].replace("<br>", " ") for a in figure["layout"].get("annotations", []))


def csv_frame(text: str) -> pd.DataFrame:
    return read_download(text, dtype=str, keep_default_na=False)[1]


# --- comparisons, the table and the CSV ----------------------------------------------------


@pytest.mark.parametrize("sel", [MODELLED_ICB, *MODELLED_MORE], ids=lambda s: f"{s.level}-{s.group_value}-{s.confidence}-{s.compare}")
def test_modelled_rows_are_never_compared(explorer: Explorer, sel: Selection) -> None:
    rows = explorer.compared_rows(valid(explorer, sel))
    assert (rows["data_status"] == MODELLED).all() and rows["value"].notna().sum() >= 2
    assert set(rows["comparison"]) == {"not compared"}
    records = table_view(explorer, sel)
    assert len(records) == len(rows)
    assert all(r["comparison"] == "not compared" and r["lower_ci"] is None and r["upper_ci"] is None for r in records)


@pytest.mark.parametrize("confidence", ["95", "99.8"])
def test_published_rows_are_still_compared(explorer: Explorer, confidence: str) -> None:
    sel = valid(explorer, PUBLISHED_ICB.with_(confidence=confidence))
    rows = explorer.compared_rows(sel)
    assert (rows["data_status"] == PUBLISHED).all() and len(rows) == 42
    assert {"better", "worse"} <= set(rows["comparison"]) and "not compared" not in set(rows["comparison"])
    records = table_view(explorer, sel)
    assert all(r["lower_ci"] is not None and r["upper_ci"] is not None for r in records)


@pytest.mark.parametrize("sel", [MODELLED_ICB, *MODELLED_MORE], ids=lambda s: f"{s.level}-{s.group_value}-{s.confidence}-{s.compare}")
def test_the_download_of_modelled_rows_has_no_interval_and_no_comparison(explorer: Explorer, sel: Selection) -> None:
    _, text = download_view(explorer, valid(explorer, sel), permalink="https://example.org/?x", generated=GENERATED)
    frame = csv_frame(text)
    assert len(frame) == len(explorer.compared_rows(sel)) and (frame["data_status"] == MODELLED).all()
    assert (frame[LIMITS] == "").all().all()
    assert (frame["comparison"] == "not compared").all()
    assert frame["ci_method"].str.startswith("none: modelled").all()
    assert (frame["value"] != "").sum() >= 2  # the values themselves are there
    assert "includes MODELLED rows" in text


def test_the_download_of_published_rows_has_intervals_and_comparisons(explorer: Explorer) -> None:
    _, text = download_view(explorer, valid(explorer, PUBLISHED_ICB), permalink="https://example.org/?x", generated=GENERATED)
    frame = csv_frame(text)
    assert len(frame) == 42 and (frame["data_status"] == PUBLISHED).all()
    assert (frame[LIMITS] != "").all().all()
    assert set(frame["comparison"]) <= VERDICTS and {"better", "worse"} <= set(frame["comparison"])
    assert "includes MODELLED rows" not in text


# --- the headline ----------------------------------------------------------------------------


def test_the_headline_of_a_modelled_figure_gives_no_verdict_and_states_the_assumption(explorer: Explorer, statement: str, geometry: maps.MapGeometry) -> None:
    # An ICB, so a benchmark exists (England's modelled figure for the same group) and a verdict could be given.
    sel = valid(explorer, MODELLED_ICB.with_(area=LANCASHIRE))
    text = headline_view(explorer, sel)
    assert text.startswith("In 2022, ") and "Lancashire and South Cumbria" in text and "modelled" in text
    assert text.endswith("MODELLED: not compared with a benchmark (the model's assumption is noted on the map).")
    # ... where it is: the map's MODELLED note carries the assumption.
    assert statement.split(": ", 1)[1][:40] in map_view(explorer, sel, geometry).properties["annotations"][0]["text"].replace("<br>", " ")
    for claim in ("95% CI", "significantly", "similar to", "better", "worse", "would have been"):
        assert claim not in text, claim


def test_the_headline_of_the_published_figure_keeps_its_interval_verdict_and_opportunity(explorer: Explorer) -> None:
    text = headline_view(explorer, valid(explorer, PUBLISHED_ICB.with_(area=LANCASHIRE)))
    assert "(95% CI " in text and "significantly lower than England" in text and "which is worse" in text
    assert "more people a year would have been diagnosed at stage 1 or 2" in text
    assert "modelled" not in text.lower()


# --- the groups card ---------------------------------------------------------------------------


@pytest.mark.parametrize("area", ["", LANCASHIRE], ids=["england", "icb"])
@pytest.mark.parametrize("group,value", [("imd_quintile", "1 - most deprived"), ("ethnic_group", "White")])
def test_the_groups_card_gives_no_gap_on_modelled_groups(explorer: Explorer, statement: str, area: str, group: str, value: str) -> None:
    sel = valid(explorer, MODELLED_ICB.with_(group=group, group_value=value, area=area))
    figure, sentence = groups_view(explorer, sel)
    assert sentence.startswith(statement)
    assert "not computed on MODELLED figures" in sentence and NOT_ON_MODELLED in sentence
    for claim in ("a gap of", "a ratio of", "slope index of inequality is", "(first and last groups)", "(highest and lowest groups)"):
        assert claim not in sentence, claim
    assert figure["data"], "the modelled values are still drawn"
    assert_one_mark(figure)
    for trace in figure["data"]:  # no interval drawn
        assert not any(trace["error_x"]["array"]) and not any(trace["error_x"]["arrayminus"])


def test_the_groups_card_still_gives_the_gap_and_slope_index_on_published_groups(explorer: Explorer) -> None:
    sel = valid(explorer, Selection("mortality_age_specific", "All cancers (excluding non-melanoma skin)", "2020", "icb", group="age_band", group_value="24 and under"))
    figure, sentence = groups_view(explorer, sel)
    assert "a gap of" in sentence and "a ratio of" in sentence and "The slope index of inequality is" in sentence
    assert "MODELLED" not in sentence and marks(figure) == []


# --- the inequality card -------------------------------------------------------------------------


def test_modelled_groups_are_not_ranked_by_inequality(explorer: Explorer, statement: str) -> None:
    sel = valid(explorer, MODELLED_ICB)
    frame, modelled = rank_by_inequality(explorer, sel)
    assert modelled and frame.empty
    figure, note = inequality_rank_view(explorer, sel)
    assert figure["data"] == []
    assert message(figure).startswith("Not ranked: these group figures are MODELLED.")
    assert statement in message(figure)
    assert note == f"Ranking by inequality is {NOT_ON_MODELLED}."


def test_published_groups_are_still_ranked_by_inequality(explorer: Explorer) -> None:
    sel = valid(explorer, Selection("mortality_age_specific", "All cancers (excluding non-melanoma skin)", "2020", "icb", group="age_band", group_value="24 and under"))
    frame, modelled = rank_by_inequality(explorer, sel)
    assert not modelled and len(frame) >= 3
    figure, note = inequality_rank_view(explorer, sel)
    assert figure["data"] and "areas ranked by the slope index of inequality" in note and "MODELLED" not in note


# --- the funnel -----------------------------------------------------------------------------------


@pytest.mark.parametrize("sel", [MODELLED_ICB, *MODELLED_MORE], ids=lambda s: f"{s.level}-{s.group_value}-{s.confidence}-{s.compare}")
def test_there_is_no_funnel_of_modelled_figures(explorer: Explorer, sel: Selection) -> None:
    figure, note = funnel_view(explorer, valid(explorer, sel))
    assert figure["data"] == []
    assert message(figure).startswith("No funnel: these figures are MODELLED")
    assert note == f"A funnel plot is {NOT_ON_MODELLED}."


def test_the_published_figures_still_get_a_funnel(explorer: Explorer) -> None:
    figure, note = funnel_view(explorer, valid(explorer, PUBLISHED_ICB))
    assert len(figure["data"]) >= 3  # limit lines and the areas
    assert "overdispersion" in note.lower() and "MODELLED" not in note
    assert "No funnel" not in message(figure)


# --- the trend card --------------------------------------------------------------------------------


@pytest.mark.parametrize("area", ["", LANCASHIRE], ids=["england", "icb"])
def test_a_modelled_series_gets_no_trend_test_and_carries_the_mark(explorer: Explorer, area: str) -> None:
    figure, _, note, icons = trend_view(explorer, valid(explorer, MODELLED_ICB.with_(area=area)))
    same = " Lancashire and South Cumbria ICB is the alliance's only ICB, so their lines are the same: the ICB's is dashed, on top." if area else ""
    assert note == f"A test for a trend is {NOT_ON_MODELLED}.{same}"
    assert "a year" not in note and "significant" not in note
    assert icons == []
    assert_one_mark(figure)
    lines = [t for t in figure["data"] if not t["name"].endswith((" upper", " lower"))]
    assert lines and all(len(t["y"]) == 10 for t in lines)  # 2013-2022 drawn
    bands = [t for t in figure["data"] if t["name"].endswith((" upper", " lower"))]
    assert bands and all(np.isnan(np.asarray(t["y"], dtype=float)).all() for t in bands)  # no interval band


def test_the_published_series_keeps_its_trend_test_and_has_no_mark(explorer: Explorer) -> None:
    figure, _, note, _ = trend_view(explorer, valid(explorer, PUBLISHED_ICB))
    assert "a year" in note and "trend" in note and "MODELLED" not in note
    assert marks(figure) == []
    bands = [t for t in figure["data"] if t["name"].endswith((" upper", " lower"))]
    assert bands and all(not np.isnan(np.asarray(t["y"], dtype=float)).any() for t in bands)


def test_a_modelled_trend_is_marked_even_when_the_focus_series_is_withheld(explorer: Explorer) -> None:
    # E54000011 (Shropshire, Telford and Wrekin), anal cancer, Asian: the ICB's published total is withheld in every year, so its
    # modelled split is too (and its alliance's, in the years the alliance's total is); England is drawn.
    sel = valid(explorer, Selection("early_stage", "Anus", "2022", "icb", group="ethnic_group", group_value="Asian", area="E54000011"))
    focus = explorer.trend_rows(sel, "E54000011")
    assert len(focus) == 10 and focus["value"].isna().all()
    figure, _, _, _ = trend_view(explorer, sel)
    drawn = [t for t in figure["data"] if not t["name"].endswith((" upper", " lower")) and not np.isnan(np.asarray(t["y"], dtype=float)).all()]
    names = {t["name"] for t in drawn}
    assert "England" in names and not any("Shropshire" in name for name in names)
    assert_one_mark(figure)


# --- the ranked chart ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sel", [MODELLED_ICB, *MODELLED_MORE], ids=lambda s: f"{s.level}-{s.group_value}-{s.confidence}-{s.compare}")
def test_the_ranked_chart_of_modelled_figures_carries_the_mark_and_no_verdict(explorer: Explorer, sel: Selection) -> None:
    figure = ranked_view(explorer, valid(explorer, sel))
    assert_one_mark(figure)
    assert figure["layout"]["margin"]["t"] >= 70  # room for the mark
    (trace,) = figure["data"]
    assert set(trace["marker"]["symbol"]) == {"circle-open"}  # the "not compared" symbol
    assert not any(trace["error_x"]["array"]) and not any(trace["error_x"]["arrayminus"])
    assert {c[2] for c in trace["customdata"]} == {"no interval"} and {c[3] for c in trace["customdata"]} == {"Not compared"}


def test_the_ranked_chart_of_published_figures_keeps_intervals_and_verdicts(explorer: Explorer) -> None:
    assert ranked_title(explorer, valid(explorer, MODELLED_ICB)).startswith("Areas listed by name")
    assert ranked_title(explorer, valid(explorer, PUBLISHED_ICB)) == "Areas ranked, with 95% confidence intervals"
    figure = ranked_view(explorer, valid(explorer, PUBLISHED_ICB))
    assert marks(figure) == []
    (trace,) = figure["data"]
    assert {"triangle-up", "triangle-down"} <= set(trace["marker"]["symbol"])
    assert all(v > 0 for v in trace["error_x"]["array"]) and all(v > 0 for v in trace["error_x"]["arrayminus"])
    assert "no interval" not in {c[2] for c in trace["customdata"]}


# --- the map --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("colour", ["value", "comparison"])
def test_the_map_of_modelled_figures_carries_the_mark_and_no_verdict(explorer: Explorer, geometry: maps.MapGeometry, colour: str) -> None:
    sel = valid(explorer, MODELLED_ICB.with_(colour=colour))
    view = map_view(explorer, sel, geometry)
    assert view.modelled
    assert_one_mark({"layout": {"annotations": view.properties["annotations"]}})
    assert_one_mark(maps.map_figure(view.properties, geometry))  # the first render draws it
    assert view.caption.endswith("MODELLED figures: not compared with a benchmark.")
    hover = view.properties["traces"][maps.AREAS]["customdata"]
    assert hover and {h[2] for h in hover} == {"no interval: modelled"}
    assert {h[5] for h in hover} == {"Not compared: modelled"}
    assert {h[6] for h in hover} == {"MODELLED estimate"}
    if colour == "comparison":
        assert [key for key, _, _ in view.legend] == ["not compared"]


def test_the_map_update_sets_the_mark(explorer: Explorer, geometry: maps.MapGeometry) -> None:
    patch, _, caption, _summary = card_outputs("map", explorer, geometry=geometry, data=valid(explorer, MODELLED_ICB).as_dict())
    assigned = {tuple(op["location"]): op["params"]["value"] for op in patch.to_plotly_json()["operations"] if op["operation"] == "Assign"}
    assert ("layout", "annotations") in assigned
    assert_one_mark({"layout": {"annotations": assigned[("layout", "annotations")]}})
    assert "MODELLED" in caption


def test_the_map_of_published_figures_has_no_mark_and_its_update_clears_one(explorer: Explorer, geometry: maps.MapGeometry) -> None:
    sel = valid(explorer, PUBLISHED_ICB)
    view = map_view(explorer, sel, geometry)
    assert not view.modelled and view.properties["annotations"] == [] and "MODELLED" not in view.caption
    hover = view.properties["traces"][maps.AREAS]["customdata"]
    assert "no interval" not in {h[2] for h in hover} and {h[6] for h in hover} == {"Published data"}
    patch, _, _, _summary = card_outputs("map", explorer, geometry=geometry, data=sel.as_dict())
    assigned = {tuple(op["location"]): op["params"]["value"] for op in patch.to_plotly_json()["operations"] if op["operation"] == "Assign"}
    assert assigned[("layout", "annotations")] == []  # moving from a modelled view removes the mark


# --- the variation summary ----------------------------------------------------------------------------------


@pytest.mark.parametrize("sel", [MODELLED_ICB, *MODELLED_MORE], ids=lambda s: f"{s.level}-{s.group_value}-{s.confidence}-{s.compare}")
def test_the_variation_summary_of_modelled_figures_has_no_scv_and_states_the_assumption(explorer: Explorer, statement: str, sel: Selection) -> None:
    summary = dict(variation_view(explorer, valid(explorer, sel)))
    assert summary["Variation beyond chance (SCV)"] == NOT_ON_MODELLED
    assert summary["MODELLED"] == statement


def test_the_variation_summary_of_published_figures_keeps_the_scv(explorer: Explorer) -> None:
    summary = dict(variation_view(explorer, valid(explorer, PUBLISHED_ICB)))
    assert float(summary["Variation beyond chance (SCV)"].split("(")[1].split(";")[0]) > 0
    assert "MODELLED" not in summary
