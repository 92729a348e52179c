"""Is an annual series rising or falling? A weighted linear trend over its latest points.

Each point is weighted by the inverse of its variance, read off its published 95%
interval, so precise years count for more than noisy ones. The slope's standard error
treats those variances as known, and significance is a two-sided normal (z) test.
Year-to-year variation beyond each point's own sampling error is not modelled, so a
series that zig-zags well outside its intervals can look more certain than it is.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike
from scipy import special  # not scipy.stats: slow to import (see intervals.py)

Z95 = 1.959964  # the published limits are 95% limits
SIGNIFICANCE = 0.05
MIN_POINTS = 3  # two points always fit a line exactly; three is the least that tests one


@dataclass(frozen=True)
class TrendTest:
    """Slope per time step (per year for an annual series) with its 95% CI and z-test."""

    points: int  # points actually used (usable among the last `last`)
    slope: float
    slope_lower: float
    slope_upper: float
    p_value: float
    direction: str  # "increasing", "decreasing" or "no significant change" (at 5%)
    sentence: str  # plain English, e.g. "Over the last 5 years the value rose by 0.8 percentage points a year (95% CI 0.4 to 1.2): a significant increasing trend."


def linear_trend(
    values: ArrayLike, lower_ci: ArrayLike, upper_ci: ArrayLike, *, unit: str, last: int = 5
) -> TrendTest | None:
    """Weighted least squares of value on time index over the last `last` points, weights 1/se^2 with se = (upper-lower)/(2*1.959964); slope z-test (normal). None if fewer than 3 usable points.

    The series is in time order, one point per year. The window is the last ``last``
    positions; within it a point is unusable when its value or either limit is missing
    or its interval has no width (it would get infinite weight). Gaps keep their place
    in time, so the slope stays per year.
    """
    if last < MIN_POINTS:
        raise ValueError(f"last must be at least {MIN_POINTS}")
    y, lower, upper = (np.asarray(a, dtype=float).ravel() for a in (values, lower_ci, upper_ci))
    if not (y.shape == lower.shape == upper.shape):
        raise ValueError("values, lower_ci and upper_ci must have one entry per year")
    window = min(last, y.size)
    start = y.size - window
    t = np.arange(start, y.size, dtype=float)
    y, lower, upper = y[start:], lower[start:], upper[start:]
    se = (upper - lower) / (2 * Z95)
    usable = np.isfinite(y) & np.isfinite(se) & (se > 0)
    if usable.sum() < MIN_POINTS:
        return None
    t, y, weight = t[usable], y[usable], 1 / se[usable] ** 2

    t_bar = np.sum(weight * t) / weight.sum()
    y_bar = np.sum(weight * y) / weight.sum()
    sxx = np.sum(weight * (t - t_bar) ** 2)
    slope = float(np.sum(weight * (t - t_bar) * (y - y_bar)) / sxx)
    slope_se = float(1 / math.sqrt(sxx))
    p_value = float(2 * special.ndtr(-abs(slope) / slope_se))
    low, high = slope - Z95 * slope_se, slope + Z95 * slope_se
    if p_value < SIGNIFICANCE:
        direction = "increasing" if slope > 0 else "decreasing"
    else:
        direction = "no significant change"
    points = int(usable.sum())
    return TrendTest(
        points=points,
        slope=slope,
        slope_lower=float(low),
        slope_upper=float(high),
        p_value=p_value,
        direction=direction,
        sentence=_sentence(slope, low, high, direction, unit, window, points),
    )


def _sentence(slope: float, low: float, high: float, direction: str, unit: str, window: int, points: int) -> str:
    """One sentence a reader can act on: how fast, how sure, and whether it is significant."""
    decimals = _decimals((high - low) / 2, slope)
    unit_text = f" {unit}" if unit else ""
    span = f"Over the last {window} years" + (f" ({points} with data)" if points < window else "")
    if direction == "increasing":
        change = f"rose by {_fmt(slope, decimals)}{unit_text} a year"
        interval = f"{_fmt(low, decimals)} to {_fmt(high, decimals)}"
        verdict = "a significant increasing trend"
    elif direction == "decreasing":
        # A fall is stated as a positive amount, and so is its interval.
        change = f"fell by {_fmt(-slope, decimals)}{unit_text} a year"
        interval = f"{_fmt(-high, decimals)} to {_fmt(-low, decimals)}"
        verdict = "a significant decreasing trend"
    else:
        change = f"changed by {_fmt(slope, decimals, signed=True)}{unit_text} a year"
        interval = f"{_fmt(low, decimals)} to {_fmt(high, decimals)}"
        verdict = "no significant change"
    return f"{span} the value {change} (95% CI {interval}): {verdict}."


def _decimals(half_width: float, value: float) -> int:
    """Decimals that show the margin of error to two significant figures (0 to 6)."""
    reference = half_width if math.isfinite(half_width) and half_width > 0 else abs(value)
    if not math.isfinite(reference) or reference == 0:
        return 1
    return int(min(6, max(0, 1 - math.floor(math.log10(reference)))))


def _fmt(value: float, decimals: int, *, signed: bool = False) -> str:
    text = f"{value:{'+' if signed else ''},.{decimals}f}"
    # No "-0.0" or "+0.0": a value that rounds to zero is shown unsigned.
    return text.lstrip("+-") if text.lstrip("+-").strip("0.,") == "" else text
