"""Statistical process control (XmR charts) in the NHS "Making Data Count" style.

The method is the one NHS-R's NHSRplotthedots (v0.2.2) implements, so that a chart here
tells the same story as the "plot the dots" charts NHS analysts already read:

- limits are mean ± 2.66 × the average moving range, after dropping moving ranges of at
  least 3.267 × that average (a single shock should not widen the limits for everyone);
- four special-cause rules, in order of precedence: a point outside the limits, a run of
  seven rising or falling points, two of three points close to a limit on the same side,
  and seven or more points on one side of the mean (each in dashboard/stats/spc_rules.py);
- the variation icon comes from the latest point, the assurance icon from comparing the
  target with the limits;
- limits are recalculated per rebase group (rebase_groups, xmr_by_group); where the groups
  start, when no user gives the dates, is dashboard/stats/spc_rebase.py's sustained-shift rule.

Pure NumPy: no I/O, no plotting. Checked against the peer's own test values in
../shared/reference-values (see tests/unit/test_spc.py).
"""

from __future__ import annotations

import math
import re
from collections.abc import Hashable, Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from dashboard.core.measures import Unit
from dashboard.stats.spc_rules import (
    LIMIT,
    limit_flags,
    rule_of_label,
    special_cause_type,
)

# Moving ranges this many average moving ranges or more are screened out as outliers.
OUTLIER_SCREEN = 3.267
# Fewer points than this in a (facet, rebase) group gives only trial limits (peer's warning).
SHORT_GROUP_THRESHOLD = 12

DIRECTIONS: dict[str, int] = {"increase": 1, "decrease": -1, "neutral": 0}

POINT_TYPES = (
    "common_cause",
    "special_cause_improvement",
    "special_cause_concern",
    "special_cause_neutral_high",
    "special_cause_neutral_low",
)

FloatArray = NDArray[np.float64]


@dataclass(frozen=True)
class XmR:
    """An XmR chart's summary: limits, per-point classification and the two MDC icons."""

    mean: float
    lpl: float  # lower process limit
    upl: float  # upper process limit
    point_type: list[str]  # one of POINT_TYPES per point
    variation_icon: str  # icon stem from the last point: common_cause, improvement_high, concern_low, neutral_high, ...
    assurance_icon: str | None  # consistent_pass, consistent_fail, inconsistent; None without target or when neutral
    rules: list[str]  # per point, the special-cause rule that fired (one of spc_rules.RULES), "" if none
    target: float | None = None  # kept so describe() can name the target it judged against


# --- limits ---------------------------------------------------------------------------------


def _as_series(values: ArrayLike) -> FloatArray:
    """Validate once, here, so every rule can assume a finite 1-D float series."""
    y = np.asarray(values, dtype=float)
    if y.ndim != 1:
        raise ValueError(f"values must be one-dimensional, got shape {y.shape}")
    if y.size < 2:
        raise ValueError(f"an XmR chart needs at least 2 values (one moving range), got {y.size}")
    if not np.all(np.isfinite(y)):
        raise ValueError("values must be finite; drop missing periods before charting")
    return y


def _mean(y: FloatArray) -> float:
    """Mean with R's second-pass correction, so a constant series has exactly its value as mean.

    An ulp of error would put every point of a flat series on one side of the mean and raise a
    spurious seven-point run; R's mean() avoids that with the same refinement.
    """
    if np.all(y == y[0]):
        return float(y[0])
    m = math.fsum(y) / y.size
    return m + math.fsum(y - m) / y.size


def average_moving_range(values: ArrayLike, *, screen_outliers: bool = True) -> float:
    """Mean of |y[i] - y[i-1]|, optionally after screening out moving ranges ≥ 3.267 × that mean.

    Screening stops one large jump (e.g. a data error or a one-off event) from inflating the
    limits for the whole series. A flat series has an average moving range of 0; the peer
    screens everything out there and returns NaN limits, but zero-width limits at the value are
    the honest answer, so we keep them.
    """
    y = _as_series(values)
    mr = np.abs(np.diff(y))
    amr = float(mr.mean())
    if screen_outliers:
        kept = mr[mr < OUTLIER_SCREEN * amr]
        if kept.size:
            amr = float(kept.mean())
    return amr


