"""MODELLED early-stage diagnosis by deprivation quintile and by ethnic group.

No published source breaks stage at diagnosis down by deprivation or ethnic group for
areas. This module estimates such a breakdown, and every row it makes is labelled
data_status = "modelled". The model, for each area × year × cancer type:

The model works on each ICB × site; "All cancers", alliances and England are the sums
of those, as their published totals are, so modelled figures add up the same way.

1. Split the ICB's published staged total D across groups in proportion to the
   ICB's own population mix (IMD 2019 quintile of residents aged 50+, from ONS
   mid-2019 LSOA estimates; ethnic group of all residents, Census 2021), as whole
   numbers by the largest-remainder method, so the groups add up to D exactly.
2. Split the published early-stage total E across groups in proportion to
   d_g × r_g, where r_g is the stated relative likelihood of early diagnosis in
   group g (MODEL_PARAMETERS below), again as whole numbers adding up to E exactly,
   and never more than d_g in a group.

The parameters are assumptions written down for transparency, not estimates from
these data: they set the *size* of the modelled gaps. Change them here, rebuild, and
every modelled figure changes with them; the published totals never do.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.core.cancers import ALL_CANCERS
from dashboard.core.errors import InputError
from dashboard.core.geography import (
    ENGLAND_CODE,
    AreaLevel,
)
from dashboard.data.schema import DataStatus, GroupDimension
from dashboard.pipeline.areas import AreaIndex
from dashboard.pipeline.io import read_csv_source
from dashboard.pipeline.periods import calendar_year
from dashboard.pipeline.population import ETHNICITY_FILE
from dashboard.pipeline.rows import finish, period_series, proportion_rows, with_period

# No interval: one from sampling alone would leave out the model's own uncertainty, the
# larger part, and make an assumed gap look like a measured one.
MODELLED_CI_METHOD = "none: modelled counts (an interval from sampling alone would leave out the model's uncertainty)"
MODELLED_SOURCE = (
    "MODELLED from ndrs-stage/ (published ICB totals; alliances and England are sums of ICBs) distributed by ONS mid-2019 LSOA population, "
    "IMD 2019 and Census 2021 TS021, with the stated relative differences in dashboard/pipeline/modelled.py"
)
MAX_UNMATCHED_POPULATION = 0.005


@dataclass(frozen=True)
class ModelParameters:
    """The stated relative likelihood of early-stage diagnosis, per group (reference = 1)."""

    imd_min_age: int
    imd_relative: dict[str, float]
    ethnic_relative: dict[str, float]


MODEL_PARAMETERS = ModelParameters(
    imd_min_age=50,  # most cancers are diagnosed at 50 and over
    imd_relative={
        "1 - most deprived": 0.92,
        "2": 0.95,
        "3": 0.97,
        "4": 0.99,
        "5 - least deprived": 1.00,
    },
    ethnic_relative={
        "Asian": 0.97,
        "Black": 0.93,
        "Mixed": 0.97,
        "White": 1.00,
        "Other": 0.97,
    },
)
ETHNIC_COLUMNS = {
    "Ethnic group: Asian, Asian British or Asian Welsh": "Asian",
    "Ethnic group: Black, Black British, Black Welsh, Caribbean or African": "Black",
    "Ethnic group: Mixed or Multiple ethnic groups": "Mixed",
    "Ethnic group: White": "White",
    "Ethnic group: Other ethnic group": "Other",
}
IMD_LABELS = {1: "1 - most deprived", 2: "2", 3: "3", 4: "4", 5: "5 - least deprived"}


def largest_remainder(total: int, weights: np.ndarray) -> np.ndarray:
    """Whole numbers proportional to weights that add up to `total` exactly.

    Ties go to the earlier group, so the result is deterministic.
    """
    weights = np.asarray(weights, dtype=float)
    if total == 0 or weights.sum() <= 0:
        return np.zeros(len(weights), dtype=int)
    exact = total * weights / weights.sum()
    floors = np.floor(exact).astype(int)
    short = int(total - floors.sum())
    order = np.lexsort((np.arange(len(weights)), -(exact - floors)))
    floors[order[:short]] += 1
    return floors


def allocate(staged: int, early: int, mix: np.ndarray, relative: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Modelled (early, staged) per group; each adds up to the published total exactly."""
    staged_g = largest_remainder(staged, mix)
    early_g = largest_remainder(early, staged_g * relative)
    # Never more early cases than staged cases in a group: move any excess to groups with room.
    excess = np.maximum(early_g - staged_g, 0)
    early_g -= excess
    for _ in range(int(excess.sum())):
        room = staged_g - early_g
        early_g[int(np.argmax(room))] += 1
    return early_g, staged_g


