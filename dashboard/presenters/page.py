"""One function per output family: Selection -> what the page shows. Callbacks call these once.

Everything here is pure (query + views); nothing imports dash.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import numpy as np

from dashboard.data.schema import GROUP_LABELS, GroupDimension
from dashboard.core.geography import ENGLAND_CODE, LEVEL_LABELS, AreaLevel, short_name
from dashboard.query.explorer import Explorer, limit_columns
from dashboard.core.selection import Comparator, Selection
from dashboard.stats.compare import Comparison, compare_with_benchmark
import pandas as pd

from dashboard.stats import funnel, inequality, spc, variation
from dashboard.stats.opportunity import extra_people_per_year, round_people, top_quartile, years_in_period
from dashboard.stats.trend import linear_trend
from dashboard.figures import charts, maps
from dashboard.figures.exports import csv_text, download_filename
from dashboard.figures.formatting import format_value
from dashboard.figures.headline import headline
from dashboard.figures.tables import table_records


def _unit(explorer: Explorer, sel: Selection) -> str:
    return explorer.metadata[sel.indicator]["unit"]


def no_data_reason(explorer: Explorer, sel: Selection) -> str:
    """Why a selection shows nothing, in words; empty when there is data."""
    rows = explorer.level_rows(sel)
    level = LEVEL_LABELS[AreaLevel(sel.level)]
    name = explorer.metadata[sel.indicator]["name"]
    if rows.empty:
        return f"No {level} data for '{name}', {sel.cancer}, {sel.period}, group {sel.group_value}: the source does not publish this combination."
    if rows["value"].isna().all():
        return f"Every {level} value is missing for this selection (too few cases to give a value)."
    return ""


@dataclass(frozen=True)
class MapView:
    properties: dict[str, Any]
    legend: list[tuple[str, str, str]]  # (key, label, colour); empty in value mode
    caption: str
    modelled: bool


def map_view(explorer: Explorer, sel: Selection, geometry: maps.MapGeometry) -> MapView:
    rows = explorer.compared_rows(sel)
    unit = _unit(explorer, sel)
    properties = maps.map_properties(sel=sel, rows=rows, unit=unit, benchmark_name=explorer.benchmark_name(sel), geometry=geometry, names=dict(explorer.names))
    shown = int(rows["value"].notna().sum())
    caption = (
        f"{explorer.metadata[sel.indicator]['name']} ({unit}), {sel.cancer}, {sel.period}: {shown} of the "
        f"{len(rows)} {LEVEL_LABELS[AreaLevel(sel.level)]} areas in the source have a value"
        + ("; grey areas have none (hover says why)." if shown < len(rows) else ".")
    )
    legend = maps.comparison_legend(rows) if sel.colour == "comparison" else []
    return MapView(properties, legend, caption, bool((rows["data_status"] == "modelled").any()))


def ranked_view(explorer: Explorer, sel: Selection) -> dict[str, Any]:
    rows = explorer.compared_rows(sel)
    benchmark = None
    if sel.compare != Comparator.PEERS.value and not rows.empty:
        benchmark = float(rows["benchmark"].iloc[0])
    return charts.ranked_figure(rows, unit=_unit(explorer, sel), benchmark=benchmark, benchmark_name=explorer.benchmark_name(sel), selected_area=sel.area)


def _series_name(explorer: Explorer, code: str) -> str:
    """The name as spoken: 'Lancashire and South Cumbria', not 'NHS … Integrated Care Board'."""
    return short_name(explorer.names.get(code, code))


# National operational standards, drawn as the SPC target line (NHS England).
TARGETS = {"fds_28day": 75.0, "cwt_31day": 96.0, "cwt_62day": 85.0}
SPC_MIN_POINTS = 12


def trend_view(explorer: Explorer, sel: Selection) -> tuple[dict[str, Any], str, str, list[tuple[str, str, str]]]:
    """(figure, title, note). Monthly series: an XmR chart of the focus area. Otherwise the
    focus area, its alliance and England with CI bands, and a test for a linear trend."""
    focus = explorer.focus_area(sel)
    unit = _unit(explorer, sel)
    focus_rows = explorer.trend_rows(sel, focus)
    values = focus_rows[focus_rows["value"].notna()]
    if str(values["period_type"].iloc[0] if not values.empty else "") == "month" and len(values) >= SPC_MIN_POINTS:
        polarity = explorer.metadata[sel.indicator]["polarity"]
        direction = {"higher_is_better": "increase", "lower_is_better": "decrease"}.get(polarity, "neutral")
        target = TARGETS.get(sel.indicator.removesuffix("_commissioner"))
        result = spc.xmr(values["value"].to_numpy(), improvement_direction=direction, target=target)
        title = f"{_series_name(explorer, focus)}: monthly statistical process control (XmR) chart"
        note = f"{spc.describe(result, unit=unit)} {spc_icons_text(result)}"
        figure = charts.spc_figure(values, result, name=_series_name(explorer, focus), unit=unit, target=target)
        return figure, title, note, spc_icons(result)
    codes = [focus]
    alliance = sel.alliance if sel.has_alliance else _alliance_of(explorer, sel, focus)
    for code in (alliance, ENGLAND_CODE):
        if code and code not in codes:
            codes.append(code)
    series = [(_series_name(explorer, c), explorer.trend_rows(sel, c)) for c in codes]
    title = f"{_series_name(explorer, focus)} over time" + (f", with {', '.join(_series_name(explorer, c) for c in codes[1:])}" if len(codes) > 1 else "")
    note = ""
    if str(values["period_type"].iloc[0] if not values.empty else "") == "calendar_year":
        test = linear_trend(values["value"].to_numpy(), values["lower_ci"].to_numpy(), values["upper_ci"].to_numpy(), unit=unit)
        note = test.sentence if test is not None else ""
        if note and (values["data_status"] == "modelled").any():
            note += " The series is MODELLED."
    return charts.trend_figure(series, unit=unit), title, note, []


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


def spc_icons(result) -> list[tuple[str, str, str]]:
    icons = [VARIATION_ICONS[result.variation_icon]] if result.variation_icon in VARIATION_ICONS else []
    if result.assurance_icon in ASSURANCE_ICONS:
        icons.append(ASSURANCE_ICONS[result.assurance_icon])
    return icons


def spc_icons_text(result) -> str:
    parts = [VARIATION_ICON_TEXT.get(result.variation_icon, "")]
    if result.assurance_icon:
        parts.append(ASSURANCE_ICON_TEXT.get(result.assurance_icon, ""))
    return " ".join(p for p in parts if p)


def _alliance_of(explorer: Explorer, sel: Selection, code: str) -> str:
    row = explorer.area_row(sel, code)
    if row is None or row["alliance_code"] is None or str(row["alliance_code"]) in ("", "nan", "<NA>"):
        return ""
    return str(row["alliance_code"])


def groups_view(explorer: Explorer, sel: Selection) -> tuple[dict[str, Any], str]:
    if sel.group == GroupDimension.ALL.value:
        message = "Choose a Group (for example deprivation quintile) to compare groups of patients."
        return charts.empty_figure(message), ""
    focus = explorer.focus_area(sel)
    area_rows = explorer.group_rows(sel, focus)
    england_rows = explorer.group_rows(sel, ENGLAND_CODE) if focus != ENGLAND_CODE else area_rows.iloc[0:0]
    unit = _unit(explorer, sel)
    figure = charts.groups_figure((_series_name(explorer, focus), area_rows), ("England", england_rows), unit=unit)
    sentence = charts.gap_sentence(area_rows, dimension=sel.group, area_name=_series_name(explorer, focus), unit=unit)
    sentence = f"{sentence} {inequality_sentence(explorer, sel, focus)}".strip()
    withheld = area_rows.loc[area_rows["suppression"].astype(str) != "", "group_value"].astype(str).tolist()
    if withheld:
        sentence += f" Withheld to protect small numbers: {', '.join(withheld)}."
    if (area_rows["data_status"] == "modelled").any():
        sentence += " These group figures are MODELLED, not published."
    return figure, sentence


def headline_view(explorer: Explorer, sel: Selection) -> str:
    focus = explorer.focus_area(sel)
    row = explorer.area_row(sel, focus)
    metadata = explorer.metadata[sel.indicator]
    if row is None:
        return no_data_reason(explorer, sel) or f"No figure for {_series_name(explorer, focus)} for this selection."
    if str(row["suppression"]):
        return f"In {sel.period}, the figure for {_series_name(explorer, focus)} is withheld. {row['suppression']}."
    comparing_with_itself = sel.compare == Comparator.ALLIANCE.value and focus in (sel.alliance, explorer.alliance_in_data(sel))
    compare_sel = sel.with_(compare=Comparator.ENGLAND.value) if comparing_with_itself else sel
    if compare_sel.compare == Comparator.PEERS.value:
        compare_sel = compare_sel.with_(compare=Comparator.ENGLAND.value)  # a single area's headline compares with England
    benchmark = float(explorer.benchmarks(compare_sel, row.to_frame().T)[0]) if focus != ENGLAND_CODE else None
    comparison = Comparison.NOT_COMPARED.value
    if benchmark is not None:
        lower_column, upper_column = limit_columns(sel.confidence)
        comparison = str(compare_with_benchmark([row[lower_column]], [row[upper_column]], [benchmark], metadata["polarity"])[0])
    group_label = None if sel.group == GroupDimension.ALL.value else f"{GROUP_LABELS[GroupDimension(sel.group)]}: {sel.group_value}"
    sentence = headline(
        indicator=sel.indicator,
        metadata=metadata,
        cancer=sel.cancer,
        period=sel.period,
        area_name=_series_name(explorer, focus),
        value=row["value"],
        lower=row["lower_ci"],
        upper=row["upper_ci"],
        comparison=comparison,
        benchmark_name=explorer.benchmark_name(compare_sel),
        benchmark=benchmark,
        group_label=group_label,
        modelled=row["data_status"] == "modelled",
    )
    extra = opportunity_sentence(explorer, sel, row, benchmark, explorer.benchmark_name(compare_sel))
    return f"{sentence} {extra}".strip()


OUTCOMES = {
    "early_stage": "diagnosed at stage 1 or 2",
    "stage_completeness": "had their cancer's stage recorded",
    "fds_28day": "told their diagnosis within 28 days",
    "cwt_31day": "treated within 31 days of the decision to treat",
    "cwt_62day": "treated within 62 days of referral",
}


def opportunity_sentence(explorer: Explorer, sel: Selection, row, benchmark: float | None, benchmark_name: str) -> str:
    """'If X matched England (33.9%), about 140 more people a year would have been diagnosed at stage 1 or 2.'"""
    base = sel.indicator.removesuffix("_commissioner")
    metadata = explorer.metadata[sel.indicator]
    if base not in OUTCOMES or metadata["polarity"] != "higher_is_better" or row["data_status"] != "published":
        return ""
    if str(row["area_code"]) == ENGLAND_CODE:
        return ""
    target, target_name = benchmark, benchmark_name
    if sel.compare == Comparator.PEERS.value:
        peers = explorer.peer_rows(sel.with_(level=str(row["area_level"])), str(row["area_code"]))
        target, target_name = top_quartile(peers["value"]), "the top quarter of its peers"
    if target is None:
        return ""
    years = years_in_period(row["period_start"], row["period_end"])
    extra = extra_people_per_year(row["numerator"], row["denominator"], target, years)
    if extra is None:
        return ""
    return (
        f"If {_series_name(explorer, str(row['area_code']))} matched {target_name} ({target:.1f}%), about "
        f"{round_people(extra):,} more {'person' if round_people(extra) == 1 else 'people'} a year would have been {OUTCOMES[base]}."
    )


def table_view(explorer: Explorer, sel: Selection) -> list[dict[str, object]]:
    return table_records(explorer.compared_rows(sel))


def download_view(explorer: Explorer, sel: Selection, *, permalink: str, generated: datetime) -> tuple[str, str]:
    """(file name, CSV text) for exactly the rows of the table."""
    text = csv_text(
        explorer.compared_rows(sel), sel=sel, metadata=explorer.metadata[sel.indicator], permalink=permalink,
        generated=generated, benchmark_name=explorer.benchmark_name(sel),
    )
    return download_filename(sel), text


@functools.lru_cache(maxsize=128)  # exact Poisson limits need root finding: reuse them
def _funnel_limits(kind: str, baseline: float, low: float, high: float) -> funnel.FunnelLimits:
    denominators = np.geomspace(low, high, 100)
    return funnel.proportion_limits(baseline, denominators) if kind == "proportion" else funnel.rate_limits(baseline, denominators)


def funnel_view(explorer: Explorer, sel: Selection) -> tuple[dict[str, Any], str]:
    """Funnel plot of the level's areas around the benchmark, with a line on overdispersion."""
    metadata = explorer.metadata[sel.indicator]
    unit = metadata["unit"]
    rows = explorer.compared_rows(sel)
    rows = rows[rows["value"].notna() & (rows["denominator"] > 0)]
    if unit not in ("%", "per 100,000") or len(rows) < 3:
        return charts.empty_figure("A funnel plot needs a share or a rate for three or more areas"), ""
    benchmark_sel = sel if sel.compare == Comparator.ALLIANCE.value else sel.with_(compare=Comparator.ENGLAND.value)
    baseline = float(explorer.benchmarks(benchmark_sel, rows.head(1))[0])
    if np.isnan(baseline) or baseline <= 0 or (unit == "%" and baseline >= 100):
        return charts.empty_figure("No funnel: the benchmark is 0, 100% or missing, so there is no variation to expect"), ""
    kind = "proportion" if unit == "%" else "rate"
    multiplier = 100 if kind == "proportion" else 100_000
    low, high = max(float(rows["denominator"].min()) * 0.8, 1.0), float(rows["denominator"].max()) * 1.2
    limits = _funnel_limits(kind, baseline, low, high)
    try:
        dispersion = funnel.overdispersion(rows["value"], rows["denominator"], baseline, kind=kind, multiplier=multiplier)
    except ValueError as exc:  # e.g. every area at the same extreme: no z-scores to compute
        return charts.funnel_figure(rows, limits, unit=unit, benchmark_name=explorer.benchmark_name(benchmark_sel), adjusted=None), f"Overdispersion not assessed: {exc}."
    adjusted = funnel.adjusted_limits(limits, dispersion, kind=kind, multiplier=multiplier) if sel.overdispersion == "on" else None
    note = dispersion.sentence
    if sel.overdispersion == "on" and not dispersion.present:
        note += " The limits are unchanged."
    if sel.indicator == "mortality_asr":
        note += " Age-standardised rates are placed against their population as if crude rates: an approximation."
    if (rows["data_status"] == "modelled").any():
        note += " These are MODELLED figures."
    name = explorer.benchmark_name(benchmark_sel)
    return charts.funnel_figure(rows, limits, unit=unit, benchmark_name=name, adjusted=adjusted), note


