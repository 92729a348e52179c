"""Variation across areas (range, fold, p90/p10, CV, SCV) and the five-point trend test.

Worked examples use small inputs whose expected values were worked out by hand (the
arithmetic is in the comments) or read from standard normal tables; none is recomputed with
the module's own formula. The hypothesis tests check properties that hold whatever the
formula's details: bounds, invariance under scaling and reordering, known gradients.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from dashboard.stats.trend import linear_trend
from dashboard.stats.variation import (
    DEFINITIONS,
    VariationSummary,
    summarise,
    systematic_component,
)

# --- variation: worked examples ----------------------------------------------------------


# [10, 20, 30, 40, 50]: range 50 - 10 = 40, fold 50 / 10 = 5. Linear percentiles: the 10th
# sits at rank 0.1 × 4 = 0.4, i.e. 10 + 0.4 × 10 = 14; the 90th at rank 3.6, 40 + 0.6 × 10 = 46;
# 46 / 14 = 3.285714. Mean 30, sample sd sqrt((400 + 100 + 0 + 100 + 400) / 4) = sqrt(250)
# = 15.811388, so cv = 15.811388 / 30 = 0.527046.
TEN_TO_FIFTY = VariationSummary(
    areas=5,
    minimum=10,
    maximum=50,
    range=40,
    fold=5,
    p90_p10=pytest.approx(3.285714, abs=1e-6),
    cv=pytest.approx(0.527046, abs=1e-6),
    scv=None,
)


def test_worked_example_ten_to_fifty() -> None:
    assert summarise([10, 20, 30, 40, 50]) == TEN_TO_FIFTY


def test_scv_worked_examples() -> None:
    expected = [10, 20, 40]
    # 1/E = 0.1, 0.05, 0.025: sum 0.175, mean 0.058333 (= 7/120), the part chance explains.
    # O = E: every (O−E)²/E² is 0, so SCV = 100 × (0 − 0.058333) = −5.8333 (= −35/6).
    assert summarise([1, 1, 1], observed=expected, expected=expected).scv == pytest.approx(-5.833333, abs=1e-6)
    # O = 12, 18, 50: (2/10)² = 0.04, (−2/20)² = 0.01, (10/40)² = 0.0625; sum 0.1125, mean 0.0375.
    # SCV = 100 × (0.0375 − 0.058333) = −2.0833 (= −25/12): less spread than chance alone gives.
    assert systematic_component([12, 18, 50], expected) == pytest.approx(-2.083333, abs=1e-6)
    # O = 20, 10, 80: (10/10)² = 1, (−10/20)² = 0.25, (40/40)² = 1; mean 0.75.
    # SCV = 100 × (0.75 − 0.058333) = 69.1667 (= 415/6): far more spread than chance gives.
    assert systematic_component([20, 10, 80], expected) == pytest.approx(69.166667, abs=1e-6)


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
    assert summarise([10, np.nan, 20, 30, np.nan, 40, 50]) == TEN_TO_FIFTY
    empty = summarise([np.nan, np.nan])
    assert empty.areas == 0
    assert all(math.isnan(v) for v in (empty.minimum, empty.maximum, empty.range, empty.fold, empty.p90_p10, empty.cv))


def test_scv_leaves_out_areas_missing_either_count() -> None:
    # Left with O = 12, 18, 50 and E = 10, 20, 40: −2.0833 as worked out above.
    with_gaps = systematic_component([12, np.nan, 18, 50, 7], [10, 30, 20, 40, np.nan])
    assert with_gaps == pytest.approx(-2.083333, abs=1e-6)
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


@given(
    pairs=st.lists(
        st.tuples(st.floats(min_value=0.5, max_value=1e5), st.floats(min_value=-0.9, max_value=2)), min_size=1, max_size=40
    )
)
def test_scv_is_lowest_and_negative_when_observed_equals_expected(pairs: list[tuple[float, float]]) -> None:
    """Areas that match expectation exactly show less spread than chance: the SCV is negative
    there, and moving any observed count away from its expected value can only raise it."""
    expected = np.array([e for e, _ in pairs])
    observed = expected * (1 + np.array([d for _, d in pairs]))
    at_expected = systematic_component(expected, expected)
    assert at_expected < 0
    assert systematic_component(observed, expected) >= at_expected - 1e-9 * abs(at_expected)


@given(
    pairs=st.lists(st.tuples(st.integers(0, 1000), st.floats(min_value=0.5, max_value=1e4)), min_size=1, max_size=40),
    data=st.data(),
)
def test_scv_does_not_depend_on_the_order_of_areas(pairs: list[tuple[int, float]], data) -> None:
    shuffled = data.draw(st.permutations(pairs))
    a = systematic_component([o for o, _ in pairs], [e for _, e in pairs])
    b = systematic_component([o for o, _ in shuffled], [e for _, e in shuffled])
    assert a == pytest.approx(b, rel=1e-9, abs=1e-9)


# --- trend -------------------------------------------------------------------------------


def test_perfectly_linear_rising_series_with_tight_cis_is_increasing() -> None:
    values = np.array([10.0, 10.8, 11.6, 12.4, 13.2])
    result = linear_trend(values, values - 0.2, values + 0.2, unit="percentage points")
    assert result is not None
    assert result.points == 5
    assert result.slope == pytest.approx(0.8)
    # Equal se s = 0.2 / 1.959964 at t = 0..4: Σ(t − 2)² = 10, so se(slope) = s / √10 and the 95%
    # half-width is 1.959964 × s / √10 = 0.2 / √10 = 0.063246: 0.736754 to 0.863246.
    assert result.slope_lower == pytest.approx(0.736754, abs=1e-6)
    assert result.slope_upper == pytest.approx(0.863246, abs=1e-6)
    # z = 0.8 / (0.063246 / 1.959964) = 24.79: far beyond any normal table, p is effectively 0.
    assert result.p_value < 1e-100
    assert result.direction == "increasing"
    assert result.sentence == (
        "Over the last 5 years the value rose by 0.800 percentage points a year (95% CI 0.737 to 0.863): "
        "a significant increasing trend."
    )


def test_flat_noisy_series_is_no_significant_change() -> None:
    values = np.array([20.1, 19.4, 20.6, 19.8, 20.3])
    result = linear_trend(values, values - 1.5, values + 1.5, unit="per 100,000")
    assert result is not None
    # Equal weights, t − 2 = −2, −1, 0, 1, 2: Σ(t − 2)y = −40.2 − 19.4 + 0 + 19.8 + 40.6 = 0.8,
    # over Σ(t − 2)² = 10 gives slope 0.08. Half-width 1.5 / √10 = 0.474342: −0.394342 to 0.554342.
    assert result.slope == pytest.approx(0.08)
    assert (result.slope_lower, result.slope_upper) == pytest.approx((-0.394342, 0.554342), abs=1e-6)
    # z = 0.08 / (0.474342 / 1.959964) = 0.3306; normal table Φ(0.33) = 0.6293, Φ(0.34) = 0.6331,
    # so Φ(0.3306) ≈ 0.6295 and p = 2 × (1 − 0.6295) ≈ 0.741.
    assert result.p_value == pytest.approx(0.741, abs=1e-3)
    assert result.direction == "no significant change"
    assert result.sentence == (
        "Over the last 5 years the value changed by +0.08 per 100,000 a year (95% CI -0.39 to 0.55): no significant change."
    )


def test_weights_favour_the_precise_years() -> None:
    # t = 0, 1, 2; y = 0, 2, 2; se = 0.5, 1, 1, so weights 1/se² = 4, 1, 1 (Σw = 6).
    # t̄ = (0 + 1 + 2) / 6 = 0.5, ȳ = (0 + 2 + 2) / 6 = 2/3.
    # Sxx = 4 × 0.25 + 0.25 + 2.25 = 3.5; Sxy = 4 × (−0.5)(−2/3) + 0.5 × 4/3 + 1.5 × 4/3 = 4.
    # Slope 4 / 3.5 = 1.142857 (unweighted least squares would give 1); se 1/√3.5 = 0.534522;
    # 95% CI 1.142857 ± 1.959964 × 0.534522 = 0.095212 to 2.190502.
    # z = 1.142857 / 0.534522 = 2.1381; normal table Φ(2.13) = 0.98341, Φ(2.14) = 0.98382,
    # so Φ(2.1381) ≈ 0.98374 and p = 2 × (1 − 0.98374) ≈ 0.0325.
    values = np.array([0.0, 2.0, 2.0])
    se = np.array([0.5, 1.0, 1.0])
    result = linear_trend(values, values - 1.959964 * se, values + 1.959964 * se, unit="")
    assert result is not None
    assert result.slope == pytest.approx(1.142857, abs=1e-6)
    assert (result.slope_lower, result.slope_upper) == pytest.approx((0.095212, 2.190502), abs=1e-6)
    assert result.p_value == pytest.approx(0.0325, abs=2e-4)
    assert result.direction == "increasing"


def test_a_slope_of_exactly_1_96_standard_errors_has_p_0_05() -> None:
    # Rising by 1 a year with 95% half-widths of √10 each year: the 95% half-width of the slope is
    # √10 / √10 = 1, so the CI is 0 to 2 and z = 1.959964, the 97.5% normal point: p = 0.05.
    values = np.arange(5, dtype=float)
    result = linear_trend(values, values - math.sqrt(10), values + math.sqrt(10), unit="")
    assert result is not None
    assert (result.slope_lower, result.slope, result.slope_upper) == pytest.approx((0, 1, 2), abs=1e-9)
    assert result.p_value == pytest.approx(0.05, abs=1e-6)


def test_falling_series_is_decreasing_and_stated_as_a_fall() -> None:
    values = np.array([30.0, 28.5, 27.0, 25.5, 24.0])
    result = linear_trend(values, values - 1, values + 1, unit="years")
    assert result is not None
    assert result.direction == "decreasing" and result.slope == pytest.approx(-1.5)
    # Half-widths 1: the slope's 95% half-width is 1 / √10 = 0.316, so a fall of 1.18 to 1.82.
    assert result.sentence == (
        "Over the last 5 years the value fell by 1.50 years a year (95% CI 1.18 to 1.82): a significant decreasing trend."
    )


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
