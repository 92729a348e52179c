"""Slope and relative index of inequality, as PHEindicatormethods' phe_sii defines them.

The groups (e.g. deprivation deciles) are ranked from the first (most deprived) to the
last; each gets the midpoint of its share of the cumulative population as its relative
rank x in [0, 1]. The value is regressed on x by least squares weighted by each group's
population share (Low & Low 2004), so the slope is the fitted difference between the
two ends of the range: SII = fitted(x=1) − fitted(x=0), i.e. last end minus first end.
RII = fitted(1) / fitted(0).

Confidence limits come from a Monte Carlo simulation, as PHE's do: each group's value is
redrawn from Normal(value, se) — on the log scale for rates and the logit scale for
proportions, so the draws stay positive (or inside 0–1) — the regression is refitted for
every draw, and the limits are percentiles of the simulated SIIs and RIIs. A fixed seed
makes the limits reproducible; they agree with PHE's to Monte Carlo error (~1%), not to
the digit, because R's and NumPy's random streams differ.

With ``transform=True`` the regression itself is fitted on the log (rate) or logit
(proportion) scale and its two ends are back-transformed, which suits indicators whose
gradient is multiplicative rather than additive.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray
from scipy import special  # not scipy.stats: slow to import (see intervals.py)

Array = NDArray[np.float64]

NORMAL, RATE, PROPORTION = 0, 1, 2
# phe_sii treats supplied confidence limits as 95% limits when it turns them into an se.
LIMITS_CONFIDENCE = 0.95
MIN_REPETITIONS = 1000  # PHE's floor: fewer draws give visibly unstable limits


@dataclass(frozen=True)
class Inequality:
    """SII and RII with their limits, plus the plain gap between the first and last group.

    ``sii`` is on the scale of the values × ``multiplier``; it is the last end minus the
    first end (reversed when the multiplier is negative, as PHE does to flip polarity).
    ``absolute_gap`` is first minus last, in the same units as the SII (values × |multiplier|).
    """

    sii: float
    sii_lower: float
    sii_upper: float
    rii: float
    rii_lower: float
    rii_upper: float
    absolute_gap: float  # value of the first (most deprived / lowest) group minus the last, as ordered in the input
    relative_gap: float  # first / last
    intercept: float = math.nan  # fitted value at the first end (x = 0), × |multiplier| (PHE's "Intercept")
    multiplier: float = 1.0
    confidence: float = 0.95


def relative_ranks(populations: ArrayLike) -> Array:
    """Midpoint of each group's slice of the cumulative population share (0 < x < 1).

    Ranking by population share rather than by group number lets unequal groups count for
    what they are: a decile holding 12% of people spans 0–0.12 and sits at x = 0.06.
    """
    share = _population_share(populations)
    return np.cumsum(share) - share / 2


def sii(
    values: ArrayLike,
    populations: ArrayLike,
    *,
    lower_ci: ArrayLike | None = None,
    upper_ci: ArrayLike | None = None,
    se: ArrayLike | None = None,
    value_type: int = 0,
    multiplier: float = 1,
    confidence: float = 0.95,
    repetitions: int = 10_000,
    transform: bool = False,
    seed: int = 1,
    limits_confidence: float = LIMITS_CONFIDENCE,
) -> Inequality:
    """Groups must be given in order (quantile 1 first). value_type 0 normal, 1 rate, 2 proportion (as PHE). Monte Carlo with a fixed seed so results are reproducible.

    Uncertainty is either ``se`` or the ``lower_ci``/``upper_ci`` pair (taken to be
    ``limits_confidence`` limits, 95% as PHE assumes). For rates and proportions an ``se``
    must be on the log / logit scale, because that is where the draws are made; limits
    are transformed before the se is read off them, so they may be given as published.
    Proportions are fractions of 1 (use ``multiplier=100`` for percentage points).
    ``confidence`` may be a fraction or a percentage (0.95 or 95), as PHE accepts both.

    A group with a missing value or uncertainty means no SII can be given (PHE drops the
    area): the result is then all NaN. Inputs that cannot describe groups raise ValueError.
    """
    y = np.asarray(values, dtype=float)
    share = _population_share(populations)
    confidence = _as_fraction(confidence)
    limits_confidence = _as_fraction(limits_confidence)
    _check_arguments(y, share, value_type, repetitions)
    if transform and value_type == NORMAL:
        raise ValueError("transform applies only to rates (value_type 1) and proportions (value_type 2)")

    spread = _standard_error(y, lower_ci, upper_ci, se, value_type, limits_confidence)
    first_last = _gaps(y, multiplier)
    if not (np.all(np.isfinite(y)) and np.all(np.isfinite(spread))):
        return _unavailable(first_last, multiplier, confidence)
    _check_range(y, value_type)

    projection = _wls_projection(relative_ranks(populations), share)
    link, inverse = _link(value_type)

    # Point estimate: deterministic, from the values as given (or their transform).
    fit_scale = link(y) if transform else y
    intercept, slope = projection @ fit_scale
    ends = _ends(intercept, slope, inverse if transform else _identity)

    # Monte Carlo limits: draws on the link scale, so rates stay > 0 and proportions in 0-1.
    rng = np.random.default_rng(seed)
    draws = rng.normal(link(y), spread, size=(repetitions, y.size))
    coefficients = (draws if transform else inverse(draws)) @ projection.T
    simulated = _ends(coefficients[:, 0], coefficients[:, 1], inverse if transform else _identity)

    tail = (1 - confidence) / 2
    sii_sims = simulated[1] - simulated[0]
    with np.errstate(divide="ignore", invalid="ignore"):
        rii_sims = simulated[1] / simulated[0]
    sii_low, sii_high = np.percentile(sii_sims, [100 * tail, 100 * (1 - tail)])
    rii_low, rii_high = np.percentile(rii_sims, [100 * tail, 100 * (1 - tail)])
    point_sii = ends[1] - ends[0]
    point_rii = ends[1] / ends[0] if ends[0] != 0 else math.nan

    if multiplier < 0:
        # PHE's polarity flip: the SII changes sign and the RII is inverted, limits swapped.
        sii_triplet = (multiplier * point_sii, multiplier * sii_high, multiplier * sii_low)
        rii_triplet = (1 / point_rii, 1 / rii_high, 1 / rii_low)
    else:
        sii_triplet = (multiplier * point_sii, multiplier * sii_low, multiplier * sii_high)
        rii_triplet = (point_rii, rii_low, rii_high)
    return Inequality(
        *(float(v) for v in sii_triplet),
        *(float(v) for v in rii_triplet),
        *first_last,
        intercept=float(ends[0] * abs(multiplier)),
        multiplier=float(multiplier),
        confidence=confidence,
    )


def describe(result: Inequality, *, unit: str, first: str, last: str) -> str:
    """Plain-English reading of an SII/RII for people who do not read regression output.

    ``first`` and ``last`` name the two ends in input order (e.g. "most deprived", "least
    deprived"). The sentence says which end is higher, since a bare signed slope is easy
    to misread; it flags an interval that includes zero, where the gradient could be chance.
    """
    if not math.isfinite(result.sii):
        return "The slope index of inequality could not be calculated."
    level = f"{100 * result.confidence:g}%"
    decimals = _decimals(result.sii, result.sii_lower, result.sii_upper)
    unit_text = f" {unit}" if unit else ""
    text = (
        f"The slope index of inequality is {_fmt(result.sii, decimals)}{unit_text} "
        f"({level} CI {_fmt(result.sii_lower, decimals)} to {_fmt(result.sii_upper, decimals)})"
    )
    # The SII is last minus first for a positive multiplier; PHE's negative multiplier reverses it.
    last_minus_first = result.sii if result.multiplier >= 0 else -result.sii
    size = _fmt(abs(result.sii), decimals)
    if last_minus_first == 0:
        text += f": across the range from {first} to {last}, the estimated value is the same at both ends."
    else:
        direction = "higher" if last_minus_first < 0 else "lower"
        text += (
            f": across the range from {first} to {last}, the estimated value is {size}{unit_text} "
            f"{direction} at the {first} end than at the {last} end."
        )
    if result.sii_lower <= 0 <= result.sii_upper:
        text += " The interval includes zero, so the gradient may be due to chance."
    if math.isfinite(result.rii):
        r = _decimals(result.rii, result.rii_lower, result.rii_upper)
        text += (
            f" Relative index {_fmt(result.rii, r)} "
            f"({_fmt(result.rii_lower, r)} to {_fmt(result.rii_upper, r)})."
        )
    return text


# --- helpers ---------------------------------------------------------------------------


def _population_share(populations: ArrayLike) -> Array:
    """Each group's share of the total population; every group must have people in it."""
    pop = np.asarray(populations, dtype=float)
    if pop.ndim != 1 or pop.size < 2:
        raise ValueError("need a population for each of at least two groups")
    if not np.all(np.isfinite(pop)) or np.any(pop <= 0):
        raise ValueError("every group needs a positive population (PHE's rule)")
    return pop / pop.sum()


def _as_fraction(confidence: float) -> float:
    """0.95 and 95 both mean 95%, as in PHE; anything else outside [0.5, 1) is an error."""
    level = confidence / 100 if confidence >= 50 else confidence
    if not 0.5 <= level < 1:
        raise ValueError(f"confidence must be a fraction in [0.5, 1) or a percentage, got {confidence}")
    return float(level)


def _check_arguments(y: Array, share: Array, value_type: int, repetitions: int) -> None:
    if y.shape != share.shape:
        raise ValueError("values and populations must have one entry per group")
    if value_type not in (NORMAL, RATE, PROPORTION):
        raise ValueError("value_type must be 0 (normal), 1 (rate) or 2 (proportion)")
    if repetitions < MIN_REPETITIONS:
        raise ValueError(f"repetitions must be at least {MIN_REPETITIONS}")


def _check_range(y: Array, value_type: int) -> None:
    """Log and logit need values strictly inside their domain."""
    if value_type == RATE and np.any(y <= 0):
        raise ValueError("rates must be positive to be simulated on the log scale")
    if value_type == PROPORTION and np.any((y <= 0) | (y >= 1)):
        raise ValueError("proportions must be fractions strictly between 0 and 1")


def _identity(x):
    return x


def _logit(p):
    return np.log(p / (1 - p))


def _expit(z):
    return 1 / (1 + np.exp(-z))


def _link(value_type: int):
    """Scale the draws are made on, and its inverse: log for rates, logit for proportions."""
    if value_type == RATE:
        return np.log, np.exp
    if value_type == PROPORTION:
        return _logit, _expit
    return _identity, _identity


def _standard_error(
    y: Array,
    lower_ci: ArrayLike | None,
    upper_ci: ArrayLike | None,
    se: ArrayLike | None,
    value_type: int,
    limits_confidence: float,
) -> Array:
    """The supplied se, or one read off the limits on the link scale (PHE's rule)."""
    if se is not None:
        spread = np.asarray(se, dtype=float)
        if spread.shape != y.shape:
            raise ValueError("se must have one entry per group")
        if np.any(spread < 0):
            raise ValueError("standard errors cannot be negative")
        return spread
    if lower_ci is None or upper_ci is None:
        raise ValueError("give either se or both lower_ci and upper_ci")
    lower, upper = np.asarray(lower_ci, dtype=float), np.asarray(upper_ci, dtype=float)
    if lower.shape != y.shape or upper.shape != y.shape:
        raise ValueError("lower_ci and upper_ci must have one entry per group")
    link, _ = _link(value_type)
    z = special.ndtri(limits_confidence + (1 - limits_confidence) / 2)
    with np.errstate(divide="ignore", invalid="ignore"):
        return (link(upper) - link(lower)) / (2 * z)


def _wls_projection(x: Array, share: Array) -> Array:
    """2×n matrix P with (intercept, slope) = P @ y for the fit on the relative ranks x,
    weighted by population share.

    Weighting by population share is the same as PHE's regression of y·√a on √a and x·√a;
    computing P once lets every Monte Carlo draw be fitted with one matrix product.
    """
    design = np.column_stack([np.ones_like(x), x])
    weighted = design * share[:, None]
    return np.linalg.solve(design.T @ weighted, weighted.T)


def _ends(intercept, slope, inverse):
    """Fitted values at the first (x=0) and last (x=1) ends, back on the value scale."""
    return inverse(intercept), inverse(intercept + slope)


def _gaps(y: Array, multiplier: float) -> tuple[float, float]:
    first, last = float(y[0]), float(y[-1])
    relative = first / last if last != 0 else math.nan
    return (first - last) * abs(multiplier), relative


def _unavailable(gaps: tuple[float, float], multiplier: float, confidence: float) -> Inequality:
    """No SII, but the first-to-last gap is still worth showing when both ends have values."""
    nan = math.nan
    return Inequality(nan, nan, nan, nan, nan, nan, *gaps, multiplier=float(multiplier), confidence=confidence)


def _decimals(value: float, lower: float, upper: float) -> int:
    """Decimals that show the margin of error to two significant figures (0 to 6)."""
    half_width = (upper - lower) / 2 if math.isfinite(upper - lower) else math.nan
    reference = half_width if math.isfinite(half_width) and half_width > 0 else abs(value)
    if not math.isfinite(reference) or reference == 0:
        return 1
    return int(min(6, max(0, 1 - math.floor(math.log10(reference)))))


def _fmt(value: float, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    # No "-0.0": a value that rounds to zero is shown unsigned.
    return text.lstrip("-") if text.lstrip("-").strip("0.,") == "" else text
