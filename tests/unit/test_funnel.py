"""Funnel plot limits agree with PHEindicatormethods' own test values, and behave.

Reference values are read from ../shared/reference-values (README there gives the
methods and tolerances); those tests skip when the folder is absent. Overdispersion has
no peer values, so it is checked on worked examples and with hypothesis. Worked-example
expectations are numbers worked out by hand (arithmetic in the comments) or read from
published tables, never recomputed with the module's own formula or constants.
"""

from __future__ import annotations

import math
import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from dashboard.stats.funnel import (
    adjusted_limits,
    overdispersion,
    poisson_observed_limits,
    proportion_limits,
    proportion_significance,
    rate_limits,
)
from dashboard.stats.intervals import exact_poisson_count_interval

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference-values"

# Proportion limits are stored rounded to 6-8 decimals (percent): compare absolutely.
PROPORTION_ABS_TOLERANCE = 1e-6
# The peer finds Poisson limits by bisection to ~1e-7, up to 4.7e-5 relative from exact quantiles.
POISSON_REL_TOLERANCE = 1e-4
RATE_YEARS = 3  # all three rate tests use years_of_data = 3
RATE_MULTIPLIER = 100_000

LIMIT_COLUMNS = {  # our field -> the peer's column stem
    "lower_95": "lower_2s",
    "upper_95": "upper_2s",
    "lower_998": "lower_3s",
    "upper_998": "upper_3s",
}
CONFIDENCE = {"2s": 0.95, "3s": 0.998}


@pytest.fixture(scope="module")
def refs() -> Path:
    if not REFERENCE.is_dir():
        pytest.skip(f"reference values not present at {REFERENCE}")
    return REFERENCE


def _proportion_case(refs: Path, case: str) -> tuple[pd.DataFrame, pd.DataFrame]:
    inputs = pd.read_csv(refs / "funnel_proportion_inputs.csv")
    if case == "denominator_lt_31000_full":
        inputs = inputs[inputs["denominator"] < 31000]
    limits = pd.read_csv(refs / "funnel_proportion_limits.csv")
    return inputs, limits[limits["case"] == case]


PROPORTION_CASES = ["all_inputs_standard", "denominator_lt_31000_full"]


# --------------------------------------------------------------------------------------
# PHE's funnel x axis (a test helper: the app draws its own axis)
# --------------------------------------------------------------------------------------


def _digits(x: float) -> int:
    """Number of digits in the integer part, counted on the integer itself (no log10 rounding)."""
    return len(str(int(x)))


def _floor_significant(x: float, digits: int) -> float:
    """x floored to `digits` significant figures (PHE counts the digits of floor(x))."""
    if x <= 0:
        return 0.0
    scale = 10.0 ** (_digits(math.floor(x)) - digits)
    return math.floor(x / scale) * scale


def _ceil_significant(x: float, digits: int) -> float:
    """x ceilinged to `digits` significant figures (PHE counts the digits of ceiling(x))."""
    if x <= 0:
        return 0.0
    scale = 10.0 ** (_digits(math.ceil(x)) - digits)
    return math.ceil(x / scale) * scale


def funnel_axis(denominators, points: int = 100) -> np.ndarray:
    """PHE's own 100-point x axis (calculate_funnel_limits), used here as a realistic funnel axis.

    The axis starts at 0 (shown as 1) when the largest denominator is more than twice the
    smallest, otherwise at 95% of the smallest floored to one significant figure; it ends
    at 105% of the largest ceilinged to two significant figures. Each point is the previous
    one times the geometric step still needed to reach the end, rounded to a whole number
    and at least one more than the previous point, so small denominators get fine steps.
    """
    n = np.asarray(denominators, dtype=float).ravel()
    smallest, largest = float(n.min()), float(n.max())
    start = 0.0 if largest > 2 * smallest else _floor_significant(smallest * 0.95, 1)
    end = _ceil_significant(largest * 1.05, 2)
    axis = np.empty(points)
    axis[0] = max(1.0, start)
    for i in range(1, points):
        previous = axis[i - 1]
        # np.round rounds half to even, as R's round() does.
        axis[i] = max(float(np.round((end / previous) ** (1 / (points - i)) * previous)), previous + 1)
    return axis


# --------------------------------------------------------------------------------------
# reference values: proportions
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", PROPORTION_CASES)
def test_axis_helper_is_phes_own(refs: Path, case: str) -> None:
    inputs, expected = _proportion_case(refs, case)
    np.testing.assert_array_equal(funnel_axis(inputs["denominator"]), expected["population"].to_numpy(float))


