"""The served table as the query layer reads it: by indicator, and within one by cancer type
and group dimension.

Every filter change reads the rows of one indicator, cancer type and group dimension (a
*partition*): the map, the ranking, the trend and the groups all share the selection's cancer
and group (all patients, sex, age band, ...). So the table is held, and may be loaded,
partition by partition. Two implementations of one interface:

- `FrameTables`: the whole table in memory (tests, data built in memory, and the fallback
  when no store can be written);
- `dashboard/data/store.py`'s `StoredTables`: partitions read on first use from a prepared
  store on disk, at most a set amount of memory held (docs/performance.md, "Growth").

Rows keep their table order within a partition, so every view lists rows exactly as before.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterator, Mapping

import numpy as np
import pandas as pd

PARTITION_KEYS = ["indicator_id", "cancer_type", "group_dimension"]
# Within a partition, where a filter change finds its rows: the slice of one period and group
# value, and one area's series (a group value, a period type, an area) for the trend.
ROW_INDEXES: dict[str, list[str]] = {
    "slice": ["period", "group_value"],
    "series": ["group_value", "period_type", "area_code"],
}
# The distinct combinations the control options are read from (`catalogue_of`).
CATALOGUE_COLUMNS = ["cancer_type", "area_level", "period", "period_type", "period_start", "group_dimension", "group_value"]


class IndicatorTables(Mapping[str, pd.DataFrame], ABC):
    """indicator id -> all its rows (a Mapping, in the table's order of indicators), plus the
    reads a filter change makes: one partition, and the small summaries built from them all."""

    @abstractmethod
    def partition(self, indicator: str, cancer: str, group: str) -> pd.DataFrame:
        """The rows of one indicator, cancer type and group dimension, indexed from 0 (empty if
        none). Read-only."""

    def row_index(self, indicator: str, cancer: str, group: str, kind: str) -> dict[tuple[str, ...], np.ndarray]:
        """`row_index_of` the partition for one of ROW_INDEXES (a store keeps them made)."""
        return row_index_of(self.partition(indicator, cancer, group), ROW_INDEXES[kind])

    @abstractmethod
    def partition_keys(self) -> list[tuple[str, ...]]:
        """(indicator, cancer type, group dimension) of every partition."""

    @abstractmethod
    def catalogue(self, indicator: str) -> pd.DataFrame:
        """`catalogue_of` the indicator's rows."""

    @abstractmethod
    def area_counts(self, indicator: str) -> dict[str, int]:
        """`area_counts_of` the indicator's rows."""

    @property
    def held_in_memory(self) -> bool:
        """Whether every partition is, or once read stays, in memory: look-ups for all are then
        built by the warm-up and all kept."""
        return True

    def __contains__(self, indicator: object) -> bool:
        return indicator in iter(self)  # never reads the rows (Mapping's would)


def catalogue_of(rows: pd.DataFrame) -> pd.DataFrame:
    """The distinct (cancer, level, period, group) combinations of rows, text as categories:
    a few thousand rows instead of the whole table."""
    text = [c for c in CATALOGUE_COLUMNS if c != "period_start"]
    combos = rows[CATALOGUE_COLUMNS].drop_duplicates().reset_index(drop=True)
    return combos.astype({c: "category" for c in text if not isinstance(combos[c].dtype, pd.CategoricalDtype)})


def row_index_of(rows: pd.DataFrame, keys: list[str]) -> dict[tuple[str, ...], np.ndarray]:
    """Row positions of each combination of `keys` (as text), in row order, 32-bit."""
    if rows.empty:
        return {}
    groups = rows.groupby(keys, observed=True, sort=False).indices  # categorical keys: no strings made
    return {tuple(map(str, key)): positions.astype(np.int32) for key, positions in groups.items()}


def area_counts_of(rows: pd.DataFrame) -> dict[str, int]:
    """How many areas of each level the rows cover (any cancer, period or group)."""
    return {str(k): int(v) for k, v in rows.groupby("area_level", observed=True)["area_code"].nunique().items()}


def runs(keys: pd.Series) -> list[tuple[str, int, int]]:
    """(key, start, stop) of each run of equal consecutive values, when no key has two runs;
    [] otherwise (or when empty)."""
    if not len(keys):
        return []
    codes = keys.cat.codes.to_numpy() if isinstance(keys.dtype, pd.CategoricalDtype) else pd.factorize(keys)[0]
    names = keys.cat.categories if isinstance(keys.dtype, pd.CategoricalDtype) else pd.unique(keys)
    starts = np.concatenate([[0], np.flatnonzero(codes[1:] != codes[:-1]) + 1])
    stops = np.append(starts[1:], len(codes))
    firsts = codes[starts]
    if len(set(firsts.tolist())) != len(firsts) or (firsts < 0).any():
        return []
    return [(str(names[c]), int(a), int(b)) for c, a, b in zip(firsts, starts, stops, strict=True)]


class FrameTables(IndicatorTables):
    """The whole table in memory, ordered by the partition keys once (a stable sort: each
    partition keeps its rows' order), so that each indicator and each partition is a view."""

    def __init__(self, table: pd.DataFrame) -> None:
        # Sorting by category code groups equal values, whatever the categories' order.
        ordered = table if _ordered(table) else table.sort_values(PARTITION_KEYS, kind="stable")
        ordered = ordered.reset_index(drop=True)
        self._indicators = {indicator: (a, b) for indicator, a, b in runs(ordered["indicator_id"])}
        self._partitions = {key: span for key, span in _spans(ordered, PARTITION_KEYS)}
        self._table = ordered
        self._summaries: dict[tuple[str, str], object] = {}

    def __getitem__(self, indicator: str) -> pd.DataFrame:
        start, stop = self._indicators[indicator]
        return self._table.iloc[start:stop].reset_index(drop=True)

    def __iter__(self) -> Iterator[str]:
        return iter(self._indicators)

    def __len__(self) -> int:
        return len(self._indicators)

    def partition(self, indicator: str, cancer: str, group: str) -> pd.DataFrame:
        start, stop = self._partitions.get((indicator, cancer, group), (0, 0))
        return self._table.iloc[start:stop].reset_index(drop=True)

    def partition_keys(self) -> list[tuple[str, ...]]:
        return list(self._partitions)

    def catalogue(self, indicator: str) -> pd.DataFrame:
        return self._summary("catalogue", indicator, lambda: catalogue_of(self[indicator]))  # type: ignore[return-value]

    def area_counts(self, indicator: str) -> dict[str, int]:
        return self._summary("area_counts", indicator, lambda: area_counts_of(self[indicator]))  # type: ignore[return-value]

    def _summary(self, kind: str, indicator: str, build) -> object:
        key = (kind, indicator)
        if key not in self._summaries:
            self._summaries[key] = build()
        return self._summaries[key]


def _spans(table: pd.DataFrame, keys: list[str], offset: int = 0) -> list[tuple[tuple[str, ...], tuple[int, int]]]:
    """(key values, (start, stop)) of each run of the first key, and within it of the next, and
    so on; [] if some value of a key has two runs within the run of the key before it."""
    found = runs(table[keys[0]].reset_index(drop=True))
    if not found or len(keys) == 1:
        return [((value,), (offset + a, offset + b)) for value, a, b in found]
    spans = []
    for value, a, b in found:
        inner = _spans(table.iloc[a:b], keys[1:], offset + a)
        if not inner:
            return []
        spans += [((value, *key), span) for key, span in inner]
    return spans


def _ordered(table: pd.DataFrame) -> bool:
    """Whether each partition is already one run of rows."""
    return bool(len(table)) and bool(_spans(table, PARTITION_KEYS))
