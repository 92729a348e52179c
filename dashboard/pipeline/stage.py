"""Early stage at diagnosis, stage completeness and crude incidence, from the NDRS stage
file (2013-2022).

The file names areas but gives no codes: names are mapped through geodata's alias
table, and any name that does not map stops the build.

One alliance geography: NDRS reports 20 alliances on their 2020 footprint; the app draws
the 21 of the 2022 sub-ICB -> alliance mapping. Every alliance figure here is the sum of
its 2022 ICBs' counts (NDRS's ICBs are the 42 of July 2022). Where NDRS's alliance
describes the same footprint, the sum must equal NDRS's figure exactly, or the build
stops; where it does not (FOOTPRINT_CHANGES), the difference is measured and reported.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.core.cancers import ALL_CANCERS
from dashboard.core.errors import InputError
from dashboard.core.geography import (
    EAST_OF_ENGLAND_CODE,
    EAST_OF_ENGLAND_MEMBERS,
    AreaLevel,
)
from dashboard.data.registry import Indicator
from dashboard.pipeline.areas import AreaIndex
from dashboard.pipeline.io import read_csv_source
from dashboard.pipeline.periods import calendar_year
from dashboard.pipeline.rows import (
    all_groups,
    finish,
    period_series,
    proportion_rows,
    with_period,
)
from dashboard.stats.intervals import rate_interval

STAGE_FILE = "outcomes/ndrs-stage/NDRS Stage Metrics- Stage at diagnosis by cancer site in England, 2013-2022.csv"
SOURCE_LABEL = "ndrs-stage/NDRS Stage Metrics- Stage at diagnosis by cancer site in England, 2013-2022.csv"

GEOGRAPHY_LEVELS = {
    "Country": AreaLevel.COUNTRY,
    "Cancer Alliance": AreaLevel.ALLIANCE,
    "Integrated Care Board": AreaLevel.ICB,
}
EARLY = ["Stage 1", "Stage 2", "Staged - other early"]
LATE = ["Stage 3", "Stage 4", "Staged - other advanced"]
UNSTAGED = ["Unstageable", "Missing stage"]
COUNT_COLUMNS = EARLY + LATE + UNSTAGED
# Alliances whose NDRS (2020-footprint) figures cover a different area from the 2022
# alliance of the same code, and why. East of England is one alliance in NDRS's file
# (E56EOE here) and two in 2022: it is compared with the sum of the two.
FOOTPRINT_CHANGES: dict[str, str] = {
    "E56000025": "NDRS reports South Yorkshire and Bassetlaw; in July 2022 Bassetlaw joined Nottingham and "
    "Nottinghamshire ICB, in the East Midlands alliance",
    "E56000024": "NDRS's East Midlands excludes Bassetlaw, which joined Nottingham and Nottinghamshire ICB in July 2022",
    "E56000013": "NDRS's Thames Valley includes Swindon, which is in Bath and North East Somerset, Swindon and "
    "Wiltshire ICB (Somerset, Wiltshire, Avon and Gloucestershire alliance) in 2022",
    "E56000015": "NDRS's Somerset, Wiltshire, Avon and Gloucestershire excludes Swindon (counted in Thames Valley)",
    EAST_OF_ENGLAND_CODE: "NDRS reports East of England as one alliance; the 2022 mapping splits it into North and South",
}
COUNTS = ["early", "staged", "diagnosed"]
# NDRS rounds completeness to one decimal place.
COMPLETENESS_TOLERANCE = 0.05 + 1e-9


@dataclass(frozen=True)
class StageCounts:
    counts: pd.DataFrame  # area_level, area_code, year, cancer_type, early, staged, diagnosed (2022 geography)
    footprint: pd.DataFrame  # per NDRS alliance whose footprint differs: published and recomputed counts


def read_stage_counts(sources: Path, index: AreaIndex) -> StageCounts:
    """One row per area × year × site (plus 'All cancers'): early, staged, diagnosed counts,
    with every alliance on its 2022 footprint (the sum of its ICBs)."""
    raw = read_csv_source(
        sources,
        STAGE_FILE,
        columns=["Geography Type", "Geography Name", "Year", "Site", *COUNT_COLUMNS, "Percentage completeness"],
    )
    path = sources / STAGE_FILE
    unknown_types = sorted(set(raw["Geography Type"]) - set(GEOGRAPHY_LEVELS))
    if unknown_types:
        raise InputError(f"{path}, column Geography Type: unexpected value(s) {unknown_types}")
    numbers = raw[COUNT_COLUMNS + ["Year", "Percentage completeness"]].apply(pd.to_numeric, errors="coerce")
    bad = numbers.isna().any(axis=1)
    if bad.any():
        row = int(np.flatnonzero(bad)[0]) + 1
        column = numbers.columns[numbers.iloc[row - 1].isna()][0]
        raise InputError(f"{path}: row {row}, column {column}: not a number ({raw.iloc[row - 1][column]!r})")
    frame = pd.DataFrame(
        {
            "area_level": raw["Geography Type"].map(lambda t: GEOGRAPHY_LEVELS[t].value),
            "year": numbers["Year"].astype(int),
            "cancer_type": raw["Site"].str.strip(),
            "early": numbers[EARLY].sum(axis=1),
            "staged": numbers[EARLY + LATE].sum(axis=1),
            "diagnosed": numbers[COUNT_COLUMNS].sum(axis=1),
            "published_completeness": numbers["Percentage completeness"],
        }
    )
    codes = pd.Series(index=raw.index, dtype="object")
    for level_name, level in GEOGRAPHY_LEVELS.items():
        rows = raw["Geography Type"] == level_name
        codes[rows] = index.codes_for_names(level, raw.loc[rows, "Geography Name"], file=str(path), column="Geography Name")
    frame["area_code"] = codes
    check_completeness_reproduced(frame, path)
    frame = frame.drop(columns="published_completeness")
    icbs = frame[frame["area_level"] == AreaLevel.ICB.value]
    recomputed = alliances_from_icbs(icbs, index, path)
    check_sum(frame[frame["area_level"] == AreaLevel.COUNTRY.value], icbs.assign(area_code=frame.loc[frame["area_level"] == AreaLevel.COUNTRY.value, "area_code"].iloc[0]), path, "England")
    footprint = compare_alliances(frame[frame["area_level"] == AreaLevel.ALLIANCE.value], recomputed, path)
    sites = pd.concat([frame[frame["area_level"] != AreaLevel.ALLIANCE.value], recomputed], ignore_index=True)
    all_sites = sites.groupby(["area_level", "area_code", "year"], as_index=False)[COUNTS].sum()
    counts = pd.concat([sites, all_sites.assign(cancer_type=ALL_CANCERS)], ignore_index=True)
    return StageCounts(counts=counts, footprint=footprint)


def alliances_from_icbs(icbs: pd.DataFrame, index: AreaIndex, path: Path) -> pd.DataFrame:
    """Each 2022 alliance's counts: the sum of its ICBs'. An ICB with no alliance stops the build."""
    parent = icbs["area_code"].map(index.parent_map(AreaLevel.ICB, AreaLevel.ALLIANCE))
    if parent.isna().any():
        raise InputError(f"{path}: ICB(s) {sorted(set(icbs.loc[parent.isna(), 'area_code']))} have no alliance in the 2022 mapping")
    summed = icbs.assign(area_code=parent).groupby(["area_code", "year", "cancer_type"], as_index=False)[COUNTS].sum()
    return summed.assign(area_level=AreaLevel.ALLIANCE.value)


def _differences(published: pd.DataFrame, recomputed: pd.DataFrame) -> pd.DataFrame:
    keys = ["area_code", "year", "cancer_type"]
    joined = published[keys + COUNTS].merge(recomputed[keys + COUNTS], on=keys, how="outer", suffixes=("_published", "_recomputed"))
    return joined.fillna(0)


def check_sum(published: pd.DataFrame, parts: pd.DataFrame, path: Path, what: str) -> None:
    """Published totals that should equal the sum of their parts, cell by cell."""
    summed = parts.groupby(["area_code", "year", "cancer_type"], as_index=False)[COUNTS].sum()
    joined = _differences(published, summed)
    off = np.zeros(len(joined), dtype=bool)
    for count in COUNTS:
        off |= (joined[f"{count}_published"] != joined[f"{count}_recomputed"]).to_numpy()
    if off.any():
        sizes = (joined.loc[off, "diagnosed_published"] - joined.loc[off, "diagnosed_recomputed"]).abs()
        raise InputError(
            f"{path}: {what} ({sorted(set(joined.loc[off, 'area_code']))}) does not equal the sum of its ICBs in "
            f"{int(off.sum())} year × site cells (diagnoses differ by up to {int(sizes.max())})"
        )


def compare_alliances(published: pd.DataFrame, recomputed: pd.DataFrame, path: Path) -> pd.DataFrame:
    """NDRS's alliances against the 2022 sums. Same footprint: must be equal (else stop).
    Known footprint changes: the difference, per alliance, over all years and sites."""
    eoe = recomputed[recomputed["area_code"].isin(EAST_OF_ENGLAND_MEMBERS)].assign(area_code=EAST_OF_ENGLAND_CODE)
    eoe = eoe.groupby(["area_code", "year", "cancer_type"], as_index=False)[COUNTS].sum()
    comparable = pd.concat([recomputed, eoe], ignore_index=True)
    comparable = comparable[comparable["area_code"].isin(set(published["area_code"]))]
    unchanged = ~published["area_code"].isin(FOOTPRINT_CHANGES)
    check_sum(published[unchanged], comparable[comparable["area_code"].isin(set(published.loc[unchanged, "area_code"]))], path, "alliance(s)")
    changed = set(FOOTPRINT_CHANGES)
    joined = _differences(published[published["area_code"].isin(changed)], comparable[comparable["area_code"].isin(changed)])
    totals = joined.groupby("area_code", as_index=False)[[c for c in joined.columns if c.endswith(("_published", "_recomputed"))]].sum()
    totals["diagnosed_difference"] = totals["diagnosed_published"] - totals["diagnosed_recomputed"]
    return totals.assign(reason=totals["area_code"].map(FOOTPRINT_CHANGES))


def check_completeness_reproduced(frame: pd.DataFrame, path: Path) -> None:
    """Our staged ÷ diagnosed must reproduce NDRS's published completeness (to its rounding)."""
    ours = np.where(frame["diagnosed"] > 0, frame["staged"] / frame["diagnosed"] * 100, 0.0)
    off = np.abs(ours - frame["published_completeness"]) > COMPLETENESS_TOLERANCE
    if off.any():
        row = int(np.flatnonzero(off)[0]) + 1
        raise InputError(
            f"{path}: row {row}, column Percentage completeness: published {frame['published_completeness'].iloc[row - 1]} "
            f"but the stage counts give {ours[row - 1]:.2f} ({int(off.sum())} rows differ)"
        )


