"""The committed indicator table: what it holds, and that it holds together."""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd
import pytest

from dashboard.core.geography import EAST_OF_ENGLAND_CODE, ENGLAND_CODE
from dashboard.core.settings import DEFAULT_DATA_DIR, PROJECT_ROOT
from dashboard.data.schema import COLUMNS, DATA_MANIFEST_FILE, KEY, METADATA_FILE

EXPECTED = {
    # indicator: (levels, group dimensions)
    "early_stage": ({"country", "alliance", "icb"}, {"all", "imd_quintile", "ethnic_group"}),
    "stage_completeness": ({"country", "alliance", "icb"}, {"all"}),
    "fds_28day": ({"country", "alliance", "icb"}, {"all", "referral_route"}),
    "cwt_31day": ({"country", "alliance", "icb"}, {"all", "treatment_stage"}),
    "cwt_62day": ({"country", "alliance", "icb"}, {"all", "referral_route"}),
    "fds_28day_commissioner": ({"country", "alliance", "icb", "subicb"}, {"all"}),
    "cwt_62day_commissioner": ({"country", "alliance", "icb", "subicb"}, {"all", "referral_route"}),
    "mortality_asr": ({"country", "alliance", "icb", "subicb"}, {"all", "sex", "imd_quintile_males", "imd_quintile_females"}),
    "mortality_age_specific": ({"country", "alliance", "icb", "subicb"}, {"age_band"}),
    "population": ({"country", "alliance", "icb", "subicb"}, {"all", "sex", "age_band", "sex_and_age_band"}),
    "most_deprived_share": ({"country", "alliance", "icb", "subicb"}, {"all"}),
}


def _one(table: pd.DataFrame, **where) -> pd.Series:
    mask = np.ones(len(table), dtype=bool)
    for column, value in where.items():
        mask &= (table[column] == value).to_numpy()
    rows = table[mask]
    assert len(rows) == 1, (where, len(rows))
    return rows.iloc[0]


def test_columns_are_the_documented_download_format(table) -> None:
    assert list(table.columns) == list(COLUMNS)


@pytest.mark.parametrize(("indicator", "expected"), EXPECTED.items())
def test_each_indicator_has_its_levels_and_groups(table, indicator: str, expected) -> None:
    rows = table[table["indicator_id"] == indicator]
    levels, groups = expected
    assert set(rows["area_level"].astype(str)) == levels
    assert set(rows["group_dimension"].astype(str)) == groups


def test_keys_unique(table) -> None:
    assert not table.duplicated(list(KEY)).any()


def test_only_the_modelled_breakdowns_are_modelled(table) -> None:
    modelled = table[table["data_status"] == "modelled"]
    assert set(modelled["group_dimension"].astype(str)) == {"imd_quintile", "ethnic_group"}
    assert set(modelled["indicator_id"].astype(str)) == {"early_stage"}
    assert modelled["source"].astype(str).str.startswith("MODELLED").all()
    assert modelled["ci_method"].astype(str).str.contains("modelled").all()


def test_modelled_breakdown_adds_up_to_published_totals(table) -> None:
    early = table[table["indicator_id"] == "early_stage"]
    keys = ["area_code", "period", "cancer_type"]
    published = early[early["group_dimension"] == "all"].set_index(keys)[["numerator", "denominator"]]
    for dimension in ("imd_quintile", "ethnic_group"):
        groups = early[early["group_dimension"] == dimension]
        summed = groups.groupby(keys, observed=True)[["numerator", "denominator"]].sum()
        joined = summed.join(published.add_suffix("_published"), how="outer")
        assert len(joined) == len(published)
        assert (joined["numerator"] == joined["numerator_published"]).all()
        assert (joined["denominator"] == joined["denominator_published"]).all()
        assert (groups["numerator"] <= groups["denominator"]).all()
        assert (groups["numerator"] == groups["numerator"].round()).all()