@pytest.mark.parametrize("case", PROPORTION_CASES)
def test_proportion_limits_match_reference(refs: Path, case: str) -> None:
    inputs, expected = _proportion_case(refs, case)
    assert len(expected) == 100
    baseline = inputs["numerator"].sum() / inputs["denominator"].sum() * 100
    np.testing.assert_allclose(baseline, expected["baseline"], rtol=0, atol=PROPORTION_ABS_TOLERANCE)
    limits = proportion_limits(baseline, expected["population"])
    np.testing.assert_array_equal(limits.denominators, expected["population"].to_numpy(float))
    assert limits.baseline == baseline
    for field, stem in LIMIT_COLUMNS.items():
        np.testing.assert_allclose(
            getattr(limits, field), expected[f"{stem}_limit"], rtol=0, atol=PROPORTION_ABS_TOLERANCE, err_msg=f"{case} {field}"
        )


def test_proportion_significance_matches_all_303_rows(refs: Path) -> None:
    inputs = pd.read_csv(refs / "funnel_proportion_inputs.csv")
    assert len(inputs) == 303
    labels = proportion_significance(inputs["numerator"], inputs["denominator"])
    assert labels == inputs["expected_significance"].tolist()


# --------------------------------------------------------------------------------------
# reference values: rates and ratios (exact Poisson)
# --------------------------------------------------------------------------------------


@pytest.mark.parametrize("case", ["dsr_3yr", "crude_3yr_maxev_to_5", "crude_3yr_maxev_to_0_with_denominator"])
@pytest.mark.parametrize("field", list(LIMIT_COLUMNS))
def test_rate_limits_match_reference(refs: Path, case: str, field: str) -> None:
    """The peer tabulates, for each whole event count on its axis, the population at which
    that count sits on the limit; so ask for our limit at that very population."""
    table = pd.read_csv(refs / "funnel_rate_limits.csv")
    expected = table[table["case"] == case]
    assert len(expected) == 100
    stem = LIMIT_COLUMNS[field]
    population = expected[f"{stem}_population_1_year"].to_numpy() * RATE_YEARS
    # The peer's own columns agree with that reading: limit = events / population × 1e5.
    np.testing.assert_allclose(expected["events"] / population * RATE_MULTIPLIER, expected[f"{stem}_limit"], rtol=1e-8)
    limits = rate_limits(float(expected["baseline"].iloc[0]), population, multiplier=RATE_MULTIPLIER)
    np.testing.assert_allclose(getattr(limits, field), expected[f"{stem}_limit"], rtol=POISSON_REL_TOLERANCE)


@pytest.mark.parametrize("stem", list(LIMIT_COLUMNS.values()))
def test_poisson_observed_limits_match_ratio_reference(refs: Path, stem: str) -> None:
    table = pd.read_csv(refs / "funnel_ratio_limits.csv")
    observed = table["observed_events"].to_numpy(float)
    expected_events = table[f"{stem}_exp_events"].to_numpy()
    confidence = CONFIDENCE[stem.split("_")[1]]
    lower, upper = poisson_observed_limits(expected_events, confidence)
    np.testing.assert_allclose(lower if stem.startswith("lower") else upper, observed, rtol=POISSON_REL_TOLERANCE)
    # ...and the other way round: the peer's exp_events are exact Poisson limits of O.
    exact_lower, exact_upper = exact_poisson_count_interval(observed, confidence)
    np.testing.assert_allclose(exact_upper if stem.startswith("lower") else exact_lower, expected_events, rtol=POISSON_REL_TOLERANCE)
    # The isr columns are O/exp × 100, from exp before it was stored to 7-10 significant figures.
    np.testing.assert_allclose(observed / expected_events * 100, table[f"{stem}_isr"], rtol=1e-6)


# --------------------------------------------------------------------------------------
# worked examples
# --------------------------------------------------------------------------------------


def test_axis_bounds_worked_example() -> None:
    # 16386..30929: max < 2 min, so start at 0.95 × 16386 = 15566.7 -> 10000; end 1.05 × 30929 -> 33000.
    axis = funnel_axis([30929, 16386, 20000])
    assert axis[0] == 10000 and axis[-1] == 33000 and len(axis) == 100
    # 0..1000: start at 0 (shown as 1); 1.05 × 1000 = 1050 -> 1100.
    axis = funnel_axis([0, 1000], points=10)
    assert axis[0] == 1 and axis[-1] == 1100 and len(axis) == 10