# --- improvement or concern -----------------------------------------------------------------


def _direction(improvement_direction: str) -> int:
    try:
        return DIRECTIONS[improvement_direction]
    except KeyError:
        raise ValueError(f"improvement_direction must be one of {sorted(DIRECTIONS)}, got {improvement_direction!r}") from None


def point_type(labels: Sequence[str], improvement_direction: str) -> list[str]:
    """Improvement or concern from the label's direction (Above/Increasing = up) × the wanted direction."""
    sign = _direction(improvement_direction)
    out: list[str] = []
    for label in labels:
        up = 1 if re.search("Above|Increasing", label) else -1 if re.search("Below|Decreasing", label) else 0
        if up == 0:
            out.append("common_cause")
        elif sign == 0:
            out.append("special_cause_neutral_high" if up > 0 else "special_cause_neutral_low")
        else:
            out.append("special_cause_improvement" if up * sign > 0 else "special_cause_concern")
    return out


# --- icons ------------------------------------------------------------------------------------


def variation_icon(last_point_type: str, improvement_direction: str) -> str:
    """MDC variation icon stem for the latest point; improvement is "high" when higher is better."""
    higher_is_better = _direction(improvement_direction) == 1
    icons = {
        "common_cause": "common_cause",
        "special_cause_neutral_high": "neutral_high",
        "special_cause_neutral_low": "neutral_low",
        "special_cause_improvement": "improvement_high" if higher_is_better else "improvement_low",
        "special_cause_concern": "concern_low" if higher_is_better else "concern_high",
    }
    try:
        return icons[last_point_type]
    except KeyError:
        raise ValueError(f"unknown point type {last_point_type!r}") from None


def assurance_type(lpl: float, upl: float, target: float | None, improvement_direction: str) -> str | None:
    """Will the process meet the target? Only a target outside the limits gives a firm answer.

    A target beyond the limits on the good side is always met (pass), on the bad side never
    (fail); between the limits it is hit and miss. No answer without a target or a direction.
    """
    sign = _direction(improvement_direction)
    if target is None or sign == 0 or (isinstance(target, float) and math.isnan(target)):
        return None
    if target > upl:
        return "consistent_fail" if sign == 1 else "consistent_pass"
    if target < lpl:
        return "consistent_pass" if sign == 1 else "consistent_fail"
    return "inconsistent"


# --- the chart --------------------------------------------------------------------------------


def xmr(
    values: Sequence[float],
    *,
    improvement_direction: str = "increase",
    target: float | None = None,
    screen_outliers: bool = True,
) -> XmR:
    """XmR chart of one series (one facet, one rebase group), in time order.

    Facets and rebase groups are independent charts: call this once per group
    (xmr_by_group does the rebase split).
    """
    _direction(improvement_direction)  # fail fast on a misspelt direction
    y = _as_series(values)
    mean = _mean(y)
    amr = average_moving_range(y, screen_outliers=screen_outliers)
    rtm, outside, close = limit_flags(y, mean, amr)
    lpl, upl = mean - LIMIT * amr, mean + LIMIT * amr
    labels = special_cause_type(y, rtm, close, outside)
    types = point_type(labels, improvement_direction)
    return XmR(
        mean=mean,
        lpl=lpl,
        upl=upl,
        point_type=types,
        variation_icon=variation_icon(types[-1], improvement_direction),
        assurance_icon=assurance_type(lpl, upl, target, improvement_direction),
        rules=[rule_of_label(label) for label in labels],
        target=target,
    )


# --- rebasing ---------------------------------------------------------------------------------


def rebase_flags(
    x: Sequence[Hashable],
    rebase: Sequence[Hashable] | Mapping[str, Sequence[Hashable]] | None,
    facets: Sequence[str] | None = None,
) -> list[int]:
    """1 where a new baseline starts (x is a rebase date), else 0.

    A plain sequence of dates applies to every facet; a mapping gives each facet its own
    dates. Dates not in the data have no effect.
    """
    if rebase is None:
        return [0] * len(x)
    if isinstance(rebase, Mapping):
        if facets is None:
            raise ValueError("per-facet rebase dates need the facets")
        pairs = {(facet, d) for facet, dates in rebase.items() for d in dates}
        return [int((f, d) in pairs) for f, d in zip(facets, x, strict=True)]
    dates = set(rebase)
    return [int(d in dates) for d in x]


