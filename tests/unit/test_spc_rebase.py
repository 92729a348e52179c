"""Rebasing at a sustained shift (dashboard/stats/spc_rebase.py) and the SPC chart drawn from it.

Every expected number is worked by hand from series built so that the answer is plain: levels
that alternate by a fixed step have every moving range equal to that step, so each segment's
limits are its mean ± 2.66 × the step. The rule (module docstring, docs/statistics.md): a run of
at least 7 points on one side of the segment's mean, starting at least 12 points into the
segment, lasting at least 12 points or still going on at the latest point.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.data.registry import Indicator, Standard
from dashboard.figures.trend import (
    LIMITS_LEGEND,
    MEAN_LEGEND,
    POINT_KINDS,
    TRIAL_LIMITS_LEGEND,
    spc_figure,
)
from dashboard.presenters.trend import target_spans
from dashboard.stats.spc import xmr
from dashboard.stats.spc_rebase import rebased_xmr, shift_starts

# The published XmR constant (Wheeler's 3 / d2), written here rather than read from the module.
LIMIT = 2.66

# 20 months alternating 60, 62 (mean 61), then 16 alternating 70, 72 (mean 71).
STEP = [60.0, 62.0] * 10 + [70.0, 72.0] * 8


def months(n: int, first: str = "2021-04-01") -> list[str]:
    start = date.fromisoformat(first)
    return [date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1).isoformat() for i in range(n)]


# --- where the limits are recalculated ---------------------------------------------------------


def test_a_known_step_is_found_where_it_starts_and_each_side_gets_its_own_limits() -> None:
    # Over all 36 points the mean is (20 × 61 + 16 × 71) / 36 = 65.44: the first 20 points are
    # below it (a run from the first point: the baseline, not a shift) and the last 16 above (a
    # run of 16 >= 12 starting 20 >= 12 points in): new limits from point 20. Within each side
    # the points alternate about its own mean, so neither splits again.
    assert shift_starts(STEP) == [20]
    chart = rebased_xmr(STEP)
    before, after = (s.chart for s in chart.segments)
    # Every moving range inside a side is 2: limits mean ± 2.66 × 2 = ± 5.32.
    assert (before.mean, before.lpl, before.upl) == pytest.approx((61, 61 - 2 * LIMIT, 61 + 2 * LIMIT))
    assert (after.mean, after.lpl, after.upl) == pytest.approx((71, 71 - 2 * LIMIT, 71 + 2 * LIMIT))
    assert [(s.start, s.end, s.trial) for s in chart.segments] == [(0, 20, False), (20, 36, False)]
    # Rebased, every point is common cause; one chart through the step calls all 36 special.
    assert chart.point_type == ["common_cause"] * 36
    assert "common_cause" not in xmr(STEP).point_type


def test_a_shift_still_going_on_at_the_latest_point_rebases_with_trial_limits() -> None:
    # 24 points alternating 60, 62 then 8 at 70, 72: mean (24 × 61 + 8 × 71) / 32 = 63.5. The last
    # 8 points are above it and run to the latest point: new limits from point 24, on 8 points
    # (fewer than 12: trial limits).
    values = [60.0, 62.0] * 12 + [70.0, 72.0] * 4
    chart = rebased_xmr(values)
    assert chart.rebased_at == [24]
    assert chart.segments[-1].trial and not chart.segments[0].trial
    assert chart.latest.mean == pytest.approx(71)


def test_a_shift_that_ends_before_12_points_is_not_rebased() -> None:
    # Baseline alternating 58, 64 (mean 61) for 24 points, 8 points at 70, then 12 more of the
    # baseline. Mean (36 × 61 + 8 × 70) / 44 = 62.64: 58 is below it and 64 above, so the baseline
    # makes runs of one; the 8 points at 70 are a run of 8, neither 12 long nor at the end.
    values = [58.0, 64.0] * 12 + [70.0] * 8 + [58.0, 64.0] * 6
    assert shift_starts(values) == []
    assert len(rebased_xmr(values).segments) == 1


def test_a_shift_with_fewer_than_12_points_before_it_is_not_rebased() -> None:
    # 6 points at 60, 62 then 30 at 70, 72: mean (6 × 61 + 30 × 71) / 36 = 69.33. The run above
    # it starts at point 6: the limits it would replace rest on 6 points, so no rebase.
    assert shift_starts([60.0, 62.0] * 3 + [70.0, 72.0] * 15) == []


def test_two_steps_give_three_segments() -> None:
    # 16 at 60/62, 16 at 72/70, 16 at 80/82. Whole mean 71: the first 16 below; then 72 above
    # and 70 below alternate, ending below (had the middle ended on 72, that point would start
    # the run above); then 16 above from point 32 (32 >= 12, 16 long): a cut at 32.
    # The left 32 points, mean 66: 16 below then a run of 16 above from point 16: a cut at 16.
    values = [60.0, 62.0] * 8 + [72.0, 70.0] * 8 + [80.0, 82.0] * 8
    assert shift_starts(values) == [16, 32]
    assert [s.chart.mean for s in rebased_xmr(values).segments] == pytest.approx([61, 71, 81])


def test_assurance_uses_the_latest_segment_and_its_target_only() -> None:
    # The reference's rebase case: 0, 1 × 5 (mean 0.5, limits 0.5 ± 2.66) then 10, 12 × 5 (mean
    # 11, moving ranges 2, limits 11 ± 5.32 = 5.68 to 16.32), rebased at point 10 by hand. A
    # target of 4 with higher better is below the latest lower limit, 5.68: met every month
    # (the first segment's limits, -2.16 to 3.16, would have said never).
    chart = rebased_xmr([0.0, 1.0] * 5 + [10.0, 12.0] * 5, rebase_at=[10], target=4)
    assert [(s.start, s.end) for s in chart.segments] == [(0, 10), (10, 20)]
    assert (chart.latest.lpl, chart.latest.upl) == pytest.approx((11 - 2 * LIMIT, 11 + 2 * LIMIT))
    assert chart.assurance_icon == "consistent_pass"
    assert chart.segments[0].chart.assurance_icon is None  # charted without the target


def test_a_rebase_point_outside_the_series_is_refused() -> None:
    with pytest.raises(ValueError, match="inside the series"):
        rebased_xmr([1.0, 2.0, 3.0], rebase_at=[3])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(min_value=0, max_value=100, allow_nan=False), min_size=2, max_size=60))
def test_segments_cover_the_series_and_only_the_latest_is_short(values: list[float]) -> None:
    # From the rule: the limits replaced rest on >= 12 points, and a shift is >= 12 points long
    # unless it runs to the latest point (then >= 7).
    chart = rebased_xmr(values)
    bounds = [(s.start, s.end) for s in chart.segments]
    assert bounds[0][0] == 0 and bounds[-1][1] == len(values)
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    if len(bounds) > 1:
        assert all(end - start >= 12 for start, end in bounds[:-1])
        assert bounds[-1][1] - bounds[-1][0] >= 7
    assert len(chart.point_type) == len(chart.rules) == len(values)


# --- the chart ---------------------------------------------------------------------------------


def _legend(figure: dict) -> list[str]:
    return [t["name"] for t in figure["data"] if t.get("showlegend", True)]


def test_the_legend_names_every_colour_and_line_once() -> None:
    x = months(len(STEP))
    figure = spc_figure(x, STEP, rebased_xmr(STEP), name="England", unit="%", improvement_direction="increase")
    legend = _legend(figure)
    assert legend == [
        "England, monthly",
        "Common cause: the usual ups and downs",
        "Special cause: improvement",
        "Special cause: concern",
        MEAN_LEGEND,
        LIMITS_LEGEND,
    ]
    assert len(set(legend)) == len(legend)
    points = {t["name"]: t["marker"] for t in figure["data"] if t["mode"] == "markers"}
    assert len({m["color"] for m in points.values()}) == len({m["symbol"] for m in points.values()}) == 3  # shape as well as colour


def test_mean_and_limits_are_drawn_per_segment_with_a_break_between() -> None:
    x = months(len(STEP))  # April 2021 on: point 20 is December 2022
    traces = {t["name"]: t for t in spc_figure(x, STEP, rebased_xmr(STEP), name="E", unit="%", improvement_direction="increase")["data"]}
    mean = traces[MEAN_LEGEND]
    assert mean["x"] == ["2021-04-01", "2022-11-01", None, "2022-12-01", "2024-03-01"]
    assert mean["y"] == [61, 61, None, 71, 71]
    limits = traces[LIMITS_LEGEND]  # both limits of both segments in one legend entry
    assert limits["y"] == pytest.approx([66.32, 66.32, None, 55.68, 55.68, None, 76.32, 76.32, None, 65.68, 65.68])


def test_trial_limits_have_their_own_legend_entry() -> None:
    values = [60.0, 62.0] * 12 + [70.0, 72.0] * 4
    names = _legend(spc_figure(months(32), values, rebased_xmr(values), name="E", unit="%", improvement_direction="increase"))
    assert names.count(LIMITS_LEGEND) == names.count(TRIAL_LIMITS_LEGEND) == 1


def test_a_neutral_indicator_keys_purple_points_not_improvement_or_concern() -> None:
    names = _legend(spc_figure(months(36), STEP, rebased_xmr(STEP, improvement_direction="neutral"), name="E", unit="", improvement_direction="neutral"))
    assert POINT_KINDS["neutral"].legend in names
    assert POINT_KINDS["improvement"].legend not in names and POINT_KINDS["concern"].legend not in names


def _indicator(*standards: Standard) -> Indicator:
    return Indicator(
        id="t", name="t", definition="", numerator="", denominator="", unit="%", polarity="higher_is_better",
        ci_method="wilson", ci_description="", source="", attribution="", caveats="", standards=standards,
    )


def test_a_target_is_drawn_only_over_the_months_it_applied_to() -> None:
    # Months April 2021 to March 2024. A 75% standard from October 2021 (month 6) and, as if it
    # had changed, 80% from April 2023 (month 24): two lines, each over its own months.
    x = months(36)
    first = Standard(75.0, "Standard A (75%)", "source A", applies_from=date(2021, 10, 1), applies_until=date(2023, 4, 1))
    second = Standard(80.0, "Standard B (80%)", "source B", applies_from=date(2023, 4, 1))
    spans = target_spans(_indicator(first, second), x)
    assert [(s.value, s.first, s.last) for s in spans] == [(75.0, 6, 23), (80.0, 24, 35)]
    traces = {t["name"]: t for t in spc_figure(x, STEP, rebased_xmr(STEP), name="E", unit="%", improvement_direction="increase", targets=spans)["data"]}
    a = traces["Target: Standard A (75%), from Oct 2021"]
    b = traces["Target: Standard B (80%), from Apr 2023"]
    assert (a["x"], a["y"]) == (["2021-10-01", "2023-03-01"], [75.0, 75.0])
    assert (b["x"], b["y"]) == (["2023-04-01", "2024-03-01"], [80.0, 80.0])
