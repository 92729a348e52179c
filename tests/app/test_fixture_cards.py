"""The groups, funnel and inequality cards on the tiny in-memory dataset of conftest.py.

Every expected value is worked out by hand from the fixture's counts (the tables in the
docstring of tests/app/conftest.py, including the deprivation quintiles of 2022); the
arithmetic is in the comments, and the formulas (Wilson's interval, the funnel limits,
Spiegelhalter's dispersion ratio, the slope index) are written out here rather than taken
from dashboard.stats.
"""

from __future__ import annotations

import math
import re

import pytest

from dashboard.figures.theme import HIGHLIGHT, NHS_BLACK
from tiny_values import card_view  # tests/tiny_values.py

ENGLAND = "E92000001"
NORFOLK, CAMBS, ESSEX = "E54000022", "E54000056", "E54000026"

Z95 = 1.959963984540054  # standard normal quantiles (statistical tables)
Z998 = 3.090232306167813
CHI2_2DF_95 = -2 * math.log(0.05)  # chi-square with 2 df has P(X > x) = exp(-x/2): 5.9915

QUINTILES = ["1 - most deprived", "2", "3", "4", "5 - least deprived"]
OUTSIDE_998, OUTSIDE_95 = "#D55E00", "#E69F00"  # the funnel's marker colours beyond each limit
INSIDE = "#425563"  # and within them: NHS dark grey (blue would read as "better", as on the map)

ICB_2022 = {
    "indicator": "early_stage", "cancer": "Lung", "period": "2022", "level": "icb", "alliance": ENGLAND,
    "group": "all", "group_value": "All", "compare": "england", "area": "", "colour": "value",
    "confidence": "95", "overdispersion": "off", "listing": "alliance",
}
BY_QUINTILE = {**ICB_2022, "group": "imd_quintile", "group_value": "1 - most deprived"}


def selection(base: dict[str, str] = ICB_2022, **changes: str) -> dict[str, str]:
    return {**base, **changes}