def rebase_groups(flags: Sequence[int], facets: Sequence[Hashable] | None = None) -> list[int]:
    """Rebase group per point: the running count of rebase flags within its facet."""
    keys = facets if facets is not None else [None] * len(flags)
    counts: dict[Hashable, int] = {}
    out: list[int] = []
    for key, flag in zip(keys, flags, strict=True):
        counts[key] = counts.get(key, 0) + int(flag)
        out.append(counts[key])
    return out


def short_group_warnings(
    groups: Sequence[Hashable], facets: Sequence[Hashable] | None = None, threshold: int = SHORT_GROUP_THRESHOLD
) -> list[bool]:
    """True for points in a (facet, rebase group) with fewer than `threshold` points: trial limits only."""
    keys = list(zip(facets if facets is not None else [None] * len(groups), groups, strict=True))
    sizes: dict[tuple[Hashable, Hashable], int] = {}
    for key in keys:
        sizes[key] = sizes.get(key, 0) + 1
    return [sizes[key] < threshold for key in keys]


def xmr_by_group(values: Sequence[float], groups: Sequence[int], **options: object) -> list[XmR]:
    """One XmR per rebase group (in order of appearance); limits are recomputed within each."""
    y = np.asarray(values, dtype=float)
    g = np.asarray(groups)
    if y.shape != g.shape:
        raise ValueError("values and groups must have the same length")
    order = list(dict.fromkeys(g.tolist()))
    return [xmr(y[g == group], **options) for group in order]  # type: ignore[arg-type]


# --- words ------------------------------------------------------------------------------------

_REASONS = {
    ("outside_limits", "high"): "is above the upper process limit",
    ("outside_limits", "low"): "is below the lower process limit",
    ("seven_point_trend", "high"): "is part of a run of seven rising points",
    ("seven_point_trend", "low"): "is part of a run of seven falling points",
    ("two_in_three", "high"): "is one of two in three points close to the upper limit",
    ("two_in_three", "low"): "is one of two in three points close to the lower limit",
    ("seven_point_one_side", "high"): "is part of a run of seven or more points above the mean",
    ("seven_point_one_side", "low"): "is part of a run of seven or more points below the mean",
}
_NATURE = {"improvement": "Improving", "concern": "Concerning", "neutral": "Neutral"}
_ASSURANCE_WORDS = {
    "consistent_pass": "will be met consistently",
    "consistent_fail": "will not be met without a change to the process",
    "inconsistent": "will be met only some of the time",
}


def _decimals(*values: float) -> int:
    """Decimals giving the largest magnitude three significant figures, so limits read alike."""
    biggest = max((abs(v) for v in values if math.isfinite(v)), default=0.0)
    if biggest == 0:
        return 0
    return max(0, 2 - math.floor(math.log10(biggest)))


def _with_unit(text: str, unit: str) -> str:
    if not unit:
        return text
    return f"{text}{unit}" if unit == Unit.PERCENT else f"{text} {unit}"


def describe(result: XmR, *, unit: str) -> str:
    """Plain-English reading of the chart for people who do not read SPC charts.

    Says whether the latest point shows special cause, of what nature and why, then what the
    assurance icon means for the target.
    """
    d = _decimals(result.mean, result.lpl, result.upl)

    def fmt(v: float) -> str:
        return _with_unit(f"{v:.{d}f}", unit)

    limits = f"limits {fmt(result.lpl)} to {fmt(result.upl)}"
    icon = result.variation_icon
    if icon == "common_cause":
        text = f"Common cause variation only: the process is stable around a mean of {fmt(result.mean)} ({limits})."
    else:
        nature, side = icon.rsplit("_", 1)
        reason = _REASONS.get((result.rules[-1], side), f"is unusually {side}")
        text = f"{_NATURE[nature]} special cause variation: the latest point {reason} (mean {fmt(result.mean)}, {limits})."
    if result.assurance_icon is not None:
        named = "The target" if result.target is None else f"The {_with_unit(f'{result.target:g}', unit)} target"
        text += f" {named} {_ASSURANCE_WORDS[result.assurance_icon]}."
    return text
