"""Rebasing an XmR chart: where a sustained shift starts, limits are recalculated.

One mean drawn through a step change hides both levels: the points before the step sit on
one side of it, the points after on the other, and the limits, widened by the step, are too
wide to show anything else. NHSRplotthedots recalculates limits from rebase dates the user
gives (spc.rebase_flags, spc.rebase_groups, spc.xmr_by_group); this module finds those dates
itself, by a rule written down here and in docs/statistics.md:

    Within a segment (at first the whole series), a *shift* is a run of at least 7 points
    on one side of the segment's mean (Making Data Count's shift rule, spc_rules.RUN_LENGTH).
    New limits start at the first point of the first shift that
      (a) has at least 12 points of the segment before it, so the limits it replaces were
          "locked" limits, not trial limits (NHSRplotthedots' 12-point threshold), and
      (b) is sustained: it lasts at least 12 points, or it is still going on at the latest
          point of the series.
    Each side of the new start is then examined again in the same way, with its own mean.

Starting at the run's first point follows Wheeler: without other knowledge, that is when the
process most likely changed. A new segment of fewer than 12 points has trial limits
(spc.short_group_warnings), as NHSRplotthedots warns. In a stable series of 42 points the
rule rebases by chance rarely (a run of 7 at the very end, about 1 in 64; a run of 12
elsewhere, under 1 in 100).

Pure NumPy: no I/O, no plotting.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from dashboard.stats.spc import (
    SHORT_GROUP_THRESHOLD,
    XmR,
    _as_series,
    _mean,
    rebase_groups,
    xmr,
    xmr_by_group,
)
from dashboard.stats.spc_rules import RUN_LENGTH

FloatArray = np.ndarray


@dataclass(frozen=True)
class Segment:
    """Points start..end-1 (end exclusive) of the series and their own XmR chart."""

    start: int
    end: int
    chart: XmR

    @property
    def trial(self) -> bool:
        """Fewer than 12 points: limits to be read as provisional (NHSRplotthedots' warning)."""
        return self.end - self.start < SHORT_GROUP_THRESHOLD


@dataclass(frozen=True)
class RebasedXmR:
    """An XmR chart in segments; its icons are the latest segment's (the latest point's)."""

    segments: tuple[Segment, ...]
    point_type: list[str]  # per point, judged against its own segment's mean and limits
    rules: list[str]

    @property
    def latest(self) -> XmR:
        return self.segments[-1].chart

    @property
    def variation_icon(self) -> str:
        return self.latest.variation_icon

    @property
    def assurance_icon(self) -> str | None:
        return self.latest.assurance_icon

    @property
    def latest_special(self) -> list[int]:
        """Index of each special-cause point in the latest segment: what the caption counts, so
        that a common-cause latest point (the icon) is not read as "no special cause since"."""
        last = self.segments[-1]
        return [i for i in range(last.start, last.end) if self.point_type[i] != "common_cause"]

    @property
    def rebased_at(self) -> list[int]:
        """Index of the first point of each segment after the first."""
        return [segment.start for segment in self.segments[1:]]


# --- finding shifts ---------------------------------------------------------------------------


def _runs(sides: FloatArray) -> list[tuple[int, int]]:
    """(start, length) of each run of points on one side of the mean; a point on the mean is in no run."""
    runs: list[tuple[int, int]] = []
    i = 0
    while i < sides.size:
        j = i
        while j < sides.size and sides[j] != 0 and sides[j] == sides[i]:
            j += 1
        if j > i:
            runs.append((i, j - i))
        i = max(j, i + 1)
    return runs


def _first_shift(segment: FloatArray, *, open_end: bool, run: int, locked: int) -> int | None:
    """Offset in `segment` where the first qualifying shift starts (rule in the module docstring)."""
    sides = np.sign(segment - _mean(segment))
    for start, length in _runs(sides):
        sustained = length >= locked or (open_end and start + length == segment.size)
        if start >= locked and length >= run and sustained:
            return start
    return None


def _split(y: FloatArray, start: int, end: int, *, open_end: bool, run: int, locked: int) -> list[int]:
    if end - start < 2:
        return []
    offset = _first_shift(y[start:end], open_end=open_end, run=run, locked=locked)
    if offset is None:
        return []
    cut = start + offset
    before = _split(y, start, cut, open_end=False, run=run, locked=locked)
    after = _split(y, cut, end, open_end=open_end, run=run, locked=locked)
    return [*before, cut, *after]


def shift_starts(values: ArrayLike, *, run: int = RUN_LENGTH, locked: int = SHORT_GROUP_THRESHOLD) -> list[int]:
    """Indices (in time order) where new limits start by the sustained-shift rule; [] for none."""
    y = _as_series(values)
    return _split(y, 0, y.size, open_end=True, run=run, locked=locked)


# --- the rebased chart ------------------------------------------------------------------------


def rebased_xmr(
    values: Sequence[float],
    *,
    improvement_direction: str = "increase",
    target: float | None = None,
    rebase_at: Sequence[int] | None = None,
) -> RebasedXmR:
    """XmR chart recalculated at `rebase_at` (indices), or at the shifts `shift_starts` finds.

    `target` is the one in force at the latest point: only the latest segment's limits say
    whether it will be met (NHSRplotthedots judges assurance on a facet's last row).
    """
    y = _as_series(values)
    starts = sorted(set(shift_starts(y) if rebase_at is None else rebase_at) - {0})
    if any(not 0 < s < y.size for s in starts):
        raise ValueError(f"rebase points must be inside the series (1 to {y.size - 1}), got {starts}")
    flags = [int(i in starts) for i in range(y.size)]
    groups = rebase_groups(flags)
    bounds = list(zip([0, *starts], [*starts, y.size], strict=True))
    charts = xmr_by_group(y, groups, improvement_direction=improvement_direction)
    # The target is judged on the latest segment only; earlier ones are charted without it.
    charts[-1] = xmr(y[bounds[-1][0]:], improvement_direction=improvement_direction, target=target)
    segments = tuple(Segment(s, e, chart) for (s, e), chart in zip(bounds, charts, strict=True))
    return RebasedXmR(
        segments=segments,
        point_type=[t for segment in segments for t in segment.chart.point_type],
        rules=[r for segment in segments for r in segment.chart.rules],
    )