def wilson(p: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval of a proportion p (of 1) from n trials, by the textbook formula:
    (p + z²/2n ∓ z·sqrt(p(1-p)/n + z²/4n²)) / (1 + z²/n)."""
    centre = p + z * z / (2 * n)
    spread = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n))
    return (centre - spread) / (1 + z * z / n), (centre + spread) / (1 + z * z / n)


def message(figure: dict) -> str:
    """The text of an empty figure, with its line breaks undone."""
    assert figure["data"] == []
    return figure["layout"]["annotations"][0]["text"].replace("<br>", " ")


# --- groups ------------------------------------------------------------------------------


def test_groups_show_the_area_beside_england_and_the_gap_between_the_ends(tiny_explorer) -> None:
    figure, sentence = card_view("groups", tiny_explorer, selection(BY_QUINTILE, area=NORFOLK))
    traces = {t["name"]: (t["x"], t["y"]) for t in figure["data"]}
    # Norfolk: 40/100, 44/100, 48/100, 52/100, 56/100. England, the sum of the three ICBs:
    # (40+32+30)/(100+60+100) = 102/260 = 39.2308%, (44+30+30)/(100+60+90) = 104/250 = 41.6%,
    # (48+28+28)/(100+60+80) = 104/240 = 43.3333%, (52+26+32)/240 = 110/240 = 45.8333%,
    # (56+24+3)/(100+60+60) = 83/220 = 37.7273%.
    assert traces == {
        "Norfolk and Waveney": ([40.0, 44.0, 48.0, 52.0, 56.0], QUINTILES),
        "England": ([39.2308, 41.6, 43.3333, 45.8333, 37.7273], QUINTILES),
    }
    # Ordered groups: first (most deprived) 40.0% against last (least deprived) 56.0%;
    # gap 56 - 40 = 16.0 points; ratio first/last 40/56 = 0.714 -> 0.71.
    assert sentence.startswith(
        "In Norfolk and Waveney, 40.0% in '1 - most deprived' against 56.0% in '5 - least deprived' "
        "(first and last groups): a gap of 16.0 percentage points, a ratio of 0.71. "
    )
    # Then the slope index: the values are 38 + 20x at x = 0.1 ... 0.9, so the fitted ends are 38
    # and 58: SII 58 - 38 = 20 points, lower at the most deprived end; RII 58/38 = 1.526 -> 1.53.
    # (The interval is Monte Carlo, so only its form is checked; the decimals follow its width.)
    assert re.search(
        r"The slope index of inequality is 20(\.0+)? percentage points \(95% CI [-\d.]+ to [-\d.]+\): "
        r"across the range from 1 - most deprived to 5 - least deprived, the estimated value is "
        r"20(\.0+)? percentage points lower at the 1 - most deprived end than at the 5 - least deprived end\.",
        sentence,
    )
    assert " Relative index 1.53 (" in sentence
    assert "Withheld" not in sentence


def test_groups_name_the_withheld_groups(tiny_explorer) -> None:
    figure, sentence = card_view("groups", tiny_explorer, selection(BY_QUINTILE, area=ESSEX))
    traces = {t["name"]: (t["x"], t["y"]) for t in figure["data"]}
    # Essex's quintile 5 (3 of 60) is a count of 1 to 4; its quintile 3 (28 of 80, the smallest other
    # numerator: 28 < 30, 30, 32) goes too, or 123 - (30 + 30 + 32 + 3) would give it back. The rest:
    # 30/100 = 30.0%, 30/90 = 33.3333%, 32/80 = 40.0%.
    assert traces["Mid and South Essex"] == ([30.0, 33.3333, 40.0], ["1 - most deprived", "2", "4"])
    assert traces["England"][1] == QUINTILES
    # No slope index without every group; the withheld groups are named in the display order.
    assert sentence.endswith(
        " No slope index of inequality: it needs a value for every group, and some are withheld or missing."
        " Withheld to protect small numbers: 3, 5 - least deprived."
    )


def test_groups_ask_for_a_group_when_all_patients_are_chosen(tiny_explorer) -> None:
    figure, sentence = card_view("groups", tiny_explorer, selection(area=NORFOLK))
    assert message(figure) == "Choose a Group (for example deprivation quintile) to compare groups of patients."
    assert sentence == ""


# --- funnel ------------------------------------------------------------------------------


def test_funnel_limits_around_england_for_three_icbs(tiny_explorer) -> None:
    figure, note = card_view("funnel", tiny_explorer, ICB_2022)
    upper_998, lower_998, upper_95, lower_95, baseline, areas, *key = figure["data"]
    # The areas' colours and shapes are keyed in the legend, once each (a user trial found no key).
    assert areas["showlegend"] is False
    assert [(k["name"], k["marker"]["symbol"], k["marker"]["color"]) for k in key] == [
        ("Within the 95% limits", "circle", INSIDE), ("Outside the 95% limits", "square", OUTSIDE_95),
        ("Outside the 99.8% limits", "diamond", OUTSIDE_998),
    ]
    assert [t["name"] for t in (upper_998, lower_998, upper_95, lower_95)] == ["99.8% limits", "99.8% limits", "95% limits", "95% limits"]
    assert [t["showlegend"] for t in (upper_998, lower_998, upper_95, lower_95)] == [True, False, True, False]  # each limit listed once
    # The size axis (240 to 600, within tenfold) is ticked at round hundreds, not plotly's bare digits.
    assert (figure["layout"]["xaxis"]["tickvals"], figure["layout"]["xaxis"]["ticktext"]) == ([300, 400, 500, 600], ["300", "400", "500", "600"])
    # The baseline is England's 503/1210 = 41.5702%, drawn across the axis, which runs from
    # 0.8 x the smallest denominator (0.8 x 300 = 240) to 1.2 x the largest (1.2 x 500 = 600).
    p0 = 503 / 1210
    assert baseline["name"] == "England 41.6%"
    assert baseline["x"] == [240.0, 600.0] and upper_95["x"][0] == 240.0 and upper_95["x"][-1] == 600.0
    assert baseline["y"] == pytest.approx([100 * p0] * 2, abs=1e-9)
    # The limit at n is the proportion whose Wilson interval just touches p0:
    # p0 ± z·sqrt(p0(1-p0)/n). p0(1-p0) = 0.415702 x 0.584298 = 0.242894.
    # n = 240: sqrt(0.242894/240) = 0.0318129; 95%: ± 1.96 x 3.18129 = ± 6.23521 -> 35.3350 to 47.8055;
    #          99.8%: ± 3.09 x 3.18129 = ± 9.83091 -> 31.7393 to 51.4012.
    # n = 600: sqrt(0.242894/600) = 0.0201202; 95%: ± 3.94349 -> 37.6268 to 45.5137;
    #          99.8%: ± 6.21762 -> 35.3526 to 47.7879.
    expected = {240.0: (35.3350, 47.8055, 31.7393, 51.4012), 600.0: (37.6268, 45.5137, 35.3526, 47.7879)}
    for i, n in ((0, 240.0), (-1, 600.0)):
        drawn = (lower_95["y"][i], upper_95["y"][i], lower_998["y"][i], upper_998["y"][i])
        assert drawn == pytest.approx(expected[n], abs=1e-4)
        spread = math.sqrt(p0 * (1 - p0) / n)
        assert drawn == pytest.approx([100 * (p0 + s * z * spread) for s, z in ((-1, Z95), (1, Z95), (-1, Z998), (1, Z998))], abs=1e-4)
        # The definition: the upper limit's Wilson lower bound, and the lower limit's Wilson upper
        # bound, at n trials are the baseline (to the 4 decimals the figure keeps).
        for low, high, z in ((drawn[0], drawn[1], Z95), (drawn[2], drawn[3], Z998)):
            assert 100 * wilson(high / 100, n, z)[0] == pytest.approx(100 * p0, abs=2e-4)
            assert 100 * wilson(low / 100, n, z)[1] == pytest.approx(100 * p0, abs=2e-4)
    # Areas (largest value first). Norfolk 240/500 = 48.0%: se 100·sqrt(0.242894/500) = 2.2041,
    # 95% upper 41.57 + 4.32 = 45.89 < 48.0 < 99.8% upper 41.57 + 6.81 = 48.38: outside 95% only.
    # Cambridgeshire 140/300 = 46.67%: se 2.8454, 95% upper 41.57 + 5.58 = 47.15: inside.
    # Essex 123/410 = 30.0%: se 2.4340, 99.8% lower 41.57 - 7.52 = 34.05 > 30.0: outside 99.8%.
    assert areas["text"] == ["Norfolk and Waveney", "Cambridgeshire and Peterborough", "Mid and South Essex"]
    assert (areas["x"], areas["y"]) == ([500.0, 300.0, 410.0], [48.0, 46.6667, 30.0])
    assert areas["marker"]["color"] == [OUTSIDE_95, INSIDE, OUTSIDE_998]
    assert areas["marker"]["symbol"] == ["square", "circle", "diamond"]
    # Spiegelhalter: z = (value - 41.5702)/se = 6.4298/2.2041 = 2.9172, 5.0964/2.8454 = 1.7911,
    # -11.5702/2.4340 = -4.7536. Winsorised at the 10% and 90% quantiles of three (linear, at
    # positions 0.2 and 1.8 of the sorted z): -4.7536 + 0.2 x 6.5447 = -3.4447 and
    # 1.7911 + 0.8 x 1.1261 = 2.6920. phi = (3.4447² + 1.7911² + 2.6920²)/3 = 22.3208/3 = 7.44;
    # 3 x 7.44 = 22.3 > 5.99 (chi-square, 2 df, 95%): present.
    z = sorted((v - 100 * p0) / (100 * math.sqrt(p0 * (1 - p0) / n)) for v, n in ((48.0, 500), (140 / 3, 300), (30.0, 410)))
    low, high = z[0] + 0.2 * (z[1] - z[0]), z[1] + 0.8 * (z[2] - z[1])
    phi = sum(min(max(v, low), high) ** 2 for v in z) / 3
    assert round(phi, 2) == 7.44 and 3 * phi > CHI2_2DF_95
    # "Chance variation only" is chosen: the note says the limits are chance's alone, and how to widen them.
    assert ICB_2022["overdispersion"] == "off"
    assert note == (
        "Areas vary more than chance alone explains (overdispersion: phi = 7.4, where about 1 is chance alone), "
        "so more fall outside these limits, which allow for chance only. Choose \"Allow for overdispersion\" to "
        "widen them for variation between areas (Spiegelhalter's additive random-effects method)."
    )


def test_funnel_widened_for_overdispersion_takes_every_icb_in(tiny_explorer) -> None:
    figure, note = card_view("funnel", tiny_explorer, selection(overdispersion="on"))
    lower_95 = figure["data"][3]
    # tau² = (k·phi - (k - 1)) / (Σw - Σw²/Σw), w = 1/se²: w = 1/4.8579, 1/8.0965, 1/5.9243
    # = 0.20585, 0.12351, 0.16880; Σw = 0.49816, Σw² = 0.086122; tau² = (22.3208 - 2)/(0.49816 - 0.17288)
    # = 62.47. At n = 240: 41.5702 - 1.96 x sqrt(10.1206 + 62.47) = 41.5702 - 16.70 = 24.87.
    assert lower_95["y"][0] == pytest.approx(24.87, abs=0.01)
    # Essex's 30.0% is now inside even the 95% limits (at 410: 41.57 - 1.96 x sqrt(5.924 + 62.47) = 25.36).
    assert figure["data"][5]["marker"]["color"] == [INSIDE] * 3
    assert note.startswith("Overdispersion present (phi = 7.4)") and "unchanged" not in note


def test_funnel_for_a_group_centres_on_englands_same_group(tiny_explorer) -> None:
    figure, _ = card_view("funnel", tiny_explorer, BY_QUINTILE)
    baseline, areas = figure["data"][4], figure["data"][5]
    # England's most deprived fifth: 102/260 = 39.2308%. The ICBs' most deprived fifths: Cambridgeshire
    # 32/60 = 53.33%, Norfolk 40/100 = 40.0%, Essex 30/100 = 30.0%.
    assert baseline["name"] == "England 39.2%" and baseline["y"][0] == pytest.approx(100 * 102 / 260)
    assert areas["y"] == [53.3333, 40.0, 30.0]


@pytest.mark.parametrize(
    "changes",
    [
        # Sub-ICBs 2022: 26A and 06H have values; 99F (3 of 10) and 99E (secondary) are withheld: 2 areas.
        {"level": "subicb"},
        # The two alliances.
        {"level": "alliance"},
    ],
)
def test_funnel_needs_three_areas(tiny_explorer, changes: dict[str, str]) -> None:
    figure, note = card_view("funnel", tiny_explorer, selection(**changes))
    assert message(figure) == "A funnel plot needs a share or a rate for three or more areas"
    assert note == ""


def test_funnel_of_four_subicbs_in_2021(tiny_explorer) -> None:
    figure, _ = card_view("funnel", tiny_explorer, selection(level="subicb", period="2021"))
    baseline, areas = figure["data"][4], figure["data"][5]
    # 2021: all four sub-ICBs have values (99F 6/12, nothing small). England 476/1212 = 39.2739%.
    p0 = 476 / 1212
    assert baseline["name"] == "England 39.3%"
    # 99F 50.0% at 12: se sqrt(0.23850/12) = 14.10 points, far inside. 26A 230/500 = 46.0%: se 2.184,
    # 95% upper 39.27 + 4.28 = 43.55 < 46.0 < 99.8% upper 39.27 + 6.75 = 46.02: outside 95% only.
    # 06H 130/300 = 43.33%: se 2.820, 95% upper 44.80: inside. 99E 110/400 = 27.5%: se 2.442,
    # 99.8% lower 39.27 - 7.55 = 31.73 > 27.5: outside 99.8%.
    se = {n: 100 * math.sqrt(p0 * (1 - p0) / n) for n in (12, 500, 300, 400)}
    assert 100 * p0 + Z95 * se[500] < 46.0 < 100 * p0 + Z998 * se[500]
    assert 130 / 3 < 100 * p0 + Z95 * se[300] and 27.5 < 100 * p0 - Z998 * se[400]
    assert (areas["x"], areas["y"]) == ([12.0, 500.0, 300.0, 400.0], [50.0, 46.0, 43.3333, 27.5])
    assert areas["marker"]["color"] == [INSIDE, OUTSIDE_95, INSIDE, OUTSIDE_998]


# --- inequality --------------------------------------------------------------------------


def test_inequality_ranks_the_icbs_with_every_group(tiny_explorer) -> None:
    figure, note = card_view("inequality", tiny_explorer, selection(BY_QUINTILE, area=NORFOLK))
    (trace,) = figure["data"]
    # Within Norfolk and within Cambridgeshire the five groups are equal (100 and 60), so the relative
    # ranks are the midpoints 0.1, 0.3, 0.5, 0.7, 0.9. Norfolk 40, 44, 48, 52, 56 = 38 + 20x: SII 20.
    # Cambridgeshire 53.33, 50, 46.67, 43.33, 40 = 55 - 16.667x: SII -16.6667. Sorted smallest first.
    # Essex has two withheld groups (quintiles 3 and 5): not ranked.
    for values, slope in (([40, 44, 48, 52, 56], 20.0), ([100 * x / 60 for x in (32, 30, 28, 26, 24)], -50 / 3)):
        ranks = [0.1, 0.3, 0.5, 0.7, 0.9]
        intercept = sum(values) / 5 - slope * 0.5  # least squares through the mean (0.5, mean)
        assert all(abs(v - (intercept + slope * x)) < 1e-9 for v, x in zip(values, ranks, strict=True))
    assert trace["y"] == ["Cambridgeshire and Peterborough", "Norfolk and Waveney"]
    assert trace["x"] == pytest.approx([-16.6667, 20.0], abs=1e-9)
    assert trace["marker"]["color"] == [HIGHLIGHT, NHS_BLACK]  # the clicked area stands out
    # The Monte Carlo interval is not worked by hand; it must contain the point estimate.
    assert all(a >= 0 for a in trace["error_x"]["array"] + trace["error_x"]["arrayminus"])
    assert note.startswith("2 areas ranked by the slope index of inequality across deprivation quintile")
    assert note.endswith("(the fitted difference from the first group to the last, 95% CI by simulation).")


@pytest.mark.parametrize("group", ["all", "sex"])
def test_inequality_needs_an_ordered_group(tiny_explorer, group: str) -> None:
    figure, note = card_view("inequality", tiny_explorer, selection(group=group))
    assert message(figure) == "Choose an ordered Group (deprivation quintile or age band) to rank areas by inequality"
    assert note == ""
