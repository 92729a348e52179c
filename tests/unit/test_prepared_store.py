"""The prepared store (dashboard/data/store.py): what a worker reads back is what was checked,
a store is used only for the very files and checks it was made from, and memory stays bounded."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.core.errors import InputError
from dashboard.core.settings import DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR
from dashboard.data.loading import data_fingerprint, open_dataset
from dashboard.data.store import STAMP, open_store, prepare_store, store_folder
from dashboard.data.tables import ROW_INDEXES, FrameTables, row_index_of


def as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """Categories as their text: a partition read back has its own categories (only its values)."""
    return frame.astype({c: str for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})


@pytest.fixture(scope="module")
def store(dataset, tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    root = tmp_path_factory.mktemp("stores")
    fingerprint = dataset.fingerprint
    prepare_store(dataset.indicators, root, fingerprint)
    return root, fingerprint


def test_every_partition_reads_back_as_it_was_checked(dataset, store: tuple[Path, str]) -> None:
    root, fingerprint = store
    stored = open_store(root, fingerprint)
    assert stored is not None
    memory = FrameTables(dataset.indicators)
    assert sorted(stored.partition_keys()) == sorted(memory.partition_keys())
    assert list(stored) == list(memory)
    for key in memory.partition_keys():
        expected, got = memory.partition(*key), stored.partition(*key)
        assert list(got.columns) == list(expected.columns)
        pd.testing.assert_frame_equal(as_text(got), as_text(expected), check_exact=True)  # every value, withheld ones blank
        for kind, keys in ROW_INDEXES.items():  # the indexes made once, when the store was written
            made, kept = row_index_of(expected, keys), stored.row_index(*key, kind)
            assert made.keys() == kept.keys()
            assert all(np.array_equal(made[k], kept[k]) for k in made)
    for indicator in memory:
        pd.testing.assert_frame_equal(as_text(stored.catalogue(indicator)), as_text(memory.catalogue(indicator)))
        assert stored.area_counts(indicator) == memory.area_counts(indicator)
    assert stored.partition("early_stage", "no such cancer", "all").empty


def test_a_store_serves_only_the_files_and_checks_it_was_made_from(store: tuple[Path, str], tmp_path: Path) -> None:
    root, fingerprint = store
    assert open_store(root, "0" * 64) is None  # other data files
    copy = tmp_path / store_folder(root, fingerprint).name
    shutil.copytree(store_folder(root, fingerprint), copy)
    assert open_store(tmp_path, fingerprint) is not None
    stamp = json.loads((copy / STAMP).read_text())
    (copy / STAMP).write_text(json.dumps({**stamp, "checks": "an older release"}))
    assert open_store(tmp_path, fingerprint) is None  # checked by other code: checked again
    (copy / STAMP).write_text(json.dumps({**stamp, "fingerprint": "f" * 64}))
    assert open_store(tmp_path, fingerprint) is None
    (copy / STAMP).unlink()  # written last: a folder without its stamp is not a store
    assert open_store(tmp_path, fingerprint) is None


def test_a_damaged_partition_file_says_which_and_how_to_rebuild(dataset, tmp_path: Path) -> None:
    folder = prepare_store(dataset.indicators[dataset.indicators["indicator_id"] == "population"], tmp_path, dataset.fingerprint)
    stored = open_store(tmp_path, dataset.fingerprint)
    key = stored.partition_keys()[0]
    (folder / "p0.arrow").write_bytes(b"not arrow")
    with pytest.raises(InputError, match=r"p0\.arrow.*remove .* to rebuild it"):
        stored.partition(*key)


def test_memory_held_stays_within_the_budget(store: tuple[Path, str]) -> None:
    root, fingerprint = store
    stored = open_store(root, fingerprint, budget_mb=2.0)
    sizes = []
    for key in stored.partition_keys():
        rows = stored.partition(*key)
        sizes.append(int(rows.memory_usage(index=True, deep=False).sum()))
        assert stored.held_bytes <= max(2.0 * 1024 * 1024, sizes[-1])  # the one just read always stays
    assert sum(sizes) > 10 * 2.0 * 1024 * 1024  # the walk read far more than the budget


def test_the_first_start_prepares_the_store_and_the_next_opens_it(tmp_path: Path) -> None:
    first = open_dataset(DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR, tmp_path)
    assert first.indicators is None and first.stored is not None
    assert first.fingerprint == data_fingerprint(DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR)
    stamp = store_folder(tmp_path, first.fingerprint) / STAMP
    written = stamp.stat().st_mtime_ns
    again = open_dataset(DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR, tmp_path)
    assert stamp.stat().st_mtime_ns == written  # opened, not prepared again
    key = ("early_stage", "Lung", "all")
    assert np.array_equal(again.tables().partition(*key)["numerator"].to_numpy(), first.tables().partition(*key)["numerator"].to_numpy(), equal_nan=True)


def test_without_a_writable_store_the_table_is_served_from_memory(tmp_path: Path) -> None:
    blocked = tmp_path / "a-file"
    blocked.write_text("not a folder")
    served = open_dataset(DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR, blocked / "stores")
    assert served.stored is None and served.indicators is not None


def test_prepare_store_command_writes_the_store_every_start_opens(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    from dashboard.cli import main

    assert main(["prepare-store", "--store", str(tmp_path)]) == 0
    folder = store_folder(tmp_path, data_fingerprint(DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR))
    assert str(folder) in capsys.readouterr().out
    written = (folder / STAMP).stat().st_mtime_ns
    assert open_dataset(DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR, tmp_path).stored is not None
    assert (folder / STAMP).stat().st_mtime_ns == written


def test_a_store_a_server_reads_is_never_removed_by_a_start_on_other_data(dataset, tmp_path: Path) -> None:
    small = dataset.indicators[dataset.indicators["indicator_id"] == dataset.indicators["indicator_id"].iloc[0]].head(500)
    served = "a" * 64
    prepare_store(small, tmp_path, served)
    tables = open_store(tmp_path, served)  # a running server: holds the store's in-use lock
    assert tables is not None
    for other in ("b" * 64, "c" * 64, "d" * 64):  # three starts on other data (STORES_KEPT is 2)
        prepare_store(small, tmp_path, other)
    assert store_folder(tmp_path, served).is_dir()
    assert not store_folder(tmp_path, "b" * 64).is_dir()  # not in use, and older than the two kept
    os.close(tables.in_use)  # the server stops
    prepare_store(small, tmp_path, "e" * 64)
    assert not store_folder(tmp_path, served).is_dir()
