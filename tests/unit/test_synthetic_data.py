"""The SYNTHETIC growth data (bench/synthetic.py) loads as real data does, and says what it is.

bench/growth.py times the app on folders built this way; a folder the loader rejected, or one
whose rows could pass for real figures, would make those numbers meaningless or dangerous.
A 2x folder (about 0.8 million rows) keeps this quick.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType

import pandas as pd
import pyarrow.parquet as pq
import pytest

from dashboard.core.checksums import sha256_of
from dashboard.core.settings import DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR, PROJECT_ROOT
from dashboard.data.loading import Dataset, load_dataset
from dashboard.data.schema import DATA_MANIFEST_FILE, INDICATORS_FILE, METADATA_FILE


def _synthetic() -> ModuleType:
    """bench/ is scripts, not a package: load the module from its file."""
    spec = importlib.util.spec_from_file_location("bench_synthetic", PROJECT_ROOT / "bench" / "synthetic.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while it executes
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("synthetic") / "x2"
    _synthetic().build(DEFAULT_DATA_DIR, out, 2)
    return out


@pytest.fixture(scope="module")
def loaded(folder: Path) -> Dataset:
    return load_dataset(folder, DEFAULT_GEODATA_DIR)  # raises if any start-up check fails


def test_it_loads_through_the_apps_loader_with_about_twice_the_rows(loaded: Dataset) -> None:
    real = pq.read_metadata(DEFAULT_DATA_DIR / INDICATORS_FILE).num_rows
    assert 1.9 <= len(loaded.indicators) / real <= 2.2


def test_every_row_is_marked_synthetic(loaded: Dataset) -> None:
    table = loaded.indicators
    assert table["source"].astype(str).str.startswith("SYNTHETIC").all()
    assert table["indicator_name"].astype(str).str.startswith("SYNTHETIC: ").all()
    assert all(indicator.name.startswith("SYNTHETIC: ") for indicator in loaded.registry.values())


def test_the_folder_says_it_is_synthetic_and_its_manifest_is_true(folder: Path) -> None:
    manifest = json.loads((folder / DATA_MANIFEST_FILE).read_text())
    assert manifest["synthetic"] is True and "SYNTHETIC" in manifest["description"]
    assert json.loads((folder / METADATA_FILE).read_text())["synthetic"] is True
    for product in manifest["products"].values():
        assert sha256_of(folder / product["file"]) == product["sha256"]
    assert manifest["rows"] == pq.read_metadata(folder / INDICATORS_FILE).num_rows


def test_growth_is_new_periods_and_groups_beside_the_real_rows(loaded: Dataset) -> None:
    """The real rows are all there; every added row has a period before its indicator's real ones
    (labelled as its dates are, as the loader checks) or a SYNTHETIC group value."""
    table = loaded.indicators
    real = pd.read_parquet(DEFAULT_DATA_DIR / INDICATORS_FILE, columns=["indicator_id", "period", "period_start"])
    earliest = real.groupby("indicator_id", observed=True)["period_start"].min()
    new_period = (table["period_start"] < table["indicator_id"].astype(str).map(earliest.rename(str)).astype(table["period_start"].dtype)).to_numpy()
    added = new_period | table["group_value"].astype(str).str.contains("(SYNTHETIC", regex=False).to_numpy()
    assert (~added).sum() == len(real)
    pairs = lambda frame: set(zip(frame["indicator_id"].astype(str), frame["period"].astype(str), strict=True))  # noqa: E731
    assert new_period.any() and not pairs(table[new_period]) & pairs(real)  # no copy takes a real period's label
    assert table.loc[added, "group_value"].astype(str).str.contains("(SYNTHETIC", regex=False).any()
    # The app lists a group value only if the metadata orders it: the copies must be there.
    copies = [v for i in loaded.registry.values() for values in i.group_values.values() for v in values if "(SYNTHETIC" in v]
    assert copies