def test_proportion_limits_worked_example() -> None:
    # 50% at n = 100: s = sqrt(0.5 × 0.5 / 100) = 0.05, i.e. 5 percentage points.
    # 95%: 50 ± 1.959964 × 5 = 50 ± 9.79982 -> 40.20018 to 59.79982.
    # 99.8%: 50 ± 3.090232 × 5 = 50 ± 15.45116 -> 34.54884 to 65.45116.
    limits = proportion_limits(50, [100])
    assert limits.lower_95[0] == pytest.approx(40.20018, abs=1e-5)
    assert limits.upper_95[0] == pytest.approx(59.79982, abs=1e-5)
    assert limits.lower_998[0] == pytest.approx(34.54884, abs=1e-5)
    assert limits.upper_998[0] == pytest.approx(65.45116, abs=1e-5)
    # At n = 1 the limits run off the scale and are clipped.
    tiny = proportion_limits(80, [1])
    assert tiny.upper_95[0] == 100 and tiny.lower_998[0] == 0
    # As a fraction (multiplier 1) the numbers are the same, divided by 100.
    assert proportion_limits(0.5, [100], multiplier=1).lower_95[0] == pytest.approx(0.4020018, abs=1e-7)


def test_proportion_significance_worked_example() -> None:
    # Baseline 1000/5000 = 20%; s = sqrt(0.2 × 0.8 / 1000) = 1.265%, so 95% ±2.479 and 99.8% ±3.909.
    labels = proportion_significance([150, 180, 200, 225, 245], [1000] * 5)
    assert labels == ["Low (0.001)", "Not significant", "Not significant", "High (0.025)", "High (0.001)"]
    assert proportion_significance([], []) == []


def test_rate_limits_worked_example() -> None:
    # 100 per 100,000 in a population of 10,000 expects 10 events; the limits are the
    # counts whose exact interval just reaches 10, as rates.
    limits = rate_limits(100, [10_000])
    lower_count, upper_count = limits.lower_95[0] / 10, limits.upper_95[0] / 10
    # Published exact (Garwood) 95% limits: 3 events -> upper 8.77, 4 -> upper 10.24, so the
    # lower count lies between 3 and 4; 17 -> lower 9.90, 18 -> lower 10.67, so the upper
    # count lies between 17 and 18.
    assert 3 < lower_count < 4 and 17 < upper_count < 18
    # Exactly: the chi-square form of the exact interval reaches 10 at those counts.
    assert stats.chi2.ppf(0.975, 2 * lower_count + 2) / 2 == pytest.approx(10, rel=1e-9)
    assert stats.chi2.ppf(0.025, 2 * upper_count) / 2 == pytest.approx(10, rel=1e-9)
    # Expecting under 3.69 events, even 0 observed is within 95%: the lower limit is 0.
    assert rate_limits(100, [3000]).lower_95[0] == 0


def test_overdispersion_worked_example_proportion() -> None:
    # Baseline 50%, n = 100, 100, 400, 400 -> s = 5, 5, 2.5, 2.5 (percent); z = -2, 2, -2, 3.
    values, n = [40, 60, 45, 57.5], [100, 100, 400, 400]
    result = overdispersion(values, n, 50, winsorise=0)
    assert result.phi == pytest.approx(21 / 4)  # (4 + 4 + 4 + 9) / 4
    assert result.present  # 21 > chi2(0.95, 3) = 7.81
    # w = 0.04, 0.04, 0.16, 0.16: Σw = 0.4, Σw²/Σw = 0.0544 / 0.4 = 0.136.
    assert result.tau2 == pytest.approx(68.181818)  # (21 - 3) / (0.4 - 0.136) = 18 / 0.264
    assert result.sentence == (
        "Overdispersion present (phi = 5.2): the limits allow for variation between areas beyond chance "
        "(Spiegelhalter's additive random-effects method)."
    )
    # Winsorised at 10%: the sorted z are -2, -2, 2, 3; the 90% quantile is 2.7, so 3 -> 2.7.
    # phi = (4 + 4 + 4 + 7.29) / 4 = 4.8225.
    assert overdispersion(values, n, 50).phi == pytest.approx(4.8225)


