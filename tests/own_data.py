"""A small data folder to add an alliance's own file to: the committed early-stage lung rows for all
patients (640 rows), made into a served folder by derive-data itself, so that adding a file to it
takes seconds, not the minutes the committed table's disclosure decision takes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pandas as pd

from dashboard.core.settings import DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR

FIXTURES = Path(__file__).parent / "fixtures"
FINGERTIPS_EXPORT = FIXTURES / "fingertips_export.csv"
FINGERTIPS_INVALID = FIXTURES / "fingertips_export_invalid.csv"


def small_base(folder: Path) -> Path:
    """A served data folder (table, derived columns, metadata) at `folder`/base."""
    from dashboard.pipeline.derived import derive_data

    raw = folder / "raw"
    raw.mkdir(parents=True)
    for name in ("indicator_metadata.json", "manifest.json"):
        shutil.copy(DEFAULT_DATA_DIR / name, raw / name)
    table = pd.read_parquet(DEFAULT_DATA_DIR / "indicators.parquet")
    keep = (table["indicator_id"] == "early_stage") & (table["cancer_type"] == "Lung") & (table["group_dimension"] == "all")
    table[keep].to_parquet(raw / "indicators.parquet", index=False)
    derive_data(raw, DEFAULT_GEODATA_DIR, folder / "base", [])
    return folder / "base"
