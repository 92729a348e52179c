"""The committed indicator table: what it holds, and that it holds together."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from dashboard.core.settings import DEFAULT_DATA_DIR
from dashboard.data.schema import COLUMNS, DATA_MANIFEST_FILE, KEY, METADATA_FILE
from dashboard.core.geography import EAST_OF_ENGLAND_CODE, ENGLAND_CODE

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


def test_modelled_deprivation_gap_points_the_stated_way(table) -> None:
    rows = table[(table["indicator_id"] == "early_stage") & (table["area_code"] == ENGLAND_CODE) & (table["group_dimension"] == "imd_quintile") & (table["period"] == "2022") & (table["cancer_type"] == "All cancers")]
    by_group = rows.set_index(rows["group_value"].astype(str))["value"]
    assert by_group["1 - most deprived"] < by_group["5 - least deprived"]


def test_england_early_stage_lung_2022(table) -> None:
    row = _one(table, indicator_id="early_stage", area_code=ENGLAND_CODE, period="2022", cancer_type="Lung", group_dimension="all")
    assert row["numerator"] / row["denominator"] * 100 == pytest.approx(row["value"], abs=1e-4)
    assert 25 < row["value"] < 40
    assert row["lower_ci"] < row["value"] < row["upper_ci"]
    assert row["unit"] == "%" and row["data_status"] == "published"


def test_east_of_england_is_an_ndrs_alliance(table) -> None:
    rows = table[(table["area_code"] == EAST_OF_ENGLAND_CODE)]
    assert set(rows["indicator_id"].astype(str)) == {"early_stage", "stage_completeness"}


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
    assert all(len(s["sha256"]) == 64 for s in manifest["sources"])
