"""Special-cause rules of NHS "Making Data Count" XmR charts, as NHSRplotthedots (v0.2.2) has them.

Given where each point sits against the mean and the process limits, four rules mark
special-cause variation, in order of precedence: a point outside the limits, a run of
seven rising or falling points, two of three points close to a limit on the same side,
and seven or more points on one side of the mean. Each rule is a pure vector function,
so it can be checked one by one against the peer's own unit vectors; spc.xmr applies
them all to a series.

Pure NumPy: no I/O, no plotting. Checked against ../shared/reference-values/spc_rules.csv
(see tests/unit/test_spc.py).
"""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike, NDArray

# Process limits sit this many average moving ranges from the mean (Wheeler's 3 / d2).
LIMIT = 2.66
# "Close to a limit" is beyond two thirds of the way out; written as the peer does so that
# boundary cases round identically.
CLOSE_TO_LIMIT = 2 * (LIMIT / 3)
# Runs (trend or one side of the mean) count as special cause from this many points.
RUN_LENGTH = 7

RULES = ("outside_limits", "seven_point_trend", "two_in_three", "seven_point_one_side")

COMMON_CAUSE_LABEL = "Common Cause"
# The peer's special-cause labels start with these; map them to our rule names.
_RULE_BY_LABEL_PREFIX = (
    ("Above UCL", "outside_limits"),
    ("Below LCL", "outside_limits"),
    ("7 Point Trend", "seven_point_trend"),
    ("2 in 3", "two_in_three"),
    ("7 Points", "seven_point_one_side"),
)

IntArray = NDArray[np.int64]


# --- where each point sits --------------------------------------------------------------------


def limit_flags(values: ArrayLike, mean: float, amr: float) -> tuple[IntArray, IntArray, IntArray]:
    """Per point: side of the mean (sign, -1/0/1), outside the limits (0/1), close to a limit (0/1).

    "Close" means beyond two thirds of the way to a limit without being outside it, as the
    2-in-3 rule needs.
    """
    y = np.asarray(values, dtype=float)
    lpl, upl = mean - LIMIT * amr, mean + LIMIT * amr
    near_lower, near_upper = mean - CLOSE_TO_LIMIT * amr, mean + CLOSE_TO_LIMIT * amr
    outside = (y > upl) | (y < lpl)
    close = ~outside & ((y < near_lower) | (y > near_upper))
    return np.sign(y - mean).astype(np.int64), outside.astype(np.int64), close.astype(np.int64)


# --- special-cause rules (each a pure vector function, tested one by one) ---------------------


def seven_point_one_side_mean(relative_to_mean: ArrayLike) -> IntArray:
    """1 at the 7th and every later point of a run on one side of the mean (points on the mean break runs)."""
    rtm = np.asarray(relative_to_mean, dtype=float)
    out = np.zeros(rtm.size, dtype=np.int64)
    run = 0
    for i, side in enumerate(rtm):
        continues = side != 0 and i > 0 and side == rtm[i - 1]
        run = run + 1 if continues else int(side != 0)
        out[i] = int(run >= RUN_LENGTH)
    return out


def seven_point_trend(y: ArrayLike) -> IntArray:
    """+1 (or -1) at a point ending six strict rises (falls) in a row, i.e. a 7-point trend.

    A tie breaks the trend: a flat step is no evidence of drift.
    """
    v = np.asarray(y, dtype=float)
    out = np.zeros(v.size, dtype=np.int64)
    if v.size < RUN_LENGTH:
        return out
    steps = np.sign(np.diff(v))
    window = RUN_LENGTH - 1
    for i in range(window, v.size):
        recent = steps[i - window : i]
        if np.all(recent == 1):
            out[i] = 1
        elif np.all(recent == -1):
            out[i] = -1
    return out


def part_of_seven_trend(flags: ArrayLike) -> IntArray:
    """1 for a flagged point (±1) and the six before it: the whole run is special, not just its end."""
    f = np.abs(np.asarray(flags, dtype=float)) == 1
    out = np.zeros(f.size, dtype=np.int64)
    for i in np.flatnonzero(f):
        out[max(0, i - (RUN_LENGTH - 1)) : i + 1] = 1
    return out


