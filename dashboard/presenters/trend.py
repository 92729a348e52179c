"""The trend card.

An area with at least 12 monthly values gets its monthly XmR (SPC) chart, whatever the Period
control holds (a monthly indicator opens on a financial year, listed first): limits
recalculated at sustained shifts (stats/spc_rebase.py), the months of the chosen period
shaded, each standard drawn only over the months it applied to, and the Making Data Count
icons with their names and meanings. Any other series shows the focus area, its alliance
and England with interval bands and, for annual series, a test for a linear trend in plain
words.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from dashboard.core.geography import ENGLAND_CODE
from dashboard.core.measures import Polarity, Unit
from dashboard.core.selection import Selection
from dashboard.data.registry import Indicator
from dashboard.data.schema import PeriodType
from dashboard.figures.layout import with_modelled_mark
from dashboard.figures.trend import TargetSpan, spc_figure, trend_figure
from dashboard.presenters.common import (
    NOT_ON_MODELLED,
    alliance_of,
    modelled_statement,
    series_name,
    unit_of,
)
from dashboard.query.explorer import PERIOD_TYPE_LABELS, Explorer
from dashboard.query.trend import Months, spc_months
from dashboard.stats import spc
from dashboard.stats.spc_rebase import RebasedXmR, rebased_xmr
from dashboard.stats.trend import TrendTest, linear_trend

ANNUAL = (PeriodType.CALENDAR_YEAR.value, PeriodType.FINANCIAL_YEAR.value)
TREND_YEARS = 5  # linear_trend's window: the last five annual points
# A change in a percentage is in percentage points: "up 1.5 %" would read as 1.5% of the value.
CHANGE_UNITS = {Unit.PERCENT: "percentage points", Unit.PER_100K: "per 100,000", Unit.PEOPLE: "people"}
NUMBER_WORDS = {3: "three", 4: "four", 5: "five", 6: "six", 7: "seven", 8: "eight", 9: "nine", 10: "ten"}
MINUS = "\u2212"

IMPROVEMENT_DIRECTION = {Polarity.HIGHER_IS_BETTER: "increase", Polarity.LOWER_IS_BETTER: "decrease", Polarity.NEITHER: "neutral"}

# (what the badge says, what it means): the badge shows the first, its tooltip and spoken
# label both, and the caption explains the icons shown.
VARIATION_WORDS = {
    "common_cause": ("Common cause: no significant change", "the latest month is within the usual range, with no unusual pattern"),
    "improvement_high": ("Special cause: improvement (high)", "the latest month is unusually high, and higher is better"),
    "improvement_low": ("Special cause: improvement (low)", "the latest month is unusually low, and lower is better"),
    "concern_high": ("Special cause: concern (high)", "the latest month is unusually high, and lower is better"),
    "concern_low": ("Special cause: concern (low)", "the latest month is unusually low, and higher is better"),
    "neutral_high": ("Special cause: neither improvement nor concern (high)", "the latest month is unusually high; higher is neither better nor worse"),
    "neutral_low": ("Special cause: neither improvement nor concern (low)", "the latest month is unusually low; lower is neither better nor worse"),
}
ASSURANCE_WORDS = {
    "consistent_pass": ("Assurance: target met consistently", "the target is outside the process limits on the good side, so it will be met every month unless the process changes"),
    "consistent_fail": ("Assurance: target missed consistently", "the target is outside the process limits on the wrong side, so it will not be met without a change to the process"),
    "inconsistent": ("Assurance: target hit and miss", "the target is inside the process limits, so it will be met in some months and missed in others"),
}
ASSURANCE_FILES = {"consistent_pass": "pass", "consistent_fail": "fail", "inconsistent": "hit-and-miss"}
ICON_KEY = (  # the key to the icons, in words (the badges above the chart carry their own names)
    "Variation icon: grey means usual variation; blue, orange or purple means an unusual month that is better, "
    "worse or neither, with H or L for high or low. Assurance icon: P means the target is met every month, "
    "F that it is missed every month, a question mark that it is hit and miss."
)

Icon = tuple[str, str, str]  # (css classes, visible label, tooltip and spoken label)


def month_name(day: date | str) -> str:
    return pd.Timestamp(day).strftime("%B %Y")


# --- icons --------------------------------------------------------------------------------------


def spc_icons(chart: RebasedXmR) -> list[Icon]:
    """The variation icon, then the assurance icon when there is one, each with its words."""
    text, meaning = VARIATION_WORDS[chart.variation_icon]
    icons = [(f"mdc-icon mdc-variation-{chart.variation_icon.replace('_', '-')}", text, f"{text}: {meaning}")]
    if chart.assurance_icon in ASSURANCE_WORDS:
        text, meaning = ASSURANCE_WORDS[chart.assurance_icon]
        icons.append((f"mdc-icon mdc-assurance-{ASSURANCE_FILES[chart.assurance_icon]}", text, f"{text}: {meaning}"))
    return icons


# --- targets ------------------------------------------------------------------------------------


def target_spans(indicator: Indicator, starts: Sequence[str]) -> list[TargetSpan]:
    """Each standard across the consecutive months it applied to, and nowhere else."""
    spans: list[TargetSpan] = []
    days = [pd.Timestamp(s).date() for s in starts]
    for standard in indicator.standards:
        applies = [standard.applies_to(d) for d in days]
        if not any(applies):
            continue
        since = f", from {pd.Timestamp(standard.applies_from):%b %Y}" if not applies[0] else ""
        legend = f"Target: {standard.name}{since}"
        first = None
        for i, on in enumerate([*applies, False]):
            if on and first is None:
                first = i
            elif not on and first is not None:
                spans.append(TargetSpan(legend, standard.value, first, i - 1))
                first = None
    return spans


def target_sentence(indicator: Indicator, months: Months) -> str:
    """Says when the target line starts or stops, and why there is no assurance without one."""
    days = [pd.Timestamp(s).date() for s in months.starts]
    parts = []
    for standard in indicator.standards:
        applies = [standard.applies_to(d) for d in days]
        if any(applies) and not all(applies):
            parts.append(f"The {standard.name} target is drawn only for the months it applied to "
                         f"({month_name(standard.applies_from)}{' on' if standard.applies_until is None else ' to ' + month_name(standard.applies_until)}).")
    if indicator.standards and indicator.standard_for(months.latest) is None:
        parts.append("No target applies to the latest month, so there is no assurance icon.")
    return " ".join(parts)


# --- the SPC view ---------------------------------------------------------------------------------


def chosen_months(explorer: Explorer, sel: Selection, code: str, months: Months) -> tuple[int, int, str] | None:
    """(first, last, label) of the charted months inside the period the Period control holds."""
    row = explorer.area_row(sel, code)
    if row is None:
        return None
    start, end = pd.Timestamp(row["period_start"]), pd.Timestamp(row["period_end"])
    inside = [i for i, s in enumerate(months.starts) if start <= pd.Timestamp(s) <= end]
    if not inside:
        return None
    period_type = str(row["period_type"])
    label = month_name(start) if period_type == PeriodType.MONTH.value else f"{sel.period} ({PERIOD_TYPE_LABELS.get(period_type, period_type)})"
    return inside[0], inside[-1], label


def coverage(months: Months) -> str:
    span = len(pd.period_range(months.first, months.latest, freq="M"))
    missing = f"; {span - len(months.starts)} without a value" if span > len(months.starts) else ""
    return f"{month_name(months.first)} to {month_name(months.latest)} ({span} months{missing})"


def rebase_sentence(months: Months, chart: RebasedXmR) -> str:
    if not chart.rebased_at:
        return ""
    when = " and ".join(month_name(months.starts[i]) for i in chart.rebased_at)
    text = f"Limits recalculated from {when}, where a sustained shift began (a run of at least 7 months on one side of the mean)."
    if chart.segments[-1].trial:
        text += f" The latest limits rest on {chart.segments[-1].end - chart.segments[-1].start} months: trial limits until there are 12."
    return text


def spc_view(explorer: Explorer, sel: Selection, code: str, months: Months) -> tuple[dict[str, Any], str, str, list[Icon]]:
    """(figure, title, note, icons) of the monthly XmR chart of one area."""
    indicator = explorer.indicator(sel)
    unit = unit_of(explorer, sel)
    direction = IMPROVEMENT_DIRECTION[indicator.polarity]
    standard = indicator.standard_for(months.latest)
    chart = rebased_xmr(months.values, improvement_direction=direction, target=standard.value if standard else None)
    name = series_name(explorer, code)
    title = f"{name}: monthly statistical process control (XmR) chart, {month_name(months.first)} to {month_name(months.latest)}"
    reading = spc.describe(chart.latest, unit=unit)
    if chart.rebased_at:  # the icons and words are the latest segment's
        reading = f"Since {month_name(months.starts[chart.segments[-1].start])}: {reading[0].lower()}{reading[1:]}"
    note = " ".join(part for part in (
        f"Monthly values, {coverage(months)}, shown whatever period is chosen above.",
        rebase_sentence(months, chart),
        reading,
        target_sentence(indicator, months),
        ICON_KEY,
    ) if part)
    figure = spc_figure(
        months.starts, months.values, chart, name=name, unit=unit, improvement_direction=direction,
        targets=target_spans(indicator, months.starts), chosen=chosen_months(explorer, sel, code, months),
    )
    return figure, title, note, spc_icons(chart)


# --- the series over time -------------------------------------------------------------------------


def distinct_names(explorer: Explorer, codes: list[str]) -> dict[str, str]:
    """Each code's spoken name, or its full name where two spoken names read alike: an ICB and
    the alliance it makes up on its own ("Lancashire and South Cumbria", "Lancashire & South
    Cumbria") are otherwise two lines of one name."""
    spoken = {code: series_name(explorer, code) for code in codes}
    alike = lambda name: " ".join(name.lower().replace("&", "and").split())  # noqa: E731
    counts = Counter(alike(name) for name in spoken.values())
    return {code: explorer.names.get(code, code) if counts[alike(name)] > 1 else name for code, name in spoken.items()}


# --- the annual trend in words ------------------------------------------------------------------


def _decimals(test: TrendTest) -> int:
    """Two significant figures of the interval's half-width; more where a bound that excludes
    zero would otherwise print as 0 (an interval "0.0 to 3.1" called significant confuses)."""
    half = (test.slope_upper - test.slope_lower) / 2
    reference = half if math.isfinite(half) and half > 0 else abs(test.slope) or 1.0
    decimals = int(min(6, max(0, 1 - math.floor(math.log10(reference)))))
    nearest = min(abs(test.slope_lower), abs(test.slope_upper))
    excludes_zero = test.slope_lower > 0 or test.slope_upper < 0
    while excludes_zero and decimals < 6 and round(nearest, decimals) == 0:
        decimals += 1
    return decimals


def _number(value: float, decimals: int, *, signed: bool = False) -> str:
    text = f"{abs(value):,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return text  # never "-0.0"
    if value < 0:
        return MINUS + text
    return f"+{text}" if signed else text


def trend_sentence(test: TrendTest, unit: Unit | str, window: int) -> str:
    """The trend for someone who does not read statistics: which way, how fast, and whether it
    could be chance, with the 95% interval kept and said what it means.

    "Unlikely to be chance" is said exactly when the interval excludes zero (p < 0.05: the
    test and the interval use the same normal quantile), so the words and the numbers agree.
    """
    d = _decimals(test)
    size = CHANGE_UNITS.get(Unit(unit), str(unit)) if unit else ""
    per_year = f"{size} a year" if size else "a year"
    years = f"the last {NUMBER_WORDS.get(window, str(window))} years" + (f" ({test.points} with a value)" if test.points < window else "")
    interval = f"{_number(test.slope_lower, d)} to {_number(test.slope_upper, d)}"
    if test.slope_lower > 0 or test.slope_upper < 0:
        rising = test.slope > 0
        return (
            f"{'Rising' if rising else 'Falling'} trend: {'up' if rising else 'down'} about {_number(abs(test.slope), d)} {per_year} "
            f"over {years}. This is unlikely to be chance: the 95% interval for the yearly change, {interval}, "
            f"is all {'above' if rising else 'below'} zero."
        )
    return (
        f"No clear trend: a change of about {_number(test.slope, d, signed=True)} {per_year} over {years}, "
        f"which could be chance: the 95% interval for the yearly change, {interval}, includes zero."
    )


def annual_note(values: pd.DataFrame, unit: Unit | str) -> str:
    test = linear_trend(values["value"].to_numpy(), values["lower_ci"].to_numpy(), values["upper_ci"].to_numpy(), unit=str(unit), last=TREND_YEARS)
    return trend_sentence(test, unit, min(TREND_YEARS, len(values))) if test is not None else ""


# --- the card -------------------------------------------------------------------------------------


def trend_view(explorer: Explorer, sel: Selection) -> tuple[dict[str, Any], str, str, list[Icon]]:
    """(figure, title, note, SPC icons)."""
    focus = explorer.focus_area(sel)
    months = spc_months(explorer, sel, focus)
    if months is not None:
        return spc_view(explorer, sel, focus, months)
    unit = unit_of(explorer, sel)
    focus_rows = explorer.trend_rows(sel, focus)
    values = focus_rows[focus_rows["value"].notna()]
    period_type = str(values["period_type"].iloc[0]) if not values.empty else ""
    codes = [focus]
    alliance = sel.alliance if sel.has_alliance else alliance_of(explorer, sel, focus)
    for code in (alliance, ENGLAND_CODE):
        if code and code not in codes:
            codes.append(code)
    names = distinct_names(explorer, codes)
    series = [(names[c], explorer.trend_rows(sel, c)) for c in codes]
    title = f"{names[focus]} over time" + (f", with {', '.join(names[c] for c in codes[1:])}" if len(codes) > 1 else "")
    note = ""
    statement = modelled_statement(explorer, sel, pd.concat([rows for _, rows in series]))
    if statement:
        note = f"A test for a trend is {NOT_ON_MODELLED}."
    elif period_type in ANNUAL:
        note = annual_note(values, unit)
    figure = trend_figure(series, unit=unit)
    return (with_modelled_mark(figure, statement) if statement else figure), title, note, []
