"""The app and its callback bodies on the tiny in-memory dataset of conftest.py.

Every expected value is worked out by hand from the fixture's counts (the table in the
docstring of tests/app/conftest.py); the arithmetic is in the comments, and the interval
formulas are written out here rather than taken from dashboard.stats.
"""

from __future__ import annotations

import io
import math
from datetime import datetime, timezone

import pandas as pd
import pytest
from dash import no_update

from dashboard.core.settings import PRODUCT_NAME
from dashboard.figures.maps import MapGeometry
from dashboard.stats.disclosure import PRIMARY, SECONDARY
from dashboard.web import ids
from dashboard.web.app import create_app
from dashboard.web.callbacks.download import download_output
from dashboard.web.callbacks.state import FIELDS, sync_state
from downloads import read_download  # tests/downloads.py (pyproject: pythonpath)
from tiny_values import (  # tests/tiny_values.py (pyproject: pythonpath)
    CAMBS, ENGLAND, ESSEX, ICB_2022, ICB_2022_SEARCH, NORFOLK, NORTH, SOUTH, STORED, SUB_06H, SUB_26A, SUB_99E, SUB_99F,
    Z95, Z998, card_view, control_values, notice_texts, selection,
)

def wilson(x: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval in percent: (2x + z² ∓ z·sqrt(z² + 4x(1 - x/n))) / (2(n + z²))."""
    spread = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    return 100 * (2 * x + z * z - spread) / (2 * (n + z * z)), 100 * (2 * x + z * z + spread) / (2 * (n + z * z))


def byar(x: float, n: float, z: float = Z95) -> tuple[float, float]:
    """Byar's Poisson limits of x events as a rate per 100,000 of n."""
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return lower * 100_000 / n, upper * 100_000 / n


def rounded(interval: tuple[float, float]) -> tuple[float, float]:
    return round(interval[0], 1), round(interval[1], 1)


@pytest.fixture(scope="module")
def client(tiny_dataset):
    return create_app(dataset=tiny_dataset).server.test_client()


# --- the server ------------------------------------------------------------------------


def test_page_and_layers_are_served(client) -> None:
    page = client.get("/")
    assert page.status_code == 200
    assert f"<title>{PRODUCT_NAME}</title>" in page.get_data(as_text=True)
    assert client.get("/_dash-layout").status_code == 200
    for level, codes in (("alliance", [NORTH, SOUTH]), ("icb", [NORFOLK, CAMBS, ESSEX]), ("subicb", [SUB_26A, SUB_06H, SUB_99E, SUB_99F])):
        response = client.get(f"/geo/{level}.json")
        assert response.status_code == 200
        assert [f["id"] for f in response.get_json()["features"]] == codes
    assert client.get("/geo/region.json").status_code == 404  # regions are benchmarks, never a map layer


def test_map_zooms_to_the_fixture_squares(geometry: MapGeometry) -> None:
    # The alliances cover lon 0.5..1.5, lat 52.0..53.0 (four 0.5 degree squares); North is the top row.
    assert geometry.bounds[""] == (0.5, 52.0, 1.5, 53.0)
    assert geometry.bounds[NORTH] == (0.5, 52.5, 1.5, 53.0)


# --- state: links, controls, clicks ---------------------------------------------------------


def test_a_link_opens_the_page_it_describes(tiny_explorer) -> None:
    out = sync_state(tiny_explorer, trigger=None, search="?level=icb", values={}, map_click=None, ranked_click=None, previous=None)
    search, data, notices = out[:3]
    values, options = out[3:3 + len(FIELDS)], out[3 + len(FIELDS):-3]
    group_value_disabled, chart, correction = out[-3:]
    assert search is no_update and correction is no_update  # the address bar already holds the link
    assert data == STORED and notices == [] and chart == "ranked"
    assert dict(zip(FIELDS, values, strict=True)) == control_values(ICB_2022)
    options = dict(zip(FIELDS, options, strict=True))
    assert [o["value"] for o in options["indicator"] if not o["disabled"]] == ["early_stage", "mortality_crude"]
    # Outcomes with no data in any source are listed, unavailable, with the reason.
    unavailable = {o["value"]: o["label"] for o in options["indicator"] if o["disabled"]}
    assert set(unavailable) == {"survival", "incidence_by_age", "patient_experience"}
    assert unavailable["incidence_by_age"].startswith("Incidence by age (no data: the stage file")
    assert [o["value"] for o in options["period"]] == ["2022", "2021"]  # latest first
    assert [(o["value"], o["label"]) for o in options["alliance"]] == [
        (ENGLAND, "All England"),
        (NORTH, "East of England - North Cancer Alliance"),
        (SOUTH, "East of England - South Cancer Alliance"),
    ]
    assert {o["value"]: o["disabled"] for o in options["compare"]} == {"england": False, "alliance": True, "peers": False}
    assert group_value_disabled is True


def test_invalid_link_parameters_give_notices_naming_them(tiny_explorer) -> None:
    out = sync_state(
        tiny_explorer, trigger=None, search="?level=icb&period=1999&colour=rainbow&foo=bar",
        values={}, map_click=None, ranked_click=None, previous=None,
    )
    assert out[1] == STORED  # each bad value falls back to the default
    # The address bar is corrected to what is shown, in place (not a new history entry: Back
    # would land on the invalid link and be corrected again).
    assert out[0] is no_update and out[-1] == ICB_2022_SEARCH
    assert notice_texts(out[2]) == [
        "Link parameter 'foo': unknown parameter 'foo' ignored",
        "Link parameter 'period': period='1999' is not available here; showing '2022' instead",
        "Link parameter 'colour': colour='rainbow' is not available here; showing 'value' instead",
    ]
    # An area that is not at the level shown: Essex's sub-ICB on the ICB map.
    out = sync_state(tiny_explorer, trigger=None, search=f"?level=icb&area={SUB_99E}", values={}, map_click=None, ranked_click=None, previous=None)
    assert out[1]["area"] == ""
    assert notice_texts(out[2]) == [f"Link parameter 'area': area='{SUB_99E}' has no STP/ICB data here; no area selected"]


def test_a_click_selects_an_area_and_a_second_click_clears_it(tiny_explorer) -> None:
    start = STORED
    clicked = sync_state(
        tiny_explorer, trigger=ids.MAP, search=ICB_2022_SEARCH, values=control_values(start),
        map_click={"points": [{"location": ESSEX}]}, ranked_click=None, previous=start,
    )
    assert clicked[1] == {**start, "area": ESSEX}
    assert clicked[0] == ICB_2022_SEARCH.replace("&colour=", f"&area={ESSEX}&colour=")
    assert clicked[2] == []
    # The same area again, this time on the ranked chart (its points carry the code first).
    again = sync_state(
        tiny_explorer, trigger=ids.RANKED, search=clicked[0], values=control_values(clicked[1]),
        map_click=None, ranked_click={"points": [{"customdata": [ESSEX, "30.0%"]}]}, previous=clicked[1],
    )
    assert again[1] == start and again[0] == ICB_2022_SEARCH


def test_changing_the_level_clears_the_area(tiny_explorer) -> None:
    previous = selection(area=ESSEX)
    out = sync_state(
        tiny_explorer, trigger=ids.LEVEL, search=None, values=control_values(selection(level="subicb")),
        map_click=None, ranked_click=None, previous=previous,
    )
    assert out[1] == {**STORED, "level": "subicb"}
    assert "level=subicb" in out[0] and "area=" not in out[0]


# --- the cards ---------------------------------------------------------------------------


def test_ranked_chart_puts_the_highest_at_the_top(tiny_explorer) -> None:
    figure, title = card_view("ranked", tiny_explorer, ICB_2022)
    assert title == "Areas ranked, with 95% confidence intervals"
    trace = figure["data"][0]
    # Values 2022: Norfolk and Waveney 240/500 = 48.0%, Cambridgeshire and Peterborough 140/300 = 46.67%,
    # Mid and South Essex (120 + 3)/(400 + 10) = 30.0%. Plotly draws the first y at the bottom.
    assert trace["y"] == ["Mid and South Essex", "Cambridgeshire and Peterborough", "Norfolk and Waveney"]
    assert trace["x"] == [30.0, 46.6667, 48.0]
    # England (503/1210 = 41.57%) against each 95% interval: Essex's upper limit 34.6 is below it,
    # Cambridgeshire's interval 41.1 to 52.3 straddles it, Norfolk's lower limit 43.7 is above it.
    assert rounded(wilson(123, 410)) == (25.8, 34.6)
    assert rounded(wilson(140, 300)) == (41.1, 52.3)
    assert rounded(wilson(240, 500)) == (43.7, 52.4)
    assert [c[3] for c in trace["customdata"]] == ["Significantly worse", "Similar", "Significantly better"]
    assert [c[2] for c in trace["customdata"]] == ["25.8% to 34.6%", "41.1% to 52.3%", "43.7% to 52.4%"]
    assert [a["text"] for a in figure["layout"]["annotations"]] == ["England: 41.6%"]


def test_headline_for_a_clicked_area_compares_it_with_england(tiny_explorer) -> None:
    headline, badge_hidden, no_data, no_data_hidden, key_figure, _caveats = card_view("headline", tiny_explorer, selection(area=ESSEX))
    assert key_figure == "30.0%"  # 123/410, the headline's number alone (presentation mode)
    # 123/410 = 30.0%, 95% CI 25.8% to 34.6%, wholly below England's 503/1210 = 41.6%: worse.
    # Matching England: 410 x 503/1210 - 123 = 47.44 people in 2022 (365 of 365.25 days: 47.47 a
    # year), said to the nearest 5: 45.
    extra = (410 * 503 / 1210 - 123) * 365.25 / 365
    assert 45 - 2.5 < extra < 45 + 2.5
    assert headline == (
        "In 2022, 30.0% of staged lung cancers in Mid and South Essex were diagnosed at stage 1 or 2 "
        "(95% CI 25.8% to 34.6%), significantly lower than England (41.6%), which is worse. "
        "If Mid and South Essex matched England (41.6%), about 45 more people a year would have been "
        "diagnosed at stage 1 or 2."
    )
    assert (badge_hidden, no_data, no_data_hidden) == (True, "", True)


def test_headline_for_a_chosen_alliance_is_not_compared_with_itself(tiny_explorer) -> None:
    headline, *_ = card_view("headline", tiny_explorer, selection(alliance=NORTH, compare="alliance"))
    # North: (240 + 140)/(500 + 300) = 47.5%, Wilson 44.1% to 51.0%, wholly above England's 41.6%;
    # it is already above England, so there is no "if it matched" sentence.
    assert rounded(wilson(380, 800)) == (44.1, 51.0)
    assert headline == (
        "In 2022, 47.5% of staged lung cancers in East of England - North were diagnosed at stage 1 or 2 "
        "(95% CI 44.1% to 51.0%), significantly higher than England (41.6%), which is better."
    )


@pytest.mark.parametrize(
    ("area", "expected"),
    [
        # 800 deaths in 400,000 residents = 200.0 per 100,000; Byar 95% 186.4 to 214.4, wholly below
        # England's 3660/1,400,000 = 261.4: lower is better.
        (CAMBS, ("In 2020, cancer deaths (crude rate) in Cambridgeshire and Peterborough was 200.0 per 100,000 "
                 "(95% CI 186.4 to 214.4), significantly lower than England (261.4 per 100,000), which is better.")),
        # 1500/500,000 = 300.0 per 100,000, 285.0 to 315.6: wholly above England, so worse.
        (NORFOLK, ("In 2020, cancer deaths (crude rate) in Norfolk and Waveney was 300.0 per 100,000 "
                   "(95% CI 285.0 to 315.6), significantly higher than England (261.4 per 100,000), which is worse.")),
        # (760 + 600)/(300,000 + 200,000) = 272.0 per 100,000, 257.7 to 286.8: straddles England.
        (ESSEX, ("In 2020, cancer deaths (crude rate) in Mid and South Essex was 272.0 per 100,000 "
                 "(95% CI 257.7 to 286.8), similar to England (261.4 per 100,000).")),
    ],
)
def test_headline_for_a_rate_where_lower_is_better(tiny_explorer, area: str, expected: str) -> None:
    assert rounded(byar(800, 400_000)) == (186.4, 214.4)
    assert rounded(byar(1500, 500_000)) == (285.0, 315.6)
    assert rounded(byar(1360, 500_000)) == (257.7, 286.8)
    data = selection(indicator="mortality_crude", cancer="All cancers", period="2020", area=area)
    assert card_view("headline", tiny_explorer, data)[0] == expected


def test_a_small_count_is_withheld_with_its_reason(tiny_explorer) -> None:
    records = card_view("table", tiny_explorer, selection(level="subicb"))[0]["rowData"]  # the grid made
    by_code = {r["area_code"]: r for r in records}
    assert [r["area_code"] for r in records] == [SUB_26A, SUB_06H, SUB_99E, SUB_99F]  # withheld last
    # 99F's 3 early-stage cancers are a count of 1 to 4: withheld. 99E (120/400) is then withheld too:
    # Mid and South Essex's shown total 123 minus 99E's 120 would give 99F's 3 back.
    for code, reason in ((SUB_99F, PRIMARY), (SUB_99E, SECONDARY)):
        row = by_code[code]
        assert row["suppression"] == reason
        assert [row[c] for c in ("numerator", "value", "lower_ci", "upper_ci")] == [None] * 4
        assert row["comparison"] == "not compared"
    # Their denominators (400 and 10 people with a known stage) are not small and hide nothing: shown.
    assert (by_code[SUB_99E]["denominator"], by_code[SUB_99F]["denominator"]) == (400, 10)
    assert (by_code[SUB_26A]["numerator"], by_code[SUB_26A]["denominator"], by_code[SUB_26A]["value"]) == (240, 500, 48.0)
    headline, *_ = card_view("headline", tiny_explorer, selection(level="subicb", area=SUB_99F))
    assert headline == f"In 2022, the figure for Mid and South Essex 99F is withheld. {PRIMARY}."
    # The year before, 99F had 6 of 12 (and 12 - 6 = 6): nothing to withhold.
    records_2021 = card_view("table", tiny_explorer, selection(level="subicb", period="2021"))[0]["rowData"]
    assert {r["area_code"]: r["value"] for r in records_2021}[SUB_99F] == 50.0


def test_shown_rows_have_no_note_when_some_are_withheld(tiny_explorer) -> None:
    records = card_view("table", tiny_explorer, selection(level="subicb"))[0]["rowData"]  # the grid made
    notes = {r["area_code"]: r["suppression"] for r in records}
    assert all(notes[code] is None for code in (SUB_26A, SUB_06H))


def test_map_says_which_areas_have_no_value_and_why(tiny_explorer, geometry: MapGeometry) -> None:
    patch, legend, caption = card_view("map", tiny_explorer, geometry=geometry, data=selection(level="subicb"))
    assert caption == (
        "Diagnosed at stage 1 or 2 (%), Lung, 2022: 2 of the 4 Sub-ICB areas in the source have a value; "
        "grey areas have none (hover says why)."
    )
    assert legend == []  # value mode
    background = patch.to_plotly_json()  # the operations of the Patch: the background hover names each reason
    text = str(background)
    assert PRIMARY in text and SECONDARY in text


def test_map_legend_in_comparison_mode_follows_the_confidence_level(tiny_explorer, geometry: MapGeometry) -> None:
    _, legend, _ = card_view("map", tiny_explorer, geometry=geometry, data=selection(colour="comparison"))
    assert [getattr(li, "data-key") for li in legend] == ["better", "similar", "worse"]
    # At 99.8% Norfolk and Waveney's interval widens to 41.2% to 54.9%, which now contains England's
    # 41.57%: only "similar" and "worse" remain.
    assert rounded(wilson(240, 500, Z998)) == (41.2, 54.9)
    _, legend, _ = card_view("map", tiny_explorer, geometry=geometry, data=selection(colour="comparison", confidence="99.8"))
    assert [getattr(li, "data-key") for li in legend] == ["similar", "worse"]


def test_trend_shows_the_area_its_alliance_and_england(tiny_explorer) -> None:
    figure, title, _note, icons = card_view("trend", tiny_explorer, selection(area=ESSEX))
    assert title == "Mid and South Essex over time, with East of England - South and England"
    lines = {t["name"]: (t["x"], t["y"]) for t in figure["data"] if t["mode"] == "lines+markers"}
    # Essex: 2021 (110 + 6)/(400 + 12) = 28.1553%, 2022 30.0%. England: 476/1212 = 39.2739%, 503/1210 = 41.5702%.
    assert lines == {
        "Mid and South Essex": (["2021", "2022"], [28.1553, 30.0]),
        "East of England - South": (["2021", "2022"], [28.1553, 30.0]),
        "England": (["2021", "2022"], [39.2739, 41.5702]),
    }
    assert icons == []


def test_variation_summary_of_three_icbs(tiny_explorer) -> None:
    (items,) = card_view("variation", tiny_explorer, ICB_2022)
    pairs = dict(zip([i.children for i in items[0::2]], [i.children for i in items[1::2]], strict=True))
    # 30.0% to 48.0% is 18.0 points; 48/30 = 1.60-fold.
    assert pairs["Areas"] == "3"
    assert pairs["Range"] == "30.0% to 48.0% (18.0 points)"
    assert pairs["Fold difference"] == "1.60× (highest ÷ lowest)"


def test_download_gives_the_table_rows_with_a_header(tiny_explorer) -> None:
    sent = download_output(tiny_explorer, ICB_2022, "http://localhost:8050/?level=icb", datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc))
    assert sent["filename"] == "Diagnosed at stage 1 or 2 - Lung - all patients - England - ICBs - 2022.csv" and sent["type"] == "text/csv"
    comments, _, body = read_download(sent["content"])
    assert comments[0] == f"# {PRODUCT_NAME} download: 17 lines of notes like this one, then a blank line, then the table (to read it with pandas: read_csv(file, skiprows=18))"
    assert "# Indicator: Diagnosed at stage 1 or 2 (early_stage)" in comments
    assert "# Unit: %; polarity: higher_is_better; confidence intervals: Wilson score 95%" in comments
    assert "# Rows: 3; values, limits and benchmarks rounded to 1 decimal place as on screen" in comments
    assert "# Generated: 2026-01-02T03:04:05Z" in comments
    assert f"# Permalink: http://localhost:8050/{ICB_2022_SEARCH}" in comments
    # The permalink names the chart the page shows (the store holds it).
    funnel = download_output(tiny_explorer, {**ICB_2022, "chart": "funnel"}, "http://localhost:8050/", datetime(2026, 1, 2, tzinfo=timezone.utc))
    assert f"# Permalink: http://localhost:8050/{ICB_2022_SEARCH.replace('chart=ranked', 'chart=funnel')}" in read_download(funnel["content"])[0]
    assert body[0] == (
        "indicator_id,indicator_name,area_level,area_code,area_name,alliance_code,alliance_name,period,"
        "period_start,period_end,cancer_type,group_dimension,group_value,numerator,denominator,value,"
        "lower_ci,upper_ci,ci_method,unit,data_status,source,period_type,lower_ci_998,upper_ci_998,"
        "benchmark,comparison,suppression"
    )
    # Essex: 123/410 = 30.0%; 95% 25.8 to 34.6; 99.8% 23.5 to 37.4; England 41.6; worse; shown (no reason).
    assert rounded(wilson(123, 410, Z998)) == (23.5, 37.4)
    assert body[1:] == [
        ("early_stage,Diagnosed at stage 1 or 2,icb,E54000022,NHS Norfolk and Waveney Integrated Care Board,E56000022,"
         "East of England - North Cancer Alliance,2022,2022-01-01,2022-12-31,Lung,all,All,240,500,48.0,43.7,52.4,"
         "Wilson score 95%,%,published,Test fixture (made-up counts),calendar_year,41.2,54.9,41.6,better,"),
        ("early_stage,Diagnosed at stage 1 or 2,icb,E54000056,NHS Cambridgeshire and Peterborough Integrated Care Board,E56000022,"
         "East of England - North Cancer Alliance,2022,2022-01-01,2022-12-31,Lung,all,All,140,300,46.7,41.1,52.3,"
         "Wilson score 95%,%,published,Test fixture (made-up counts),calendar_year,38.0,55.5,41.6,similar,"),
        ("early_stage,Diagnosed at stage 1 or 2,icb,E54000026,NHS Mid and South Essex Integrated Care Board,E56000023,"
         "East of England - South Cancer Alliance,2022,2022-01-01,2022-12-31,Lung,all,All,123,410,30.0,25.8,34.6,"
         "Wilson score 95%,%,published,Test fixture (made-up counts),calendar_year,23.5,37.4,41.6,worse,"),
    ]
    assert rounded(wilson(140, 300, Z998)) == (38.0, 55.5)
    assert rounded(wilson(240, 500, Z998)) == (41.2, 54.9)