# The alliances whose 2022 figures differ from anything NDRS publishes (see FOOTPRINT_CHANGES).
RECOMPUTED_ALLIANCES = frozenset(code for code in FOOTPRINT_CHANGES if code != EAST_OF_ENGLAND_CODE) | set(EAST_OF_ENGLAND_MEMBERS)
RECOMPUTED_SOURCE = SOURCE_LABEL + " (recomputed: the sum of this alliance's 2022 ICBs; NDRS's alliance figures cover another footprint)"


def _sources(counts: pd.DataFrame) -> pd.Series:
    recomputed = (counts["area_level"] == AreaLevel.ALLIANCE.value) & counts["area_code"].isin(RECOMPUTED_ALLIANCES)
    return pd.Series(np.where(recomputed, RECOMPUTED_SOURCE, SOURCE_LABEL), index=counts.index)


def stage_rows(counts: pd.DataFrame, index: AreaIndex) -> pd.DataFrame:
    """Early-stage share and stage completeness rows, published."""
    periods = period_series(counts, calendar_year, "year")
    base = with_period(all_groups(counts), periods).assign(source=_sources(counts))
    early = base.assign(indicator_id="early_stage", numerator=base["early"], denominator=base["staged"])
    complete = base.assign(indicator_id="stage_completeness", numerator=base["staged"], denominator=base["diagnosed"])
    rows = proportion_rows(pd.concat([early, complete], ignore_index=True))
    return finish(rows, index, source=SOURCE_LABEL)


