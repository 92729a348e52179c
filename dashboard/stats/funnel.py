"""Funnel plot control limits, as PHE's PHEindicatormethods defines them.

A funnel plot shows each area's value against its size (denominator). The control
limits say how far from the overall value (the baseline) an area of that size could
sit by chance alone: 95% ("2 sigma") and 99.8% ("3 sigma") limits, as PHE uses.

- Proportions: the limit at size n is the observed proportion whose Wilson interval
  just touches the baseline (PHE's ``sigma_adjustment``).
- Rates: the limit at population n is the observed rate whose exact Poisson interval
  just touches the baseline (PHE solves the same equation by bisection; here SciPy's
  inverse incomplete gamma functions solve it exactly).
- Overdispersion: when areas differ by more than chance (as real areas usually do),
  Spiegelhalter's (2005) additive random-effects method widens the limits.

Pure NumPy/SciPy, no I/O. Checked against the peer's own test values in
../shared/reference-values (see tests/unit/test_funnel.py).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special  # not scipy.stats: slow to import (see intervals.py)

from dashboard.stats.intervals import z_value

Array = NDArray[np.float64]

# PHE's two funnel levels: 95% (p = 0.025 each side) and 99.8% (p = 0.001 each side).
CONFIDENCE_95 = 0.95
CONFIDENCE_998 = 0.998
# Significance of the chi-square test for overdispersion.
OVERDISPERSION_ALPHA = 0.05

LOW_001, LOW_025 = "Low (0.001)", "Low (0.025)"
HIGH_001, HIGH_025 = "High (0.001)", "High (0.025)"
NOT_SIGNIFICANT = "Not significant"

_KINDS = ("proportion", "rate")


@dataclass(frozen=True)
class FunnelLimits:
    """Control limits at each point of a funnel's x axis, in the units of the values."""

    denominators: np.ndarray  # x axis points (increasing)
    baseline: float  # in the same units as values (e.g. percent)
    lower_95: np.ndarray
    upper_95: np.ndarray
    lower_998: np.ndarray
    upper_998: np.ndarray


@dataclass(frozen=True)
class Overdispersion:
    """How much areas vary beyond chance, and whether the limits should allow for it."""

    phi: float  # dispersion ratio
    tau2: float  # additive between-area variance (0 when not overdispersed), in the values' units squared
    present: bool  # True when the chi-square test of k*phi against k-1 df is significant at 5%
    sentence: str  # one plain-English line for the page


# --------------------------------------------------------------------------------------
# proportions
# --------------------------------------------------------------------------------------


def _proportion_bounds(p0: float, n: Array, confidence: float) -> tuple[Array, Array]:
    """Observed proportions (of 1, unclipped) whose Wilson interval just touches p0.

    The Wilson interval is exactly the set of p0 with |p - p0| <= z*sqrt(p0(1-p0)/n), so its
    boundary inverts in closed form: p = p0 -/+ z*sqrt(p0(1-p0)/n). This is the root of the
    quadratic PHE's sigma_adjustment() solves, written the short way.
    """
    z = z_value(confidence)
    with np.errstate(divide="ignore", invalid="ignore"):
        spread = z * np.sqrt(p0 * (1 - p0) / n)
    return p0 - spread, p0 + spread


def _check_proportion_baseline(baseline: float, multiplier: float) -> float:
    p0 = baseline / multiplier
    if not 0 <= p0 <= 1:
        raise ValueError(f"baseline must be within [0, {multiplier}], got {baseline}")
    return p0


def _positive(denominators: ArrayLike) -> Array:
    n = np.asarray(denominators, dtype=float)
    if np.any(~(n > 0)):
        raise ValueError("denominators must be positive")
    return n


def _limits(n: np.ndarray, baseline: float, bounds: dict[float, tuple[np.ndarray, np.ndarray]]) -> FunnelLimits:
    """FunnelLimits from {confidence: (lower, upper)} at the two levels."""
    return FunnelLimits(
        denominators=n,
        baseline=float(baseline),
        lower_95=bounds[CONFIDENCE_95][0],
        upper_95=bounds[CONFIDENCE_95][1],
        lower_998=bounds[CONFIDENCE_998][0],
        upper_998=bounds[CONFIDENCE_998][1],
    )


def proportion_limits(baseline: float, denominators: ArrayLike, *, multiplier: float = 100) -> FunnelLimits:
    """Limits for a proportion: at each denominator n, the observed proportion whose Wilson
    interval (z=1.96 / 3.09) just touches the baseline; clipped to [0, multiplier].

    baseline is given in the same units as the output (percent when multiplier=100).
    """
    n = _positive(denominators)
    p0 = _check_proportion_baseline(baseline, multiplier)
    bounds = {}
    for confidence in (CONFIDENCE_95, CONFIDENCE_998):
        lower, upper = _proportion_bounds(p0, n, confidence)
        bounds[confidence] = (
            np.clip(lower, 0, 1) * multiplier,
            np.clip(upper, 0, 1) * multiplier,
        )
    return _limits(n, baseline, bounds)


