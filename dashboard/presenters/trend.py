"""The trend card.

An area with at least 12 monthly values gets its monthly XmR (SPC) chart, whatever the Period
control holds (a monthly indicator opens on a financial year or a span of months, listed
first): limits recalculated at sustained shifts (stats/spc_rebase.py), the months of the
chosen period shaded, each standard drawn only over the months it applied to, and the Making
Data Count icons with their names and meanings. Its caption is three short sentences at most,
plus the key to the icons: how many months since the limits were last set were unusual (and
which way), what the latest month shows, and what that means for the target. An area with 2
to 11 monthly values gets a run chart of them (no limits: too few months), saying so. Any
other series shows the focus area, its alliance and England with interval bands and, for
annual series, a test for a linear trend in plain words.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Sequence
from datetime import date
from typing import Any

import pandas as pd

from dashboard.core.geography import CODE_PREFIX, ENGLAND_CODE, AreaLevel
from dashboard.core.measures import Polarity, Unit
from dashboard.core.selection import Selection
from dashboard.data.registry import Indicator
from dashboard.data.schema import PeriodType
from dashboard.figures.formatting import format_value
from dashboard.figures.layout import with_modelled_mark
from dashboard.figures.trend import TargetSpan, run_figure, spc_figure, trend_figure
from dashboard.presenters.common import (
    NOT_ON_MODELLED,
    alliance_of,
    modelled_statement,
    possessive,
    series_name,
    unit_of,
)
from dashboard.query.explorer import PERIOD_TYPE_LABELS, Explorer
from dashboard.query.trend import SPC_MIN_POINTS, Months, chart_months, only_icb, same_values
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
VARIATION_KEY = ("Variation icon: grey means usual variation; blue, orange or purple means an unusual month that is "
                 "better, worse or neither, with H or L for high or low.")
ASSURANCE_KEY = ("Assurance icon: P means the target is met every month, F that it is missed every month, "
                 "a question mark that it is hit and miss.")
# A special-cause point's kind in words: (high or low, given the better direction; better or worse).
SPECIAL_WORDS = {
    ("special_cause_improvement", "increase"): ("high", "better"),
    ("special_cause_improvement", "decrease"): ("low", "better"),
    ("special_cause_concern", "increase"): ("low", "worse"),
    ("special_cause_concern", "decrease"): ("high", "worse"),
    ("special_cause_neutral_high", "neutral"): ("high", ""),
    ("special_cause_neutral_low", "neutral"): ("low", ""),
}
LEVEL_WORDS = {CODE_PREFIX[AreaLevel.ICB]: "ICB", CODE_PREFIX[AreaLevel.ALLIANCE]: "Cancer Alliance"}

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
    """Says when a target line starts or stops inside the months charted."""
    days = [pd.Timestamp(s).date() for s in months.starts]
    parts = []
    for standard in indicator.standards:
        applies = [standard.applies_to(d) for d in days]
        if any(applies) and not all(applies):
            parts.append(f"The {standard.name} target is drawn only for the months it applied to "
                         f"({month_name(standard.applies_from)}{' on' if standard.applies_until is None else ' to ' + month_name(standard.applies_until)}).")
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
    if period_type == PeriodType.MONTH.value:
        label = month_name(start)
    elif period_type == PeriodType.MULTI_MONTH.value:
        label = f"{month_name(start)} to {month_name(end)}"
    else:
        label = f"{sel.period} ({PERIOD_TYPE_LABELS.get(period_type, period_type)})"
    return inside[0], inside[-1], label


def coverage(months: Months) -> str:
    """"April 2021 to September 2024", and how many months in that span lack a value."""
    span = len(pd.period_range(months.first, months.latest, freq="M"))
    missing = span - len(months.starts)
    return f"{month_name(months.first)} to {month_name(months.latest)}" + (f" ({missing} of {span} months without a value)" if missing else "")


def unusual_sentence(months: Months, chart: RebasedXmR, direction: str) -> str:
    """How many months since the limits were last set show special cause, and which way: the
    icon follows the latest month only, so a stretch with unusual months is never "stable"."""
    segment = chart.segments[-1]
    special = chart.latest_special
    count = segment.end - segment.start
    if chart.rebased_at:
        opening = f"Since {month_name(months.starts[segment.start])} (limits recalculated after a lasting shift), "
        of = f"{len(special)} of {count} months"
    else:
        opening, of = "", f"{len(special)} of the {count} months"
    if not special and opening:
        return f"{opening}none of the {count} months has been unusual: only the usual ups and downs."
    if not special:
        return f"None of the {count} months is unusual: only the usual ups and downs."
    words = [SPECIAL_WORDS[(chart.point_type[i], direction)] for i in special]
    said = [f"{side} ({judged})" if judged else side for side, judged in words]
    if len(special) <= 3:
        listed = [f"{month_name(months.starts[i])} {text}" for i, text in zip(special, said, strict=True)]
    else:
        listed = [f"{n} {text}" for text, n in Counter(said).items()]
    joined = listed[0] if len(listed) == 1 else f"{', '.join(listed[:-1])} and {listed[-1]}"
    text = f"{opening}{of} {'was' if len(special) == 1 else 'were'} unusual: {joined}."
    return text[0].upper() + text[1:]


def latest_sentence(months: Months, chart: RebasedXmR, unit: Unit) -> str:
    """What the latest month shows (what the variation icon shows), with the limits it is read against."""
    seg = chart.latest
    head = f"The latest month, {month_name(months.latest)} ({format_value(months.values[-1], unit)}),"
    if chart.variation_icon == "common_cause":
        return f"{head} is within the process limits ({format_value(seg.lpl, unit)} to {format_value(seg.upl, unit)}): no sign of change."
    nature, side = chart.variation_icon.rsplit("_", 1)
    above = side == "high"
    reasons = {
        "outside_limits": f"{'above the upper' if above else 'below the lower'} process limit ({format_value(seg.upl if above else seg.lpl, unit)})",
        "seven_point_trend": f"the latest of 7 or more months {'rising' if above else 'falling'} in a row",
        "two_in_three": f"one of 2 in 3 months close to the {'upper' if above else 'lower'} process limit ({format_value(seg.upl if above else seg.lpl, unit)})",
        "seven_point_one_side": f"in a run of 7 or more months {'above' if above else 'below'} the mean ({format_value(seg.mean, unit)})",
    }
    reason = reasons.get(chart.rules[-1], f"unusually {side}")
    judged = {"improvement": "unusual, and better", "concern": "unusual, and worse"}.get(nature, "unusual (neither better nor worse)")
    return f"{head} is {reason}: {judged}."


def target_value(value: float, unit: Unit) -> str:
    return f"{value:g}%" if unit == Unit.PERCENT else f"{value:g} {unit}"


def assurance_sentence(indicator: Indicator, months: Months, chart: RebasedXmR) -> str:
    """What the latest limits say of the target in force in the latest month."""
    if not indicator.standards:
        return ""
    standard = indicator.standard_for(months.latest)
    if standard is None:
        return "No target applies to the latest month, so there is no assurance icon."
    seg, icon = chart.latest, chart.assurance_icon
    if icon is None:
        return ""
    named = f"The {target_value(standard.value, indicator.unit)} target"
    if icon == "inconsistent":
        return f"{named} is inside the process limits, so it will be met in some months and missed in others."
    where = "above" if standard.value > seg.upl else "below"
    if icon == "consistent_pass":
        return f"{named} is {where} the process limits, on the good side, so it will be met every month unless the process changes."
    return f"{named} is {where} the process limits, on the wrong side, so it will not be met without a change to the process."


def spc_view(explorer: Explorer, sel: Selection, code: str, months: Months) -> tuple[dict[str, Any], str, str, list[Icon]]:
    """(figure, title, note, icons) of the monthly XmR chart of one area."""
    indicator = explorer.indicator(sel)
    unit = unit_of(explorer, sel)
    direction = IMPROVEMENT_DIRECTION[indicator.polarity]
    standard = indicator.standard_for(months.latest)
    chart = rebased_xmr(months.values, improvement_direction=direction, target=standard.value if standard else None)
    name = series_name(explorer, code)
    title = f"{name}: monthly statistical process control chart, {coverage(months)}"
    note = " ".join(part for part in (
        unusual_sentence(months, chart, direction),
        latest_sentence(months, chart, unit),
        assurance_sentence(indicator, months, chart),
        VARIATION_KEY,
        ASSURANCE_KEY if chart.assurance_icon in ASSURANCE_WORDS else "",
    ) if part)
    figure = spc_figure(
        months.starts, months.values, chart, name=name, unit=unit, improvement_direction=direction,
        targets=target_spans(indicator, months.starts), chosen=chosen_months(explorer, sel, code, months),
    )
    return figure, title, note, spc_icons(chart)


def run_view(explorer: Explorer, sel: Selection, code: str, months: Months) -> tuple[dict[str, Any], str, str, list[Icon]]:
    """(figure, title, note, no icons) of the run chart of an area with 2 to 11 monthly values."""
    indicator = explorer.indicator(sel)
    name = series_name(explorer, code)
    count = len(months.starts)
    note = " ".join(part for part in (
        f"Statistical process control limits need at least {SPC_MIN_POINTS} months; this series has {count}, so none are drawn.",
        target_sentence(indicator, months),
    ) if part)
    figure = run_figure(months.starts, months.values, name=name, unit=unit_of(explorer, sel),
                        targets=target_spans(indicator, months.starts), chosen=chosen_months(explorer, sel, code, months))
    return figure, f"{name}: monthly values, {coverage(months)}", note, []


# --- the series over time -------------------------------------------------------------------------


def distinct_names(explorer: Explorer, codes: list[str]) -> dict[str, str]:
    """Each code's spoken name; where two read alike (an ICB and the alliance it makes up on its
    own: "Lancashire and South Cumbria", "Lancashire & South Cumbria"), each followed by its
    kind ("Lancashire and South Cumbria ICB", "Lancashire & South Cumbria Cancer Alliance"),
    or its full name if it has no short kind."""
    spoken = {code: series_name(explorer, code) for code in codes}
    alike = lambda name: " ".join(name.lower().replace("&", "and").split())  # noqa: E731
    counts = Counter(alike(name) for name in spoken.values())

    def told_apart(code: str, name: str) -> str:
        kind = LEVEL_WORDS.get(code[:3])
        return f"{name} {kind}" if kind else explorer.names.get(code, code)

    return {code: told_apart(code, name) if counts[alike(name)] > 1 else name for code, name in spoken.items()}


def series_title(explorer: Explorer, focus: str, alliance: str, codes: list[str], names: dict[str, str]) -> str:
    """"Norfolk and Waveney over time, with East of England - North and England"; an alliance
    named after its ICB is "its Cancer Alliance" (short, and unambiguous)."""
    others = [names[c] for c in codes[1:]]
    if alliance in codes[1:] and names[alliance] != series_name(explorer, alliance) and focus in explorer.members.get(alliance, ()):
        others[codes[1:].index(alliance)] = "its Cancer Alliance"
    with_ = f", with {others[0] if len(others) == 1 else ', '.join(others[:-1]) + ' and ' + others[-1]}" if others else ""
    return f"{names[focus]} over time{with_}"


# --- the annual trend in words ------------------------------------------------------------------


def _prints_as_zero(value: float, decimals: int) -> bool:
    return value != 0 and float(f"{abs(value):.{decimals}f}") == 0


def _decimals(test: TrendTest) -> int:
    """One decimal, as the rest of the page; two where the slope or a bound that is not 0
    would print as 0.0 (an interval "0.0 to 2.9" reads as touching zero)."""
    values = [v for v in (test.slope, test.slope_lower, test.slope_upper) if math.isfinite(v)]
    return 2 if any(_prints_as_zero(v, 1) for v in values) else 1


def _number(value: float, decimals: int, *, signed: bool = False) -> str:
    text = f"{abs(value):,.{decimals}f}"
    if float(text.replace(",", "")) == 0:
        return text  # never "-0.0"
    if value < 0:
        return MINUS + text
    return f"+{text}" if signed else text


def _bound(value: float, decimals: int) -> str:
    """A bound of the interval; in words where even two decimals would print a bound that is
    not 0 as 0.00."""
    if _prints_as_zero(value, decimals):
        return "just below zero" if value < 0 else "just above zero"
    return _number(value, decimals)


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
    interval = f"the 95% interval for the yearly change runs from {_bound(test.slope_lower, d)} to {_bound(test.slope_upper, d)}"
    if test.slope_lower > 0 or test.slope_upper < 0:
        rising = test.slope > 0
        return (
            f"{'Rising' if rising else 'Falling'} trend: {'up' if rising else 'down'} about {_number(abs(test.slope), d)} {per_year} "
            f"over {years}. This is unlikely to be chance: {interval}, all {'above' if rising else 'below'} zero."
        )
    change = f"less than {10 ** -d:.{d}f}" if _prints_as_zero(test.slope, d) else f"about {_number(test.slope, d, signed=True)}"
    return f"No clear trend: a change of {change} {per_year} over {years}, which could be chance: {interval}, so it includes zero."


def annual_note(values: pd.DataFrame, unit: Unit | str) -> str:
    test = linear_trend(values["value"].to_numpy(), values["lower_ci"].to_numpy(), values["upper_ci"].to_numpy(), unit=str(unit), last=TREND_YEARS)
    return trend_sentence(test, unit, min(TREND_YEARS, len(values))) if test is not None else ""


# --- the card -------------------------------------------------------------------------------------


def trend_view(explorer: Explorer, sel: Selection) -> tuple[dict[str, Any], str, str, list[Icon]]:
    """(figure, title, note, SPC icons)."""
    focus = explorer.focus_area(sel)
    months = chart_months(explorer, sel, focus)
    if months is not None:
        view = spc_view if len(months.starts) >= SPC_MIN_POINTS else run_view
        return view(explorer, sel, focus, months)
    unit = unit_of(explorer, sel)
    focus_rows = explorer.trend_rows(sel, focus)
    values = focus_rows[focus_rows["value"].notna()]
    period_type = str(values["period_type"].iloc[0]) if not values.empty else ""
    codes = [focus]
    alliance = sel.alliance if sel.has_alliance else alliance_of(explorer, sel, focus)
    for code in (alliance, ENGLAND_CODE):  # with no rows (an own file's indicator, given for ICBs alone): neither line nor name
        if code and code not in codes and not explorer.trend_rows(sel, code).empty:
            codes.append(code)
    names = distinct_names(explorer, codes)
    series = [(names[c], explorer.trend_rows(sel, c)) for c in codes]
    title = series_title(explorer, focus, alliance, codes, names)
    notes = []
    statement = modelled_statement(explorer, sel, pd.concat([rows for _, rows in series]))
    if statement:
        notes.append(f"A test for a trend is {NOT_ON_MODELLED}.")
    elif period_type in ANNUAL:
        notes.append(annual_note(values, unit))
    hidden = alliance in codes[1:] and same_values(focus_rows, series[codes.index(alliance)][1])
    if hidden:  # the alliance's line would cover the focus area's
        notes.append(f"{names[focus]} is the alliance's only ICB, so their lines are the same: the ICB's is dashed, on top."
                     if only_icb(explorer, focus, alliance) else
                     f"{possessive(names[focus])} line is the same as {possessive(names[alliance])}: it is dashed, on top.")
    figure = trend_figure(series, unit=unit, on_top=names[focus] if hidden else None)
    return (with_modelled_mark(figure, statement) if statement else figure), title, " ".join(n for n in notes if n), []
