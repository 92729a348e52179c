from __future__ import annotations

import pandas as pd
import pytest

from dashboard.stats.opportunity import (
    extra_people_per_year,
    round_people,
    top_quartile,
    years_in_period,
)


def test_worked_example_one_year() -> None:
    # 311 of 1,000 staged at stage 1-2 against England's 33.9%: 339 - 311 = 28 more a year.
    assert extra_people_per_year(311, 1000, 33.9, 1.0) == pytest.approx(28.0)


def test_quarter_scales_to_a_year() -> None:
    years = years_in_period(pd.Timestamp("2023-04-01"), pd.Timestamp("2023-06-30"))
    assert years == pytest.approx(91 / 365.25)
    assert extra_people_per_year(700, 1000, 75, years) == pytest.approx(50 / years)


def test_no_opportunity_when_at_or_above_target() -> None:
    assert extra_people_per_year(400, 1000, 33.9, 1.0) is None
    assert extra_people_per_year(float("nan"), 1000, 33.9, 1.0) is None


def test_top_quartile_and_spoken_numbers() -> None:
    assert top_quartile([1, 2, 3, 4, 5, float("nan")]) == 4
    assert [round_people(x) for x in (7.4, 27, 143, 1562)] == [7, 25, 140, 1600]
