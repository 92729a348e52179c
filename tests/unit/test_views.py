"""Pure view functions: headline text, export, table rounding, map properties, state moves."""

from __future__ import annotations

import io
import json
import math
from datetime import datetime, timezone

import pandas as pd
import pytest

from dashboard.core.selection import Selection
from dashboard.figures import maps
from dashboard.figures.exports import download_filename
from dashboard.figures.headline import headline
from dashboard.figures.tables import rounded_rows
from dashboard.presenters.download import download_view
from dashboard.presenters.headline import headline_view
from dashboard.presenters.map import map_view
from dashboard.presenters.trend import trend_view
from dashboard.query.explorer import Explorer
from dashboard.web.app import map_geometry, map_layers
from dashboard.web.callbacks.state import Change, clicked_area, next_state
from downloads import read_download  # tests/downloads.py

# Raw published counts, copied by hand from
# ../shared/data-sources/outcomes/ndrs-stage/NDRS Stage Metrics- Stage at diagnosis by cancer site in England, 2013-2022.csv
# (line numbers count the header as line 1). Early = stage 1 + stage 2 + staged other early;
# staged = stages 1-4 + staged other early + staged other advanced (README of data-sources).
# line 10702: "Country","England",2022,"Lung",9207,2956,7204,16623,0,0,39,5684,86.3
ENGLAND_LUNG_2022 = (9207 + 2956 + 0, 9207 + 2956 + 7204 + 16623 + 0 + 0)  # 12163 / 35990
# line 3732: "Integrated Care Board","NHS Lancashire and South Cumbria Integrated Care Board",2022,"Lung",315,112,303,644,0,0,2,242,84.9
LSC_LUNG_2022 = (315 + 112 + 0, 315 + 112 + 303 + 644 + 0 + 0)  # 427 / 1374
# line 1692: "Integrated Care Board","NHS Coventry and Warwickshire Integrated Care Board",2022,"Lung",205,51,104,254,0,0,1,73,89.2
COVENTRY_LUNG_2022 = (205 + 51 + 0, 205 + 51 + 104 + 254 + 0 + 0)  # 256 / 614
# line 6282: "Integrated Care Board","NHS South Yorkshire Integrated Care Board",2022,"Lung",333,126,245,559,0,0,2,117,91.4
SOUTH_YORKSHIRE_LUNG_2022 = (333 + 126 + 0, 333 + 126 + 245 + 559 + 0 + 0)  # 459 / 1263
# line 2542: "Integrated Care Board","NHS Gloucestershire Integrated Care Board",2022,"Lung",58,18,66,189,0,0,0,70,82.5
GLOUCESTERSHIRE_LUNG_2022 = (58 + 18 + 0, 58 + 18 + 66 + 189 + 0 + 0)  # 76 / 331

Z95 = 1.959963984540054  # standard normal quantile at 0.975 (statistical tables)
ICBS_IN_ENGLAND_2022 = 42  # NHS England: 42 integrated care boards from 1 July 2022