def imd_mix(population: pd.DataFrame, imd: pd.Series, min_age: int) -> pd.DataFrame:
    """Residents aged min_age+ by sub-ICB × IMD quintile."""
    from dashboard.pipeline.population import AGE_BANDS

    old_bands = [label for label, low, _ in AGE_BANDS if low >= min_age]
    if not old_bands:
        raise InputError(f"imd_min_age {min_age} leaves no age band")
    older = population[population["age_band"].isin(old_bands)]
    older = older.assign(group_value=older["LSOA11CD"].map(imd).map(IMD_LABELS))
    return older.groupby(["subicb_code", "group_value"], as_index=False)["population"].sum()


def ethnic_mix(sources: Path, lsoa: pd.DataFrame) -> pd.DataFrame:
    """Residents by sub-ICB × ethnic group (Census 2021, LSOA 2021).

    LSOA 2021 codes equal their 2011 codes where the area did not change; the rest
    (splits and merges) are placed by their MSOA, whose name is the LSOA name
    without its final letter and which nests in one sub-ICB; LSOAs in MSOAs new in
    2021 are placed by their local authority (the name before the number), in the
    sub-ICB holding most of that authority's 2011 LSOAs.
    """
    census = read_csv_source(sources, ETHNICITY_FILE, columns=["geography", "geography code", *ETHNIC_COLUMNS])
    census = census[census["geography code"].str.startswith("E")]
    counts = census[list(ETHNIC_COLUMNS)].apply(pd.to_numeric, errors="coerce")
    if counts.isna().any().any():
        raise InputError(f"{sources / ETHNICITY_FILE}: non-numeric counts in rows {list(np.flatnonzero(counts.isna().any(axis=1))[:5] + 1)}")
    def majority(key: pd.Series) -> pd.Series:
        pairs = pd.DataFrame({"key": key.to_numpy(), "subicb": lsoa["subicb_code"].to_numpy()})
        return pairs.groupby("key")["subicb"].agg(lambda s: s.mode().iloc[0])

    names = lsoa["lsoa_name"]
    subicb = census["geography code"].map(lsoa["subicb_code"])
    subicb = subicb.fillna(census["geography"].str[:-1].map(majority(names.str[:-1])))
    subicb = subicb.fillna(census["geography"].str.rsplit(" ", n=1).str[0].map(majority(names.str.rsplit(" ", n=1).str[0])))
    unmatched = counts.sum(axis=1)[subicb.isna()].sum() / counts.sum().sum()
    if unmatched > MAX_UNMATCHED_POPULATION:
        raise InputError(f"{sources / ETHNICITY_FILE}: {unmatched:.2%} of residents in LSOAs that match no sub-ICB")
    long = counts.rename(columns=ETHNIC_COLUMNS).assign(subicb_code=subicb.to_numpy()).dropna(subset=["subicb_code"])
    long = long.melt(id_vars="subicb_code", var_name="group_value", value_name="population")
    return long.groupby(["subicb_code", "group_value"], as_index=False)["population"].sum()


def mix_by_icb(subicb_mix: pd.DataFrame, index: AreaIndex) -> pd.DataFrame:
    """Group mix of every ICB: the level the model splits at."""
    parent = subicb_mix["subicb_code"].map(index.parent_map(AreaLevel.SUBICB, AreaLevel.ICB))
    grouped = subicb_mix.assign(area_code=parent).groupby(["area_code", "group_value"], as_index=False)["population"].sum()
    return grouped.assign(area_level=AreaLevel.ICB.value)


