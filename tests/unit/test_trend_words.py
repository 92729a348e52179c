"""The trend card's words: the annual trend in plain English, and the SPC icons' names,
meanings and drawings (assets/spc/*.svg, styled by assets/spc.css).

Trend numbers are worked by hand: five equally precise years give equal weights, so the
slope is ordinary least squares over t = 0..4 (sum of squares about the mean 10) and its
standard error is the points' standard error / sqrt(10).
"""

from __future__ import annotations

import math
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from dashboard.figures.trend import COMMON_CAUSE_GREY, CONCERN_ORANGE, IMPROVEMENT_BLUE, NEUTRAL_PURPLE
from dashboard.presenters.trend import ASSURANCE_WORDS, VARIATION_WORDS, spc_icons, trend_sentence
from dashboard.stats.spc_rebase import rebased_xmr
from dashboard.stats.trend import linear_trend

ASSETS = Path(__file__).resolve().parents[2] / "assets"
Z95 = 1.959964  # the published limits are 95% limits (statistical tables)


def _series(slope: float, slope_se: float) -> tuple[list[float], list[float], list[float]]:
    """Five points on a line of `slope` whose intervals give the slope that standard error."""
    half = Z95 * slope_se * math.sqrt(10)  # each point's se is slope_se × sqrt(10)
    values = [50 + slope * t for t in range(5)]
    return values, [v - half for v in values], [v + half for v in values]


def test_a_rise_whose_interval_only_just_excludes_zero_is_said_plainly_with_that_interval() -> None:
    # slope 1, se 0.5: z = 2 > 1.96, p = 0.046. Interval 1 ± 1.959964 × 0.5 = 0.020 to 1.980. At one
    # decimal (the page's) the lower bound would print 0.0 though it is not 0: two decimals, 0.02 to 1.98.
    test = linear_trend(*_series(1.0, 0.5), unit="%")
    assert trend_sentence(test, "%", 5) == (
        "Rising trend: up about 1.00 percentage points a year over the last five years. This is unlikely "
        "to be chance: the 95% interval for the yearly change runs from 0.02 to 1.98, all above zero."
    )


def test_a_change_whose_interval_includes_zero_is_not_called_a_trend_and_uses_one_decimal() -> None:
    # slope 0.9, se 0.5: z = 1.8, p = 0.07. Interval 0.9 ± 0.98 = -0.08 to 1.88: at one decimal
    # -0.1 to 1.9, neither printing as 0.0, so one decimal, as the rest of the page.
    test = linear_trend(*_series(0.9, 0.5), unit="%")
    assert trend_sentence(test, "%", 5) == (
        "No clear trend: a change of about +0.9 percentage points a year over the last five years, which "
        "could be chance: the 95% interval for the yearly change runs from \u22120.1 to 1.9, so it includes zero."
    )


def test_a_fall_in_a_rate_is_per_100000_not_percentage_points() -> None:
    # slope -3, se 0.5: interval -3 ± 0.98 = -3.98 to -2.02, at one decimal -4.0 to -2.0.
    test = linear_trend(*_series(-3.0, 0.5), unit="per 100,000")
    assert trend_sentence(test, "per 100,000", 5) == (
        "Falling trend: down about 3.0 per 100,000 a year over the last five years. This is unlikely to be "
        "chance: the 95% interval for the yearly change runs from \u22124.0 to \u22122.0, all below zero."
    )


def test_an_interval_that_includes_zero_never_prints_a_bound_that_looks_like_zero() -> None:
    # The user trial read "0.0 to 2.9, includes zero". slope 1.45, se 1.49 / 1.959964 = 0.76022:
    # interval 1.45 ± 1.49 = -0.04 to 2.94. At one decimal -0.04 prints 0.0: two decimals.
    test = linear_trend(*_series(1.45, 1.49 / Z95), unit="%")
    sentence = trend_sentence(test, "%", 5)
    assert "runs from \u22120.04 to 2.94, so it includes zero" in sentence and "about +1.45 percentage points" in sentence
    assert "0.0 to" not in sentence
    # slope 1, se 1.003 / 1.959964: interval 1 ± 1.003 = -0.003 to 2.003. Even two decimals print
    # -0.003 as 0.00: that bound is said in words.
    test = linear_trend(*_series(1.0, 1.003 / Z95), unit="%")
    assert trend_sentence(test, "%", 5).endswith(
        "which could be chance: the 95% interval for the yearly change runs from just below zero to 2.00, so it includes zero."
    )


