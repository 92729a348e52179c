"""How numbers are shown: one rounding rule for the screen, the hover, the table and the CSV."""

from __future__ import annotations

import calendar
import math
import re

from dashboard.core.measures import Unit

VALUE_DECIMALS = 1  # percentages and rates are shown, and downloaded, to 1 decimal place


def is_missing(value: object) -> bool:
    return value is None or (isinstance(value, float) and math.isnan(value))


def round_value(value: float | None) -> float | None:
    return None if is_missing(value) else round(float(value), VALUE_DECIMALS)


def round_count(value: float | None) -> float | int | None:
    """Counts are whole, except NHS England's half-patients in shared 62-day pathways."""
    if is_missing(value):
        return None
    value = float(value)
    return int(value) if value.is_integer() else round(value, 1)


def format_value(value: float | None, unit: Unit | str) -> str:
    if is_missing(value):
        return "no value"
    unit = Unit(unit)
    if unit is Unit.PERCENT:
        return f"{value:.{VALUE_DECIMALS}f}%"
    if unit is Unit.PEOPLE:
        return f"{value:,.0f} people"
    return f"{value:,.{VALUE_DECIMALS}f} {unit}"


def format_interval(lower: float | None, upper: float | None, unit: Unit | str) -> str:
    if is_missing(lower) or is_missing(upper):
        return "no interval"
    suffix = "%" if Unit(unit) is Unit.PERCENT else ""
    return f"{lower:,.{VALUE_DECIMALS}f}{suffix} to {upper:,.{VALUE_DECIMALS}f}{suffix}"


def format_count(value: float | None) -> str:
    rounded = round_count(value)
    return "-" if rounded is None else f"{rounded:,}"


MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
FINANCIAL_YEAR = re.compile(r"^(\d{4})-(\d{2})$")


def period_words(period: str) -> str:
    """A period as a sentence says it: "September 2024" for "2024-09", "the financial year
    2023-24" for "2023-24", a calendar year as it is ("In 2024-09" read as a range of years)."""
    if match := MONTH.match(period):
        return f"{calendar.month_name[int(match.group(2))]} {match.group(1)}"
    if (months := period.split(" to ")) and len(months) == 2 and all(MONTH.match(m) for m in months):
        return f"{period_words(months[0])} to {period_words(months[1])}"
    if (match := FINANCIAL_YEAR.match(period)) and int(match.group(2)) == (int(match.group(1)) + 1) % 100:
        return f"the financial year {period}"
    return period
