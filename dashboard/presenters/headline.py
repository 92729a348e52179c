"""The headline: one sentence a board member can read aloud, and what closing the gap would mean."""

from __future__ import annotations

import re

import pandas as pd

from dashboard.core.geography import ENGLAND_CODE
from dashboard.core.measures import Polarity
from dashboard.core.selection import Comparator, Selection
from dashboard.data.schema import GROUP_LABELS, DataStatus, GroupDimension
from dashboard.figures.formatting import format_value, period_words
from dashboard.figures.headline import headline
from dashboard.presenters.common import modelled_statement, no_data_reason, series_name
from dashboard.query.explorer import Explorer, limit_columns
from dashboard.stats.compare import Comparison, compare_with_benchmark
from dashboard.stats.opportunity import (
    extra_people_per_year,
    round_people,
    top_quartile,
    years_in_period,
)


MODELLED_IN_HEADLINE = "MODELLED: not compared with a benchmark (the model's assumption is noted on the map)."
NO_PEER_BENCHMARK = "Not compared with peers: an area among its peers has a withheld figure, so they are not pooled."
NOT_POOLABLE = "Not compared with peers: peers are pooled from counts, which this indicator (a count, or an age-standardised rate) does not allow."


def headline_view(explorer: Explorer, sel: Selection) -> str:
    focus = explorer.focus_area(sel)
    row = explorer.area_row(sel, focus)
    indicator = explorer.indicator(sel)
    if row is None:
        return no_data_reason(explorer, sel) or f"No figure for {series_name(explorer, focus)} for this selection."
    if str(row["suppression"]):
        return f"In {period_words(sel.period)}, the figure for {series_name(explorer, focus)} is withheld. {row['suppression']}."
    compare_sel = headline_comparison(explorer, sel, focus)
    benchmark = focus_benchmark(explorer, compare_sel, row) if focus != ENGLAND_CODE else None
    comparison = Comparison.NOT_COMPARED.value
    if benchmark is not None and row["data_status"] != DataStatus.MODELLED.value:
        lower_column, upper_column = limit_columns(sel.confidence)
        comparison = str(compare_with_benchmark([row[lower_column]], [row[upper_column]], [benchmark], indicator.polarity)[0])
    group_label = None if sel.group == GroupDimension.ALL.value else f"{GROUP_LABELS[GroupDimension(sel.group)]}: {sel.group_value}"
    sentence = headline(
        indicator=indicator,
        cancer=sel.cancer,
        period=sel.period,
        area_name=series_name(explorer, focus),
        value=row["value"],
        lower=row["lower_ci"],
        upper=row["upper_ci"],
        comparison=comparison,
        benchmark_name=explorer.benchmark_name(compare_sel),
        benchmark=benchmark,
        group_label=group_label,
        modelled=row["data_status"] == DataStatus.MODELLED.value,
    )
    statement = modelled_statement(explorer, sel, row.to_frame().T)
    if sel.compare == Comparator.PEERS.value and benchmark is None and focus != ENGLAND_CODE and not statement:
        sentence += f" {NO_PEER_BENCHMARK if explorer.peers_comparable(sel) else NOT_POOLABLE}"
    if statement:
        # The assumption itself is on the map (its MODELLED note) and in every chart of these figures:
        # here it made the headline five lines long, and a headline that grows moves the map.
        return f"{sentence} {MODELLED_IN_HEADLINE}"
    extra = opportunity_sentence(explorer, sel, row, benchmark, explorer.benchmark_name(compare_sel))
    return f"{sentence} {extra}".strip()


def headline_comparison(explorer: Explorer, sel: Selection, focus: str) -> Selection:
    """The selection whose benchmark the headline uses: an alliance is never compared with itself."""
    comparing_with_itself = sel.compare == Comparator.ALLIANCE.value and focus in (sel.alliance, explorer.alliance_in_data(sel))
    return sel.with_(compare=Comparator.ENGLAND.value) if comparing_with_itself else sel


def focus_benchmark(explorer: Explorer, sel: Selection, row: pd.Series) -> float | None:
    """The benchmark the map and the ranked chart give the focus area: with peers, its own peer
    group's pooled value among areas of its level (none where peers are not comparable)."""
    if sel.compare != Comparator.PEERS.value:
        return float(explorer.benchmarks(sel, row.to_frame().T)[0])
    rows = explorer.compared_rows(sel.with_(level=str(row["area_level"])))
    found = rows.loc[rows["area_code"] == row["area_code"], "benchmark"]
    return float(found.iloc[0]) if len(found) and pd.notna(found.iloc[0]) else None


def opportunity_sentence(explorer: Explorer, sel: Selection, row: pd.Series, benchmark: float | None, benchmark_name: str) -> str:
    """'If X matched England (33.9%), about 140 more people a year would have been diagnosed at stage 1 or 2.'"""
    indicator = explorer.indicator(sel)
    if indicator.phrases is None or not indicator.unit.is_share or indicator.polarity is not Polarity.HIGHER_IS_BETTER or row["data_status"] != DataStatus.PUBLISHED.value:
        return ""
    if str(row["area_code"]) == ENGLAND_CODE:
        return ""
    target, target_name = benchmark, benchmark_name
    if sel.compare == Comparator.PEERS.value:
        peers = explorer.peer_rows(sel.with_(level=str(row["area_level"])), str(row["area_code"]))
        if peers.empty or (peers["suppression"].astype(str) != "").any():
            return ""  # as for the peer benchmark: not against a set of peers with one withheld
        target, target_name = top_quartile(peers["value"]), "the top quarter of its peers"
    if target is None:
        return ""
    years = years_in_period(row["period_start"], row["period_end"])
    extra = extra_people_per_year(row["numerator"], row["denominator"], target, years)
    if extra is None:
        return ""
    people = round_people(extra)
    return (
        f"If {series_name(explorer, str(row['area_code']))} matched {target_name} ({target:.1f}%), about "
        f"{people:,} more {'person' if people == 1 else 'people'} a year would have been {indicator.phrases.outcome}."
    )


def key_figure(explorer: Explorer, sel: Selection) -> str:
    """The headline's number alone (presentation mode shows it large): the focus area's value,
    or "" when it has none or it is withheld."""
    row = explorer.area_row(sel, explorer.focus_area(sel))
    if row is None or str(row["suppression"]) or pd.isna(row["value"]):
        return ""
    return format_value(float(row["value"]), explorer.indicator(sel).unit) + (" (modelled)" if row["data_status"] == DataStatus.MODELLED.value else "")


def caveat_line(explorer: Explorer, sel: Selection) -> str:
    """The statistical caveats in one line, for a shared screen: the interval, the benchmark, the
    source, and the marks a reader must not miss (modelled figures, withheld small numbers)."""
    indicator = explorer.indicator(sel)
    focus = explorer.focus_area(sel)
    row = explorer.area_row(sel, focus)
    if row is not None and row["data_status"] == DataStatus.MODELLED.value:
        parts = ["MODELLED estimates: no interval, never compared"]  # the interval and the benchmark do not apply
    else:
        parts = [f"{sel.confidence}% intervals", f"compared with {explorer.benchmark_name(headline_comparison(explorer, sel, focus))}"]
        if explorer.modelled_in_view(sel):
            parts.append("MODELLED figures never compared")
    parts.append("Source: " + re.sub(r"\s*\([^()]*/\)", "", indicator.source))
    if indicator.counts_people:
        parts.append("counts of 1 to 4 withheld")
    return " · ".join(parts)
