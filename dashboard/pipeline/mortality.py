"""Cancer mortality, 2020 (NDRS), by area, site, sex, age band and deprivation.

- mortality_asr: every 2020 rate, at every level and for persons and each sex, is made
  one way, so that an area and its benchmark (England, its alliance, its peers) are
  always comparable: NDRS's deaths by sub-ICB in 6 age bands (24 and under, 25-49,
  50-59, 60-69, 70-79, 80+), summed up the 2022 hierarchy, over ONS mid-2019
  populations, directly standardised on ESP2013 (each band weighted by the sum of its
  5-year weights) with Dobson 95% limits. NDRS's own sub-ICB rates (20 bands, 2020
  populations) are not served; a test checks the recomputed ones against them (within
  5% where there are 100+ deaths).
- England by IMD quintile and sex (Table 3): NDRS's own, compared only within itself.
- England 2001-2019 by sex: NDRS's own (workbook Table 2), for the trend; no area has
  figures for those years, so nothing is compared with them. Their 2020 point would be
  NDRS's 20-band rate; the recomputed one is served instead (the caveat gives both).
- mortality_age_specific: crude rates by band, persons, exact/Byar Poisson limits.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.core.errors import InputError
from dashboard.core.geography import ENGLAND_CODE, AreaLevel
from dashboard.data.schema import GroupDimension
from dashboard.pipeline.areas import AreaIndex
from dashboard.pipeline.io import read_csv_source, require_file
from dashboard.pipeline.periods import calendar_year
from dashboard.pipeline.population import AGE_BANDS
from dashboard.pipeline.rows import aggregate_up, finish, period_series, with_period
from dashboard.stats.intervals import dobson_dsr, rate_interval

TABLE_4 = "outcomes/ndrs-mortality-2020/Table_4_by_sub_ICB.csv"
TABLE_3 = "outcomes/ndrs-mortality-2020/Table_3_by_deprivation_England.csv"
WORKBOOK = "outcomes/ndrs-mortality-2020/Cancer_Mortality_final.ods"
ESP_FILE = "lookups/European_Standard_Population_2013.csv"
YEAR = 2020
RATE = "Rate (per 100,000 population)"
LOWER = "95% Lower Confidence Interval"
UPPER = "95% Upper Confidence Interval"

SITES = {
    "C00 to C97 excl. C44": "All cancers (excluding non-melanoma skin)",
    "C15": "Oesophagus",
    "C16": "Stomach",
    "C18 to C20": "Colon and rectum",
    "C22": "Liver",
    "C23": "Gallbladder",
    "C25": "Pancreas",
    "C33 to C34": "Lung",
    "C43": "Melanoma of skin",
    "C50": "Breast",
    "C53": "Cervix",
    "C54 to C55": "Uterus",
    "C56 to C57": "Ovary",
    "C61": "Prostate",
    "C64": "Kidney",
    "C67": "Bladder",
    "C82 to C86": "Non-Hodgkin lymphoma",
    "C90": "Myeloma",
    "C91 to C95": "Leukaemia",
}
SEXES = ("Males", "Females")
PERSONS_METHOD = "Dobson 95% (recomputed: 6 age bands on ESP2013, ONS mid-2019 population)"
PUBLISHED_METHOD = "Dobson 95% (as published by NDRS)"
AGE_SPECIFIC_METHOD = "Exact Poisson 95% below 10 deaths, Byar's approximation from 10"
# What every recomputed 2020 rate is made from: NDRS's deaths, ONS's population, the ESP2013 weights.
RECOMPUTED_SOURCE = (
    f"{TABLE_4.removeprefix('outcomes/')} (deaths by sub-ICB, sex and age band); "
    "population/ONS_mid2019_population_by_LSOA11_single_year_of_age_and_sex.parquet; "
    f"{ESP_FILE} (age-standardised rates only)"
)
IMD_DIMENSIONS = {"Males": GroupDimension.IMD_QUINTILE_MALES.value, "Females": GroupDimension.IMD_QUINTILE_FEMALES.value}


def band_weights(sources: Path) -> dict[str, float]:
    """ESP2013 weights summed into Table 4's six age bands."""
    esp = read_csv_source(sources, ESP_FILE, columns=["age_band_esp", "esp_weight"])
    lower_age = esp["age_band_esp"].str.extract(r"(\d+)")[0].astype(int).where(~esp["age_band_esp"].str.startswith("<"), 0)
    weights = pd.to_numeric(esp["esp_weight"])
    result = {}
    for label, low, high in AGE_BANDS:
        result[label] = float(weights[(lower_age >= low) & (lower_age <= high)].sum())
    if abs(sum(result.values()) - 100_000) > 1e-6:
        raise InputError(f"{sources / ESP_FILE}: weights sum to {sum(result.values())}, expected 100,000")
    return result