def proportion_significance(numerators: ArrayLike, denominators: ArrayLike) -> list[str]:
    """Where each area sits against the funnel, with PHE's labels.

    The baseline is Σnumerator/Σdenominator over all the areas given. An area is "Low
    (0.001)" below the lower 99.8% limit at its own denominator, else "Low (0.025)" below
    the lower 95% limit, and the same upwards; on a limit counts as not significant
    (strict inequalities, as PHE's assign_funnel_significance).
    """
    x = np.asarray(numerators, dtype=float)
    n = np.asarray(denominators, dtype=float)
    if x.shape != n.shape:
        raise ValueError("numerators and denominators must have the same length")
    if not (np.all(np.isfinite(x)) and np.all(np.isfinite(n))):
        raise ValueError("numerators and denominators must be finite")
    if np.any(x < 0) or np.any(n <= 0) or np.any(x > n):
        raise ValueError("need 0 <= numerator <= denominator and denominator > 0")
    if x.size == 0:
        return []
    p0 = float(x.sum() / n.sum())
    p = x / n
    low_95, high_95 = _proportion_bounds(p0, n, CONFIDENCE_95)
    low_998, high_998 = _proportion_bounds(p0, n, CONFIDENCE_998)
    labels = np.select(
        [p < low_998, p < low_95, p > high_998, p > high_95],
        [LOW_001, LOW_025, HIGH_001, HIGH_025],
        default=NOT_SIGNIFICANT,
    )
    return [str(label) for label in labels]


# --------------------------------------------------------------------------------------
# rates (exact Poisson)
# --------------------------------------------------------------------------------------


def poisson_observed_limits(expected: ArrayLike, confidence: float) -> tuple[Array, Array]:
    """Observed counts (continuous) whose exact Poisson interval just touches `expected`.

    The lower limit O satisfies P(X <= O | expected) = α/2, i.e. the exact upper limit of O
    equals `expected` (0 when even O = 0 reaches it); the upper limit satisfies
    P(X >= O | expected) = α/2, i.e. the exact lower limit of O equals `expected`. These are
    the counts at which PHE's ratio and rate funnels sit on their limits; PHE finds them by
    bisection to about 1e-7, here they come from SciPy's inverses of the regularised
    incomplete gamma function with respect to its shape (accurate to about 1e-12).

    For a continuous count O, P(X <= O | m) is taken as Q(O + 1, m) and P(X >= O | m) as
    P(O, m), the regularised upper and lower incomplete gamma functions (equal to the
    Poisson probabilities at whole O):
    - lower: Q(O + 1, m) = α/2, solved by scipy.special.pdtrik (k = O);
    - upper: P(O, m) = chdtr(2O, 2m) = α/2, solved by scipy.special.chdtriv (2O degrees of
      freedom), because the upper O can be below 1, where pdtrik's k = O - 1 is out of range.
    """
    m = np.asarray(expected, dtype=float)
    if np.any(~(m > 0)):
        raise ValueError("expected counts must be positive")
    tail = (1 - confidence) / 2
    # P(X <= 0 | m) = exp(-m): at or above α/2, even no events is within the interval.
    lower = np.where(np.exp(-m) >= tail, 0.0, special.pdtrik(tail, m))
    upper = special.chdtriv(tail, 2 * m) / 2
    return lower, upper


def rate_limits(baseline_rate: float, denominators: ArrayLike, *, multiplier: float = 100_000) -> FunnelLimits:
    """Exact Poisson limits for a crude rate per multiplier at each population.

    At population n the expected count is m = baseline_rate × n / multiplier; the limits
    are the observed counts whose exact Poisson interval just touches m, as rates per
    multiplier. This is PHE's rate funnel, which it tabulates the other way round (the
    population at which each whole count sits on the limit).
    """
    n = _positive(denominators)
    if not baseline_rate > 0:
        raise ValueError(f"baseline_rate must be positive, got {baseline_rate}")
    expected = baseline_rate * n / multiplier
    bounds = {}
    for confidence in (CONFIDENCE_95, CONFIDENCE_998):
        lower, upper = poisson_observed_limits(expected, confidence)
        bounds[confidence] = (lower / n * multiplier, upper / n * multiplier)
    return _limits(n, baseline_rate, bounds)


# --------------------------------------------------------------------------------------
# overdispersion (Spiegelhalter 2005, additive random effects)
# --------------------------------------------------------------------------------------


def _standard_error(baseline: float, n: Array, kind: str, multiplier: float) -> Array:
    """Sampling standard error at the baseline, in the values' units (normal approximation)."""
    if kind == "proportion":
        p0 = _check_proportion_baseline(baseline, multiplier)
        return multiplier * np.sqrt(p0 * (1 - p0) / n)
    if kind == "rate":
        if not baseline >= 0:
            raise ValueError(f"baseline rate must not be negative, got {baseline}")
        # count ~ Poisson(r0 n / M), rate = count M / n, so var(rate) = r0 M / n.
        return np.sqrt(baseline * multiplier / n)
    raise ValueError(f"kind must be one of {_KINDS}, got {kind!r}")