def test_overdispersion_worked_example_rate() -> None:
    # 100 per 100,000; populations 100,000 and 400,000 -> s = sqrt(100 × 1e5 / n) = 10, 5.
    result = overdispersion([120, 90], [100_000, 400_000], 100, kind="rate", multiplier=100_000, winsorise=0)
    assert result.phi == pytest.approx(4)  # z = 2, -2
    assert result.present  # 8 > chi2(0.95, 1) = 3.84
    # w = 0.01, 0.04: Σw = 0.05, Σw²/Σw = 0.0017 / 0.05 = 0.034.
    assert result.tau2 == pytest.approx(437.5)  # (8 - 1) / (0.05 - 0.034) = 7 / 0.016
    widened = adjusted_limits(
        rate_limits(100, [100_000]), result, kind="rate", multiplier=100_000
    )
    # tau2 = 7 / 0.016 = 437.5; at n = 100,000 the spread is sqrt(10² + 437.5) = sqrt(537.5) = 23.18405,
    # so 95%: 100 + 1.959964 × 23.18405 = 145.4399 and 99.8%: 100 - 3.090232 × 23.18405 = 28.3559.
    assert widened.upper_95[0] == pytest.approx(145.4399, abs=1e-4)
    assert widened.lower_998[0] == pytest.approx(28.3559, abs=1e-4)


def test_overdispersion_absent_when_areas_share_one_proportion() -> None:
    rng = np.random.default_rng(20240601)
    n = rng.integers(500, 5000, size=60)
    values = rng.binomial(n, 0.3) / n * 100
    baseline = values @ n / n.sum()
    result = overdispersion(values, n, baseline)
    assert not result.present
    assert result.tau2 == 0
    assert 0.5 < result.phi < 1.5
    assert re.fullmatch(r"No overdispersion detected \(phi = [01]\.\d\)\.", result.sentence)
    limits = proportion_limits(baseline, funnel_axis(n))
    assert adjusted_limits(limits, result) is limits


def test_overdispersion_present_when_true_proportions_differ() -> None:
    rng = np.random.default_rng(7)
    n = rng.integers(2000, 20000, size=60)
    truth = rng.uniform(0.15, 0.45, size=60)
    values = rng.binomial(n, truth) / n * 100
    baseline = values @ n / n.sum()
    result = overdispersion(values, n, baseline)
    assert result.present
    assert result.phi > 10
    assert result.tau2 > 0
    # tau2 is the between-area variance (percent²): near the spread of the true rates, 0.3²/12 × 100².
    assert 0.3 * result.tau2 < (0.30**2 / 12) * 100**2 < 3 * result.tau2
    assert re.match(r"Overdispersion present \(phi = \d+\.\d\): the limits allow", result.sentence)
    limits = proportion_limits(baseline, funnel_axis(n))
    widened = adjusted_limits(limits, result)
    # Strictly wider wherever the plain limit is not already clipped at 0 or 100.
    for plain, wide in ((limits.lower_95, widened.lower_95), (limits.lower_998, widened.lower_998)):
        assert np.all((wide < plain) | (plain == 0)) and np.sum(plain > 0) > 50
    for plain, wide in ((limits.upper_95, widened.upper_95), (limits.upper_998, widened.upper_998)):
        assert np.all((wide > plain) | (plain == 100)) and np.sum(plain < 100) > 50
    # Most areas are outside the plain 99.8% limits, few outside the widened ones.
    at_areas = adjusted_limits(proportion_limits(baseline, n), result)
    plain_at_areas = proportion_limits(baseline, n)
    outside_plain = np.mean((values < plain_at_areas.lower_998) | (values > plain_at_areas.upper_998))
    outside_wide = np.mean((values < at_areas.lower_998) | (values > at_areas.upper_998))
    assert outside_plain > 0.5 and outside_wide < 0.1


def test_bad_input_is_refused() -> None:
    with pytest.raises(ValueError):
        proportion_limits(120, [10])
    with pytest.raises(ValueError):
        proportion_limits(50, [0, 10])
    with pytest.raises(ValueError):
        rate_limits(0, [10])
    with pytest.raises(ValueError):
        proportion_significance([11], [10])
    with pytest.raises(ValueError):
        overdispersion([50], [10], 50)
    with pytest.raises(ValueError):
        overdispersion([50, 40], [10, 10], 50, kind="ratio")
    with pytest.raises(ValueError):
        overdispersion([0, 0], [10, 10], 0)
