"""Shared steps that turn a builder's counts into rows of the indicator table."""

from __future__ import annotations

import numpy as np
import pandas as pd

from dashboard.core.geography import AreaLevel
from dashboard.data.schema import COLUMNS, DataStatus, GroupDimension
from dashboard.pipeline.areas import AreaIndex
from dashboard.pipeline.indicators import INDICATORS
from dashboard.pipeline.periods import Period
from dashboard.stats.intervals import wilson_interval

ALL = "All"


def with_period(frame: pd.DataFrame, periods: pd.Series) -> pd.DataFrame:
    """Add period, period_start, period_end, period_type from a Series of Period objects."""
    return frame.assign(
        period=[p.label for p in periods],
        period_start=[p.start for p in periods],
        period_end=[p.end for p in periods],
        period_type=[p.kind.value for p in periods],
    )


def proportion_rows(frame: pd.DataFrame) -> pd.DataFrame:
    """value and Wilson 95% limits, as percentages, from numerator and denominator."""
    lower, upper = wilson_interval(frame["numerator"], frame["denominator"], 0.95)
    with np.errstate(divide="ignore", invalid="ignore"):
        value = np.where(frame["denominator"] > 0, frame["numerator"] / frame["denominator"], np.nan)
    return frame.assign(value=value * 100, lower_ci=lower * 100, upper_ci=upper * 100)


def finish(frame: pd.DataFrame, index: AreaIndex, *, source: str, status: DataStatus = DataStatus.PUBLISHED) -> pd.DataFrame:
    """Fill names, alliance, indicator metadata and status; return the schema's columns in order.

    `frame` must carry indicator_id, area_level, area_code, period columns, cancer_type,
    group_dimension, group_value, numerator, denominator, value, lower_ci, upper_ci.
    """
    out = frame.copy()
    out["indicator_name"] = out["indicator_id"].map(lambda i: INDICATORS[i].name)
    out["unit"] = out["indicator_id"].map(lambda i: INDICATORS[i].unit.value)
    if "ci_method" not in out:
        out["ci_method"] = out["indicator_id"].map(lambda i: INDICATORS[i].ci_description)
    out["area_name"] = out["area_code"].map(index.names)
    alliance = pd.Series(index=out.index, dtype="object")
    for level, rows in out.groupby("area_level").groups.items():
        alliance.loc[rows] = index.alliance_of(AreaLevel(level), out.loc[rows, "area_code"])
    out["alliance_code"] = alliance
    out["alliance_name"] = alliance.map(lambda code: index.name_of(code) if isinstance(code, str) else None)
    if "data_status" not in out:
        out["data_status"] = status.value
    if "source" not in out:
        out["source"] = source
    return out[list(COLUMNS)].astype(COLUMNS)


def aggregate_up(
    frame: pd.DataFrame,
    index: AreaIndex,
    *,
    from_level: AreaLevel,
    to_levels: tuple[AreaLevel, ...],
    keys: list[str],
    sums: list[str],
) -> pd.DataFrame:
    """Sum counts from one level to its parents (and England), keeping the other keys."""
    from dashboard.core.geography import ENGLAND_CODE

    pieces = []
    for level in to_levels:
        if level == AreaLevel.COUNTRY:
            parent = pd.Series(ENGLAND_CODE, index=frame.index)
        else:
            parent = frame["area_code"].map(index.parent_map(from_level, level))
        grouped = frame.assign(area_code=parent).groupby(["area_code", *keys], as_index=False, dropna=False)[sums].sum()
        pieces.append(grouped.assign(area_level=level.value))
    return pd.concat(pieces, ignore_index=True)


def all_groups(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.assign(group_dimension=GroupDimension.ALL.value, group_value=ALL)


def period_series(frame: pd.DataFrame, make: callable, *columns: str) -> pd.Series:
    """Period objects for each row, made once per distinct key (fast on big frames)."""
    keys = list(zip(*(frame[c] for c in columns), strict=True))
    cache: dict[tuple, Period] = {}
    return pd.Series([cache.setdefault(k, make(*k)) for k in keys], index=frame.index)
