"""derive-data: an alliance's own rows added to the committed table, served with the same
checks and disclosure control; a derived file that does not belong to its table is refused."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.core.errors import InputError
from dashboard.core.selection import Selection
from dashboard.core.settings import DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR
from dashboard.data.loading import load_dataset
from dashboard.pipeline.protection import audit_folder
from dashboard.query.explorer import Explorer
from dashboard.stats.disclosure import PRIMARY

LSC = "E54000048"  # Lancashire and South Cumbria ICB


def _extract(path: Path) -> Path:
    """Early stage by sex for one ICB: a breakdown the published data lacks (made-up counts)."""
    common = {
        "indicator_id": "early_stage", "indicator_name": "Diagnosed at stage 1 or 2", "area_level": "icb",
        "area_code": LSC, "area_name": "NHS Lancashire and South Cumbria Integrated Care Board",
        "alliance_code": "E56000011", "alliance_name": "Lancashire and South Cumbria", "period": "2022",
        "period_start": "2022-01-01", "period_end": "2022-12-31", "cancer_type": "Lung", "group_dimension": "sex",
        "ci_method": "Wilson score 95%", "unit": "%", "data_status": "published", "source": "Alliance extract (test)",
        "period_type": "calendar_year",
    }
    rows = [
        {**common, "group_value": "Females", "numerator": 120, "denominator": 400, "value": 30.0, "lower_ci": 25.7, "upper_ci": 34.6},
        {**common, "group_value": "Males", "numerator": 3, "denominator": 20, "value": 15.0, "lower_ci": 5.2, "upper_ci": 36.0},
    ]
    pd.DataFrame(rows).to_csv(path, index=False)
    return path


def _lung_stage_folder(tmp_path: Path) -> Path:
    """The committed lung staging rows (early stage, completeness and incidence share counts), as a
    data folder: disclosure control of the whole committed table takes minutes, of this seconds."""
    folder = tmp_path / "base"
    folder.mkdir()
    for name in ("indicator_metadata.json", "manifest.json"):
        shutil.copy(Path(DEFAULT_DATA_DIR) / name, folder / name)
    table = pd.read_parquet(Path(DEFAULT_DATA_DIR) / "indicators.parquet")
    keep = table["indicator_id"].isin(["early_stage", "stage_completeness", "incidence_crude"]) & (table["cancer_type"] == "Lung")
    table[keep].to_parquet(folder / "indicators.parquet", index=False)
    return folder


def test_added_rows_are_served_with_their_own_group_and_small_counts_withheld(tmp_path: Path) -> None:
    out = tmp_path / "served"
    base = _lung_stage_folder(tmp_path)
    assert main(["derive-data", "--data", str(base), "--add", str(_extract(tmp_path / "extract.csv")), "--out", str(out)]) == 0
    explorer = Explorer.from_dataset(load_dataset(out, DEFAULT_GEODATA_DIR))
    sel = Selection("early_stage", "Lung", "2022", "icb", group="sex", group_value="Females")
    assert "sex" in [o.value for o in explorer.group_options(sel)]
    rows = explorer.group_rows(sel, LSC)
    assert rows["group_value"].astype(str).tolist() == ["Females", "Males"]  # the registry's order, filled from the rows
    females, males = rows.iloc[0], rows.iloc[1]
    assert str(males["suppression"]) == PRIMARY  # 3 people
    assert pd.isna(males["numerator"]) and pd.isna(males["value"])
    # This extract's sexes do not add up to the ICB's published all-patients row (120 + 3 is not 427),
    # so the total only bounds Males (0 to 427 - 120 = 307): Females can be shown.
    assert str(females["suppression"]) == "" and females["numerator"] == 120
    # The published rows are unchanged: the ICB's all-patients lung figure for 2022.
    total = explorer.area_row(sel.with_(group="all", group_value="All"), LSC)
    assert (total["numerator"], total["denominator"]) == (427, 1374)  # NDRS stage file, Lancashire and South Cumbria ICB, Lung 2022
    # And the audit, from the served folder alone, finds no small count an attacker could narrow below 5 values.
    report = audit_folder(out, Path(DEFAULT_GEODATA_DIR))
    assert report.small_quantities > 0 and report.findings == []

def test_a_bad_addition_is_refused_naming_file_row_and_column(tmp_path: Path, capsys) -> None:
    extract = _extract(tmp_path / "extract.csv")
    frame = pd.read_csv(extract)
    frame.loc[1, "area_code"] = "E54999999"
    frame.to_csv(extract, index=False)
    assert main(["derive-data", "--add", str(extract), "--out", str(tmp_path / "served")]) == 2
    assert f"{extract}: row 2, column area_code" in capsys.readouterr().err
    assert not (tmp_path / "served").exists()


def test_a_derived_file_from_another_table_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, folder)
    table = pd.read_parquet(folder / "indicators.parquet")
    table.sample(frac=1.0, random_state=1).to_parquet(folder / "indicators.parquet", index=False)
    with pytest.raises(InputError, match="not derived from"):
        load_dataset(folder, DEFAULT_GEODATA_DIR)