def test_a_bound_excluding_zero_that_would_print_as_zero_is_said_in_words() -> None:
    # slope 1, se 0.508: interval 1 ± 0.9957 = 0.0043 to 1.9957. One decimal prints 0.0, two 0.00:
    # "just above zero", and the upper bound at two decimals, 2.00.
    test = linear_trend(*_series(1.0, 0.508), unit="%")
    sentence = trend_sentence(test, "%", 5)
    assert "runs from just above zero to 2.00, all above zero" in sentence and "unlikely to be chance" in sentence


def test_a_slope_too_small_to_print_is_said_to_be_less_than_the_last_decimal() -> None:
    # slope 0.004, se 0.5: interval -0.976 to 0.984 (one decimal: -1.0 to 1.0), but the slope prints
    # 0.0 at one decimal and 0.00 at two: "less than 0.01"; the bounds then at two decimals.
    test = linear_trend(*_series(0.004, 0.5), unit="%")
    assert trend_sentence(test, "%", 5) == (
        "No clear trend: a change of less than 0.01 percentage points a year over the last five years, which "
        "could be chance: the 95% interval for the yearly change runs from \u22120.98 to 0.98, so it includes zero."
    )


# --- the Making Data Count icons ---------------------------------------------------------------


COLOURS = {"common-cause": COMMON_CAUSE_GREY, "improvement": IMPROVEMENT_BLUE, "concern": CONCERN_ORANGE, "neutral": NEUTRAL_PURPLE}


def _classes() -> list[str]:
    return re.findall(r"\.(mdc-(?:variation|assurance)-[a-z-]+)::before", (ASSETS / "spc.css").read_text())


def test_every_icon_has_a_drawing_styled_by_the_stylesheet() -> None:
    css = (ASSETS / "spc.css").read_text()
    for css_class in _classes():
        file = re.search(rf"\.{css_class}::before {{ background-image: url\(\"(spc/[a-z-]+\.svg)\"\)", css).group(1)
        root = ET.parse(ASSETS / file).getroot()
        assert root.tag.endswith("svg") and root.find("{http://www.w3.org/2000/svg}circle") is not None  # a circular icon
        assert root.find("{http://www.w3.org/2000/svg}title").text
    stems = {c.removeprefix("mdc-variation-").replace("-", "_") for c in _classes() if "variation" in c}
    assert stems == set(VARIATION_WORDS)
    assert {c.removeprefix("mdc-assurance-") for c in _classes() if "assurance" in c} == {"pass", "fail", "hit-and-miss"}


@pytest.mark.parametrize("stem", sorted(VARIATION_WORDS))
def test_each_variation_drawing_uses_its_chart_colour_and_letter(stem: str) -> None:
    svg = (ASSETS / "spc" / f"variation-{stem.replace('_', '-')}.svg").read_text()
    kind = "common-cause" if stem == "common_cause" else stem.split("_")[0]
    assert f'stroke="{COLOURS[kind]}"' in svg  # the ring is the colour of the chart's points of that kind
    letter_paths = {"high": "M27 10V22M37 10V22M27 16H37", "low": "M28 10V22H37"}  # H and L, drawn
    side = stem.rsplit("_", 1)[-1]
    assert (letter_paths[side] in svg) if side in letter_paths else not any(p in svg for p in letter_paths.values())


def test_icons_carry_a_visible_label_and_its_meaning_and_no_bare_question_mark() -> None:
    # 0, 1 × 5 then 10, 12 × 5 rebased at point 10; the latest segment is common cause, and a
    # target of 20 (higher better) is above its upper limit 16.32: missed every month.
    chart = rebased_xmr([0.0, 1.0] * 5 + [10.0, 12.0] * 5, rebase_at=[10], target=20)
    icons = spc_icons(chart)
    assert icons == [
        ("mdc-icon mdc-variation-common-cause", "Common cause: no significant change",
         "Common cause: no significant change: the latest month is within the usual range, with no unusual pattern"),
        ("mdc-icon mdc-assurance-fail", "Assurance: target missed consistently",
         "Assurance: target missed consistently: the target is outside the process limits on the wrong side, "
         "so it will not be met without a change to the process"),
    ]
    words = [text for pair in (*VARIATION_WORDS.values(), *ASSURANCE_WORDS.values()) for text in pair]
    assert not any(text.rstrip(".").endswith("(?)") for text in words)
