"""Comparison of each area with a benchmark, aware of the indicator's polarity.

An area is significantly higher (lower) than its benchmark when its whole confidence
interval lies above (below) the benchmark value, the method PHE's Fingertips uses for
comparisons with a benchmark value. Polarity turns higher/lower into better/worse.
"""

from __future__ import annotations

from enum import StrEnum

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from dashboard.core.measures import CiMethod, Polarity
from dashboard.stats.intervals import dobson_limits_at, rate_interval, wilson_interval


class Comparison(StrEnum):
    BETTER = "better"
    SIMILAR = "similar"
    WORSE = "worse"
    HIGHER = "higher"
    LOWER = "lower"
    NOT_COMPARED = "not compared"


COMPARISON_LABELS = {
    Comparison.BETTER: "Significantly better",
    Comparison.SIMILAR: "Similar",
    Comparison.WORSE: "Significantly worse",
    Comparison.HIGHER: "Significantly higher",
    Comparison.LOWER: "Significantly lower",
    Comparison.NOT_COMPARED: "Not compared",
}


def compare_with_benchmark(
    lower: ArrayLike, upper: ArrayLike, benchmark: ArrayLike, polarity: Polarity
) -> np.ndarray:
    """Comparison per area: arrays of the area's limits and its benchmark value."""
    lower, upper, benchmark = (np.asarray(a, dtype=float) for a in (lower, upper, benchmark))
    higher = lower > benchmark
    lower_than = upper < benchmark
    missing = np.isnan(lower) | np.isnan(upper) | np.isnan(benchmark)
    if polarity is Polarity.HIGHER_IS_BETTER:
        high_label, low_label = Comparison.BETTER, Comparison.WORSE
    elif polarity is Polarity.LOWER_IS_BETTER:
        high_label, low_label = Comparison.WORSE, Comparison.BETTER
    else:
        high_label, low_label = Comparison.HIGHER, Comparison.LOWER
    result = np.full(lower.shape, Comparison.SIMILAR.value, dtype=object)
    result[higher] = high_label.value
    result[lower_than] = low_label.value
    result[missing] = Comparison.NOT_COMPARED.value
    return result


CONFIDENCE_LEVELS = {"95": 0.95, "99.8": 0.998}


def limits_at(table: pd.DataFrame, methods: pd.Series, confidence: float) -> tuple[pd.Series, pd.Series]:
    """Lower and upper limits of every row at another confidence level, by its CI method.

    `methods` gives each row's `CiMethod`. Wilson rows are recomputed from numerator and
    denominator; Dobson rows are rescaled from their 95% limits (see
    intervals.dobson_limits_at); Poisson rate rows are recomputed; rows with no interval
    stay without one.
    """
    method = methods.to_numpy()
    lower = np.full(len(table), np.nan)
    upper = np.full(len(table), np.nan)
    wilson = method == CiMethod.WILSON
    lo, hi = wilson_interval(table["numerator"], table["denominator"], confidence)
    lower[wilson], upper[wilson] = lo[wilson] * 100, hi[wilson] * 100
    dobson = method == CiMethod.DOBSON
    lo, hi = dobson_limits_at(table["value"], table["lower_ci"], table["upper_ci"], table["numerator"], confidence)
    lower[dobson], upper[dobson] = lo[dobson], hi[dobson]
    poisson = method == CiMethod.POISSON
    _, lo, hi = rate_interval(table["numerator"], table["denominator"], 100_000, confidence)
    lower[poisson], upper[poisson] = lo[poisson], hi[poisson]
    return pd.Series(lower, index=table.index), pd.Series(upper, index=table.index)
