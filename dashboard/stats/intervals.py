"""Confidence intervals, as the PHE indicator methods (PHEindicatormethods) define them.

Pure, vectorised NumPy: arrays in, arrays out; NaN where a value cannot be given.
Checked against the peer's own test values in ../shared/reference-values.
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special  # not scipy.stats: its import alone took 0.8 s of every worker's start-up

Array = NDArray[np.float64]

# Exact Poisson limits below this many events, Byar's approximation from here up (PHE).
BYAR_MIN_EVENTS = 10
# Directly standardised rates are not given below this many events (PHE).
DSR_MIN_EVENTS = 10


def z_value(confidence: float) -> float:
    """Two-sided standard normal quantile: 0.95 -> 1.959964, 0.998 -> 3.090232."""
    if not 0.5 <= confidence < 1:
        raise ValueError(f"confidence must be in [0.5, 1), got {confidence}")
    return float(special.ndtri(confidence + (1 - confidence) / 2))


def wilson_interval(x: ArrayLike, n: ArrayLike, confidence: float = 0.95) -> tuple[Array, Array]:
    """Wilson score interval for a proportion x/n, as proportions of 1."""
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = z * np.sqrt(z**2 + 4 * x * (1 - x / n))
        lower = (2 * x + z**2 - spread) / (2 * (n + z**2))
        upper = (2 * x + z**2 + spread) / (2 * (n + z**2))
    # At x = 0 and x = n the limits are exactly 0 and 1; say so rather than trust rounding.
    lower = np.where(x == 0, 0.0, np.clip(lower, 0, 1))
    upper = np.where(x == n, 1.0, np.clip(upper, 0, 1))
    bad = ~(n > 0) | (x < 0) | (x > n)
    lower, upper = np.where(bad, np.nan, lower), np.where(bad, np.nan, upper)
    return lower, upper


def byar_count_interval(x: ArrayLike, confidence: float = 0.95) -> tuple[Array, Array]:
    """Byar's approximation to the exact Poisson interval for a count (limits are counts)."""
    x = np.asarray(x, dtype=float)
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        lower = x * (1 - 1 / (9 * x) - z / (3 * np.sqrt(x))) ** 3
        upper = (x + 1) * (1 - 1 / (9 * (x + 1)) + z / (3 * np.sqrt(x + 1))) ** 3
    lower = np.where(lower < 0, np.nan, lower)  # PHE gives no lower limit when it would be negative
    return lower, upper


def _chi2_ppf(q: float, df: ArrayLike) -> Array:
    """The chi-squared quantile, as scipy.stats.chi2.ppf computes it (NaN where df is not positive)."""
    df = np.asarray(df, dtype=float)
    with np.errstate(invalid="ignore"):
        return np.where(df > 0, 2 * special.gammaincinv(np.where(df > 0, df, 1) / 2, q), np.nan)


def exact_poisson_count_interval(x: ArrayLike, confidence: float = 0.95) -> tuple[Array, Array]:
    """Exact (chi-square) Poisson interval for a count; the lower limit of 0 events is 0."""
    x = np.asarray(x, dtype=float)
    alpha = 1 - confidence
    lower = np.where(x > 0, _chi2_ppf(alpha / 2, 2 * x) / 2, 0.0)
    upper = _chi2_ppf(1 - alpha / 2, 2 * x + 2) / 2
    return lower, upper


def poisson_count_interval(x: ArrayLike, confidence: float = 0.95) -> tuple[Array, Array]:
    """Exact Poisson below 10 events, Byar's approximation from 10 up (PHE's rule)."""
    x = np.asarray(x, dtype=float)
    exact_lower, exact_upper = exact_poisson_count_interval(x, confidence)
    byar_lower, byar_upper = byar_count_interval(np.maximum(x, 1), confidence)
    small = x < BYAR_MIN_EVENTS
    return np.where(small, exact_lower, byar_lower), np.where(small, exact_upper, byar_upper)


def rate_interval(
    x: ArrayLike, n: ArrayLike, multiplier: float = 100_000, confidence: float = 0.95
) -> tuple[Array, Array, Array]:
    """Crude rate x/n × multiplier with its exact/Byar Poisson interval."""
    x, n = np.asarray(x, dtype=float), np.asarray(n, dtype=float)
    lower, upper = poisson_count_interval(x, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.where(n > 0, multiplier / n, np.nan)
    return x * scale, lower * scale, upper * scale


def dobson_dsr(
    counts: ArrayLike,
    populations: ArrayLike,
    standard: ArrayLike,
    multiplier: float = 100_000,
    confidence: float = 0.95,
) -> tuple[float, float, float]:
    """Directly standardised rate of one area with Dobson's confidence interval.

    counts, populations and standard are aligned by age band. DSR = Σ(x_i w_i / n_i) / Σw_i;
    its variance Σ x_i (w_i/n_i)² / (Σw_i)² is scaled onto Byar's interval for the total
    count O (Dobson et al. 1991). Below 10 events the rate is not given (NaN), as PHE does.
    """
    x = np.nan_to_num(np.asarray(counts, dtype=float))
    n = np.asarray(populations, dtype=float)
    w = np.asarray(standard, dtype=float)
    if not (x.shape == n.shape == w.shape):
        raise ValueError("counts, populations and standard weights must have the same length")
    if np.any((n <= 0) & (x > 0)):
        raise ValueError("an age band has events but no population")
    observed = x.sum()
    if observed < DSR_MIN_EVENTS:
        return np.nan, np.nan, np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        weights = np.where(n > 0, w / n, 0.0)
    total_weight = w.sum()
    dsr = float((x * weights).sum() / total_weight)
    variance = float((x * weights**2).sum() / total_weight**2)
    byar_lower, byar_upper = byar_count_interval(observed, confidence)
    spread = np.sqrt(variance / observed)
    lower = dsr + spread * (float(byar_lower) - observed)
    upper = dsr + spread * (float(byar_upper) - observed)
    return dsr * multiplier, lower * multiplier, upper * multiplier


def dobson_limits_at(
    value: ArrayLike, lower_95: ArrayLike, upper_95: ArrayLike, events: ArrayLike, confidence: float
) -> tuple[Array, Array]:
    """Dobson limits at another confidence level, from a DSR and its published 95% limits.

    Dobson's limits are DSR + s·(Byar(O) − O) with s = sqrt(var/O) the same at every
    level, so s can be read back from the 95% limits and reused. This lets a 99.8%
    interval be given for rates whose age-specific inputs are not published.
    """
    value, lower_95, upper_95, events = (np.asarray(a, dtype=float) for a in (value, lower_95, upper_95, events))
    b_lower_95, b_upper_95 = byar_count_interval(events, 0.95)
    b_lower, b_upper = byar_count_interval(events, confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = np.where(np.isfinite(upper_95), (upper_95 - value) / (b_upper_95 - events), (lower_95 - value) / (b_lower_95 - events))
    return value + spread * (b_lower - events), value + spread * (b_upper - events)
