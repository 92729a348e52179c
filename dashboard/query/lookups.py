"""Look-ups over each indicator's table, built once per worker and kept.

A filter change finds its rows by position (a dictionary look-up) instead of comparing
every row of the table; the control options come from the distinct combinations of an
indicator's keys (a few thousand rows) instead of the whole table.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping

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
            self.catalogue(indicator)
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


    def cancers(self, indicator: str) -> list[str]:
        """Cancer types with rows, the all-cancers total first."""
        return self._index(("cancers", indicator), lambda: sorted(set(self.catalogue(indicator)["cancer_type"]), key=lambda c: (not is_total(c), c)))

    def levels(self, indicator: str, cancer: str) -> frozenset[str]:
        def compute() -> frozenset[str]:
            combos = self.catalogue(indicator)
            return frozenset(combos.loc[combos["cancer_type"] == cancer, "area_level"])

        return self._index(("levels", indicator, cancer), compute)

    def periods(self, indicator: str, cancer: str, level: str) -> list[tuple[str, str]]:
        """(period, period type) with rows, in the Period list's order."""
        def compute() -> list[tuple[str, str]]:
            combos = self.catalogue(indicator)
            combos = combos[(combos["cancer_type"] == cancer) & (combos["area_level"] == level)]
            periods = combos[["period", "period_type", "period_start"]].drop_duplicates("period")
            periods = periods.assign(order=periods["period_type"].map(PERIOD_TYPE_ORDER.index))
            periods = periods.sort_values(["order", "period_start"], ascending=[True, False])
            return list(zip(periods["period"], periods["period_type"], strict=True))

        return self._index(("periods", indicator, cancer, level), compute)

    def group_dimensions(self, indicator: str, cancer: str, level: str, period: str) -> frozenset[str]:
        def compute() -> frozenset[str]:
            combos = self.catalogue(indicator)
            return frozenset(combos.loc[(combos["cancer_type"] == cancer) & (combos["area_level"] == level) & (combos["period"] == period), "group_dimension"])

        return self._index(("group_dimensions", indicator, cancer, level, period), compute)

    def group_values(self, indicator: str, cancer: str, period: str, group: str) -> frozenset[str]:
        def compute() -> frozenset[str]:
            combos = self.catalogue(indicator)
            return frozenset(combos.loc[(combos["cancer_type"] == cancer) & (combos["period"] == period) & (combos["group_dimension"] == group), "group_value"])

        return self._index(("group_values", indicator, cancer, period, group), compute)
