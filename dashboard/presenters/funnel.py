"""The funnel card: areas against the limits expected by chance around the benchmark."""

from __future__ import annotations

from typing import Any

import numpy as np

from dashboard.core.measures import Unit
from dashboard.core.selection import Comparator, Selection
from dashboard.data.schema import DataStatus
from dashboard.figures.funnel import funnel_figure
from dashboard.figures.layout import empty_figure
from dashboard.presenters.common import NOT_ON_MODELLED
from dashboard.query.explorer import Explorer
from dashboard.stats import funnel

MIN_AREAS = 3
LIMIT_POINTS = 60  # points along each limit line: smooth on a log axis, and less for every change to send and draw


def funnel_limits(unit: Unit, baseline: float, low: float, high: float) -> funnel.FunnelLimits:
    denominators = np.geomspace(low, high, LIMIT_POINTS)
    return funnel.proportion_limits(baseline, denominators) if unit.is_share else funnel.rate_limits(baseline, denominators)


def dispersion_note(dispersion: funnel.Overdispersion, widened: bool) -> str:
    """What the limits drawn allow for, given the finding and the "Funnel limits" choice: the
    finding's own sentence says the limits allow for overdispersion, true only when widened."""
    if not dispersion.present:
        return dispersion.sentence + (" The limits are unchanged." if widened else "")
    if widened:
        return dispersion.sentence
    return (
        f"Areas vary more than chance alone explains (overdispersion: phi = {dispersion.phi:.1f}, where about 1 is "
        "chance alone), so more fall outside these limits, which allow for chance only. Choose \"Allow for "
        "overdispersion\" to widen them for variation between areas (Spiegelhalter's additive random-effects method)."
    )


def funnel_benchmark(sel: Selection) -> Selection:
    """The selection whose benchmark centres the funnel: the alliance when chosen, otherwise
    England (peers have no single value to centre on)."""
    return sel if sel.compare == Comparator.ALLIANCE.value else sel.with_(compare=Comparator.ENGLAND.value)


def funnel_view(explorer: Explorer, sel: Selection) -> tuple[dict[str, Any], str]:
    """Funnel plot of the level's areas around the benchmark, with a line on overdispersion."""
    indicator = explorer.indicator(sel)
    unit = indicator.unit
    rows = explorer.compared_rows(sel)
    if (rows["data_status"] == DataStatus.MODELLED.value).any():
        return empty_figure("No funnel: these figures are MODELLED, so whether an area falls outside chance is not a finding"), f"A funnel plot is {NOT_ON_MODELLED}."
    rows = rows[rows["value"].notna() & (rows["denominator"] > 0)]
    if unit.scale is None or len(rows) < MIN_AREAS:
        return empty_figure("A funnel plot needs a share or a rate for three or more areas"), ""
    benchmark_sel = funnel_benchmark(sel)
    baseline = float(explorer.benchmarks(benchmark_sel, rows.head(1))[0])
    if np.isnan(baseline) or baseline <= 0 or (unit.is_share and baseline >= 100):
        return empty_figure("No funnel: the benchmark is 0, 100% or missing, so there is no variation to expect"), ""
    kind = "proportion" if unit.is_share else "rate"
    low, high = max(float(rows["denominator"].min()) * 0.8, 1.0), float(rows["denominator"].max()) * 1.2
    limits = explorer.memo(("funnel_limits", unit, baseline, low, high), lambda: funnel_limits(unit, baseline, low, high))
    name = explorer.benchmark_name(benchmark_sel)
    try:
        dispersion = funnel.overdispersion(rows["value"], rows["denominator"], baseline, kind=kind, multiplier=unit.scale)
    except ValueError as exc:  # e.g. every area at the same extreme: no z-scores to compute
        return funnel_figure(rows, limits, unit=unit, benchmark_name=name, adjusted=None), f"Overdispersion not assessed: {exc}."
    adjusted = funnel.adjusted_limits(limits, dispersion, kind=kind, multiplier=unit.scale) if sel.widens_for_overdispersion else None
    note = dispersion_note(dispersion, sel.widens_for_overdispersion)
    if sel.compare == Comparator.PEERS.value:
        note += f" The funnel is centred on {name}: peers of similar deprivation have no single value to centre on."
    if indicator.age_standardised:
        note += " Age-standardised rates are placed against their population as if crude rates: an approximation."
    return funnel_figure(rows, limits, unit=unit, benchmark_name=name, adjusted=adjusted), note