def variation_view(explorer: Explorer, sel: Selection) -> list[tuple[str, str]]:
    """The variation summary beside the map: (measure, value in words)."""
    rows = explorer.compared_rows(sel)
    rows = rows[rows["value"].notna()]
    unit = _unit(explorer, sel)
    if len(rows) < 2:
        return [("Areas", f"{len(rows)}: too few to summarise variation")]
    observed = expected = None
    england = explorer.area_row(sel, ENGLAND_CODE)
    if england is not None and unit in ("%", "per 100,000") and sel.indicator != "mortality_asr" and float(np.nan_to_num(england["value"])) > 0:
        scale = 100 if unit == "%" else 100_000
        observed = rows["numerator"].to_numpy(dtype=float)
        expected = float(england["value"]) / scale * rows["denominator"].to_numpy(dtype=float)
    if expected is not None and not (expected > 0).all():
        observed = expected = None  # SCV needs a positive expected count in every area
    summary = variation.summarise(rows["value"].to_numpy(dtype=float), observed=observed, expected=expected)
    items = [
        ("Areas", f"{summary.areas}"),
        ("Range", f"{format_value(summary.minimum, unit)} to {format_value(summary.maximum, unit)} ({summary.range:.1f}{' points' if unit == '%' else ''})"),
        ("Fold difference", f"{summary.fold:.2f}× (highest ÷ lowest)"),
        ("90th ÷ 10th percentile", f"{summary.p90_p10:.2f}"),
        ("Coefficient of variation", f"{summary.cv:.1%}"),
    ]
    items.append(("Systematic component (SCV)", f"{summary.scv:.1f}" if summary.scv is not None else "not computed for this indicator"))
    return items


