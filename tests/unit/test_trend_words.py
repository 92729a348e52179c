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
    # slope 1, se 0.5: z = 2 > 1.96, p = 0.046. Interval 1 ± 1.959964 × 0.5 = 0.020 to 1.980;
    # at two significant figures of the half-width (0.98: two decimals) 0.02 to 1.98.
    test = linear_trend(*_series(1.0, 0.5), unit="%")
    assert trend_sentence(test, "%", 5) == (
        "Rising trend: up about 1.00 percentage points a year over the last five years. This is unlikely "
        "to be chance: the 95% interval for the yearly change, 0.02 to 1.98, is all above zero."
    )


def test_a_change_whose_interval_includes_zero_is_not_called_a_trend() -> None:
    # slope 0.9, se 0.5: z = 1.8, p = 0.07. Interval 0.9 ± 0.98 = -0.08 to 1.88.
    test = linear_trend(*_series(0.9, 0.5), unit="%")
    assert trend_sentence(test, "%", 5) == (
        "No clear trend: a change of about +0.90 percentage points a year over the last five years, which "
        "could be chance: the 95% interval for the yearly change, \u22120.08 to 1.88, includes zero."
    )


def test_a_fall_in_a_rate_is_per_100000_not_percentage_points() -> None:
    # slope -3, se 0.5: interval -3 ± 0.98 = -3.98 to -2.02.
    test = linear_trend(*_series(-3.0, 0.5), unit="per 100,000")
    assert trend_sentence(test, "per 100,000", 5) == (
        "Falling trend: down about 3.00 per 100,000 a year over the last five years. This is unlikely to be "
        "chance: the 95% interval for the yearly change, \u22123.98 to \u22122.02, is all below zero."
    )


def test_a_lower_bound_that_would_print_as_zero_gets_another_decimal() -> None:
    # slope 1, se 0.508: interval 1 ± 0.9957 = 0.0043 to 1.9957. Two decimals would print "0.00"
    # for a bound that excludes zero; three print 0.004.
    test = linear_trend(*_series(1.0, 0.508), unit="%")
    sentence = trend_sentence(test, "%", 5)
    assert "0.004 to 1.996" in sentence and "unlikely to be chance" in sentence


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
