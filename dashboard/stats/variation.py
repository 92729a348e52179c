"""How much areas vary: simple spread measures and the systematic component of variation.

Range, fold and the 90th/10th percentile ratio describe the spread people see on a map;
the coefficient of variation puts it relative to the average. None of them separates
real differences between areas from the play of chance in small numbers, which the
systematic component of variation (SCV, McPherson et al. 1982) does: it is the variance
of O/E between areas left after subtracting what Poisson noise alone would give.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike


@dataclass(frozen=True)
class VariationSummary:
    """Spread of one indicator across areas; NaN where a measure is undefined."""

    areas: int
    minimum: float
    maximum: float
    range: float  # max - min
    fold: float  # max / min (nan if min <= 0)
    p90_p10: float  # 90th / 10th percentile ratio (numpy linear percentiles); nan if the 10th <= 0
    cv: float  # coefficient of variation, sample sd / mean; nan for < 2 areas or a mean <= 0
    scv: float | None  # systematic component of variation (McPherson et al. 1982), x100 as usually reported


DEFINITIONS: dict[str, str] = {
    "range": "The highest area's value minus the lowest area's value, in the indicator's own units.",
    "fold": "The highest area's value divided by the lowest: 2.0 means the highest is twice the lowest.",
    "p90_p10": (
        "The value 90% of the way up the ranked areas divided by the value 10% of the way up; "
        "unlike the fold, it is not driven by one or two extreme areas."
    ),
    "cv": (
        "The standard deviation across areas divided by their mean, so spread can be compared "
        "between indicators on different scales."
    ),
    "scv": (
        "How much areas differ beyond what chance alone would produce given their numbers of "
        "cases (x100). Around 0 or below means the differences look like chance; above 5.4 is "
        "high and above 10 very high (as the NHS Atlas of Variation reads it)."
    ),
}


def summarise(
    values: ArrayLike, *, observed: ArrayLike | None = None, expected: ArrayLike | None = None
) -> VariationSummary:
    """values: the areas' values (NaN ignored). SCV from observed counts O_i and expected E_i (e.g. England's rate x each area's denominator): SCV = 100 * ( mean((O-E)^2/E^2) - mean(1/E) ); None when observed/expected not given.

    Ratios (fold, p90_p10) and the CV are NaN rather than misleading when the values
    they divide by are zero or negative. With no usable values every measure is NaN.
    """
    x = np.asarray(values, dtype=float).ravel()
    x = x[np.isfinite(x)]
    scv = None if observed is None and expected is None else systematic_component(observed, expected)
    if x.size == 0:
        nan = math.nan
        return VariationSummary(0, nan, nan, nan, nan, nan, nan, scv)
    low, high = float(x.min()), float(x.max())
    p10, p90 = (float(p) for p in np.percentile(x, [10, 90]))
    mean = float(x.mean())
    cv = float(x.std(ddof=1)) / mean if x.size >= 2 and mean > 0 else math.nan
    return VariationSummary(
        areas=int(x.size),
        minimum=low,
        maximum=high,
        range=high - low,
        fold=high / low if low > 0 else math.nan,
        p90_p10=p90 / p10 if p10 > 0 else math.nan,
        cv=cv,
        scv=scv,
    )


def systematic_component(observed: ArrayLike | None, expected: ArrayLike | None) -> float:
    """SCV x100 from observed and expected counts; areas missing either are left out.

    (O−E)²/E² estimates the variance of each area's ratio O/E; 1/E is the part of it a
    Poisson count contributes by chance. Their difference, averaged, is the variation
    that chance does not explain. It can be negative when areas agree more than chance
    would lead one to expect. NaN when no area has both counts.
    """
    if observed is None or expected is None:
        raise ValueError("the SCV needs both observed and expected counts")
    o = np.asarray(observed, dtype=float).ravel()
    e = np.asarray(expected, dtype=float).ravel()
    if o.shape != e.shape:
        raise ValueError("observed and expected must have one entry per area")
    usable = np.isfinite(o) & np.isfinite(e)
    o, e = o[usable], e[usable]
    if np.any(e <= 0):
        raise ValueError("expected counts must be positive")
    if np.any(o < 0):
        raise ValueError("observed counts cannot be negative")
    if o.size == 0:
        return math.nan
    return float(100 * (np.mean((o - e) ** 2 / e**2) - np.mean(1 / e)))
