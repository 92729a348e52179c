"""Population by area, age band and sex (ONS mid-2019), and each area's deprivation mix.

LSOAs (2011) are placed in 2022 sub-ICBs through the ONS LSOA -> CCG 2021 lookup,
matched on the ODS code the CCG and its successor sub-ICB share. Two 2022 boundary
changes move whole local-authority areas between sub-ICBs and are applied here:
Glossop (High Peak) left Tameside and Glossop (01Y) for Derby and Derbyshire (15M),
and West Birmingham (Birmingham local authority) left the Black Country (D2P2L) for
Birmingham and Solihull (15E). Smaller 2022 changes (Cambridgeshire and
Peterborough 06H, Northamptonshire 78H) are not applied; docs/data.md lists them.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.core.cancers import NOT_APPLICABLE
from dashboard.core.errors import InputError
from dashboard.core.geography import AreaLevel
from dashboard.data.schema import GroupDimension
from dashboard.pipeline.areas import AreaIndex
from dashboard.pipeline.io import read_csv_source, require_file
from dashboard.pipeline.periods import calendar_year
from dashboard.pipeline.rows import aggregate_up, finish, period_series, with_period

POPULATION_FILE = "population/ONS_mid2019_population_by_LSOA11_single_year_of_age_and_sex.parquet"
IMD_FILE = "population/IMD2019_by_LSOA11.csv"
LSOA_LOOKUP = "lookups/LSOA11_CCG21_STP21_CAL21_LAD21_EN_LU.xlsx"
ETHNICITY_FILE = "population/census2021_ethnic_group_by_LSOA21_TS021.csv"

# (CCG 2021 ODS code, local authority 2021 name) -> 2022 sub-ICB ODS code.
BOUNDARY_MOVES_2022 = {
    ("01Y", "High Peak"): "15M",
    ("D2P2L", "Birmingham"): "15E",
}

# Age bands of NDRS mortality Table 4, which fall on ESP2013 5-year boundaries.
AGE_BANDS: tuple[tuple[str, int, int], ...] = (
    ("24 and under", 0, 24),
    ("25 to 49", 25, 49),
    ("50 to 59", 50, 59),
    ("60 to 69", 60, 69),
    ("70 to 79", 70, 79),
    ("80 and over", 80, 200),
)
SEX_LABELS = {"M": "Males", "F": "Females"}


def age_band_of(age: pd.Series) -> pd.Series:
    bins = [band[1] for band in AGE_BANDS] + [AGE_BANDS[-1][2] + 1]
    return pd.cut(age, bins=bins, right=False, labels=[band[0] for band in AGE_BANDS]).astype(str)


def read_lsoa_lookup(sources: Path, index: AreaIndex) -> pd.DataFrame:
    """Indexed by LSOA 2011 code: its 2022 sub-ICB E38 code (subicb_code) and name (lsoa_name)."""
    path = require_file(sources, LSOA_LOOKUP)
    try:
        lookup = pd.read_excel(path, engine="calamine", sheet_name=0, dtype=str)
    except Exception as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    missing = [c for c in ("LSOA11CD", "LSOA11NM", "CCG21CDH", "LAD21NM") if c not in lookup.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}")
    ods = lookup["CCG21CDH"].str.strip()
    moved = pd.Series(list(zip(ods, lookup["LAD21NM"].str.strip(), strict=True))).map(BOUNDARY_MOVES_2022)
    ods = moved.fillna(pd.Series(ods.to_numpy()))
    subicb_by_ods = dict(index.areas[["subicb_ods", "subicb_code"]].itertuples(index=False))
    codes = ods.map(subicb_by_ods)
    if codes.isna().any():
        raise InputError(f"{path}, column CCG21CDH: code(s) {sorted(set(ods[codes.isna()]))} match no 2022 sub-ICB")
    return pd.DataFrame(
        {"subicb_code": codes.to_numpy(), "lsoa_name": lookup["LSOA11NM"].str.strip().to_numpy()},
        index=pd.Index(lookup["LSOA11CD"].str.strip(), name="LSOA11CD"),
    )


def read_population(sources: Path, lsoa_subicb: pd.Series) -> pd.DataFrame:
    """England's mid-2019 population: LSOA11CD, subicb_code, age_band, sex, population."""
    path = require_file(sources, POPULATION_FILE)
    try:
        raw = pd.read_parquet(path, columns=["LSOA11CD", "age", "sex", "population"])
    except Exception as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    raw = raw[raw["LSOA11CD"].str.startswith("E")]
    unmatched = sorted(set(raw["LSOA11CD"]) - set(lsoa_subicb.index))
    if unmatched:
        raise InputError(f"{path}, column LSOA11CD: {len(unmatched)} LSOA(s) not in {LSOA_LOOKUP}, e.g. {unmatched[:5]}")
    raw = raw.assign(age_band=age_band_of(raw["age"]), sex=raw["sex"].map(SEX_LABELS))
    grouped = raw.groupby(["LSOA11CD", "age_band", "sex"], as_index=False, observed=True)["population"].sum()
    return grouped.assign(subicb_code=grouped["LSOA11CD"].map(lsoa_subicb))