def _site_names(codes: pd.Series, path: Path) -> pd.Series:
    unknown = sorted(set(codes) - set(SITES))
    if unknown:
        raise InputError(f"{path}, column ICD10 code: unexpected site(s) {unknown}")
    return codes.map(SITES)


def _numbers(frame: pd.DataFrame, columns: list[str]) -> pd.DataFrame:
    # "[u1]" marks a rate NDRS suppressed; "<0.1" a rate below 0.1. Both give no value here.
    return frame[columns].apply(lambda c: pd.to_numeric(c.str.strip(), errors="coerce"))


def read_table_4(sources: Path) -> pd.DataFrame:
    path = require_file(sources, TABLE_4)
    table = read_csv_source(sources, TABLE_4, columns=["ICD10 code", "Sub ICB Code", "Gender", "Age", "Cases", "Type of rate", RATE, LOWER, UPPER])
    cases = pd.to_numeric(table["Cases"], errors="coerce")
    if cases.isna().any():
        row = int(np.flatnonzero(cases.isna())[0]) + 1
        raise InputError(f"{path}: row {row}, column Cases: not a number ({table['Cases'].iloc[row - 1]!r})")
    return pd.concat([table.assign(cases=cases, cancer_type=_site_names(table["ICD10 code"], path)), _numbers(table, [RATE, LOWER, UPPER]).add_suffix("_n")], axis=1)


def deaths_by_band(table_4: pd.DataFrame) -> pd.DataFrame:
    bands = table_4[table_4["Type of rate"] == "Age-specific"]
    return bands.rename(columns={"Sub ICB Code": "area_code", "Gender": "sex", "Age": "age_band"})[
        ["area_code", "cancer_type", "sex", "age_band", "cases"]
    ]


def population_by_band(population: pd.DataFrame, index: AreaIndex) -> pd.DataFrame:
    """Population by area (every level) × sex × age band."""
    subicb = population.groupby(["subicb_code", "sex", "age_band"], as_index=False)["population"].sum().rename(columns={"subicb_code": "area_code"})
    up = aggregate_up(subicb, index, from_level=AreaLevel.SUBICB, to_levels=(AreaLevel.ICB, AreaLevel.ALLIANCE, AreaLevel.COUNTRY), keys=["sex", "age_band"], sums=["population"])
    return pd.concat([subicb.assign(area_level=AreaLevel.SUBICB.value), up], ignore_index=True)


def deaths_all_levels(deaths: pd.DataFrame, index: AreaIndex) -> pd.DataFrame:
    up = aggregate_up(deaths, index, from_level=AreaLevel.SUBICB, to_levels=(AreaLevel.ICB, AreaLevel.ALLIANCE, AreaLevel.COUNTRY), keys=["cancer_type", "sex", "age_band"], sums=["cases"])
    return pd.concat([deaths.assign(area_level=AreaLevel.SUBICB.value), up], ignore_index=True)


def standardised_rates(deaths: pd.DataFrame, population: pd.DataFrame, weights: dict[str, float], *, by_sex: bool) -> pd.DataFrame:
    """Dobson DSRs per area × site (× sex, or persons over the sexes the site has)."""
    merged = deaths.merge(population, on=["area_level", "area_code", "sex", "age_band"], how="left", validate="many_to_one")
    if merged["population"].isna().any():
        raise InputError(f"no population for {merged.loc[merged['population'].isna(), ['area_code', 'sex', 'age_band']].drop_duplicates().head().to_dict('records')}")
    keys = ["area_level", "area_code", "cancer_type"] + (["sex"] if by_sex else [])
    per_band = merged.groupby(keys + ["age_band"], as_index=False)[["cases", "population"]].sum()
    records = []
    for key, group in per_band.groupby(keys, sort=True):
        w = group["age_band"].map(weights).to_numpy()
        value, lower, upper = dobson_dsr(group["cases"].to_numpy(), group["population"].to_numpy(), w)
        records.append((*key, group["cases"].sum(), group["population"].sum(), value, lower, upper))
    return pd.DataFrame(records, columns=[*keys, "numerator", "denominator", "value", "lower_ci", "upper_ci"])


def age_specific_rates(deaths: pd.DataFrame, population: pd.DataFrame) -> pd.DataFrame:
    merged = deaths.merge(population, on=["area_level", "area_code", "sex", "age_band"], how="left", validate="many_to_one")
    persons = merged.groupby(["area_level", "area_code", "cancer_type", "age_band"], as_index=False)[["cases", "population"]].sum()
    value, lower, upper = rate_interval(persons["cases"], persons["population"])
    return persons.rename(columns={"cases": "numerator", "population": "denominator"}).assign(value=value, lower_ci=lower, upper_ci=upper)


