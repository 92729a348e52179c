"""How numbers are shown: one rounding rule for the screen, the hover, the table and the CSV."""

from __future__ import annotations

import math

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
