"""One sentence a board member can read aloud, generated from the data."""

from __future__ import annotations

from collections.abc import Mapping

from dashboard.stats.compare import Comparison
from dashboard.figures.formatting import format_interval, format_value, is_missing

COMPARISON_PHRASES = {
    Comparison.BETTER.value: "significantly {direction} than",
    Comparison.WORSE.value: "significantly {direction} than",
    Comparison.HIGHER.value: "significantly higher than",
    Comparison.LOWER.value: "significantly lower than",
    Comparison.SIMILAR.value: "similar to",
}


def _subject(indicator: str, cancer: str) -> str:
    site = cancer.lower()
    if indicator == "early_stage":
        return "of staged cancers" if cancer.startswith("All") else f"of staged {site} cancers"
    if indicator == "stage_completeness":
        return "of cancers diagnosed" if cancer.startswith("All") else f"of {site} cancers diagnosed"
    if indicator.startswith(("fds_28day", "cwt_")):
        if cancer.startswith("All suspected"):
            return "of people referred with suspected cancer"
        if cancer.startswith("Suspected"):
            return f"of people referred with {site}"
        return "of people with cancer" if cancer.startswith("All") else f"of people with {site} cancer"
    return ""


PREDICATES = {
    "early_stage": "were diagnosed at stage 1 or 2",
    "stage_completeness": "had a stage recorded",
    "fds_28day": "were told their diagnosis within 28 days",
    "cwt_31day": "started treatment within 31 days of the decision to treat",
    "cwt_62day": "started a first treatment within 62 days of referral",
}


def headline(
    *,
    indicator: str,
    metadata: Mapping[str, str],
    cancer: str,
    period: str,
    area_name: str,
    value: float | None,
    lower: float | None,
    upper: float | None,
    comparison: str,
    benchmark_name: str,
    benchmark: float | None,
    group_label: str | None,
    modelled: bool,
) -> str:
    unit = metadata["unit"]
    if is_missing(value):
        return f"In {period}, there is no {metadata['name'].lower()} figure for {area_name} for this selection."
    base = indicator.removesuffix("_commissioner")
    group = f" ({group_label}{', modelled' if modelled else ''})" if group_label else (" (modelled)" if modelled else "")
    ci = "" if is_missing(lower) or is_missing(upper) else f" (95% CI {format_interval(lower, upper, unit)})"
    if base in PREDICATES:
        sentence = f"In {period}, {format_value(value, unit)} {_subject(base, cancer)}{group} in {area_name} {PREDICATES[base]}{ci}"
    else:
        what = metadata["name"].lower() + ("" if cancer in ("Not applicable",) or cancer.startswith("All") else f", {cancer.lower()}")
        sentence = f"In {period}, {what}{group} in {area_name} was {format_value(value, unit)}{ci}"
    if comparison in COMPARISON_PHRASES and not is_missing(benchmark) and benchmark_name != area_name:
        higher = float(value) > float(benchmark)
        phrase = COMPARISON_PHRASES[comparison].format(direction="higher" if higher else "lower")
        verdict = {Comparison.BETTER.value: ", which is better", Comparison.WORSE.value: ", which is worse"}.get(comparison, "")
        sentence += f", {phrase} {benchmark_name} ({format_value(benchmark, unit)}){verdict}"
    return sentence + "."