def test_download_of_withheld_rows_keeps_the_reason_and_nothing_else(tiny_explorer) -> None:
    sent = download_output(tiny_explorer, selection(level="subicb"), None, datetime(2026, 1, 2, tzinfo=timezone.utc))
    assert sent["filename"] == "Diagnosed at stage 1 or 2 - Lung - all patients - England - sub-ICBs - 2022.csv"
    _, body, _ = read_download(sent["content"], dtype={"area_code": str})
    assert body["area_code"].tolist() == [SUB_26A, SUB_06H, SUB_99E, SUB_99F]
    withheld = body.set_index("area_code").loc[[SUB_99E, SUB_99F]]
    assert withheld["suppression"].tolist() == [SECONDARY, PRIMARY]
    number_columns = ["numerator", "value", "lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998"]
    assert withheld[number_columns].isna().all().all()
    assert withheld["denominator"].tolist() == [400, 10]  # not small, and hiding nothing
    shown = body[body["value"].notna()]
    assert shown["value"].tolist() == [round(x / n * 100, 1) for x, n in zip(shown["numerator"], shown["denominator"], strict=True)] == [48.0, 46.7]


def test_an_extract_without_the_east_of_england_alliances_loads(tiny_dataset) -> None:
    """An alliance's own extract need not include NDRS's East of England pair."""
    import dataclasses

    from dashboard.query.explorer import Explorer

    renamed = {"E56000022": "E56000001", "E56000023": "E56000002"}
    areas = tiny_dataset.boundaries.areas.replace({"alliance_code": renamed})
    boundaries = dataclasses.replace(tiny_dataset.boundaries, areas=areas)
    explorer = Explorer.from_dataset(dataclasses.replace(tiny_dataset, boundaries=boundaries))
    # Norfolk (E54000022, sub-ICB E38000239) and Cambridgeshire (E54000056, E38000260) were in the first.
    assert explorer.members["E56000001"] == {"E54000022", "E38000239", "E54000056", "E38000260"}
    assert explorer.members["E56EOE"] == set()


def test_download_before_the_first_answer_sends_nothing(tiny_explorer) -> None:
    """Download CSV clicked before the page's first answer has written its selection (or with a
    store that holds no valid selection): no file and no error, instead of a 500."""
    from dash import no_update

    when = datetime(2026, 1, 2, tzinfo=timezone.utc)
    for data in (None, {}, {"indicator": "nonsense"}, {**ICB_2022, "period": "1066"}):
        assert download_output(tiny_explorer, data, None, when) is no_update
    assert download_output(tiny_explorer, ICB_2022, None, when)["filename"].endswith(".csv")
