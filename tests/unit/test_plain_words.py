"""Wording a non-statistician reads: no "0.00" or "nan" ratios, and the systematic component
of variation (SCV) in words, negative estimates included (a user trial found both confusing)."""

from __future__ import annotations

import pandas as pd
import pytest

from dashboard.figures.groups import gap_sentence
from dashboard.presenters.variation import scv_text


def groups(first: float, last: float) -> pd.DataFrame:
    return pd.DataFrame({"group_value": ["1 - most deprived", "5 - least deprived"], "value": [first, last], "suppression": ["", ""]})


def test_a_gap_with_a_zero_end_has_no_ratio_rather_than_zero_or_infinity() -> None:
    sentence = gap_sentence(groups(0.0, 20.0), ordered=True, area_name="X", unit="%")
    assert "a gap of 20.0 percentage points, no ratio, as one of them is 0." in sentence
    assert "0.00" not in sentence and "inf" not in sentence and "nan" not in sentence
    # 30 / 20 = 1.5 by hand.
    assert "a ratio of 1.50" in gap_sentence(groups(30.0, 20.0), ordered=True, area_name="X", unit="%")


@pytest.mark.parametrize(
    ("scv", "words"),
    [
        # A negative estimate: the areas vary less than chance alone would make them (sampling noise).
        (-1.5, "none beyond chance (estimate -1.5, below 0: the areas differ no more than chance alone would make them)"),
        (0.0, "none beyond chance (estimate 0.0)"),
        (2.0, "some, but low (2.0;"),
        # McPherson et al. (1982) and the NHS Atlas of Variation read above 5.4 as high, above 10 as very high.
        (6.0, "high (6.0;"),
        (12.5, "very high (12.5;"),
    ],
)
def test_the_systematic_component_in_words(scv: float, words: str) -> None:
    assert scv_text(scv).startswith(words)


@pytest.mark.parametrize(
    ("period", "words"),
    [("2024-09", "September 2024"), ("2023-04 to 2023-10", "April 2023 to October 2023"), ("2023-24", "the financial year 2023-24"), ("2022", "2022"), ("2019-2021", "2019-2021"), ("2024-13", "2024-13")],
)
def test_periods_in_words(period: str, words: str) -> None:
    from dashboard.figures.formatting import period_words

    assert period_words(period) == words
