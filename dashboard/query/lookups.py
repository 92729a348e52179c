"""Look-ups over each indicator's table, built once per worker and kept.

A filter change finds its rows by position (a dictionary look-up) instead of comparing
every row of the table; the control options come from the distinct combinations of an
indicator's keys (a few thousand rows) instead of the whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from dashboard.core.cancers import is_total
from dashboard.data.schema import PeriodType
from dashboard.data.tables import IndicatorTables
from dashboard.query.memo import Memo, T

# Row look-ups kept per worker, by partition (one indicator, cancer type and group dimension): every partition's
# when the table is in memory; when it is read from a store, those of the last few used (each
# is about 16 bytes a row), so that memory stays bounded however much data there is.
PARTITION_LOOKUPS_KEPT_IN_MEMORY = 4_096
PARTITION_LOOKUPS_KEPT_FROM_STORE = 16

PERIOD_TYPE_ORDER = [  # the Period list: years first, then shorter spans; latest first within each
    PeriodType.CALENDAR_YEAR.value,
    PeriodType.FINANCIAL_YEAR.value,
    PeriodType.MULTI_MONTH.value,
    PeriodType.QUARTER.value,
    PeriodType.MONTH.value,
]


class Lookups:
    """Look-ups over read-only tables: per indicator (options), built on first use or by `warm`,
    and kept; per partition (row positions), kept while used."""

    def __init__(self, tables: IndicatorTables) -> None:
        self.tables = tables
        self._built = Memo(size=100_000)  # bounded by the distinct keys of the data: never evicted in practice
        kept = PARTITION_LOOKUPS_KEPT_IN_MEMORY if tables.held_in_memory else PARTITION_LOOKUPS_KEPT_FROM_STORE
        self._by_partition = Memo(size=kept)

    def _index(self, key: Hashable, build: Callable[[], T]) -> T:
        return self._built.get(key, build)

    def warm(self, indicators: list[str] | None = None, pause: Callable[[], None] | None = None) -> None:
        """Build the look-ups for `indicators` (default: all), so that no user's first change in an
        indicator waits for them: the options; and when the whole table is, or fits, in memory,
        its rows and their positions. `pause()` is called before each step (a few milliseconds
        of work each), so that requests being served come first."""
        step = pause or (lambda: None)
        for indicator in self.tables if indicators is None else indicators:
            for cancer in self.cancers(indicator):
                step()
                self._options(indicator, cancer)
        if self.tables.held_in_memory:  # then the rows too: a store that fits is read whole now
            for indicator, cancer, group in self.tables.partition_keys():
                if indicators is None or indicator in indicators:
                    step()
                    self.tables.partition(indicator, cancer, group)
                    self.positions(indicator, cancer, group)
                    self.series_positions(indicator, cancer, group)

    def catalogue(self, indicator: str) -> pd.DataFrame:
        """The distinct (cancer, level, period, group) combinations of an indicator's rows: a few
        thousand rows the control options are read from, instead of the whole table."""
        return self._index(("catalogue", indicator), lambda: self.tables.catalogue(indicator))

    def period_type_of(self, indicator: str, period: str) -> str | None:
        """The type (month, quarter, year…) of one of the indicator's periods."""
        types = self._index(("period_types", indicator), lambda: dict(zip(self.catalogue(indicator)["period"], self.catalogue(indicator)["period_type"], strict=True)))
        return types.get(period)

    def positions(self, indicator: str, cancer: str, group: str) -> dict[tuple[str, ...], np.ndarray]:
        """Row positions of each (period, group value) in the partition of `indicator`, `cancer`
        and `group`: a filter change looks its rows up instead of scanning them."""
        return self._by_partition.get(("slice", indicator, cancer, group), lambda: self.tables.row_index(indicator, cancer, group, "slice"))

    def series_positions(self, indicator: str, cancer: str, group: str) -> dict[tuple[str, ...], np.ndarray]:
        """Row positions of each area's series (group value, period type, area) in the partition:
        the trend card looks its rows up instead of scanning them."""
        return self._by_partition.get(("series", indicator, cancer, group), lambda: self.tables.row_index(indicator, cancer, group, "series"))

    def _cancer_rows(self, indicator: str) -> dict[str, np.ndarray]:
        """Positions in the indicator's catalogue of each cancer type's combinations."""
        def build() -> dict[str, np.ndarray]:
            return {str(k): v for k, v in self.catalogue(indicator).groupby("cancer_type", observed=True, sort=False).indices.items()}

        return self._index(("cancer_rows", indicator), build)

    def _options(self, indicator: str, cancer: str) -> OptionIndex:
        """What each control below "Cancer type" may offer, for every choice of the controls above
        it: built in one pass over the cancer's distinct combinations, then every question is a
        dictionary look-up."""
        def build() -> OptionIndex:
            index = OptionIndex()
            found = self._cancer_rows(indicator).get(cancer)
            if found is None:
                return index
            combos = self.catalogue(indicator).take(found)
            order = {t: i for i, t in enumerate(PERIOD_TYPE_ORDER)}
            starts = combos["period_start"].to_numpy().astype("datetime64[ns]").astype(np.int64)
            columns = [combos[c].to_numpy() for c in ("area_level", "period", "period_type", "group_dimension", "group_value")]
            periods: dict[str, dict[str, tuple[int, int, str]]] = {}
            for (level, period, period_type, dimension, value), start in zip(zip(*columns, strict=True), starts, strict=True):
                index.levels.add(level)
                periods.setdefault(level, {})[period] = (order[period_type], int(start), period_type)
                index.group_dimensions.setdefault((level, period), set()).add(dimension)
                index.group_values.setdefault((period, dimension), set()).add(value)
            for level, listed in periods.items():  # years first, then shorter spans; latest first within each
                ranked = sorted(listed.items(), key=lambda item: (item[1][0], -item[1][1]))
                index.periods[level] = [(period, period_type) for period, (_, _, period_type) in ranked]
            # Kept as tuples: a set costs four times the memory, and there is one per period.
            index.group_dimensions = {key: tuple(found) for key, found in index.group_dimensions.items()}  # type: ignore[misc]
            index.group_values = {key: tuple(found) for key, found in index.group_values.items()}  # type: ignore[misc]
            return index

        return self._index(("options", indicator, cancer), build)

    def area_count(self, indicator: str, level: str) -> int:
        """How many areas of `level` the indicator has rows for (any cancer, period or group)."""
        return self._index(("area_count", indicator), lambda: self.tables.area_counts(indicator)).get(level, 0)

    def cancers(self, indicator: str) -> list[str]:
        """Cancer types with rows, the all-cancers total first."""
        return sorted(self._cancer_rows(indicator), key=lambda c: (not is_total(c), c))

    def levels(self, indicator: str, cancer: str) -> frozenset[str]:
        return frozenset(self._options(indicator, cancer).levels)

    def periods(self, indicator: str, cancer: str, level: str) -> list[tuple[str, str]]:
        """(period, period type) with rows, in the Period list's order."""
        return list(self._options(indicator, cancer).periods.get(level, ()))

    def group_dimensions(self, indicator: str, cancer: str, level: str, period: str) -> frozenset[str]:
        return frozenset(self._options(indicator, cancer).group_dimensions.get((level, period), ()))

    def group_values(self, indicator: str, cancer: str, period: str, group: str) -> frozenset[str]:
        return frozenset(self._options(indicator, cancer).group_values.get((period, group), ()))


@dataclass
class OptionIndex:
    """One indicator and cancer type's option look-ups (see `Lookups._options`)."""

    levels: set[str] = field(default_factory=set)
    periods: dict[str, list[tuple[str, str]]] = field(default_factory=dict)  # level ->
    group_dimensions: dict[tuple[str, str], set[str] | tuple[str, ...]] = field(default_factory=dict)  # (level, period) ->
    group_values: dict[tuple[str, str], set[str] | tuple[str, ...]] = field(default_factory=dict)  # (period, dimension) ->
