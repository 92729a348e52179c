"""Look-ups over each indicator's table, built once per worker and kept.

A filter change finds its rows by position (a dictionary look-up) instead of comparing
every row of the table; the control options come from the distinct combinations of an
indicator's keys (a few thousand rows) instead of the whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.core.cancers import is_total
from dashboard.data.schema import PeriodType
from dashboard.query.memo import Memo, T

PERIOD_TYPE_ORDER = [  # the Period list: years first, then shorter spans; latest first within each
    PeriodType.CALENDAR_YEAR.value,
    PeriodType.FINANCIAL_YEAR.value,
    PeriodType.MULTI_MONTH.value,
    PeriodType.QUARTER.value,
    PeriodType.MONTH.value,
]


class Lookups:
    """Per-indicator look-ups over read-only tables; each built on first use, or by `warm`."""

    def __init__(self, tables: Mapping[str, pd.DataFrame]) -> None:
        self.tables = tables
        self._built = Memo(size=100_000)  # bounded by the distinct keys of the data: never evicted in practice

    def _index(self, key: Hashable, build: Callable[[], T]) -> T:
        return self._built.get(key, build)

    def warm(self, indicators: list[str] | None = None) -> None:
        """Build every look-up for `indicators` (default: all), so that no user's first change
        in an indicator waits for them."""
        for indicator in self.tables if indicators is None else indicators:
            self._options(indicator)
            self.positions(indicator)
            self.series_positions(indicator)

    def catalogue(self, indicator: str) -> pd.DataFrame:
        """The distinct (cancer, level, period, group) combinations of an indicator's rows, as text:
        a few thousand rows the control options are read from, instead of the whole table."""
        def compute() -> pd.DataFrame:
            columns = ["cancer_type", "area_level", "period", "period_type", "period_start", "group_dimension", "group_value"]
            rows = self.tables[indicator]
            return rows[columns].drop_duplicates().astype({c: str for c in columns if c != "period_start"})

        return self._index(("catalogue", indicator), compute)

    def period_type_of(self, indicator: str, period: str) -> str | None:
        """The type (month, quarter, year…) of one of the indicator's periods."""
        types = self._index(("period_types", indicator), lambda: dict(zip(self.catalogue(indicator)["period"], self.catalogue(indicator)["period_type"], strict=True)))
        return types.get(period)

    def positions(self, indicator: str) -> dict[tuple[str, ...], np.ndarray]:
        """Row positions of each (cancer, period, group dimension, group value) in the indicator's
        table: a filter change looks its rows up instead of scanning the whole table."""
        def index() -> dict[tuple[str, ...], np.ndarray]:
            rows = self.tables[indicator]
            keys = ["cancer_type", "period", "group_dimension", "group_value"]
            groups = rows.groupby(keys, observed=True, sort=False).indices  # categorical keys: no strings made
            return dict(groups)  # keys are tuples of str: the categories are text

        return self._index(("positions", indicator), index)

    def series_positions(self, indicator: str) -> dict[tuple[str, ...], np.ndarray]:
        """Row positions of each area's series (cancer, group, group value, period type, area):
        the trend card looks its rows up instead of scanning the table."""
        def index() -> dict[tuple[str, ...], np.ndarray]:
            keys = ["cancer_type", "group_dimension", "group_value", "period_type", "area_code"]
            groups = self.tables[indicator].groupby(keys, observed=True, sort=False).indices
            return dict(groups)  # keys are tuples of str: the categories are text

        return self._index(("series_positions", indicator), index)


    def _options(self, indicator: str) -> OptionIndex:
        """What each control may offer, for every choice of the controls above it: built in one
        pass over the distinct combinations, then every question is a dictionary look-up."""
        def build() -> OptionIndex:
            combos = self.catalogue(indicator)
            index = OptionIndex()
            order = {t: i for i, t in enumerate(PERIOD_TYPE_ORDER)}
            periods: dict[tuple[str, str], dict[str, tuple[int, pd.Timestamp, str]]] = {}
            for cancer, level, period, period_type, start, dimension, value in combos.itertuples(index=False):
                index.cancers.add(cancer)
                index.levels.setdefault(cancer, set()).add(level)
                periods.setdefault((cancer, level), {})[period] = (order[period_type], start, period_type)
                index.group_dimensions.setdefault((cancer, level, period), set()).add(dimension)
                index.group_values.setdefault((cancer, period, dimension), set()).add(value)
            for key, found in periods.items():  # years first, then shorter spans; latest first within each
                ranked = sorted(found.items(), key=lambda item: (item[1][0], -item[1][1].value))
                index.periods[key] = [(period, period_type) for period, (_, _, period_type) in ranked]
            return index

        return self._index(("options", indicator), build)

    def area_count(self, indicator: str, level: str) -> int:
        """How many areas of `level` the indicator has rows for (any cancer, period or group)."""
        def count() -> dict[str, int]:
            rows = self.tables[indicator]
            return {str(k): int(v) for k, v in rows.groupby("area_level", observed=True)["area_code"].nunique().items()}

        return self._index(("area_count", indicator), count).get(level, 0)

    def cancers(self, indicator: str) -> list[str]:
        """Cancer types with rows, the all-cancers total first."""
        return sorted(self._options(indicator).cancers, key=lambda c: (not is_total(c), c))

    def levels(self, indicator: str, cancer: str) -> frozenset[str]:
        return frozenset(self._options(indicator).levels.get(cancer, ()))

    def periods(self, indicator: str, cancer: str, level: str) -> list[tuple[str, str]]:
        """(period, period type) with rows, in the Period list's order."""
        return list(self._options(indicator).periods.get((cancer, level), ()))

    def group_dimensions(self, indicator: str, cancer: str, level: str, period: str) -> frozenset[str]:
        return frozenset(self._options(indicator).group_dimensions.get((cancer, level, period), ()))

    def group_values(self, indicator: str, cancer: str, period: str, group: str) -> frozenset[str]:
        return frozenset(self._options(indicator).group_values.get((cancer, period, group), ()))


@dataclass
class OptionIndex:
    """One indicator's option look-ups (see `Lookups._options`)."""

    cancers: set[str] = field(default_factory=set)
    levels: dict[str, set[str]] = field(default_factory=dict)
    periods: dict[tuple[str, str], list[tuple[str, str]]] = field(default_factory=dict)
    group_dimensions: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)
    group_values: dict[tuple[str, str, str], set[str]] = field(default_factory=dict)


def split_by_indicator(table: pd.DataFrame) -> dict[str, pd.DataFrame]:
    """Each indicator's rows, in table order, indexed from 0: what splitting by `groupby` gives.

    When each indicator's rows are one run (the build writes the table sorted by its key), each
    is a view of its run: no second copy of the table. Otherwise, `groupby`'s (a copy)."""
    ids = table["indicator_id"]
    if isinstance(ids.dtype, pd.CategoricalDtype) and len(table):
        codes = ids.array.codes
        starts = np.concatenate([[0], np.flatnonzero(codes[1:] != codes[:-1]) + 1])
        stops = np.append(starts[1:], len(codes))
        runs = codes[starts]
        if len(set(runs.tolist())) == len(runs):  # no indicator in two runs
            names = ids.cat.categories
            return {str(names[c]): table.iloc[a:b].reset_index(drop=True) for c, a, b in zip(runs, starts, stops, strict=True) if c >= 0}
    return {str(i): frame.reset_index(drop=True) for i, frame in table.groupby("indicator_id", observed=True)}
