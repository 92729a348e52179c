"""Slope index of inequality across an ordered group dimension, for one area or every area.

PHE's SII needs every group: there is none when any group is withheld, missing or has no
interval. Ranking every area draws a Monte Carlo interval per area, the slow part of a
filter change, so the ranking is memoised per explorer and choice.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.core.selection import Selection
from dashboard.data.schema import DataStatus
from dashboard.query.explorer import Explorer
from dashboard.stats import inequality
from dashboard.stats.inequality import Inequality

RANK_REPETITIONS = 1000  # Monte Carlo draws per area when ranking many areas
AREA_REPETITIONS = 10_000  # for one area's sentence
RANK_COLUMNS = ["area_code", "area_name", "sii", "sii_lower", "sii_upper"]


def sii_of(rows: pd.DataFrame, repetitions: int) -> Inequality | None:
    """The SII across `rows` (one area's groups, in order); None when any group lacks a value or limits."""
    if len(rows) < 3 or rows[["value", "lower_ci", "upper_ci"]].isna().any().any():
        return None
    weights = rows["denominator"].fillna(0).to_numpy(dtype=float)
    if weights.sum() <= 0:
        return None
    return inequality.sii(
        rows["value"].to_numpy(dtype=float), weights,
        lower_ci=rows["lower_ci"].to_numpy(dtype=float), upper_ci=rows["upper_ci"].to_numpy(dtype=float),
        repetitions=repetitions,
    )


def rank_by_inequality(explorer: Explorer, sel: Selection) -> tuple[pd.DataFrame, bool]:
    """(every area at the level with its SII and interval, whether any group figure is modelled).

    Depends only on indicator, cancer, period, level and group, so it is remembered under
    those alone and other choices (comparator, colour, area) share the result.
    """
    key = Selection(sel.indicator, sel.cancer, sel.period, sel.level, group=sel.group)
    return explorer.memo(("inequality_ranking", key), lambda: _rank(explorer, key))


def _rank(explorer: Explorer, sel: Selection) -> tuple[pd.DataFrame, bool]:
    groups = explorer.group_rows_for(sel)
    groups = groups[groups["area_level"] == sel.level]
    position = {value: i for i, value in enumerate(explorer.group_order(sel))}
    records = []
    modelled = bool((groups["data_status"] == DataStatus.MODELLED.value).any())
    if modelled:  # no slope index on modelled groups: it would measure the model's assumptions
        return pd.DataFrame(columns=RANK_COLUMNS), True
    # Arrays once, then one slice per area (a pandas sort per area cost most of a filter change).
    ordered = groups.assign(_order=groups["group_value"].astype(str).map(position)).sort_values(["area_code", "_order"], kind="stable")
    codes = ordered["area_code"].astype(str).to_numpy()
    names = ordered["area_name"].astype(str).to_numpy()
    arrays = {c: ordered[c].to_numpy(dtype=float) for c in ("value", "lower_ci", "upper_ci", "denominator")}
    starts = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.array([], dtype=int)
    for start, end in zip(starts, [*starts[1:], len(codes)], strict=True):
        area = {c: values[start:end] for c, values in arrays.items()}
        result = _sii_of_arrays(area, RANK_REPETITIONS)
        if result is not None:
            records.append((codes[start], names[start], result.sii, result.sii_lower, result.sii_upper))
    return pd.DataFrame(records, columns=RANK_COLUMNS), False


def _sii_of_arrays(area: dict[str, np.ndarray], repetitions: int) -> Inequality | None:
    """`sii_of` on one area's arrays (value, lower_ci, upper_ci, denominator), groups in order."""
    if len(area["value"]) < 3 or np.isnan(np.column_stack([area["value"], area["lower_ci"], area["upper_ci"]])).any():
        return None
    weights = np.nan_to_num(area["denominator"], nan=0.0)
    if weights.sum() <= 0:
        return None
    return inequality.sii(area["value"], weights, lower_ci=area["lower_ci"], upper_ci=area["upper_ci"], repetitions=repetitions)
