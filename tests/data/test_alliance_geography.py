"""One alliance geography: the 21 alliances of the 2022 mapping, each the sum of its ICBs,
recomputed here from the raw NDRS file and the raw 2022 lookup (not through the build)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest

from dashboard.core.settings import DEFAULT_DATA_DIR

STAGE = "outcomes/ndrs-stage/NDRS Stage Metrics- Stage at diagnosis by cancer site in England, 2013-2022.csv"
MAPPING = "lookups/Sub-ICB-to-Alliance-mapping-2022_v1.4.csv"
EARLY = ["Stage 1", "Stage 2", "Staged - other early"]
STAGED = EARLY + ["Stage 3", "Stage 4", "Staged - other advanced"]
DIAGNOSED = STAGED + ["Unstageable", "Missing stage"]
ALLIANCES = {
    "E56000013": "Thames Valley",
    "E56000025": "South Yorkshire",
    "E56000022": "East of England - North",
    "E56000023": "East of England - South",
}


@pytest.fixture(scope="module")
def mapping(sources_dir: Path) -> pd.DataFrame:
    return pd.read_csv(sources_dir / MAPPING, encoding="utf-8-sig", dtype=str)


@pytest.fixture(scope="module")
def ndrs(sources_dir: Path) -> pd.DataFrame:
    return pd.read_csv(sources_dir / STAGE)


def _row(table: pd.DataFrame, indicator: str, code: str, year: int, site: str) -> pd.Series:
    rows = table[(table["indicator_id"] == indicator) & (table["area_code"] == code) & (table["period"] == str(year))
                 & (table["cancer_type"] == site) & (table["group_dimension"] == "all")]
    assert len(rows) == 1
    return rows.iloc[0]


@pytest.mark.sources
def test_every_alliance_layer_is_the_21_alliances_of_2022(table, mapping) -> None:
    expected = set(mapping["Cancer Alliance Code"])
    assert len(expected) == 21
    alliances = table[table["area_level"] == "alliance"]
    for indicator, rows in alliances.groupby(alliances["indicator_id"].astype(str)):
        assert set(rows["area_code"].astype(str)) == expected, indicator


@pytest.mark.sources
@pytest.mark.parametrize("code", ALLIANCES)
@pytest.mark.parametrize("site", ["Lung", "Breast"])
@pytest.mark.parametrize("year", [2013, 2022])
def test_alliance_equals_the_sum_of_its_2022_icbs_in_the_raw_file(table, ndrs, mapping, code: str, site: str, year: int) -> None:
    icbs = set(mapping.loc[mapping["Cancer Alliance Code"] == code, "ICB"])
    rows = ndrs[(ndrs["Geography Type"] == "Integrated Care Board") & ndrs["Geography Name"].isin(icbs) & (ndrs["Year"] == year) & (ndrs["Site"] == site)]
    assert len(rows) == len(icbs)  # every ICB of the alliance is in the file
    early, staged, diagnosed = (int(rows[columns].to_numpy().sum()) for columns in (EARLY, STAGED, DIAGNOSED))
    stage_row = _row(table, "early_stage", code, year, site)
    assert (stage_row["numerator"], stage_row["denominator"]) == (early, staged)
    assert stage_row["value"] == pytest.approx(early / staged * 100, abs=5e-5)
    assert "recomputed" in str(stage_row["source"])
    complete = _row(table, "stage_completeness", code, year, site)
    assert (complete["numerator"], complete["denominator"]) == (staged, diagnosed)
    assert _row(table, "incidence_crude", code, year, site)["numerator"] == diagnosed


@pytest.mark.sources
def test_the_stated_differences_from_ndrs_alliances_are_what_the_raw_file_gives(ndrs, mapping) -> None:
    """The manifest's published-vs-recomputed diagnoses, 2013-2022, all sites, worked out from the raw files."""
    icb_alliance = dict(zip(mapping["ICB"], mapping["Cancer Alliance Code"], strict=False))
    icbs = ndrs[ndrs["Geography Type"] == "Integrated Care Board"]
    recomputed = icbs[DIAGNOSED].sum(axis=1).groupby(icbs["Geography Name"].map(icb_alliance)).sum()
    alliances = ndrs[ndrs["Geography Type"] == "Cancer Alliance"]
    published = alliances[DIAGNOSED].sum(axis=1).groupby(alliances["Geography Name"]).sum()
    manifest = {r["area_code"]: r for r in json.loads((DEFAULT_DATA_DIR / "manifest.json").read_text())["alliance_footprint"]}
    for code, name in {"E56000013": "Thames Valley", "E56000025": "South Yorkshire and Bassetlaw",
                       "E56000024": "East Midlands", "E56000015": "Somerset, Wiltshire, Avon and Gloucestershire"}.items():
        assert manifest[code]["diagnosed_published"] == published[name]
        assert manifest[code]["diagnosed_recomputed"] == recomputed[code]
        assert manifest[code]["diagnosed_difference"] == published[name] - recomputed[code]
    # Bassetlaw moved from South Yorkshire to East Midlands, Swindon from Thames Valley to SWAG:
    assert published["South Yorkshire and Bassetlaw"] - recomputed["E56000025"] == recomputed["E56000024"] - published["East Midlands"] == 8142
    assert published["Thames Valley"] - recomputed["E56000013"] == 12019
    # East of England: NDRS's one alliance is exactly North + South.
    assert published["East of England"] == recomputed["E56000022"] + recomputed["E56000023"]
    # Every other alliance equals NDRS's own figure.
    same = {n: c for n, c in zip(mapping["Cancer Alliance"].str.removesuffix(" Cancer Alliance"), mapping["Cancer Alliance Code"], strict=False)}
    for name in set(published.index) - {"Thames Valley", "South Yorkshire and Bassetlaw", "East Midlands", "Somerset, Wiltshire, Avon and Gloucestershire", "East of England"}:
        code = same.get(name) or same.get(name.replace(" and ", " & "))
        assert published[name] == recomputed[code], name
