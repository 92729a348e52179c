"""Comparison with a benchmark, and limits at 99.8%, on hand-made numbers.

Every expected value here is worked out by hand (or by the textbook formula written out in
plain math below), never by calling dashboard.stats.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from dashboard.core.measures import CiMethod, Polarity
from dashboard.stats.compare import compare_with_benchmark, limits_at

NAN = float("nan")
Z998 = 3.090232306167813  # standard normal quantile at 0.999 (two-sided 99.8%), from statistical tables

# Hand-made intervals around a benchmark of 50: wholly above, wholly below, straddling it, and
# touching it at either end (a limit equal to the benchmark is not "wholly above/below").
LOWER = [52.0, 40.0, 45.0, 50.0, 40.0]
UPPER = [58.0, 48.0, 55.0, 60.0, 50.0]
BENCHMARK = [50.0] * 5


@pytest.mark.parametrize(
    ("polarity", "expected"),
    [
        (Polarity.HIGHER_IS_BETTER, ["better", "worse", "similar", "similar", "similar"]),
        (Polarity.LOWER_IS_BETTER, ["worse", "better", "similar", "similar", "similar"]),
        (Polarity.NEITHER, ["higher", "lower", "similar", "similar", "similar"]),
    ],
)
def test_comparison_reads_the_interval_through_the_polarity(polarity: Polarity, expected: list[str]) -> None:
    assert compare_with_benchmark(LOWER, UPPER, BENCHMARK, polarity).tolist() == expected


@pytest.mark.parametrize("polarity", list(Polarity))
def test_missing_values_are_not_compared(polarity: Polarity) -> None:
    lower = [NAN, 52.0, 52.0, 52.0]
    upper = [58.0, NAN, 58.0, 58.0]
    benchmark = [50.0, 50.0, NAN, 50.0]
    assert compare_with_benchmark(lower, upper, benchmark, polarity).tolist()[:3] == ["not compared"] * 3
    # ... and the one row with everything present is still compared.
    assert compare_with_benchmark(lower, upper, benchmark, polarity).tolist()[3] != "not compared"


def test_each_area_against_its_own_benchmark() -> None:
    # Peers give each area its own benchmark: (30, 40) is above 25 but below 45.
    result = compare_with_benchmark([30.0, 30.0], [40.0, 40.0], [25.0, 45.0], Polarity.HIGHER_IS_BETTER)
    assert result.tolist() == ["better", "worse"]


def wilson_percent(x: float, n: float, z: float) -> tuple[float, float]:
    """Wilson score interval in percent, by the textbook formula:
    (2x + z² ∓ z·sqrt(z² + 4x(1 - x/n))) / (2(n + z²))."""
    spread = z * math.sqrt(z * z + 4 * x * (1 - x / n))
    return 100 * (2 * x + z * z - spread) / (2 * (n + z * z)), 100 * (2 * x + z * z + spread) / (2 * (n + z * z))


def byar_rate(x: float, n: float, z: float) -> tuple[float, float]:
    """Byar's approximation to the Poisson limits of x events (x >= 10), as a rate per 100,000 of n:
    lower x(1 - 1/9x - z/3√x)³, upper (x+1)(1 - 1/9(x+1) + z/3√(x+1))³."""
    lower = x * (1 - 1 / (9 * x) - z / (3 * math.sqrt(x))) ** 3
    upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * math.sqrt(x + 1))) ** 3
    return lower * 100_000 / n, upper * 100_000 / n


def test_limits_at_998_for_wilson_rows_match_the_hand_formula() -> None:
    # Lancashire and South Cumbria, lung, 2022 (427 of 1374 staged cancers early, NDRS stage file),
    # a small area (3 of 10) and a zero (0 of 20).
    table = pd.DataFrame({
        "numerator": [427.0, 3.0, 0.0],
        "denominator": [1374.0, 10.0, 20.0],
        "value": [427 / 1374 * 100, 30.0, 0.0],
        "lower_ci": [NAN] * 3,
        "upper_ci": [NAN] * 3,
    })
    methods = pd.Series([CiMethod.WILSON] * 3)
    lower, upper = limits_at(table, methods, 0.998)
    # 427/1374 = 31.08%: at 99.8% 27.36% to 35.05% (wider than the 95% interval 28.69% to 33.57%).
    expected = [wilson_percent(427, 1374, Z998), wilson_percent(3, 10, Z998)]
    assert (round(expected[0][0], 2), round(expected[0][1], 2)) == (27.36, 35.05)
    assert (round(expected[1][0], 2), round(expected[1][1], 2)) == (6.28, 73.25)
    assert lower[:2].tolist() == pytest.approx([e[0] for e in expected], abs=1e-9)
    assert upper[:2].tolist() == pytest.approx([e[1] for e in expected], abs=1e-9)
    # 0 of 20: the lower limit is exactly 0, the upper z²/(n + z²) = 9.5496/29.5496 = 32.32%.
    assert lower[2] == 0.0
    assert upper[2] == pytest.approx(100 * Z998**2 / (20 + Z998**2), abs=1e-9)


def test_limits_at_998_by_each_rows_own_method() -> None:
    # One share, one crude rate (25 deaths in 50,000 people: 50 per 100,000) and one row with no interval.
    table = pd.DataFrame({
        "numerator": [427.0, 25.0, 7.0],
        "denominator": [1374.0, 50_000.0, 0.0],
        "value": [427 / 1374 * 100, 50.0, 7.0],
        "lower_ci": [NAN, NAN, NAN],
        "upper_ci": [NAN, NAN, NAN],
    }, index=[10, 11, 12])
    methods = pd.Series([CiMethod.WILSON, CiMethod.POISSON, CiMethod.NONE], index=table.index)
    lower, upper = limits_at(table, methods, 0.998)
    assert list(lower.index) == [10, 11, 12]
    rate_lower, rate_upper = byar_rate(25, 50_000, Z998)
    # By hand: 25 x (1 - 1/225 - 3.0902/15)³ = 25 x 0.78954³ = 12.30 deaths -> 24.6 per 100,000;
    # 26 x (1 - 1/234 + 3.0902/(3 x 5.0990))³ = 26 x 1.19774³ = 44.67 deaths -> 89.3 per 100,000.
    assert (round(rate_lower, 1), round(rate_upper, 1)) == (24.6, 89.3)
    assert lower.iloc[:2].tolist() == pytest.approx([wilson_percent(427, 1374, Z998)[0], rate_lower], abs=1e-9)
    assert upper.iloc[:2].tolist() == pytest.approx([wilson_percent(427, 1374, Z998)[1], rate_upper], abs=1e-9)
    assert np.isnan(lower.iloc[2]) and np.isnan(upper.iloc[2])