def read_table_3(sources: Path) -> pd.DataFrame:
    path = require_file(sources, TABLE_3)
    table = read_csv_source(sources, TABLE_3, columns=["ICD10 code", "IMD Quintile", "Gender", "Cases", "Type of rate", RATE, LOWER, UPPER])
    table = table[(table["Type of rate"] == "Age-standardised") & table["ICD10 code"].isin(SITES)]
    numbers = _numbers(table, [RATE, LOWER, UPPER])
    return pd.DataFrame(
        {
            "area_level": AreaLevel.COUNTRY.value,
            "area_code": ENGLAND_CODE,
            "cancer_type": _site_names(table["ICD10 code"], path),
            "group_dimension": table["Gender"].map(IMD_DIMENSIONS),
            "group_value": table["IMD Quintile"].str.strip(),
            "numerator": pd.to_numeric(table["Cases"]),
            "value": numbers[RATE],
            "lower_ci": numbers[LOWER],
            "upper_ci": numbers[UPPER],
            "year": YEAR,
        }
    )


def read_trend(sources: Path) -> pd.DataFrame:
    """England, 2001-2020, by sex: workbook Table 2 (header on its third row)."""
    path = require_file(sources, WORKBOOK)
    try:
        table = pd.read_excel(path, engine="calamine", sheet_name="Table_2", header=2, dtype=str)
    except Exception as exc:
        raise InputError(f"cannot read {path}, sheet Table_2: {exc}") from exc
    needed = ["Year", "ICD10 code", "Gender", "Count", RATE, LOWER, UPPER]
    missing = [c for c in needed if c not in table.columns]
    if missing:
        raise InputError(f"{path}, sheet Table_2: missing column(s) {missing}")
    table = table[table["ICD10 code"].isin(SITES)]
    numbers = _numbers(table, [RATE, LOWER, UPPER])
    return pd.DataFrame(
        {
            "area_level": AreaLevel.COUNTRY.value,
            "area_code": ENGLAND_CODE,
            "cancer_type": table["ICD10 code"].map(SITES),
            "group_dimension": GroupDimension.SEX.value,
            "group_value": table["Gender"].str.strip(),
            "numerator": pd.to_numeric(table["Count"]),
            "value": numbers[RATE],
            "lower_ci": numbers[LOWER],
            "upper_ci": numbers[UPPER],
            "year": pd.to_numeric(table["Year"]).astype(int),
        }
    )


def mortality_rows(sources: Path, index: AreaIndex, population: pd.DataFrame) -> pd.DataFrame:
    weights = band_weights(sources)
    table_4 = read_table_4(sources)
    deaths = deaths_all_levels(deaths_by_band(table_4), index)
    pops = population_by_band(population, index)

    persons = standardised_rates(deaths, pops, weights, by_sex=False).assign(group_dimension=GroupDimension.ALL.value, group_value="All")
    by_sex = standardised_rates(deaths, pops, weights, by_sex=True)
    by_sex = by_sex.rename(columns={"sex": "group_value"}).assign(group_dimension=GroupDimension.SEX.value)
    asr = pd.concat([persons, by_sex], ignore_index=True).assign(year=YEAR, ci_method=PERSONS_METHOD, source=RECOMPUTED_SOURCE)
    imd = read_table_3(sources).assign(ci_method=PUBLISHED_METHOD, source=TABLE_3.removeprefix("outcomes/"))
    standardised = pd.concat([asr, imd], ignore_index=True).assign(indicator_id="mortality_asr")
    # England's earlier years, as NDRS publishes them: no area is compared with them. 2020 is
    # the recomputed figure above, so that every 2020 comparison is like with like.
    trend = read_trend(sources)
    trend = trend[trend["year"] < YEAR].assign(
        indicator_id="mortality_asr", ci_method=PUBLISHED_METHOD, denominator=np.nan,
        source=f"{WORKBOOK.removeprefix('outcomes/')} (Table_2)",
    )
    standardised = pd.concat([standardised, trend], ignore_index=True)

    age = age_specific_rates(deaths, pops).assign(
        indicator_id="mortality_age_specific", group_dimension=GroupDimension.AGE_BAND.value, year=YEAR,
        ci_method=AGE_SPECIFIC_METHOD, source=RECOMPUTED_SOURCE,
    ).rename(columns={"age_band": "group_value"})
    rows = pd.concat([standardised, age], ignore_index=True)
    # A rate NDRS shows as "<0.1" has limits but no value here; drop the limits too.
    rows.loc[rows["value"].isna(), ["lower_ci", "upper_ci"]] = np.nan
    rows = with_period(rows, period_series(rows, calendar_year, "year"))
    return finish(rows, index, source="")