def read_imd_quintiles(sources: Path) -> pd.Series:
    """LSOA 2011 code -> IMD 2019 quintile (1 = most deprived)."""
    imd = read_csv_source(sources, IMD_FILE, columns=["LSOA11CD", "IMD2019_decile"])
    decile = pd.to_numeric(imd["IMD2019_decile"], errors="coerce")
    if decile.isna().any() or not decile.between(1, 10).all():
        row = int(np.flatnonzero(decile.isna() | ~decile.between(1, 10))[0]) + 1
        raise InputError(f"{sources / IMD_FILE}: row {row}, column IMD2019_decile: not a decile 1-10")
    return pd.Series(((decile + 1) // 2).astype(int).to_numpy(), index=imd["LSOA11CD"].str.strip(), name="imd_quintile")


POPULATION_YEAR = 2019
POPULATION_SOURCE_LABEL = f"{POPULATION_FILE}; {IMD_FILE}; {LSOA_LOOKUP}"


def population_rows(population: pd.DataFrame, imd: pd.Series, index: AreaIndex) -> pd.DataFrame:
    """Population by area × (all, sex, age band, sex × age band), and the share in the most deprived quintile."""
    people = population.assign(q1=population["LSOA11CD"].map(imd).eq(1) * population["population"])
    cuts = []
    people = people.assign(sex_and_age_band=people["sex"] + ", " + people["age_band"])
    cuts_by = (
        (GroupDimension.ALL, None),
        (GroupDimension.SEX, "sex"),
        (GroupDimension.AGE_BAND, "age_band"),
        (GroupDimension.SEX_AND_AGE_BAND, "sex_and_age_band"),
    )
    for dimension, column in cuts_by:
        keys = ["subicb_code"] + ([column] if column else [])
        grouped = people.groupby(keys, as_index=False)[["population", "q1"]].sum()
        grouped = grouped.rename(columns={"subicb_code": "area_code", **({column: "group_value"} if column else {})})
        if column is None:
            grouped["group_value"] = "All"
        cuts.append(grouped.assign(group_dimension=dimension.value))
    subicb = pd.concat(cuts, ignore_index=True)
    up = aggregate_up(subicb, index, from_level=AreaLevel.SUBICB, to_levels=(AreaLevel.ICB, AreaLevel.ALLIANCE, AreaLevel.COUNTRY), keys=["group_dimension", "group_value"], sums=["population", "q1"])
    areas = pd.concat([subicb.assign(area_level=AreaLevel.SUBICB.value), up], ignore_index=True)
    counts = areas.assign(
        indicator_id="population", numerator=areas["population"], denominator=np.nan, value=areas["population"], lower_ci=np.nan, upper_ci=np.nan
    )
    deprived = areas[areas["group_dimension"] == GroupDimension.ALL.value]
    shares = deprived.assign(
        indicator_id="most_deprived_share", numerator=deprived["q1"], denominator=deprived["population"],
        value=deprived["q1"] / deprived["population"] * 100, lower_ci=np.nan, upper_ci=np.nan,
    )
    rows = pd.concat([counts, shares], ignore_index=True).drop(columns=["population", "q1"]).assign(year=POPULATION_YEAR, cancer_type=NOT_APPLICABLE)
    rows = with_period(rows, period_series(rows, calendar_year, "year"))
    return finish(rows, index, source=POPULATION_SOURCE_LABEL)