def two_in_three(close_to_limits: ArrayLike, relative_to_mean: ArrayLike) -> IntArray:
    """1 for every point in some 3-point window with ≥ 2 points close to a limit, all 3 on one side.

    The same-side condition (peer's fix #143) stops two near-limit points on opposite sides
    of the mean, which is ordinary spread, from counting. A length-1 relative_to_mean is
    broadcast, as the peer's test passes one.
    """
    close = np.asarray(close_to_limits, dtype=float)
    n = close.size
    rtm = np.broadcast_to(np.asarray(relative_to_mean, dtype=float), (n,)) if n else np.zeros(0)
    out = np.zeros(n, dtype=np.int64)
    for start in range(n - 2):
        window = slice(start, start + 3)
        if close[window].sum() >= 2 and abs(rtm[window].sum()) == 3:
            out[window] = 1
    return out


def part_of_two_in_three(in_window: ArrayLike, close_to_limits: ArrayLike) -> IntArray:
    """1 where a point is in a qualifying 2-in-3 window *and* is itself close to a limit.

    The third point of the window is not special: it is only the context.
    """
    w = np.asarray(in_window, dtype=float)
    c = np.asarray(close_to_limits, dtype=float)
    return ((w == 1) & (np.abs(c) == 1)).astype(np.int64)


def label_special_causes(
    y: ArrayLike,
    relative_to_mean: ArrayLike,
    outside_limits: ArrayLike,
    part_trend: ArrayLike,
    part_two_in_three: ArrayLike,
    part_one_side: ArrayLike,
) -> list[str]:
    """The peer's per-point label, given the rule flags: outside > trend > 2-in-3 > one side.

    Split from special_cause_type so the precedence can be tested with chosen flags (the peer
    mocks the rules in its test). Trend labels take the direction of the step to the right
    while the run continues, else the step from the left.
    """
    v = np.asarray(y, dtype=float)
    n = v.size
    rtm = np.asarray(relative_to_mean, dtype=float)
    outside = np.asarray(outside_limits, dtype=float)
    trend = np.asarray(part_trend, dtype=float)
    tit = np.asarray(part_two_in_three, dtype=float)
    side = np.asarray(part_one_side, dtype=float)
    steps = np.sign(np.diff(v)) if n > 1 else np.zeros(0)
    from_left = np.concatenate(([0.0], steps)) if n else np.zeros(0)
    to_right = np.concatenate((steps, steps[-1:])) if n > 1 else np.zeros(n)
    trend_continues = np.concatenate((trend[1:], [0.0])) != 0 if n else np.zeros(0, dtype=bool)
    direction = np.where(trend_continues & (trend != 0), to_right, from_left)

    labels: list[str] = []
    for i in range(n):
        above_below = "Above" if rtm[i] > 0 else "Below"
        if outside[i] != 0:
            labels.append("Above UCL" if rtm[i] == 1 else "Below LCL")
        elif trend[i] != 0:
            labels.append(f"7 Point Trend ({'In' if direction[i] == 1 else 'De'}creasing)")
        elif tit[i] != 0:
            labels.append(f"2 in 3 {above_below} CL")
        elif side[i] != 0:
            labels.append(f"7 Points {above_below} CL")
        else:
            labels.append(COMMON_CAUSE_LABEL)
    return labels


def special_cause_type(
    y: ArrayLike, relative_to_mean: ArrayLike, close_to_limits: ArrayLike, outside_limits: ArrayLike
) -> list[str]:
    """Apply all four rules to one (facet, rebase) group and label each point as the peer does."""
    return label_special_causes(
        y,
        relative_to_mean,
        outside_limits,
        part_of_seven_trend(seven_point_trend(y)),
        part_of_two_in_three(two_in_three(close_to_limits, relative_to_mean), close_to_limits),
        part_of_seven_trend(seven_point_one_side_mean(relative_to_mean)),
    )


def rule_of_label(label: str) -> str:
    """Our rule name for a peer label ("" for common cause)."""
    for prefix, rule in _RULE_BY_LABEL_PREFIX:
        if label.startswith(prefix):
            return rule
    return ""