ORDERED = {"imd_quintile", "imd_quintile_males", "imd_quintile_females", "age_band"}
RANK_REPETITIONS = 1000  # Monte Carlo draws per area when ranking many areas; 10,000 for one area


def _inequality(rows, unit: str, repetitions: int):
    """PHE's SII needs every group: none if any group is withheld or has no value or interval."""
    if len(rows) < 3 or rows["value"].isna().any() or rows["lower_ci"].isna().any() or rows["upper_ci"].isna().any():
        return None
    weights = rows["denominator"].fillna(0).to_numpy(dtype=float)
    if weights.sum() <= 0:
        return None
    return inequality.sii(
        rows["value"].to_numpy(dtype=float), weights,
        lower_ci=rows["lower_ci"].to_numpy(dtype=float), upper_ci=rows["upper_ci"].to_numpy(dtype=float),
        repetitions=repetitions,
    )


def inequality_sentence(explorer: Explorer, sel: Selection, code: str) -> str:
    if sel.group not in ORDERED:
        return ""
    rows = explorer.group_rows(sel, code)
    result = _inequality(rows, _unit(explorer, sel), 10_000)
    if result is None:
        return "No slope index of inequality: it needs a value for every group, and some are withheld or missing."
    if not result.rii > 0:  # a ratio of fitted ends is meaningless when one end is at or below zero
        result = dataclasses.replace(result, rii=float("nan"), rii_lower=float("nan"), rii_upper=float("nan"))
    first, last = str(rows["group_value"].iloc[0]), str(rows["group_value"].iloc[-1])
    unit = _unit(explorer, sel)
    return inequality.describe(result, unit="percentage points" if unit == "%" else unit, first=first, last=last)


