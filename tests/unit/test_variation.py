"""Variation across areas (range, fold, p90/p10, CV, SCV) and the five-point trend test."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st
from scipy import stats

from dashboard.stats.trend import linear_trend
from dashboard.stats.variation import DEFINITIONS, VariationSummary, summarise, systematic_component

# --- variation: worked examples ----------------------------------------------------------


def test_worked_example_ten_to_fifty() -> None:
    result = summarise([10, 20, 30, 40, 50])
    # Linear percentiles: the 10th lies 0.4 of the way from 10 to 20, the 90th 0.6 from 40 to 50.
    # Sample sd = sqrt((400 + 100 + 0 + 100 + 400) / 4) = sqrt(250).
    assert result == VariationSummary(
        areas=5,
        minimum=10,
        maximum=50,
        range=40,
        fold=5,
        p90_p10=pytest.approx(46 / 14),
        cv=pytest.approx(math.sqrt(250) / 30),
        scv=None,
    )


def test_scv_worked_examples() -> None:
    expected = [10, 20, 40]
    # O = E: every (O−E)² term is 0, leaving −100 × mean(1/E) = −100 × (0.1 + 0.05 + 0.025) / 3.
    assert summarise([1, 1, 1], observed=expected, expected=expected).scv == pytest.approx(-35 / 6)
    # O = 12, 18, 50: (O−E)²/E² = 0.04, 0.01, 0.0625 → mean 0.0375; minus 0.175 / 3.
    assert systematic_component([12, 18, 50], expected) == pytest.approx(100 * (0.0375 - 0.175 / 3))
    # O = 20, 10, 80: 1, 0.25, 1 → mean 0.75: far more spread than chance gives.
    assert systematic_component([20, 10, 80], expected) == pytest.approx(100 * (0.75 - 0.175 / 3))


def test_scv_is_none_without_counts() -> None:
    assert summarise([1.0, 2.0]).scv is None


def test_scv_needs_both_counts_and_positive_expected() -> None:
    with pytest.raises(ValueError, match="both"):
        summarise([1.0, 2.0], observed=[3, 4])
    with pytest.raises(ValueError, match="positive"):
        systematic_component([3, 4], [2, 0])
    with pytest.raises(ValueError, match="one entry per area"):
        systematic_component([3, 4, 5], [2, 3])


def test_nan_values_are_ignored() -> None:
    assert summarise([10, np.nan, 20, 30, np.nan, 40, 50]) == summarise([10, 20, 30, 40, 50])
    empty = summarise([np.nan, np.nan])
    assert empty.areas == 0
    assert all(math.isnan(v) for v in (empty.minimum, empty.maximum, empty.range, empty.fold, empty.p90_p10, empty.cv))


def test_scv_leaves_out_areas_missing_either_count() -> None:
    with_gaps = systematic_component([12, np.nan, 18, 50, 7], [10, 30, 20, 40, np.nan])
    assert with_gaps == pytest.approx(systematic_component([12, 18, 50], [10, 20, 40]))
    assert math.isnan(systematic_component([np.nan], [5]))


def test_ratios_are_nan_rather_than_misleading() -> None:
    one_zero = summarise([0, 5, 10, 15, 20])
    assert math.isnan(one_zero.fold) and one_zero.p90_p10 == pytest.approx(18 / 2)  # 10th percentile is 2
    two_zeros = summarise([0, 0, 5, 10, 20])
    assert math.isnan(two_zeros.fold) and math.isnan(two_zeros.p90_p10)
    assert two_zeros.range == 20
    assert math.isnan(summarise([-5, -1, 0, 1, 5]).cv)  # mean 0
    single = summarise([7.0])
    assert single.areas == 1 and single.range == 0 and single.fold == 1 and math.isnan(single.cv)


def test_every_measure_has_a_definition() -> None:
    assert set(DEFINITIONS) == {"range", "fold", "p90_p10", "cv", "scv"}
    assert all(text.strip() for text in DEFINITIONS.values())


# --- variation: invariants ---------------------------------------------------------------

positive_values = st.lists(st.floats(min_value=1e-3, max_value=1e6), min_size=2, max_size=60)
any_values = st.lists(st.floats(min_value=-1e6, max_value=1e6), min_size=1, max_size=60)


@given(values=positive_values)
def test_fold_is_at_least_one_for_positive_values(values: list[float]) -> None:
    result = summarise(values)
    assert result.fold >= 1
    assert result.p90_p10 >= 1


@given(values=any_values)
def test_range_is_never_negative(values: list[float]) -> None:
    assert summarise(values).range >= 0


@given(values=positive_values, k=st.floats(min_value=1e-3, max_value=1e3))
def test_scaling_leaves_relative_measures_unchanged(values: list[float], k: float) -> None:
    assume(np.ptp(values) > 1e-9 * max(values))  # constant series: cv is 0 and rounding dominates
    base, scaled = summarise(values), summarise(np.multiply(values, k))
    assert scaled.fold == pytest.approx(base.fold, rel=1e-9)
    assert scaled.p90_p10 == pytest.approx(base.p90_p10, rel=1e-9)
    assert scaled.cv == pytest.approx(base.cv, rel=1e-6)
    assert scaled.range == pytest.approx(k * base.range, rel=1e-9)


@given(values=positive_values, data=st.data())
def test_order_of_areas_does_not_matter(values: list[float], data) -> None:
    shuffled = data.draw(st.permutations(values))
    a, b = summarise(values), summarise(shuffled)
    assert (a.minimum, a.maximum, a.fold, a.p90_p10) == (b.minimum, b.maximum, b.fold, b.p90_p10)
    assert a.cv == pytest.approx(b.cv)


@given(expected=st.lists(st.floats(min_value=0.5, max_value=1e5), min_size=1, max_size=40))
def test_scv_with_observed_equal_to_expected_is_minus_the_poisson_part(expected: list[float]) -> None:
    assert systematic_component(expected, expected) == pytest.approx(-100 * np.mean(np.reciprocal(expected)))


# --- trend -------------------------------------------------------------------------------


def test_perfectly_linear_rising_series_with_tight_cis_is_increasing() -> None:
    values = np.array([10.0, 10.8, 11.6, 12.4, 13.2])
    result = linear_trend(values, values - 0.2, values + 0.2, unit="percentage points")
    assert result is not None
    assert result.points == 5
    assert result.slope == pytest.approx(0.8)
    # Equal se s at t = 0..4: Σ(t − 2)² = 10, so se(slope) = s / √10, with s = 0.2 / 1.959964.
    slope_se = 0.2 / 1.959964 / math.sqrt(10)
    assert result.slope_lower == pytest.approx(0.8 - 1.959964 * slope_se)
    assert result.slope_upper == pytest.approx(0.8 + 1.959964 * slope_se)
    assert result.p_value == pytest.approx(2 * stats.norm.sf(0.8 / slope_se))
    assert result.direction == "increasing"
    assert result.sentence == (
        "Over the last 5 years the value rose by 0.800 percentage points a year (95% CI 0.737 to 0.863): "
        "a significant increasing trend."
    )


def test_flat_noisy_series_is_no_significant_change() -> None:
    values = np.array([20.1, 19.4, 20.6, 19.8, 20.3])
    result = linear_trend(values, values - 1.5, values + 1.5, unit="per 100,000")
    assert result is not None
    assert result.direction == "no significant change"
    assert result.p_value > 0.05
    assert result.slope_lower < 0 < result.slope_upper
    assert result.sentence.startswith("Over the last 5 years the value changed by ")
    assert result.sentence.endswith(": no significant change.")


def test_falling_series_is_decreasing_and_stated_as_a_fall() -> None:
    values = np.array([30.0, 28.5, 27.0, 25.5, 24.0])
    result = linear_trend(values, values - 1, values + 1, unit="years")
    assert result is not None
    assert result.direction == "decreasing" and result.slope == pytest.approx(-1.5)
    assert "fell by 1.50 years a year (95% CI " in result.sentence
    assert "a significant decreasing trend." in result.sentence


def test_fewer_than_three_usable_points_gives_none() -> None:
    assert linear_trend([1.0, 2.0], [0.5, 1.5], [1.5, 2.5], unit="") is None
    values = [1.0, np.nan, 3.0, np.nan, np.nan]
    assert linear_trend(values, np.subtract(values, 0.5), np.add(values, 0.5), unit="") is None
    # A zero-width interval would get infinite weight, so that point is not usable either.
    assert linear_trend([1.0, 2.0, 3.0], [0.5, 2.0, 2.5], [1.5, 2.0, 3.5], unit="") is None
    assert linear_trend([], [], [], unit="") is None


def test_only_the_last_five_points_count_and_gaps_keep_their_year() -> None:
    tail = np.array([5.0, 6.0, np.nan, 8.0, 9.0])  # one a year, one year missing
    values = np.concatenate([[100.0, -50.0, 80.0], tail])
    result = linear_trend(values, values - 0.5, values + 0.5, unit="")
    assert result is not None
    assert result.points == 4 and result.slope == pytest.approx(1.0)
    assert result.sentence.startswith("Over the last 5 years (4 with data) the value rose by 1.0")


def test_mismatched_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="one entry per year"):
        linear_trend([1.0, 2.0, 3.0], [0.0, 1.0], [2.0, 3.0, 4.0], unit="")
    with pytest.raises(ValueError, match="at least 3"):
        linear_trend([1.0, 2.0, 3.0], [0.0, 1.0, 2.0], [2.0, 3.0, 4.0], unit="", last=2)


@given(
    intercept=st.floats(min_value=-100, max_value=100),
    gradient=st.floats(min_value=-10, max_value=10),
    widths=st.lists(st.floats(min_value=0.01, max_value=10), min_size=3, max_size=8),
)
def test_an_exact_line_is_recovered_whatever_the_weights(intercept: float, gradient: float, widths: list[float]) -> None:
    t = np.arange(len(widths))
    values = intercept + gradient * t
    result = linear_trend(values, values - np.array(widths), values + np.array(widths), unit="")
    assert result is not None
    assert result.points == min(5, len(widths))
    assert result.slope == pytest.approx(gradient, abs=1e-9 * (1 + abs(intercept) + abs(gradient)))
    assert result.slope_lower <= result.slope <= result.slope_upper
