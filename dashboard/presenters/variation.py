"""The variation summary beside the map: how much the level's areas differ, in words."""

from __future__ import annotations

import numpy as np

from dashboard.core.geography import ENGLAND_CODE
from dashboard.core.selection import Selection
from dashboard.figures.formatting import format_value
from dashboard.presenters.common import NOT_ON_MODELLED, modelled_statement, unit_of
from dashboard.query.explorer import Explorer
from dashboard.stats import variation


def ratio_text(ratio: float, suffix: str, undefined_because: str, decimals: int = 2) -> str:
    """A ratio in words, or why there is none (a division by 0), never "nan"."""
    return f"none: {undefined_because}" if not np.isfinite(ratio) else f"{ratio:.{decimals}f}{suffix}"


# McPherson et al. (1982), as the NHS Atlas of Variation reads the systematic component (x100):
# above 5.4 high, above 10 very high.
SCV_HIGH, SCV_VERY_HIGH = 5.4, 10.0


def scv_text(scv: float) -> str:
    """The systematic component of variation in words, the figure in brackets. It is an estimate
    (observed spread minus the spread chance alone gives), so it can fall below 0: that reads as
    no variation beyond chance, never as a negative amount of variation."""
    if scv < 0:
        return f"none beyond chance (estimate {scv:.1f}, below 0: the areas differ no more than chance alone would make them)"
    if scv == 0:
        return f"none beyond chance (estimate {scv:.1f})"
    level = "very high" if scv > SCV_VERY_HIGH else "high" if scv > SCV_HIGH else "some, but low"
    return f"{level} ({scv:.1f}; above {SCV_HIGH} is high, above {SCV_VERY_HIGH:.0f} very high)"


def variation_view(explorer: Explorer, sel: Selection) -> list[tuple[str, str]]:
    """(measure, value in words) pairs."""
    rows = explorer.compared_rows(sel)
    rows = rows[rows["value"].notna()]
    unit = unit_of(explorer, sel)
    if len(rows) < 2:
        return [("Areas", f"{len(rows)}: too few to summarise variation")]
    observed = expected = None
    england = explorer.area_row(sel, ENGLAND_CODE)
    # The systematic component needs counts expected at England's crude rate: not meaningful
    # for an age-standardised rate, and undefined for a count.
    if england is not None and unit.scale is not None and not explorer.indicator(sel).age_standardised and float(np.nan_to_num(england["value"])) > 0:
        observed = rows["numerator"].to_numpy(dtype=float)
        expected = float(england["value"]) / unit.scale * rows["denominator"].to_numpy(dtype=float)
    if expected is not None and not (expected > 0).all():
        observed = expected = None  # SCV needs a positive expected count in every area
    statement = modelled_statement(explorer, sel, rows)
    if statement:
        observed = expected = None
    summary = variation.summarise(rows["value"].to_numpy(dtype=float), observed=observed, expected=expected)
    return [
        ("Areas", f"{summary.areas}"),
        ("Range", f"{format_value(summary.minimum, unit)} to {format_value(summary.maximum, unit)} ({summary.range:.1f}{' points' if unit.is_share else ''})"),
        ("Fold difference", ratio_text(summary.fold, "× (highest ÷ lowest)", "the lowest area's value is 0")),
        ("90th ÷ 10th percentile", ratio_text(summary.p90_p10, "", "the 10th percentile is 0")),
        ("Coefficient of variation", ratio_text(summary.cv * 100, "%", "the mean is 0", decimals=1)),
        ("Variation beyond chance (SCV)", scv_text(summary.scv) if summary.scv is not None else (NOT_ON_MODELLED if statement else "not computed for this indicator")),
    ] + ([("MODELLED", statement)] if statement else [])
