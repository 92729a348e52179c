"""The vocabulary every layer uses to describe an indicator: unit, polarity, interval method.

Enums, not strings, so a typo is an error rather than a silent fall-through. Their
values are what the data products store (the `unit` column, the metadata JSON).
"""

from __future__ import annotations

from enum import StrEnum


class Unit(StrEnum):
    PERCENT = "%"
    PER_100K = "per 100,000"
    PEOPLE = "people"

    @property
    def scale(self) -> float | None:
        """What a share or rate is 'per': 100 for a percentage, 100,000 for a rate; None for a count."""
        return {Unit.PERCENT: 100.0, Unit.PER_100K: 100_000.0}.get(self)

    @property
    def is_share(self) -> bool:
        return self is Unit.PERCENT


class Polarity(StrEnum):
    HIGHER_IS_BETTER = "higher_is_better"
    LOWER_IS_BETTER = "lower_is_better"
    NEITHER = "neither"


class CiMethod(StrEnum):
    """How an indicator's confidence limits are made (one method per indicator)."""

    WILSON = "wilson"  # shares: Wilson score, from numerator and denominator
    DOBSON = "dobson"  # directly age-standardised rates: Dobson's method
    POISSON = "poisson"  # crude rates: exact Poisson below 10 events, Byar's approximation from 10
    NONE = "none"  # counts and descriptions of the population: no interval