POPULATION_FILE = "population/ONS_mid2019_population_by_LSOA11_single_year_of_age_and_sex.parquet"
IMD_FILE = "population/IMD2019_by_LSOA11.csv"


@pytest.mark.sources
def test_modelled_deprivation_split_follows_the_icbs_population_aged_50_and_over(table, sources_dir) -> None:
    """Step 1 of the model, checked from the raw files rather than restated from its parameters:
    an ICB's staged cancers of a site are split across IMD quintiles in proportion to its residents
    aged 50+ in each quintile (ONS mid-2019 LSOA estimates; LSOA -> CCG 2021 by ODS code, which for
    Lancashire and South Cumbria is the 2022 sub-ICB; IMD 2019 decile d is quintile ceil(d/2))."""
    lookup = pd.read_excel(sources_dir / "lookups/LSOA11_CCG21_STP21_CAL21_LAD21_EN_LU.xlsx", engine="calamine", dtype=str)
    mapping = pd.read_csv(sources_dir / "lookups/Sub-ICB-to-Alliance-mapping-2022_v1.4.csv", encoding="utf-8-sig", dtype=str)
    lsc_ccgs = set(mapping.loc[mapping["ICB E code"] == "E54000048", "SICBL22CDH"])
    lsoas = set(lookup.loc[lookup["CCG21CDH"].str.strip().isin(lsc_ccgs), "LSOA11CD"])
    population = pd.read_parquet(sources_dir / POPULATION_FILE)
    older = population[(population["age"] >= 50) & population["LSOA11CD"].isin(lsoas)].groupby("LSOA11CD")["population"].sum()
    decile = pd.read_csv(sources_dir / IMD_FILE, usecols=["LSOA11CD", "IMD2019_decile"]).set_index("LSOA11CD")["IMD2019_decile"]
    residents = older.groupby((decile.reindex(older.index) + 1) // 2).sum()
    share = (residents / residents.sum()).to_numpy()
    rows = table[(table["indicator_id"] == "early_stage") & (table["area_code"] == "E54000048") & (table["group_dimension"] == "imd_quintile")
                 & (table["period"] == "2022") & (table["cancer_type"] == "Lung")]
    by_group = rows.set_index(rows["group_value"].astype(str))["denominator"]
    staged = by_group[["1 - most deprived", "2", "3", "4", "5 - least deprived"]].to_numpy()
    assert staged.sum() == 1374  # the ICB's published staged lung cancers, 2022
    # Whole numbers by largest remainder: each within 1 of its exact share of the total.
    assert np.abs(staged - share * staged.sum()).max() < 1
    # Lancashire and South Cumbria's residents aged 50+ are far from spread evenly: most in fifths 1 and 5.
    assert share.max() > 0.2 and share.min() < 0.2


def test_modelled_figures_add_up_like_published_ones(table) -> None:
    """Modelled at ICB x site; All cancers, alliances and England are sums, as published ones are."""
    modelled = table[table["data_status"] == "modelled"]
    keys = ["period", "group_dimension", "group_value"]
    icb = modelled[modelled["area_level"] == "icb"]
    england = modelled[modelled["area_level"] == "country"]
    sites = icb[icb["cancer_type"] != "All cancers"]
    summed = sites.groupby(keys, observed=True)[["numerator", "denominator"]].sum()
    ours = england[england["cancer_type"] == "All cancers"].set_index(keys)[["numerator", "denominator"]]
    joined = ours.join(summed, how="inner", suffixes=("", "_icb_sites"))
    assert len(joined) == len(ours) == 10 * 10  # 10 years x (5 quintiles + 5 ethnic groups)
    assert (joined["numerator"] == joined["numerator_icb_sites"]).all() and (joined["denominator"] == joined["denominator_icb_sites"]).all()


def test_england_early_stage_lung_2022(table) -> None:
    row = _one(table, indicator_id="early_stage", area_code=ENGLAND_CODE, period="2022", cancer_type="Lung", group_dimension="all")
    # ndrs-stage/NDRS Stage Metrics- Stage at diagnosis by cancer site in England, 2013-2022.csv, line 10702:
    # "Country","England",2022,"Lung",9207,2956,7204,16623,0,0,39,5684,86.3
    # early = 9207 + 2956 + 0 = 12163; staged = 12163 + 7204 + 16623 + 0 = 35990.
    assert (row["numerator"], row["denominator"]) == (12163, 35990)
    assert row["value"] == pytest.approx(12163 / 35990 * 100, abs=1e-4)
    assert row["lower_ci"] < row["value"] < row["upper_ci"]
    assert row["unit"] == "%" and row["data_status"] == "published"


def test_no_row_uses_ndrs_east_of_england_grouping(table) -> None:
    """East of England North and South are shown separately (their sum is NDRS's East of England)."""
    assert not (table["area_code"] == EAST_OF_ENGLAND_CODE).any()


def test_fds_periods_and_children(table) -> None:
    fds = table[(table["indicator_id"] == "fds_28day") & (table["area_code"] == ENGLAND_CODE) & (table["group_dimension"] == "all")]
    periods = fds.groupby("period_type", observed=True)["period"].nunique()
    assert periods["month"] == 42 and periods["quarter"] == 14 and periods["financial_year"] == 3
    assert "Suspected children's cancer" in set(fds["cancer_type"].astype(str))
    quarter = _one(fds, period="2023-24 Q1", cancer_type="All suspected cancers")
    months = fds[fds["period"].isin(["2023-04", "2023-05", "2023-06"]) & (fds["cancer_type"] == "All suspected cancers")]
    assert quarter["denominator"] == months["denominator"].sum()


def test_proportions_within_0_100_and_ordered(table) -> None:
    percent = table[(table["unit"] == "%") & table["value"].notna()]
    assert percent["value"].between(0, 100).all()
    ci = percent.dropna(subset=["lower_ci"])
    assert (ci["lower_ci"] <= ci["value"]).all() and (ci["value"] <= ci["upper_ci"]).all()


def test_manifest_and_metadata(table) -> None:
    manifest = json.loads((DEFAULT_DATA_DIR / DATA_MANIFEST_FILE).read_text())
    metadata = json.loads((DEFAULT_DATA_DIR / METADATA_FILE).read_text())
    ids = {item["id"] for item in metadata["indicators"]}
    assert set(table["indicator_id"].astype(str)) <= ids
    for item in metadata["indicators"]:
        for field in ("name", "definition", "numerator", "denominator", "unit", "polarity", "ci_method", "source", "licence", "caveats"):
            assert item[field], (item["id"], field)
    assert manifest["rows"] == len(table)
    assert manifest["provider_attribution"]["fds_unattributed_share"] <= 0.005


def test_manifest_checksums_are_those_of_the_products() -> None:
    manifest = json.loads((DEFAULT_DATA_DIR / DATA_MANIFEST_FILE).read_text())
    assert set(manifest["products"]) == {"indicators.parquet", "derived.parquet", "indicator_metadata.json"}
    for name, product in manifest["products"].items():
        data = (DEFAULT_DATA_DIR / name).read_bytes()
        assert product["sha256"] == hashlib.sha256(data).hexdigest(), name
        assert product["bytes"] == len(data), name


@pytest.mark.sources
def test_manifest_checksums_are_those_of_the_sources(sources_dir) -> None:
    manifest = json.loads((DEFAULT_DATA_DIR / DATA_MANIFEST_FILE).read_text())
    assert len(manifest["sources"]) > 0
    for source in manifest["sources"]:
        # Raw files are named relative to the sources folder; the project's own reference
        # tables (dashboard/pipeline/reference/) relative to the project.
        root = PROJECT_ROOT if source["file"].startswith("dashboard/") else sources_dir
        path = root / source["file"]
        assert source["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest(), source["file"]