INCIDENCE_POPULATION_NOTE = "; denominator ONS mid-2019 population (population/ONS_mid2019_population_by_LSOA11_single_year_of_age_and_sex.parquet) for every year"


def incidence_rows(counts: pd.DataFrame, population: pd.DataFrame, index: AreaIndex) -> pd.DataFrame:
    """New diagnoses per 100,000 residents (crude), every area, site and year, Byar 95% limits.

    `population` is the build's population rows (indicator 'population', all ages and both
    sexes): the mid-2019 estimate is the denominator for every year, the only year the
    sources give at these levels.
    """
    people = population[(population["indicator_id"] == "population") & (population["group_dimension"] == "all")]
    residents = dict(zip(people["area_code"].astype(str), people["numerator"], strict=True))
    denominator = counts["area_code"].map(residents)
    if denominator.isna().any():
        raise InputError(f"no mid-2019 population for area(s) {sorted(set(counts.loc[denominator.isna(), 'area_code']))[:5]}")
    value, lower, upper = rate_interval(counts["diagnosed"], denominator, 100_000)
    base = with_period(all_groups(counts), period_series(counts, calendar_year, "year"))
    rows = base.assign(
        indicator_id="incidence_crude", numerator=counts["diagnosed"], denominator=denominator,
        value=value, lower_ci=lower, upper_ci=upper, source=_sources(counts) + INCIDENCE_POPULATION_NOTE,
    )
    return finish(rows, index, source=SOURCE_LABEL)


