"""Funnel limits: invariants that hold for any baseline and sizes (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.stats.funnel import (
    FunnelLimits,
    Overdispersion,
    adjusted_limits,
    overdispersion,
    poisson_observed_limits,
    proportion_limits,
    rate_limits,
)
from dashboard.stats.intervals import exact_poisson_count_interval, wilson_interval

# --------------------------------------------------------------------------------------
# properties
# --------------------------------------------------------------------------------------

proportion_baselines = st.floats(min_value=0.01, max_value=99.99)
sizes = st.lists(st.integers(min_value=1, max_value=10**7), min_size=2, max_size=20, unique=True)
rate_baselines = st.floats(min_value=0.5, max_value=5000)
populations = st.lists(st.integers(min_value=10, max_value=10**8), min_size=2, max_size=20, unique=True)


def _assert_nested(limits: FunnelLimits, ceiling: float) -> None:
    """0 <= lower 99.8 <= lower 95 <= baseline <= upper 95 <= upper 99.8 (<= ceiling)."""
    b = limits.baseline
    assert np.all(0 <= limits.lower_998)
    assert np.all(limits.lower_998 <= limits.lower_95)
    assert np.all(limits.lower_95 <= b)
    assert np.all(b <= limits.upper_95)
    assert np.all(limits.upper_95 <= limits.upper_998)
    assert np.all(limits.upper_998 <= ceiling)


def _assert_narrowing(limits: FunnelLimits, rtol: float = 1e-12) -> None:
    """With denominators increasing, lower limits never fall and upper limits never rise."""
    assert np.all(np.diff(limits.denominators) > 0)
    for lower in (limits.lower_95, limits.lower_998):
        assert np.all(np.diff(lower) >= -rtol * np.abs(lower[1:]))
    for upper in (limits.upper_95, limits.upper_998):
        assert np.all(np.diff(upper) <= rtol * np.abs(upper[1:]))


@given(baseline=proportion_baselines, n=sizes)
def test_proportion_limits_nested_and_narrowing(baseline: float, n: list[int]) -> None:
    limits = proportion_limits(baseline, sorted(n))
    _assert_nested(limits, 100)
    _assert_narrowing(limits)


@given(baseline=proportion_baselines, n=st.integers(min_value=1, max_value=10**7))
def test_proportion_limit_is_where_wilson_touches_the_baseline(baseline: float, n: int) -> None:
    limits = proportion_limits(baseline, [n])
    for confidence, lower, upper in ((0.95, limits.lower_95[0], limits.upper_95[0]), (0.998, limits.lower_998[0], limits.upper_998[0])):
        if 0 < lower:
            assert wilson_interval(lower / 100 * n, n, confidence)[1] == pytest.approx(baseline / 100, rel=1e-9, abs=1e-12)
        if upper < 100:
            assert wilson_interval(upper / 100 * n, n, confidence)[0] == pytest.approx(baseline / 100, rel=1e-9, abs=1e-12)


@settings(deadline=None)
@given(baseline=rate_baselines, n=populations)
def test_rate_limits_nested_and_narrowing(baseline: float, n: list[int]) -> None:
    limits = rate_limits(baseline, sorted(n))
    _assert_nested(limits, np.inf)
    _assert_narrowing(limits, rtol=1e-9)


@settings(deadline=None)
@given(expected=st.floats(min_value=1e-3, max_value=1e6), confidence=st.sampled_from([0.95, 0.998]))
def test_poisson_limit_is_where_exact_interval_touches_expected(expected: float, confidence: float) -> None:
    lower, upper = poisson_observed_limits([expected], confidence)
    exact_lower, _ = exact_poisson_count_interval(upper, confidence)
    assert exact_lower[0] == pytest.approx(expected, rel=1e-9)
    if lower[0] > 0:
        _, exact_upper = exact_poisson_count_interval(lower, confidence)
        assert exact_upper[0] == pytest.approx(expected, rel=1e-9)
    else:
        assert exact_poisson_count_interval(0, confidence)[1] >= expected


@given(baseline=proportion_baselines, n=sizes, tau2=st.floats(min_value=0, max_value=1000))
def test_adjusted_limits_contain_unadjusted(baseline: float, n: list[int], tau2: float) -> None:
    limits = proportion_limits(baseline, sorted(n))
    dispersion = Overdispersion(phi=2.0, tau2=tau2, present=tau2 > 0, sentence="")
    widened = adjusted_limits(limits, dispersion)
    _assert_nested(widened, 100)
    assert np.all(widened.lower_95 <= limits.lower_95) and np.all(widened.lower_998 <= limits.lower_998)
    assert np.all(widened.upper_95 >= limits.upper_95) and np.all(widened.upper_998 >= limits.upper_998)


@given(
    p=st.floats(min_value=0.05, max_value=0.95),
    n=st.lists(st.integers(min_value=50, max_value=10**6), min_size=3, max_size=40),
)
def test_areas_exactly_on_the_baseline_are_not_overdispersed(p: float, n: list[int]) -> None:
    result = overdispersion([p * 100] * len(n), n, p * 100)
    assert result.phi == 0 and result.tau2 == 0 and not result.present
