"""The SPC card's caption (dashboard/presenters/trend.py): at most three short sentences, then
the key to the icons, and never "stable" over a stretch that has unusual months.

A user trial found the caption of East of England - North saying "common cause variation only:
the process is stable" while two months since the limits were last set were drawn as special
cause: the variation icon follows the latest month (Making Data Count's rule), but the words
must also count the unusual months of the stretch the latest limits cover.

Every number is worked by hand from series built so the answer is plain: where the values
alternate by a fixed step every moving range is that step, so limits are mean ± 2.66 × step;
a single jump of at least 3.267 × the average moving range is screened out of it.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.core.measures import Unit
from dashboard.presenters.trend import latest_sentence, unusual_sentence
from dashboard.query.trend import Months
from dashboard.stats.spc_rebase import rebased_xmr


def months(values: list[float], first: date = date(2021, 4, 1)) -> Months:
    starts = [date(first.year + (first.month - 1 + i) // 12, (first.month - 1 + i) % 12 + 1, 1).isoformat() for i in range(len(values))]
    return Months(starts, values, pd.DataFrame())


# 20 months alternating 60, 62 (mean 61), then 16 alternating 68, 74 whose sixth (index 25, May
# 2023) is 100 instead of 74.
#   Over all 36: mean (20 × 61 + 8 × 68 + 7 × 74 + 100) / 36 = 2382 / 36 = 66.17; the first 20 are
#   below it, the last 16 above (a run of 16 >= 12, starting 20 >= 12 in): new limits from index
#   20, December 2022.
#   The second segment: mean (8 × 68 + 7 × 74 + 100) / 16 = 1162 / 16 = 72.625; its 15 moving
#   ranges are 13 of 6 and two of |100 - 68| = 32, average (78 + 64) / 15 = 9.47; 32 >= 3.267 ×
#   9.47 = 30.9, so both are screened out: average 6, limits 72.625 ± 15.96 = 56.665 to 88.585.
#   100 is above them (special cause, high: better, higher being better); 68 and 74 alternate
#   about the mean, within 2/3 of the way to either limit (61.99 to 83.27): the latest, March
#   2024 (index 35, 74), is common cause.
STRETCH = [60.0, 62.0] * 10 + [68.0, 74.0] * 2 + [68.0, 100.0] + [68.0, 74.0] * 5


def test_a_common_cause_latest_month_after_unusual_ones_is_not_called_stable() -> None:
    chart = rebased_xmr(STRETCH, improvement_direction="increase")
    assert chart.rebased_at == [20]
    assert chart.latest_special == [25] and chart.variation_icon == "common_cause"
    data = months(STRETCH)
    assert unusual_sentence(data, chart, "increase") == (
        "Since December 2022 (limits recalculated after a lasting shift), 1 of 16 months was unusual: May 2023 high (better)."
    )
    assert latest_sentence(data, chart, Unit.PERCENT) == (
        "The latest month, March 2024 (74.0%), is within the process limits (56.7% to 88.6%): no sign of change."
    )


def test_when_lower_is_better_a_high_month_is_worse() -> None:
    chart = rebased_xmr(STRETCH, improvement_direction="decrease")
    assert unusual_sentence(months(STRETCH), chart, "decrease").endswith("1 of 16 months was unusual: May 2023 high (worse).")


# 20 months alternating 66, 76 (mean 71, moving range 10), then 150 in December 2022 (index 20).
#   Mean (10 × 66 + 10 × 76 + 150) / 21 = 1570 / 21 = 74.76: 66 below, 76 above, no run. Moving
#   ranges: 19 of 10 and |150 - 76| = 74, average 264 / 20 = 13.2; 74 >= 3.267 × 13.2 = 43.1 is
#   screened out: average 10, limits 74.76 ± 26.6, upper 101.36. The latest, 150, is above it.
#   No rebase: a run of 1 at the end is no shift.
JUMP = [66.0, 76.0] * 10 + [150.0]


def test_a_latest_month_above_the_upper_limit_says_so_with_the_limit_and_which_way_is_worse() -> None:
    chart = rebased_xmr(JUMP, improvement_direction="decrease")
    assert chart.rebased_at == [] and chart.variation_icon == "concern_high"
    data = months(JUMP)
    assert latest_sentence(data, chart, Unit.PER_100K) == (
        "The latest month, December 2022 (150.0 per 100,000), is above the upper process limit (101.4 per 100,000): unusual, and worse."
    )
    assert unusual_sentence(data, chart, "decrease") == "1 of the 21 months was unusual: December 2022 high (worse)."


def test_a_stretch_with_no_unusual_month_says_so_in_plain_words() -> None:
    # 0, 1 × 5 then 10, 12 × 5 rebased at point 10 (as in test_trend_words): each side alternates
    # about its own mean, so no point is special cause.
    values = [0.0, 1.0] * 5 + [10.0, 12.0] * 5
    chart = rebased_xmr(values, rebase_at=[10])
    assert unusual_sentence(months(values), chart, "increase") == (
        "Since February 2022 (limits recalculated after a lasting shift), none of the 10 months has been unusual: only the usual ups and downs."
    )
    assert unusual_sentence(months(values[:10]), rebased_xmr(values[:10], rebase_at=[]), "increase") == (
        "None of the 10 months is unusual: only the usual ups and downs."
    )


def test_more_than_three_unusual_months_are_counted_by_direction() -> None:
    # 50, 51, 50, 51, 50, 51, 50 then 60, 61, 60, 61, 60, 61, 60: mean (4 × 50 + 3 × 51 + 4 × 60 +
    # 3 × 61) / 14 = 776 / 14 = 55.43. Moving ranges: 12 of 1 and one of 10, average 22 / 13 = 1.69;
    # 10 >= 3.267 × 1.69 = 5.53 is screened out: average 1, limits 55.43 ± 2.66 = 52.77 to 58.09.
    # Every month is outside them: the first 7 below (worse, higher being better), the last 7 above.
    values = [50.0, 51.0] * 3 + [50.0] + [60.0, 61.0] * 3 + [60.0]
    chart = rebased_xmr(values, rebase_at=[], improvement_direction="increase")
    assert len(chart.latest_special) == 14
    assert unusual_sentence(months(values), chart, "increase") == "14 of the 14 months were unusual: 7 low (worse) and 7 high (better)."