RANK_COLUMNS = ["area_code", "area_name", "sii", "sii_lower", "sii_upper"]


@functools.lru_cache(maxsize=64)  # depends only on these fields; the Monte Carlo is the slow part
def _rank_by_inequality(explorer: Explorer, indicator: str, cancer: str, period: str, level: str, group: str) -> tuple[pd.DataFrame, bool]:
    sel = Selection(indicator, cancer, period, level, group=group)
    unit = _unit(explorer, sel)
    groups = explorer.group_rows_for(sel)
    groups = groups[groups["area_level"] == level]
    records = []
    for code, rows in groups.groupby(groups["area_code"].astype(str), observed=True):
        result = _inequality(rows.sort_values("group_value", key=lambda s: s.astype(str)), unit, RANK_REPETITIONS)
        if result is not None:
            records.append((code, str(rows["area_name"].iloc[0]), result.sii, result.sii_lower, result.sii_upper))
    return pd.DataFrame(records, columns=RANK_COLUMNS), bool((groups["data_status"] == "modelled").any())


def inequality_rank_view(explorer: Explorer, sel: Selection) -> tuple[dict[str, Any], str]:
    """Areas at the level ranked by the slope index of inequality across the ordered groups."""
    unit = _unit(explorer, sel)
    if sel.group not in ORDERED:
        return charts.inequality_rank_figure(pd.DataFrame(columns=RANK_COLUMNS), unit=unit, selected_area=sel.area), ""
    frame, modelled = _rank_by_inequality(explorer, sel.indicator, sel.cancer, sel.period, sel.level, sel.group)
    note = (
        f"{len(frame)} areas ranked by the slope index of inequality across {GROUP_LABELS[GroupDimension(sel.group)].lower()} "
        f"(the modelled difference from the first group to the last, 95% CI by simulation)."
        + (" These are MODELLED figures: the size of each gap follows the model's stated assumptions." if modelled else "")
    )
    return charts.inequality_rank_figure(frame, unit=unit, selected_area=sel.area), note
