"""Selection -> rows: the pure pandas core behind every view and every download.

`Explorer` is built once from the Dataset at start-up (read-only); each method takes
a Selection and returns plain data. Nothing here imports dash.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType

import numpy as np
import pandas as pd

from dashboard.core.geography import (
    EAST_OF_ENGLAND_CODE,
    EAST_OF_ENGLAND_MEMBERS,
    ENGLAND_CODE,
    LEVEL_LABELS,
    AreaLevel,
)
from dashboard.core.selection import (
    ALL_ENGLAND,
    DEFAULT_CONFIDENCE,
    MAP_LEVELS,
    SWITCHES,
    Comparator,
    Notice,
    Option,
    Selection,
)
from dashboard.data.loading import Dataset
from dashboard.data.registry import Indicator, Registry
from dashboard.data.schema import (
    GROUP_LABELS,
    GROUPS_WITHOUT_DATA,
    OUTCOMES_WITHOUT_DATA,
    DataStatus,
    GroupDimension,
    PeriodType,
)
from dashboard.data.tables import IndicatorTables
from dashboard.query.lookups import Lookups
from dashboard.query.memo import Memo, T
from dashboard.stats.compare import Comparison, compare_with_benchmark

PERIOD_TYPE_LABELS = {
    PeriodType.CALENDAR_YEAR.value: "year",
    PeriodType.FINANCIAL_YEAR.value: "financial year",
    PeriodType.MULTI_MONTH.value: "months",
    PeriodType.QUARTER.value: "quarter",
    PeriodType.MONTH.value: "month",
}
DEFAULT_LEVEL = AreaLevel.ALLIANCE.value
PEER_GROUPS = 5  # peers = areas in the same fifth of the level by share of residents in England's most deprived fifth
ANSWERS_KEPT = 600  # answers per worker (cards, options, validity: three per selection): about 20 MB (66 KB of cards each)
GROUPING_OF = {member: EAST_OF_ENGLAND_CODE for member in EAST_OF_ENGLAND_MEMBERS}


@dataclass(frozen=True, eq=False)  # compared by identity, so methods can be memoised per instance
class Explorer:
    tables: IndicatorTables  # indicator_id -> its rows, read by partition (indicator, cancer type, group dimension)
    order: tuple[str, ...]  # the indicators with rows, in the registry's order
    registry: Registry
    names: Mapping[str, str]
    alliances: tuple[tuple[str, str], ...]  # the 21 alliances of 2022, by name
    members: Mapping[str, frozenset[str]]  # alliance code -> codes of its ICBs and sub-ICBs
    peer_group: Mapping[str, int]  # area code -> deprivation fifth within its level (1 = most deprived)
    # Results of pure, costly calls, kept per explorer (so per worker), never module-wide.
    _memo: Memo = field(default_factory=Memo, repr=False)
    _answers: Memo = field(default_factory=lambda: Memo(size=ANSWERS_KEPT), repr=False)
    lookups: Lookups = field(init=False, repr=False)  # built once per indicator, never evicted by results

    def __post_init__(self) -> None:
        object.__setattr__(self, "lookups", Lookups(self.tables))

    def warm(self, indicators: list[str] | None = None, pause: Callable[[], None] | None = None) -> None:
        """Build the look-ups a filter change uses for `indicators` (default: all); `pause` is
        called between steps (the web layer's: wait while a request is being served)."""
        self.lookups.warm(indicators, pause)

    @classmethod
    def from_dataset(cls, dataset: Dataset) -> Explorer:
        tables = dataset.tables()
        areas = dataset.boundaries.areas
        names: dict[str, str] = {ENGLAND_CODE: "England", EAST_OF_ENGLAND_CODE: "East of England"}
        for level in dataset.boundaries.layers:
            names.update(dataset.boundaries.names(level))
        members: dict[str, set[str]] = {}
        for row in areas.itertuples(index=False):
            members.setdefault(row.alliance_code, set()).update({row.icb_code, row.subicb_code})
        members[EAST_OF_ENGLAND_CODE] = set().union(*(members.get(m, set()) for m in EAST_OF_ENGLAND_MEMBERS))
        alliance_names = dataset.boundaries.names(AreaLevel.ALLIANCE)
        alliances = tuple(sorted(alliance_names.items(), key=lambda item: item[1]))
        order = tuple(i for i in dataset.registry if i in tables)
        return cls(
            tables=tables,
            order=order,
            registry=dataset.registry,
            names=MappingProxyType(names),
            alliances=alliances,
            members=MappingProxyType({k: frozenset(v) for k, v in members.items()}),
            peer_group=MappingProxyType(_peer_groups(next((tables[i] for i in order if dataset.registry[i].groups_peers), None))),  # one small indicator
        )

    def memo(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, remembered per explorer: every card of one filter change asks for the
        same rows, and the inequality ranking and funnel limits are slow. Read-only results."""
        return self._memo.get(key, compute)

    def answer(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()` for a selection's answer (cards, options), kept apart from `memo`'s rows: small, and many stay."""
        return self._answers.get(key, compute)

    def recall(self, key: Hashable) -> object | None:
        """What `answer` or `memo` remembers under `key`, or None (nothing is computed)."""
        return self._answers.peek(key) or self._memo.peek(key)

    def forget(self) -> None:
        """Drop every remembered result but the look-ups (benchmarks time cold calls with it)."""
        self._memo.clear()
        self._answers.clear()

    # --- options for the controls ----------------------------------------------------

    def indicator(self, sel: Selection) -> Indicator:
        """The registry entry of the selection's indicator."""
        return self.registry[sel.indicator]

    def indicator_options(self) -> list[Option]:
        """Every indicator with data, then the outcomes with none, unavailable and saying why."""
        shown = [Option(i, self.registry[i].name) for i in self.order]
        return shown + [Option(key, f"{name} (no data: {reason})", disabled=True) for key, (name, reason) in OUTCOMES_WITHOUT_DATA.items()]

    def _partition(self, sel: Selection) -> pd.DataFrame:
        """The rows of the selection's indicator, cancer type and group dimension (read-only)."""
        return self.tables.partition(sel.indicator, sel.cancer, sel.group)

    def cancer_options(self, indicator: str) -> list[Option]:
        return [Option(v, v) for v in self.lookups.cancers(indicator)]

    def level_options(self, sel: Selection) -> list[Option]:
        present = self.lookups.levels(sel.indicator, sel.cancer)
        return [
            Option(level, LEVEL_LABELS[AreaLevel(level)])
            if level in present
            else Option(level, f"{LEVEL_LABELS[AreaLevel(level)]} (no data at this level)", disabled=True)
            for level in MAP_LEVELS
        ]

    def period_options(self, sel: Selection) -> list[Option]:
        periods = self.lookups.periods(sel.indicator, sel.cancer, sel.level)
        multiple_types = len({t for _, t in periods}) > 1
        return [Option(p, f"{p} ({PERIOD_TYPE_LABELS[t]})" if multiple_types else p) for p, t in periods]

    def group_options(self, sel: Selection) -> list[Option]:
        present = self.lookups.group_dimensions(sel.indicator, sel.cancer, sel.level, sel.period)
        options = [Option(d, GROUP_LABELS[GroupDimension(d)]) for d in self.indicator(sel).group_dimensions if d in present]
        return options + [Option(key, f"{label} (no data exist: see Help)", disabled=True) for key, label in GROUPS_WITHOUT_DATA.items()]

    def group_value_options(self, sel: Selection) -> list[Option]:
        present = self.lookups.group_values(sel.indicator, sel.cancer, sel.period, sel.group)
        return [Option(v, v) for v in self.group_order(sel) if v in present]

    def group_order(self, sel: Selection) -> tuple[str, ...]:
        """The selected group dimension's values in display order (the registry's)."""
        return self.indicator(sel).group_values.get(sel.group, ())

    def group_rows_for(self, sel: Selection) -> pd.DataFrame:
        """Every area's rows for the selection's group dimension (all its values)."""
        rows = self._partition(sel)
        return rows[rows["period"] == sel.period]

    # --- making a selection valid ------------------------------------------------------

    @property
    def first_indicator(self) -> str:
        """The indicator a first visit shows: the registry's choice, else its first."""
        return next((i for i in self.order if self.registry[i].opens_first), self.order[0])

    def default_selection(self) -> Selection:
        indicator = self.first_indicator
        return self.normalise(Selection(indicator=indicator, cancer="", period="", level=DEFAULT_LEVEL))[0]

    def normalise(self, sel: Selection) -> tuple[Selection, list[Notice]]:
        """The nearest valid selection, field by field; a notice for each value replaced (remembered)."""
        valid, notices = self.answer(("normalise", sel), lambda: self._normalise(sel))
        return valid, list(notices)

    def _normalise(self, sel: Selection) -> tuple[Selection, tuple[Notice, ...]]:
        notices: list[Notice] = []

        def pick(field: str, value: str, options: list[Option], fallback: str | None = None) -> str:
            allowed = [o.value for o in options if not o.disabled]
            if value in allowed:
                return value
            choice = fallback if fallback in allowed else (allowed[0] if allowed else "")
            if value:
                notices.append(Notice(field, f"{field}={value!r} is not available here; showing {choice!r} instead"))
            return choice

        indicator = pick("indicator", sel.indicator, self.indicator_options(), self.first_indicator)
        sel = sel.with_(indicator=indicator)
        cancers = self.cancer_options(indicator)
        sel = sel.with_(cancer=pick("cancer", sel.cancer, cancers, cancers[0].value if cancers else ""))
        sel = sel.with_(level=pick("level", sel.level, self.level_options(sel), DEFAULT_LEVEL))
        periods = self.period_options(sel)
        sel = sel.with_(period=pick("period", sel.period, periods, periods[0].value if periods else ""))
        alliance_options = [Option(ALL_ENGLAND, "All England")] + [Option(c, n) for c, n in self.alliances]
        sel = sel.with_(alliance=pick("alliance", sel.alliance, alliance_options, ALL_ENGLAND))
        sel = sel.with_(group=pick("group", sel.group, self.group_options(sel), GroupDimension.ALL.value))
        if sel.group == GroupDimension.ALL.value:
            if sel.group_value not in ("All", ""):
                notices.append(Notice("group_value", f"group_value={sel.group_value!r} needs a group; showing all patients"))
            sel = sel.with_(group_value="All")
        else:
            sel = sel.with_(group_value=pick("group_value", sel.group_value, self.group_value_options(sel)))
        compare_options = [Option(c.value, c.value) for c in Comparator]
        sel = sel.with_(compare=pick("compare", sel.compare, compare_options, Comparator.ENGLAND.value))
        if sel.compare == Comparator.ALLIANCE.value and sel.alliance == ALL_ENGLAND:
            notices.append(Notice("compare", "comparing with 'the selected alliance' needs an alliance; comparing with England"))
            sel = sel.with_(compare=Comparator.ENGLAND.value)
        if sel.compare == Comparator.PEERS.value and not self.peers_comparable(sel):
            notices.append(Notice("compare", "peers cannot be pooled for an age-standardised rate or a count; comparing with England"))
            sel = sel.with_(compare=Comparator.ENGLAND.value)
        for field, (values, default) in SWITCHES.items():
            sel = sel.with_(**{field: pick(field, getattr(sel, field), [Option(v, v) for v in values], default)})
        area_codes = set(map(str, self.level_rows(sel)["area_code"]))
        if sel.area and sel.area not in area_codes:
            notices.append(Notice("area", f"area={sel.area!r} has no {LEVEL_LABELS[AreaLevel(sel.level)]} data here; no area selected"))
            sel = sel.with_(area="")
        if sel.area and sel.lists_alliance_areas and sel.area not in self.members.get(sel.alliance, ()):
            notices.append(Notice("area", f"area={sel.area!r} is outside the chosen alliance; no area selected (choose 'Every area' to select it)"))
            sel = sel.with_(area="")
        return sel, tuple(notices)

    # --- rows ----------------------------------------------------------------------

    def _slice(self, sel: Selection) -> pd.DataFrame:
        """Every area's row for the selection's cancer, period and group value (read-only, remembered)."""
        key = (sel.indicator, sel.cancer, sel.period, sel.group, sel.group_value)
        return self.memo(("slice", key), lambda: self._take(sel, self.lookups.positions(sel.indicator, sel.cancer, sel.group).get((sel.period, sel.group_value))))

    def _take(self, sel: Selection, positions: np.ndarray | None) -> pd.DataFrame:
        return self._partition(sel).iloc[0:0] if positions is None else self._partition(sel).take(positions)

    def level_rows(self, sel: Selection) -> pd.DataFrame:
        """The slice's rows at the selection's level (read-only, remembered)."""
        def compute() -> pd.DataFrame:  # one copy of the rows: the slice's positions at the level
            positions = self.lookups.positions(sel.indicator, sel.cancer, sel.group).get((sel.period, sel.group_value), np.array([], dtype=np.int64))
            levels = self._partition(sel)["area_level"].array  # a Categorical: compare codes, not text (-1: absent)
            code = levels.categories.get_indexer([sel.level])[0]
            return self._take(sel, positions[(levels.codes[positions] == code) & (code >= 0)])

        return self.memo(("level_rows", sel.indicator, sel.cancer, sel.period, sel.group, sel.group_value, sel.level), compute)

    def _row_of(self, sel: Selection) -> dict[str, int]:
        """Position of each area code in the slice."""
        key = ("row_of", sel.indicator, sel.cancer, sel.period, sel.group, sel.group_value)
        return self.memo(key, lambda: {str(code): i for i, code in enumerate(self._slice(sel)["area_code"])})

    def _area_position(self, sel: Selection, code: str) -> int | None:  # of `code` in the slice, or of its NDRS grouping
        return self._row_of(sel).get(code, self._row_of(sel).get(GROUPING_OF.get(code, "")))

    def area_row(self, sel: Selection, code: str) -> pd.Series | None:  # remembered: a row of thirty dtypes is slow to make
        key = ("area_row", sel.indicator, sel.cancer, sel.period, sel.group, sel.group_value, code)
        return self.memo(key, lambda: None if (position := self._area_position(sel, code)) is None else self._slice(sel).iloc[position])

    def alliance_in_data(self, sel: Selection) -> str | None:
        """The code whose row stands for the selected alliance: itself, or NDRS's grouping of it."""
        for code in (sel.alliance, GROUPING_OF.get(sel.alliance)):
            if code and self._area_position(sel, code) is not None and (code == sel.alliance or sel.alliance not in self._row_of(sel)):
                return code
        return None

    def benchmark_name(self, sel: Selection) -> str:
        if sel.compare == Comparator.ALLIANCE.value:
            code = self.alliance_in_data(sel) or sel.alliance
            return self.names.get(code, "the selected alliance")
        if sel.compare == Comparator.PEERS.value:
            return "peers of similar deprivation"
        return "England"

    def benchmarks(self, sel: Selection, rows: pd.DataFrame) -> np.ndarray:
        """Benchmark value for each row (area) of `rows`."""
        if sel.compare == Comparator.PEERS.value:
            return self._peer_values(sel, rows)
        code = (self.alliance_in_data(sel) or sel.alliance) if sel.compare == Comparator.ALLIANCE.value else ENGLAND_CODE
        position = self._area_position(sel, code)  # one value: a whole row as a Series is slow (many dtypes)
        return np.full(len(rows), np.nan if position is None else float(self._slice(sel)["value"].iat[position]))

    def peers_comparable(self, sel: Selection) -> bool:
        """Peers are pooled the way each area's own value is made: numerators and denominators
        summed, then the share or crude rate. An age-standardised rate would need the peers'
        deaths and populations by age band, and a count has no rate: no peer benchmark for them."""
        indicator = self.indicator(sel)
        return indicator.unit.scale is not None and not indicator.age_standardised

    def _peer_values(self, sel: Selection, rows: pd.DataFrame) -> np.ndarray:
        """Each area's peer benchmark: the pooled share or crude rate of the areas in its deprivation fifth.

        A fifth with a withheld area gets none: pooling only the shown areas would compare an
        area with a different set of peers from the one named, and pooling the withheld counts
        in would serve a figure derived from them.
        """
        groups = rows["area_code"].astype(str).map(self.peer_group)
        values = np.full(len(rows), np.nan)
        if not self.peers_comparable(sel):
            return values
        scale = self.indicator(sel).unit.scale
        for group in groups.dropna().unique():
            mask = (groups == group).to_numpy()
            peers = rows[mask]
            if (peers["suppression"].astype(str) != "").any() or peers["denominator"].isna().any():
                continue
            values[mask] = peers["numerator"].sum() / peers["denominator"].sum() * scale
        return values

    def compared_rows(self, sel: Selection) -> pd.DataFrame:
        """The level's rows for the selection with benchmark, comparison and alliance membership.
        Memoised: callers must treat the frame as read-only (they filter, never assign)."""
        return self.memo(("compared_rows", sel), lambda: self._compared_rows(sel))

    def _compared_rows(self, sel: Selection) -> pd.DataFrame:
        # Arrays, then one copy of the rows in order (each pandas step copied thirty columns).
        level = self.level_rows(sel)
        codes = level["area_code"].to_numpy().astype(str)
        benchmark = np.asarray(self.benchmarks(sel, level), dtype=float).copy()
        lower, upper = limit_columns(sel.confidence)
        comparison = compare_with_benchmark(level[lower], level[upper], benchmark, self.indicator(sel).polarity)
        # A modelled figure's gap from a benchmark is the model's assumption: never a verdict.
        modelled = (level["data_status"] == DataStatus.MODELLED.value).to_numpy()
        comparison[modelled] = Comparison.NOT_COMPARED.value
        benchmark[modelled] = np.nan
        alliance_itself = np.isin(codes, [sel.alliance, GROUPING_OF.get(sel.alliance, "")])
        if sel.compare == Comparator.ALLIANCE.value:  # an alliance is not compared with itself
            comparison[alliance_itself] = Comparison.NOT_COMPARED.value
        members = self.members.get(sel.alliance, frozenset())
        in_alliance = np.isin(codes, list(members)) | alliance_itself if sel.has_alliance else np.ones(len(codes), dtype=bool)
        if modelled.any():  # listed by name, not ranked: a ranking of modelled values would rank assumptions
            order = np.argsort(level["area_name"].to_numpy().astype(str), kind="stable")
        else:  # highest first, areas with no value last, ties in the slice's order
            value = level["value"].to_numpy(dtype=float)
            order = np.lexsort((np.arange(len(value)), -np.nan_to_num(value, nan=0.0), np.isnan(value)))
        rows = level.take(order).reset_index(drop=True)
        rows["benchmark"] = benchmark[order]
        rows["comparison"] = comparison[order]
        rows["in_alliance"] = in_alliance[order]
        return rows

    def trend_rows(self, sel: Selection, code: str) -> pd.DataFrame:
        """The area's series over every period of the selected period's type."""
        period_type = self.lookups.period_type_of(sel.indicator, sel.period)
        positions = self.lookups.series_positions(sel.indicator, sel.cancer, sel.group).get((sel.group_value, period_type, code)) if period_type else None
        if positions is None:
            return self._partition(sel).iloc[0:0]
        starts = self._partition(sel)["period_start"].to_numpy()[positions]
        return self._take(sel, positions[np.argsort(starts, kind="stable")])

    def group_rows(self, sel: Selection, code: str) -> pd.DataFrame:
        """Every value of the selected group dimension for one area."""
        rows = self.group_rows_for(sel)
        rows = rows[rows["area_code"] == code]
        position = {value: i for i, value in enumerate(self.group_order(sel))}
        return rows.sort_values("group_value", key=lambda s: s.astype(str).map(position))

    def focus_area(self, sel: Selection) -> str:
        """The area the trend, groups and headline describe: the clicked area, else the alliance, else England."""
        if sel.area:
            return sel.area
        if sel.has_alliance:
            return self.alliance_in_data(sel) or ENGLAND_CODE
        return ENGLAND_CODE

    def peer_rows(self, sel: Selection, code: str) -> pd.DataFrame:
        """Rows of the areas at the selection's level in the same deprivation fifth as `code` (itself included)."""
        rows = self.level_rows(sel)
        group = self.peer_group.get(code)
        return rows[rows["area_code"].astype(str).map(self.peer_group) == group] if group else rows.iloc[0:0]

    def modelled_in_view(self, sel: Selection) -> bool:
        return bool((self.level_rows(sel)["data_status"] == DataStatus.MODELLED.value).any())


def limit_columns(confidence: str) -> tuple[str, str]:
    return ("lower_ci", "upper_ci") if confidence == DEFAULT_CONFIDENCE else ("lower_ci_998", "upper_ci_998")


def _peer_groups(shares: pd.DataFrame | None) -> dict[str, int]:
    """Each area's deprivation fifth among areas of its level (1 = most deprived)."""
    if shares is None:
        return {}
    result: dict[str, int] = {}
    shares = shares[shares["group_dimension"] == GroupDimension.ALL.value]
    for _, level_rows in shares.groupby(shares["area_level"].astype(str)):
        ranks = level_rows["value"].rank(method="first", ascending=False)
        fifth = np.ceil(ranks / len(level_rows) * PEER_GROUPS).astype(int)
        result.update(dict(zip(level_rows["area_code"].astype(str), fifth, strict=True)))
    return result