def _winsorised(z: Array, fraction: float) -> Array:
    """z with each tail pulled in to its `fraction` quantile, so a few outliers cannot
    inflate phi and hide themselves by widening the limits (Spiegelhalter 2005)."""
    if not 0 <= fraction < 0.5:
        raise ValueError(f"winsorise must be in [0, 0.5), got {fraction}")
    if fraction == 0:
        return z
    low, high = np.quantile(z, [fraction, 1 - fraction])
    return np.clip(z, low, high)


def _sentence(phi: float, present: bool) -> str:
    if present:
        return (
            f"Overdispersion present (phi = {phi:.1f}): the limits allow for variation between areas "
            "beyond chance (Spiegelhalter's additive random-effects method)."
        )
    return f"No overdispersion detected (phi = {phi:.1f})."


def overdispersion(
    values: ArrayLike,
    denominators: ArrayLike,
    baseline: float,
    *,
    kind: str = "proportion",
    multiplier: float = 100,
    winsorise: float = 0.1,
) -> Overdispersion:
    """Spiegelhalter (2005) additive random-effects: z-scores against the baseline (normal
    approximation; for proportions s_i = sqrt(p0(1-p0)/n_i), for rates s_i = sqrt(r0/n_i)
    in the rate's units), winsorised at 10% each tail, phi = sum(z^2)/k; if k*phi > chi2
    95% quantile with k-1 df, tau2 = (k*phi - (k-1)) / (sum(w) - sum(w^2)/sum(w)) with
    w = 1/s^2; otherwise tau2 = 0.

    Why: real areas differ for reasons other than chance, so with large denominators most
    of them fall outside the plain limits. Spiegelhalter's tau2 estimates that extra
    between-area variance so the limits flag only areas unusual even allowing for it.
    values are in multiplier units (percent, rate per 100,000); s_i and tau2 are too.
    Areas with a missing value or a non-positive denominator are left out.
    """
    y = np.asarray(values, dtype=float)
    n = np.asarray(denominators, dtype=float)
    if y.shape != n.shape:
        raise ValueError("values and denominators must have the same length")
    keep = np.isfinite(y) & np.isfinite(n) & (n > 0)
    y, n = y[keep], n[keep]
    k = y.size
    if k < 2:
        raise ValueError("overdispersion needs at least two areas")
    s = _standard_error(baseline, n, kind, multiplier)
    if np.any(~(s > 0)):
        raise ValueError("the baseline leaves no sampling variation (a proportion of 0 or 100%, or a rate of 0)")
    z = _winsorised((y - baseline) / s, winsorise)
    phi = float(np.sum(z**2) / k)
    present = bool(k * phi > 2 * special.gammaincinv((k - 1) / 2, 1 - OVERDISPERSION_ALPHA))
    tau2 = 0.0
    if present:
        w = 1 / s**2
        tau2 = float(max(0.0, (k * phi - (k - 1)) / (w.sum() - (w**2).sum() / w.sum())))
    return Overdispersion(phi=phi, tau2=tau2, present=present, sentence=_sentence(phi, present))


def adjusted_limits(
    limits: FunnelLimits,
    dispersion: Overdispersion,
    *,
    kind: str = "proportion",
    multiplier: float = 100,
) -> FunnelLimits:
    """Limits widened for overdispersion: baseline ± z * sqrt(s(n)^2 + tau2), clipped for proportions.

    Without overdispersion (tau2 = 0) the limits come back unchanged: the exact limits
    are then the right ones. With it, each adjusted limit is also kept at least as wide as
    the unadjusted one: extra between-area variance can never make chance variation
    smaller, but the normal approximation is narrower than the exact Poisson upper limit
    at small expected counts. Proportions are clipped to [0, multiplier], rates at 0.
    """
    if not (dispersion.present and dispersion.tau2 > 0):
        return limits
    n = limits.denominators
    s = _standard_error(limits.baseline, n, kind, multiplier)
    spread = np.sqrt(s**2 + dispersion.tau2)
    ceiling = multiplier if kind == "proportion" else np.inf
    bounds = {}
    for confidence, lower, upper in (
        (CONFIDENCE_95, limits.lower_95, limits.upper_95),
        (CONFIDENCE_998, limits.lower_998, limits.upper_998),
    ):
        z = z_value(confidence)
        new_lower = np.clip(limits.baseline - z * spread, 0, ceiling)
        new_upper = np.clip(limits.baseline + z * spread, 0, ceiling)
        bounds[confidence] = (np.minimum(new_lower, lower), np.maximum(new_upper, upper))
    return FunnelLimits(
        denominators=n,
        baseline=limits.baseline,
        lower_95=bounds[CONFIDENCE_95][0],
        upper_95=bounds[CONFIDENCE_95][1],
        lower_998=bounds[CONFIDENCE_998][0],
        upper_998=bounds[CONFIDENCE_998][1],
    )
