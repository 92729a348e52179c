import pandas as pd
import pytest

from dashboard.pipeline.periods import (
    calendar_year,
    financial_quarter,
    financial_year,
    month,
)


@pytest.mark.parametrize(
    ("year", "month_number", "label", "start", "end"),
    [
        (2023, 4, "2023-24 Q1", "2023-04-01", "2023-06-30"),
        (2023, 12, "2023-24 Q3", "2023-10-01", "2023-12-31"),
        (2024, 3, "2023-24 Q4", "2024-01-01", "2024-03-31"),
    ],
)
def test_financial_quarter(year, month_number, label, start, end) -> None:
    period = financial_quarter(year, month_number)
    assert (period.label, period.start, period.end) == (label, pd.Timestamp(start), pd.Timestamp(end))


def test_other_periods() -> None:
    assert financial_year(2021).label == "2021-22"
    assert financial_year(2021).end == pd.Timestamp("2022-03-31")
    assert month(2024, 2).end == pd.Timestamp("2024-02-29")
    assert calendar_year(2022).label == "2022"