STAGE_INDICATORS = ("early_stage", "stage_completeness", "incidence_crude")


def footprint_caveat(footprint: pd.DataFrame, names: dict[str, str]) -> str:
    """The sentence every stage-file indicator carries about its alliance figures, with the sizes measured."""
    parts = []
    for row in footprint.sort_values("area_code").itertuples(index=False):
        name = names.get(row.area_code, row.area_code)
        difference = int(row.diagnosed_difference)
        if difference:
            parts.append(f"{name}: NDRS's figure has {abs(difference):,} {'more' if difference > 0 else 'fewer'} diagnoses")
        else:
            parts.append(f"{name}: the 2022 alliances add up exactly to NDRS's figure")
    return (
        "Alliance figures are on the 2022 alliance footprint the map draws: each is the sum of its 2022 ICBs' counts, "
        "then the indicator and its interval. That equals NDRS's published alliance figure exactly except where NDRS "
        "reports a 2020 footprint (2013-2022, all 17 sites: " + "; ".join(parts) + "). Rows recomputed this way say "
        "so in their source column."
    )


def with_footprint_caveat(definitions: Mapping[str, Indicator], footprint: pd.DataFrame, names: dict[str, str]) -> dict[str, Indicator]:
    sentence = footprint_caveat(footprint, names)
    return {
        key: replace(indicator, caveats=f"{indicator.caveats} {sentence}") if key in STAGE_INDICATORS else indicator
        for key, indicator in definitions.items()
    }