def summed_up(icb_counts: pd.DataFrame, index: AreaIndex) -> pd.DataFrame:
    """ICB × site modelled counts, with "All cancers" (the sum of the sites), alliances (the sum of
    their ICBs) and England (the sum of all): modelled figures add up the way published ones do."""
    keys = ["year", "cancer_type", "group_dimension", "group_value"]
    sites = icb_counts[icb_counts["cancer_type"] != ALL_CANCERS]
    totals = sites.groupby(["area_level", "area_code", "year", "group_dimension", "group_value"], as_index=False)[["numerator", "denominator"]].sum()
    icbs = pd.concat([sites, totals.assign(cancer_type=ALL_CANCERS)], ignore_index=True)
    alliances = icbs.assign(area_code=icbs["area_code"].map(index.parent_map(AreaLevel.ICB, AreaLevel.ALLIANCE)))
    alliances = alliances.groupby(["area_code", *keys], as_index=False)[["numerator", "denominator"]].sum().assign(area_level=AreaLevel.ALLIANCE.value)
    england = icbs.groupby(keys, as_index=False)[["numerator", "denominator"]].sum().assign(area_code=ENGLAND_CODE, area_level=AreaLevel.COUNTRY.value)
    return pd.concat([icbs, alliances, england], ignore_index=True)


def modelled_counts(stage_counts: pd.DataFrame, mix: pd.DataFrame, relative: dict[str, float], dimension: str) -> pd.DataFrame:
    groups = list(relative)
    shares = mix.pivot_table(index=["area_level", "area_code"], columns="group_value", values="population", aggfunc="sum").reindex(columns=groups).fillna(0)
    missing = [key for key in stage_counts[["area_level", "area_code"]].drop_duplicates().itertuples(index=False, name=None) if key not in shares.index]
    if missing:
        raise InputError(f"no population mix for area(s) {missing[:5]}")
    r = np.array([relative[g] for g in groups])
    records = []
    for row in stage_counts.itertuples(index=False):
        mix_row = shares.loc[(row.area_level, row.area_code)].to_numpy()
        early_g, staged_g = allocate(int(row.staged), int(row.early), mix_row, r)
        for group, e, d in zip(groups, early_g, staged_g, strict=True):
            records.append((row.area_level, row.area_code, row.year, row.cancer_type, group, e, d))
    frame = pd.DataFrame(records, columns=["area_level", "area_code", "year", "cancer_type", "group_value", "numerator", "denominator"])
    return frame.assign(group_dimension=dimension)


def modelled_rows(
    stage_counts: pd.DataFrame,
    index: AreaIndex,
    *,
    sources: Path,
    population: pd.DataFrame,
    imd: pd.Series,
    lsoa: pd.DataFrame,
    parameters: ModelParameters = MODEL_PARAMETERS,
) -> pd.DataFrame:
    icb_sites = stage_counts[(stage_counts["area_level"] == AreaLevel.ICB.value) & (stage_counts["cancer_type"] != ALL_CANCERS)]
    imd_counts = modelled_counts(
        icb_sites, mix_by_icb(imd_mix(population, imd, parameters.imd_min_age), index), parameters.imd_relative, GroupDimension.IMD_QUINTILE.value
    )
    ethnic_counts = modelled_counts(
        icb_sites, mix_by_icb(ethnic_mix(sources, lsoa), index), parameters.ethnic_relative, GroupDimension.ETHNIC_GROUP.value
    )
    counts = summed_up(pd.concat([imd_counts, ethnic_counts], ignore_index=True), index)
    counts = counts.assign(indicator_id="early_stage", ci_method=MODELLED_CI_METHOD)
    rows = proportion_rows(with_period(counts, period_series(counts, calendar_year, "year")))
    rows[["lower_ci", "upper_ci"]] = np.nan
    return finish(rows, index, source=MODELLED_SOURCE, status=DataStatus.MODELLED)


def modelled_statement(parameters: ModelParameters = MODEL_PARAMETERS) -> str:
    """One line that travels with every modelled figure: what was assumed."""
    imd = parameters.imd_relative
    ethnic = parameters.ethnic_relative
    lowest_ethnic = min(ethnic, key=ethnic.get)
    return (
        "MODELLED, not observed: the published total is split across groups by population mix, with an assumed "
        f"relative chance of early diagnosis (most vs least deprived fifth {imd['1 - most deprived'] / imd['5 - least deprived']:.2f}; "
        f"{lowest_ethnic} vs White {ethnic[lowest_ethnic] / ethnic['White']:.2f}). Gaps between groups show these assumptions."
    )