def wilson_percent(x: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval by its textbook formula, in percent (independent of dashboard.stats):
    (p + z²/2n ± z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    p = x / n
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    denominator = 1 + z * z / n
    return 100 * (centre - spread) / denominator, 100 * (centre + spread) / denominator



@pytest.fixture(scope="module")
def explorer(dataset) -> Explorer:
    return Explorer.from_dataset(dataset)


@pytest.fixture(scope="module")
def early(dataset):
    return dataset.registry["early_stage"]


@pytest.fixture(scope="module")
def geometry(dataset) -> maps.MapGeometry:
    return map_geometry(map_layers(dataset))


def test_headline_reads_aloud(early) -> None:
    text = headline(
        indicator=early, cancer="Lung", period="2022", area_name="Lancashire and South Cumbria",
        value=31.14, lower=29.52, upper=32.81, comparison="worse", benchmark_name="England", benchmark=33.9,
        group_label=None, modelled=False,
    )
    assert text == (
        "In 2022, 31.1% of staged lung cancers in Lancashire and South Cumbria were diagnosed at stage 1 or 2 "
        "(95% CI 29.5% to 32.8%), significantly lower than England (33.9%), which is worse."
    )


def test_headline_without_a_value_says_so(early) -> None:
    text = headline(indicator=early, cancer="Lung", period="2022", area_name="X", value=float("nan"),
                    lower=None, upper=None, comparison="not compared", benchmark_name="England", benchmark=None, group_label=None, modelled=False)
    assert text.startswith("In 2022, there is no diagnosed at stage 1 or 2 figure for X")


def test_headline_on_real_data_matches_the_published_counts(explorer: Explorer) -> None:
    sel = explorer.normalise(Selection("early_stage", "Lung", "2022", "icb", area="E54000048"))[0]
    text = headline_view(explorer, sel)
    (x, n), (ex, en) = LSC_LUNG_2022, ENGLAND_LUNG_2022
    # By hand: 427/1374 = 31.08%; Wilson 95% 28.69% to 33.57%; England 12163/35990 = 33.80%.
    assert (round(100 * x / n, 1), round(100 * ex / en, 1)) == (31.1, 33.8)
    lower, upper = wilson_percent(x, n)
    assert (round(lower, 1), round(upper, 1)) == (28.7, 33.6)
    assert upper < 100 * ex / en  # the whole interval is below England: significantly lower, and lower is worse
    # If it matched England: 1374 x 12163/35990 - 427 = 37.35 people in the year 2022
    # (365 days = 0.9993 of 365.25), about 37.4 a year, said to the nearest 5: 35.
    extra = (n * ex / en - x) * 365.25 / 365
    assert 35 - 2.5 < extra < 35 + 2.5
    assert text == (
        "In 2022, 31.1% of staged lung cancers in Lancashire and South Cumbria were diagnosed at stage 1 or 2 "
        "(95% CI 28.7% to 33.6%), significantly lower than England (33.8%), which is worse. "
        "If Lancashire and South Cumbria matched England (33.8%), about 35 more people a year would have been "
        "diagnosed at stage 1 or 2."
    )


def test_download_filename_names_indicator_cancer_group_area_level_period_in_words() -> None:
    sel = Selection("fds_28day", "All suspected cancers", "2023-24 Q1", "icb", area="E54000048")
    name = download_filename(sel, indicator_name="Faster Diagnosis Standard: 28 days", area_name="Lancashire & South Cumbria")
    assert name == "Faster Diagnosis Standard 28 days - All suspected cancers - all patients - Lancashire & South Cumbria - ICBs - 2023-24 Q1.csv"
    by_group = sel.with_(group="imd_quintile", group_value="1 - most deprived")
    assert download_filename(by_group, indicator_name="FDS", area_name="England") == (
        "FDS - All suspected cancers - Deprivation quintile (IMD 2019) 1 - most deprived - England - ICBs - 2023-24 Q1.csv"
    )
    # An alliance's ICB and sub-ICB downloads of one period are told apart (they once had one name).
    assert download_filename(sel.with_(level="subicb"), indicator_name="FDS", area_name="Lancashire & South Cumbria").endswith(
        " - Lancashire & South Cumbria - sub-ICBs - 2023-24 Q1.csv")
    assert download_filename(sel, indicator_name="A/B: <c>?", area_name="x" * 300).startswith("A B c - All suspected")
    assert len(download_filename(sel, indicator_name="i", area_name="x" * 300)) <= 184


def test_a_long_indicator_name_is_cut_and_the_period_kept() -> None:
    sel = Selection("fingertips_93701", "Not applicable", "2022-23", "icb", alliance="E56000010")
    long_name = "Urgent suspected cancer referrals resulting in a diagnosis of cancer (conversion rate) " * 2 + "(from my_alliance_export.csv)"
    names = {download_filename(sel.with_(period=period), indicator_name=long_name, area_name="West Midlands Cancer Alliance") for period in ("2021-22", "2022-23")}
    assert {name[-len(" - West Midlands Cancer Alliance - ICBs - 2022-23.csv"):] for name in names} == {
        " - West Midlands Cancer Alliance - ICBs - 2021-22.csv", " - West Midlands Cancer Alliance - ICBs - 2022-23.csv"}
    assert all(name.startswith("Urgent suspected cancer referrals") and "…" in name and len(name) <= 184 for name in names)


# The documented download format (README, "Download CSV"): the table's columns, the 99.8% limits,
# then the benchmark, the comparison and the suppression reason. Written out, not imported.
DOWNLOAD_HEADER = (
    "indicator_id,indicator_name,area_level,area_code,area_name,alliance_code,alliance_name,period,"
    "period_start,period_end,cancer_type,group_dimension,group_value,numerator,denominator,value,"
    "lower_ci,upper_ci,ci_method,unit,data_status,source,period_type,lower_ci_998,upper_ci_998,"
    "benchmark,comparison,suppression"
)


def _download(explorer: Explorer, sel: Selection) -> tuple[str, pd.DataFrame, list[str]]:
    name, text = download_view(explorer, sel, permalink="http://127.0.0.1:8050/?x", generated=datetime(2026, 1, 2, tzinfo=timezone.utc))
    comments, table, lines = read_download(text)
    assert lines[0] == DOWNLOAD_HEADER
    return name, table, comments


def test_export_of_published_rows_agrees_with_the_source(explorer: Explorer) -> None:
    sel = explorer.normalise(Selection("early_stage", "Lung", "2022", "icb"))[0]
    name, body, comments = _download(explorer, sel)
    assert name == "Diagnosed at stage 1 or 2 - Lung - all patients - England - ICBs - 2022.csv"
    assert len(body) == ICBS_IN_ENGLAND_2022 and body["area_code"].nunique() == ICBS_IN_ENGLAND_2022
    assert body["area_code"].str.match(r"^E54\d{6}$").all()
    assert (body["data_status"] == "published").all() and body["suppression"].isna().all()
    # Every value is the row's own counts, rounded once to 1 decimal place.
    assert body["value"].tolist() == [round(x / n * 100, 1) for x, n in zip(body["numerator"], body["denominator"], strict=True)]
    by_code = body.set_index("area_code")
    england = 100 * ENGLAND_LUNG_2022[0] / ENGLAND_LUNG_2022[1]
    for code, (x, n), comparison in (
        ("E54000048", LSC_LUNG_2022, "worse"),
        ("E54000018", COVENTRY_LUNG_2022, "better"),
        ("E54000043", GLOUCESTERSHIRE_LUNG_2022, "worse"),
    ):
        row = by_code.loc[code]
        lower, upper = wilson_percent(x, n)
        assert (row["numerator"], row["denominator"]) == (x, n)
        assert (row["value"], row["lower_ci"], row["upper_ci"]) == (round(100 * x / n, 1), round(lower, 1), round(upper, 1))
        assert row["benchmark"] == round(england, 1) == 33.8
        # Better: the whole interval above England; worse: the whole interval below it.
        assert (lower > england) if comparison == "better" else (upper < england)
        assert row["comparison"] == comparison
    assert (by_code.loc["E54000048", "value"], by_code.loc["E54000018", "value"], by_code.loc["E54000043", "value"]) == (31.1, 41.7, 23.0)
    assert "# Data status: published (taken, or computed directly, from published sources)" in comments
    assert "# Rows: 42; values, limits and benchmarks rounded to 1 decimal place as on screen" in comments
    assert "# Generated: 2026-01-02T00:00:00Z" in comments
    assert "# Permalink: http://127.0.0.1:8050/?x" in comments
    assert any("Office for National Statistics" in line for line in comments)


def test_export_labels_modelled_rows_and_says_why_rows_are_empty(explorer: Explorer) -> None:
    sel = explorer.normalise(Selection("early_stage", "Lung", "2022", "icb", group="imd_quintile", group_value="2"))[0]
    _, body, comments = _download(explorer, sel)
    assert len(body) == ICBS_IN_ENGLAND_2022
    assert (body["data_status"] == "modelled").all() and body["source"].str.startswith("MODELLED").all()
    assert "# Data status: includes MODELLED rows (data_status = modelled): estimates from the project's stated model, not published figures" in comments
    # A model estimates shares, not counts of real people: no modelled row shows a count.
    assert body[["numerator", "denominator"]].isna().all().all()
    withheld = body[body["value"].isna()]
    assert withheld[["lower_ci", "upper_ci"]].isna().all().all()
    assert withheld["suppression"].astype(str).str.startswith("Withheld: ").all()


def test_rounded_rows_keep_half_counts() -> None:
    frame = pd.DataFrame({"numerator": [12.5, 3.0], "denominator": [20.0, 4.0], "value": [62.5, 75.04], "lower_ci": [40.0, 30.0], "upper_ci": [80.0, 95.0], "benchmark": [70.0, 70.0], "period_start": ["2023-04-01"] * 2, "period_end": ["2023-04-30"] * 2})
    out = rounded_rows(frame)
    assert out["numerator"].tolist() == [12.5, 3] and out["value"].tolist() == [62.5, 75.0]


def test_map_updates_carry_no_boundaries(explorer: Explorer, geometry: maps.MapGeometry) -> None:
    sel = explorer.default_selection().with_(level="subicb", indicator="mortality_asr", cancer="Lung")
    sel = explorer.normalise(sel)[0]
    view = map_view(explorer, sel, geometry)
    payload = json.dumps(view.properties)
    assert '"coordinates"' not in payload and '"features"' not in payload
    assert view.properties["traces"][maps.AREAS]["geojson"] == "/geo/subicb.json"
    assert len(payload) < 60_000


def test_map_comparison_mode_uses_category_colours(explorer: Explorer, geometry: maps.MapGeometry) -> None:
    sel = explorer.normalise(Selection("early_stage", "Lung", "2022", "icb", colour="comparison"))[0]
    view = map_view(explorer, sel, geometry)
    areas = view.properties["traces"][maps.AREAS]
    assert areas["showscale"] is False
    # By hand from the source: Coventry and Warwickshire's whole 95% interval is above England's 33.8%,
    # Lancashire and South Cumbria's below, South Yorkshire's straddles it; every ICB has a staged
    # count in the hundreds, so none is withheld or left uncompared.
    england = 100 * ENGLAND_LUNG_2022[0] / ENGLAND_LUNG_2022[1]
    assert wilson_percent(*COVENTRY_LUNG_2022)[0] > england
    assert wilson_percent(*LSC_LUNG_2022)[1] < england
    assert wilson_percent(*SOUTH_YORKSHIRE_LUNG_2022)[0] < england < wilson_percent(*SOUTH_YORKSHIRE_LUNG_2022)[1]
    said = {code: hover[5] for code, hover in zip(areas["locations"], areas["customdata"], strict=True)}
    assert said["E54000018"] == "Significantly better compared with England"
    assert said["E54000048"] == "Significantly worse compared with England"
    assert said["E54000061"] == "Similar compared with England"
    assert len(said) == ICBS_IN_ENGLAND_2022
    assert {key for key, _, _ in view.legend} == {"better", "similar", "worse"}
    assert [label for _, label, _ in view.legend] == ["Significantly better", "Similar", "Significantly worse"]
    assert len({colour for _, _, colour in view.legend}) == 3


def test_state_from_url_then_from_a_click(explorer: Explorer) -> None:
    state = next_state(explorer, change=Change.URL, search="?level=icb", values={}, previous=None)
    assert state.selection.level == "icb" and state.notices == []
    clicked = next_state(
        explorer, change=Change.CLICK, search=state.search, values=state.selection.as_dict(), previous=state.selection.as_dict(),
        area="E54000048",
    )
    assert clicked.selection.area == "E54000048" and "area=E54000048" in clicked.search
    again = next_state(explorer, change=Change.CLICK, search=clicked.search, values=clicked.selection.as_dict(), previous=clicked.selection.as_dict(), area="E54000048")
    assert again.selection.area == ""


def test_clicked_area_reads_map_and_chart_points() -> None:
    assert clicked_area({"points": [{"location": "E54000001"}]}) == "E54000001"
    assert clicked_area({"points": [{"customdata": ["E38000006", "x"]}]}) == "E38000006"
    assert clicked_area(None) is None
    # What a browser (or anyone posting to the callback) may send instead: no click, never an error.
    for malformed in ({"points": "abc"}, {"points": [1]}, "str", 5, {"points": {"0": 1}}, {"points": [{"customdata": [7]}]}, []):
        assert clicked_area(malformed) is None, malformed


def test_hover_names_area_value_ci_counts_period_and_comparison(explorer: Explorer) -> None:
    sel = explorer.normalise(Selection("early_stage", "Lung", "2022", "icb"))[0]
    rows = explorer.compared_rows(sel)
    hover = maps.hover_text(rows[rows["area_code"] == "E54000018"], unit="%", period="2022", benchmark_name="England")
    # Coventry and Warwickshire, 256 of 614 staged lung cancers early (source line 1692): 41.69%,
    # Wilson 95% 37.86% to 45.63%, wholly above England's 33.80%.
    x, n = COVENTRY_LUNG_2022
    lower, upper = wilson_percent(x, n)
    assert (round(lower, 1), round(upper, 1)) == (37.9, 45.6)
    assert hover == [[
        "NHS Coventry and Warwickshire Integrated Care Board",
        "41.7%",
        "37.9% to 45.6%",
        "256 / 614",
        "2022",
        "Significantly better compared with England",
        "Published data",
        "E54000018",
    ]]


def test_trend_names_an_icb_and_its_one_icb_alliance_apart(explorer: Explorer) -> None:
    """NHS Lancashire and South Cumbria ICB is the whole of Lancashire & South Cumbria Cancer
    Alliance (ONS lookup): their spoken names read alike, so both are given in full."""
    sel = explorer.normalise(Selection("early_stage", "Lung", "2019", "icb", area="E54000048"))[0]
    figure, title, _, _ = trend_view(explorer, sel)
    assert title == "Lancashire and South Cumbria ICB over time, with its Cancer Alliance and England"
    names = [trace["name"] for trace in figure["data"] if trace.get("mode") == "lines+markers"]
    assert len(set(names)) == len(names) == 3


def test_a_ratio_with_nothing_to_divide_by_says_why_not_nan() -> None:
    from dashboard.presenters.variation import ratio_text

    assert ratio_text(float("nan"), "× (highest ÷ lowest)", "the lowest area's value is 0") == "none: the lowest area's value is 0"
    assert ratio_text(48.0 / 30.0, "× (highest ÷ lowest)", "unused") == "1.60× (highest ÷ lowest)"
    assert ratio_text(12.34, "%", "unused", decimals=1) == "12.3%"


def test_an_alliance_of_one_icb_is_told_where_to_find_sub_icb_figures(explorer: Explorer, geometry: maps.MapGeometry) -> None:
    # Lancashire and South Cumbria's alliance (E56000018) is one ICB (NHS England's ICB list), and the
    # provider-based waiting times are published by ICB, not sub-ICB; the commissioner extract is by sub-ICB.
    sel = explorer.normalise(Selection("fds_28day", "All suspected cancers", "", "icb", alliance="E56000018"))[0]
    caption = map_view(explorer, sel, geometry).caption
    assert "has no sub-ICB figures, so Lancashire & South Cumbria's 1 ICB is the finest view of it" in caption
    assert "choose 'Told outcome within 28 days (Faster Diagnosis Standard), by patients' sub-ICB' under Indicator" in caption
    # With All England, or at sub-ICB level, nothing is said.
    assert "sub-ICB figures" not in map_view(explorer, sel.with_(alliance="E92000001"), geometry).caption


def test_peers_are_the_benchmark_of_the_headline_the_map_and_the_ranked_chart_alike(explorer: Explorer, geometry: maps.MapGeometry) -> None:
    # A user trial found the map comparing with peers while the headline still said "than England"
    # and the ranked chart lost its benchmark: all three must now say the same of one area.
    from dashboard.presenters.ranked import ranked_view

    sel = explorer.normalise(Selection("early_stage", "Lung", "2022", "icb", compare="peers", area="E54000048"))[0]
    areas = map_view(explorer, sel, geometry).properties["traces"][maps.AREAS]
    said_on_map = dict(zip(areas["locations"], areas["customdata"], strict=True))["E54000048"][5]
    assert said_on_map == "Significantly worse compared with peers of similar deprivation"
    sentence = headline_view(explorer, sel)
    assert "significantly lower than peers of similar deprivation" in sentence and "England" not in sentence
    marks = next(t for t in ranked_view(explorer, sel)["data"] if t["name"] == "Benchmark: peers of similar deprivation")
    peer_value = dict(zip((c[0] for c in marks["customdata"]), marks["x"], strict=True))["E54000048"]
    assert f"({peer_value:.1f}%)" in sentence


def test_a_group_choice_says_which_group_the_map_shows(explorer: Explorer, geometry: maps.MapGeometry) -> None:
    sel = explorer.normalise(Selection("early_stage", "Lung", "2022", "icb", group="imd_quintile", group_value="1 - most deprived"))[0]
    assert "Showing one group of patients, deprivation quintile (IMD 2019): 1 - most deprived" in map_view(explorer, sel, geometry).caption
    assert "one group" not in map_view(explorer, sel.with_(group="all", group_value="All"), geometry).caption


def test_the_trend_summary_names_the_months_the_spc_chart_draws(explorer: Explorer) -> None:
    # The default period of a monthly indicator is a financial year, but the card charts every month
    # (NHS England's FDS extracts here run from April 2021 to September 2024): its text alternative must too.
    from dashboard.presenters.summary import trend_summary

    sel = explorer.normalise(Selection("fds_28day", "All suspected cancers", "", "icb", alliance="E56000018"))[0]
    assert "-" in sel.period and len(sel.period) == 7  # a financial year, e.g. 2023-24
    assert "each month, April 2021 to September 2024, with statistical process control limits" in trend_summary(explorer, sel)
