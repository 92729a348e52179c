"""Invariants of the interval methods, for any input hypothesis can think of."""

from __future__ import annotations

import numpy as np
from hypothesis import given
from hypothesis import strategies as st

from dashboard.stats.intervals import (
    dobson_dsr,
    poisson_count_interval,
    rate_interval,
    wilson_interval,
)

counts = st.integers(min_value=0, max_value=10**6)
confidences = st.sampled_from([0.9, 0.95, 0.99, 0.998])


@given(data=st.data(), n=st.integers(min_value=1, max_value=10**6), confidence=confidences)
def test_wilson_bounds_ordered_and_within_0_1(data, n: int, confidence: float) -> None:
    x = data.draw(st.integers(min_value=0, max_value=n))
    lower, upper = wilson_interval(x, n, confidence)
    assert 0 <= lower <= x / n <= upper <= 1


@given(p=st.floats(min_value=0.01, max_value=0.99), n=st.integers(min_value=10, max_value=10**5))
def test_wilson_narrows_as_n_grows(p: float, n: int) -> None:
    small = wilson_interval(round(p * n), n)
    large = wilson_interval(round(p * n * 4), n * 4)
    assert (large[1] - large[0]) < (small[1] - small[0])


@given(n=st.integers(min_value=1, max_value=1000))
def test_wilson_wider_at_higher_confidence(n: int) -> None:
    x = n // 3
    l95, u95 = wilson_interval(x, n, 0.95)
    l998, u998 = wilson_interval(x, n, 0.998)
    assert l998 <= l95 and u95 <= u998


def test_wilson_rejects_impossible_input_as_nan() -> None:
    lower, upper = wilson_interval([5, 1, -1], [4, 0, 10])
    assert np.isnan(lower).all() and np.isnan(upper).all()


@given(x=counts, confidence=confidences)
def test_poisson_count_interval_contains_the_count(x: int, confidence: float) -> None:
    lower, upper = poisson_count_interval(x, confidence)
    assert 0 <= lower <= x < upper


@given(x=st.integers(min_value=1, max_value=10**5), n=st.integers(min_value=1, max_value=10**7))
def test_rate_interval_ordered(x: int, n: int) -> None:
    value, lower, upper = rate_interval(x, n)
    assert lower <= value <= upper


@given(
    bands=st.lists(
        st.tuples(st.integers(min_value=0, max_value=500), st.integers(min_value=1, max_value=10**5), st.integers(1, 8000)),
        min_size=1,
        max_size=19,
    )
)
def test_dobson_dsr_ordered_or_not_given(bands) -> None:
    x, n, w = (np.array(column) for column in zip(*bands))
    value, lower, upper = dobson_dsr(x, n, w)
    if x.sum() < 10:
        assert np.isnan(value)
    else:
        assert lower <= value <= upper


def test_dobson_equals_crude_rate_when_one_band() -> None:
    value, _, _ = dobson_dsr([50], [10_000], [1000])
    assert np.isclose(value, 500.0)
