"""One sentence a board member can read aloud, generated from the data."""

from __future__ import annotations

from dashboard.core.cancers import names_no_site
from dashboard.data.registry import Indicator
from dashboard.figures.formatting import format_interval, format_value, is_missing, period_words
from dashboard.stats.compare import Comparison

COMPARISON_PHRASES = {
    Comparison.BETTER.value: "significantly {direction} than",
    Comparison.WORSE.value: "significantly {direction} than",
    Comparison.HIGHER.value: "significantly higher than",
    Comparison.LOWER.value: "significantly lower than",
    Comparison.SIMILAR.value: "similar to",
}


def headline(
    *,
    indicator: Indicator,
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
    unit = indicator.unit
    period = period_words(period)
    if is_missing(value):
        return f"In {period}, there is no {indicator.name.lower()} figure for {area_name} for this selection."
    group = f" ({group_label}{', modelled' if modelled else ''})" if group_label else (" (modelled)" if modelled else "")
    ci = "" if is_missing(lower) or is_missing(upper) else f" (95% CI {format_interval(lower, upper, unit)})"
    if indicator.phrases is not None:
        phrases = indicator.phrases
        sentence = f"In {period}, {format_value(value, unit)} {phrases.subject(cancer)}{group} in {area_name} {phrases.predicate}{ci}"
    else:
        what = indicator.name.lower() + ("" if names_no_site(cancer) else f", {cancer.lower()}")
        sentence = f"In {period}, {what}{group} in {area_name} was {format_value(value, unit)}{ci}"
    if comparison in COMPARISON_PHRASES and not is_missing(benchmark) and benchmark_name != area_name:
        higher = float(value) > float(benchmark)
        phrase = COMPARISON_PHRASES[comparison].format(direction="higher" if higher else "lower")
        verdict = {Comparison.BETTER.value: ", which is better", Comparison.WORSE.value: ", which is worse"}.get(comparison, "")
        sentence += f", {phrase} {benchmark_name} ({format_value(benchmark, unit)}){verdict}"
    return sentence + "."
