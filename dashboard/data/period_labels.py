"""A row's period label must say its period: the label each period type gives its dates
(dashboard/pipeline/periods.py writes them so). A label such as 'banana', '2023-13', or
'2024-04' on the dates of April 2023 was once accepted, and shown as given."""

from __future__ import annotations

import pandas as pd

from dashboard.data.schema import PeriodType

FIRST_MONTHS_OF_QUARTERS = {4: 1, 7: 2, 10: 3, 1: 4}  # financial-year quarters: April starts Q1


def expected_label(period_type: str, start: pd.Timestamp, end: pd.Timestamp) -> str | None:
    """The label `period_type` gives the dates `start` to `end`; None if no period of that type
    has those dates (a 'month' of 40 days, a financial year from July)."""
    if pd.isna(start) or pd.isna(end) or start.day != 1 or end != end + pd.offsets.MonthEnd(0):
        return None
    months = (end.year - start.year) * 12 + end.month - start.month + 1
    fy = start.year if start.month >= 4 else start.year - 1
    if period_type == PeriodType.CALENDAR_YEAR and start.month == 1 and months == 12:
        return f"{start.year}"
    if period_type == PeriodType.FINANCIAL_YEAR and start.month == 4 and months == 12:
        return f"{fy}-{(fy + 1) % 100:02d}"
    if period_type == PeriodType.QUARTER and start.month in FIRST_MONTHS_OF_QUARTERS and months == 3:
        return f"{fy}-{(fy + 1) % 100:02d} Q{FIRST_MONTHS_OF_QUARTERS[start.month]}"
    if period_type == PeriodType.MONTH and months == 1:
        return f"{start:%Y-%m}"
    if period_type == PeriodType.MULTI_MONTH and months > 1:
        return f"{start:%Y-%m} to {end:%Y-%m}"
    return None


def mislabelled(frame: pd.DataFrame) -> tuple[pd.Series, list[str]]:
    """Rows whose `period` is not the label their period type gives their dates, and up to three
    examples in words. Rows missing any of the four are left to the checks that name them."""
    columns = ["period", "period_type", "period_start", "period_end"]
    known = frame[columns].notna().all(axis=1)
    distinct = frame.loc[known, columns].astype({"period": str, "period_type": str}).drop_duplicates()
    wrong, examples = set(), []
    for period, period_type, start, end in distinct.itertuples(index=False):
        expected = expected_label(period_type, start, end)
        if expected != period:
            wrong.add((period, period_type, start, end))
            said = f"{expected!r}" if expected else f"no {period_type} has these dates"
            examples.append(f"{period[:40]!r} ({period_type}, {start:%Y-%m-%d} to {end:%Y-%m-%d}: {said})")
    if not wrong:
        return pd.Series(False, index=frame.index), []
    keys = pd.Series(list(zip(frame["period"].astype(str), frame["period_type"].astype(str), frame["period_start"], frame["period_end"],
                              strict=True)), index=frame.index)
    return known & keys.isin(wrong), sorted(examples)[:3]
