"""Recompute published figures from the raw sources and compare with the committed table.

These read ../shared/data-sources and skip when it is absent.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.core.geography import ENGLAND_CODE
from dashboard.pipeline.areas import AreaIndex
from dashboard.pipeline.mortality import band_weights, read_table_4
from dashboard.pipeline.population import read_lsoa_lookup, read_population
from dashboard.pipeline.stage import STAGE_FILE
from dashboard.pipeline.waiting_times import FDS_FOLDER
from dashboard.stats.intervals import dobson_dsr

pytestmark = pytest.mark.sources

# Recomputing NDRS's 20-band age standardisation from Table 4's 6 bands, with ONS
# mid-2019 rather than NDRS's 2020 populations: the stated tolerance for rates on
# 100 or more deaths.
ASR_TOLERANCE = 0.05


def test_early_stage_england_reproduced_from_the_ndrs_file(sources_dir: Path, table) -> None:
    raw = pd.read_csv(sources_dir / STAGE_FILE)
    row = raw[(raw["Geography Name"] == "England") & (raw["Year"] == 2022) & (raw["Site"] == "Lung")].iloc[0]
    early = row["Stage 1"] + row["Stage 2"] + row["Staged - other early"]
    staged = early + row["Stage 3"] + row["Stage 4"] + row["Staged - other advanced"]
    ours = table[(table["indicator_id"] == "early_stage") & (table["area_code"] == ENGLAND_CODE) & (table["period"] == "2022") & (table["cancer_type"] == "Lung") & (table["group_dimension"] == "all")].iloc[0]
    assert (ours["numerator"], ours["denominator"]) == (early, staged)
    completeness = table[(table["indicator_id"] == "stage_completeness") & (table["area_code"] == ENGLAND_CODE) & (table["period"] == "2022") & (table["cancer_type"] == "Lung") & (table["group_dimension"] == "all")].iloc[0]
    assert completeness["value"] == pytest.approx(row["Percentage completeness"], abs=0.05)


@pytest.mark.parametrize("month", ["2021_04", "2023_10", "2024_09"])
def test_fds_england_equals_the_all_english_providers_rows(sources_dir: Path, table, month: str) -> None:
    path = sources_dir / FDS_FOLDER / f"data_{month}.csv"
    lines = path.read_text().splitlines()
    header = next(i for i, line in enumerate(lines) if "ODS CODE" in line)
    raw = pd.read_csv(path, skiprows=header, dtype=str, keep_default_na=False)
    totals = raw[raw["ACCOUNTABLE PROVIDER"] == "ALL ENGLISH PROVIDERS"]
    label = month.replace("_", "-")
    ours = table[(table["indicator_id"] == "fds_28day") & (table["area_code"] == ENGLAND_CODE) & (table["period"] == label) & (table["cancer_type"] == "All suspected cancers") & (table["group_dimension"] == "all")].iloc[0]
    assert ours["denominator"] == totals["TOTAL"].astype(int).sum()
    assert ours["numerator"] == totals["WITHIN 28 DAYS"].astype(int).sum()


def test_subicb_asrs_reproduced_from_age_specific_counts(sources_dir: Path, geodata_dir: Path) -> None:
    """NDRS's published sub-ICB rates, recomputed from its age-band deaths and ONS populations."""
    index = AreaIndex.load(geodata_dir)
    population = read_population(sources_dir, read_lsoa_lookup(sources_dir, index)["subicb_code"])
    pops = population.groupby(["subicb_code", "sex", "age_band"])["population"].sum()
    weights = band_weights(sources_dir)
    table_4 = read_table_4(sources_dir)
    published = table_4[(table_4["Type of rate"] == "Age-standardised") & (table_4["cases"] >= 100)]
    bands = table_4[table_4["Type of rate"] == "Age-specific"].set_index(["Sub ICB Code", "ICD10 code", "Gender"])
    ratios = []
    rate = "Rate (per 100,000 population)_n"
    for area, site, sex, published_rate in published[["Sub ICB Code", "ICD10 code", "Gender", rate]].itertuples(index=False):
        group = bands.loc[(area, site, sex)]
        population_by_band = np.array([pops[(area, sex, band)] for band in group["Age"]])
        value, _, _ = dobson_dsr(group["cases"].to_numpy(), population_by_band, np.array([weights[b] for b in group["Age"]]))
        ratios.append(value / published_rate)
    ratios = np.array(ratios)
    assert len(ratios) > 400  # every sub-ICB × sex × site rate on 100+ deaths
    assert np.median(np.abs(ratios - 1)) < 0.02
    assert np.all(np.abs(ratios - 1) < ASR_TOLERANCE), (ratios.min(), ratios.max())
    print(f"ASR ratio recomputed/published: n={len(ratios)}, median {np.median(ratios):.4f}, range {ratios.min():.4f}-{ratios.max():.4f}")
