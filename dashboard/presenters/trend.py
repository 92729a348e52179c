"""The trend card. A monthly series long enough gets an XmR (SPC) chart of the focus area;
any other series shows the focus area, its alliance and England with interval bands, and
a test for a linear trend across calendar years."""

from __future__ import annotations

from collections import Counter

from typing import Any

import pandas as pd

from dashboard.core.geography import ENGLAND_CODE
from dashboard.core.measures import Polarity
from dashboard.core.selection import Selection
from dashboard.data.schema import PeriodType
from dashboard.figures.layout import with_modelled_mark
from dashboard.figures.trend import spc_figure, trend_figure
from dashboard.presenters.common import (
    NOT_ON_MODELLED,
    alliance_of,
    modelled_statement,
    series_name,
    unit_of,
)
from dashboard.query.explorer import Explorer
from dashboard.stats import spc
from dashboard.stats.trend import linear_trend

SPC_MIN_POINTS = 12  # fewer months give limits too unstable to read (Making Data Count guidance)
IMPROVEMENT_DIRECTION = {Polarity.HIGHER_IS_BETTER: "increase", Polarity.LOWER_IS_BETTER: "decrease", Polarity.NEITHER: "neutral"}

VARIATION_ICON_TEXT = {
    "common_cause": "Variation icon: common cause (grey).",
    "improvement_high": "Variation icon: special cause, improving (high).",
    "improvement_low": "Variation icon: special cause, improving (low).",
    "concern_high": "Variation icon: special cause, concerning (high).",
    "concern_low": "Variation icon: special cause, concerning (low).",
    "neutral_high": "Variation icon: special cause, neither improving nor concerning (high).",
    "neutral_low": "Variation icon: special cause, neither improving nor concerning (low).",
}
ASSURANCE_ICON_TEXT = {
    "consistent_pass": "Assurance icon: the target will be consistently met (P).",
    "consistent_fail": "Assurance icon: the target will be consistently missed (F).",
    "inconsistent": "Assurance icon: hit and miss, the target will be met some months and not others (?).",
}
# (css class, letter, spoken label) for the Making Data Count icons.
VARIATION_ICONS = {
    "common_cause": ("icon-common", "~", "Common cause variation"),
    "improvement_high": ("icon-improve", "H", "Special cause improvement, high"),
    "improvement_low": ("icon-improve", "L", "Special cause improvement, low"),
    "concern_high": ("icon-concern", "H", "Special cause concern, high"),
    "concern_low": ("icon-concern", "L", "Special cause concern, low"),
    "neutral_high": ("icon-neutral", "H", "Special cause, neither, high"),
    "neutral_low": ("icon-neutral", "L", "Special cause, neither, low"),
}
ASSURANCE_ICONS = {
    "consistent_pass": ("icon-pass", "P", "Target consistently met"),
    "consistent_fail": ("icon-fail", "F", "Target consistently missed"),
    "inconsistent": ("icon-hitmiss", "?", "Target hit and miss"),
}

Icon = tuple[str, str, str]


def spc_icons(result: spc.XmR) -> list[Icon]:
    icons = [VARIATION_ICONS[result.variation_icon]] if result.variation_icon in VARIATION_ICONS else []
    if result.assurance_icon in ASSURANCE_ICONS:
        icons.append(ASSURANCE_ICONS[result.assurance_icon])
    return icons


def spc_icons_text(result: spc.XmR) -> str:
    parts = [VARIATION_ICON_TEXT.get(result.variation_icon, "")]
    if result.assurance_icon:
        parts.append(ASSURANCE_ICON_TEXT.get(result.assurance_icon, ""))
    return " ".join(p for p in parts if p)


def distinct_names(explorer: Explorer, codes: list[str]) -> dict[str, str]:
    """Each code's spoken name, or its full name where two spoken names read alike: an ICB and
    the alliance it makes up on its own ("Lancashire and South Cumbria", "Lancashire & South
    Cumbria") are otherwise two lines of one name."""
    spoken = {code: series_name(explorer, code) for code in codes}
    alike = lambda name: " ".join(name.lower().replace("&", "and").split())  # noqa: E731
    counts = Counter(alike(name) for name in spoken.values())
    return {code: explorer.names.get(code, code) if counts[alike(name)] > 1 else name for code, name in spoken.items()}


def trend_view(explorer: Explorer, sel: Selection) -> tuple[dict[str, Any], str, str, list[Icon]]:
    """(figure, title, note, SPC icons)."""
    focus = explorer.focus_area(sel)
    unit = unit_of(explorer, sel)
    focus_rows = explorer.trend_rows(sel, focus)
    values = focus_rows[focus_rows["value"].notna()]
    period_type = str(values["period_type"].iloc[0]) if not values.empty else ""
    if period_type == PeriodType.MONTH.value and len(values) >= SPC_MIN_POINTS:
        indicator = explorer.indicator(sel)
        standard = indicator.standard_for(values["period_start"].iloc[-1].date())
        target = standard.value if standard else None
        result = spc.xmr(values["value"].to_numpy(), improvement_direction=IMPROVEMENT_DIRECTION[indicator.polarity], target=target)
        title = f"{series_name(explorer, focus)}: monthly statistical process control (XmR) chart"
        note = f"{spc.describe(result, unit=unit)} {spc_icons_text(result)}"
        figure = spc_figure(values, result, name=series_name(explorer, focus), unit=unit, target=target)
        return figure, title, note, spc_icons(result)
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
    elif period_type == PeriodType.CALENDAR_YEAR.value:
        test = linear_trend(values["value"].to_numpy(), values["lower_ci"].to_numpy(), values["upper_ci"].to_numpy(), unit=unit)
        note = test.sentence if test is not None else ""
    figure = trend_figure(series, unit=unit)
    return (with_modelled_mark(figure, statement) if statement else figure), title, note, []
