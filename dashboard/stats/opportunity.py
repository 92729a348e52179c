"""Opportunity: how many more people a year an area's value would mean if it matched a target.

For a share (higher is better), matching a target share p* with denominator n means
n·p* people instead of the numerator: the difference, scaled to a year, is the
opportunity. It is only stated where it means something: a share, with a direction,
below its target, and published (not suppressed, not modelled).
"""

from __future__ import annotations

import math

import numpy as np
from numpy.typing import ArrayLike

DAYS_PER_YEAR = 365.25


def years_in_period(start, end) -> float:
    return max(((end - start).days + 1) / DAYS_PER_YEAR, 1 / 12)


def extra_people_per_year(numerator: float, denominator: float, target_percent: float, years: float) -> float | None:
    """People a year who would have had the good outcome at the target share; None if already there."""
    if any(v is None or (isinstance(v, float) and math.isnan(v)) for v in (numerator, denominator, target_percent)) or years <= 0:
        return None
    extra = (float(target_percent) / 100 * float(denominator) - float(numerator)) / years
    return extra if extra >= 0.5 else None


def top_quartile(values: ArrayLike) -> float:
    """The value that marks the best quarter of areas (higher is better)."""
    values = np.asarray(values, dtype=float)
    values = values[~np.isnan(values)]
    return float(np.percentile(values, 75)) if len(values) else float("nan")


def round_people(count: float) -> int:
    """A spoken number: to 2 significant figures above 100, to the nearest 5 above 20."""
    if count >= 100:
        digits = int(math.floor(math.log10(count))) - 1
        return int(round(count, -digits))
    if count >= 20:
        return int(5 * round(count / 5))
    return int(round(count))
