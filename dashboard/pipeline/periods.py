"""Period labels and dates, one convention for every indicator.

Labels sort in time order as strings within a period type:
calendar year "2022"; financial year "2023-24"; financial quarter "2023-24 Q1"
(Q1 = April-June); month "2023-04"; a run of months "2023-04 to 2023-09".
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from dashboard.data.schema import PeriodType


@dataclass(frozen=True)
class Period:
    label: str
    start: pd.Timestamp
    end: pd.Timestamp
    kind: PeriodType


def calendar_year(year: int) -> Period:
    return Period(str(year), pd.Timestamp(year, 1, 1), pd.Timestamp(year, 12, 31), PeriodType.CALENDAR_YEAR)


def month(year: int, month_number: int) -> Period:
    start = pd.Timestamp(year, month_number, 1)
    return Period(f"{year}-{month_number:02d}", start, start + pd.offsets.MonthEnd(0), PeriodType.MONTH)


def financial_year_of(year: int, month_number: int) -> int:
    """The calendar year in which the financial year (April to March) starts."""
    return year if month_number >= 4 else year - 1


def financial_year(start_year: int) -> Period:
    label = f"{start_year}-{(start_year + 1) % 100:02d}"
    return Period(label, pd.Timestamp(start_year, 4, 1), pd.Timestamp(start_year + 1, 3, 31), PeriodType.FINANCIAL_YEAR)


def financial_quarter(year: int, month_number: int) -> Period:
    fy = financial_year_of(year, month_number)
    quarter = ((month_number - 4) % 12) // 3 + 1
    start = pd.Timestamp(fy, 4, 1) + pd.DateOffset(months=3 * (quarter - 1))
    end = start + pd.DateOffset(months=3) - pd.Timedelta(days=1)
    return Period(f"{financial_year(fy).label} Q{quarter}", start, end, PeriodType.QUARTER)


def month_span(first: Period, last: Period) -> Period:
    return Period(f"{first.label} to {last.label}", first.start, last.end, PeriodType.MULTI_MONTH)
