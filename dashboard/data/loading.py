"""The only file I/O at run time: read data/ and geodata/ once, validate, freeze.

Nothing is computed per row here beyond attaching what the build derived (99.8% limits,
disclosure decisions) and withholding what it says to withhold.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.core.checksums import sha256_of
from dashboard.core.errors import InputError
from dashboard.core.geography import EAST_OF_ENGLAND_CODE, ENGLAND_CODE, AreaLevel
from dashboard.core.geography import MANIFEST_FILE as BOUNDARY_MANIFEST
from dashboard.data.boundaries import Boundaries, load_boundaries
from dashboard.data.registry import Registry, read_registry
from dashboard.data.schema import (
    COLUMNS,
    DERIVED_COLUMNS,
    DERIVED_FILE,
    DERIVED_FROM_KEY,
    INDICATORS_FILE,
    METADATA_FILE,
    WITHHELD_COLUMNS,
    DataStatus,
)
from dashboard.data.validation import (
    DataValidationError,
    Problem,
    check_table,
    coerce_types,
    modelled_limits,
)


@dataclass(frozen=True)
class Dataset:
    """Everything the app shows, read once and never changed."""

    boundaries: Boundaries
    indicators: pd.DataFrame  # the served table: published columns + derived ones, withheld rows blanked
    registry: Registry
    fingerprint: str = ""  # SHA-256 of the served table and its derived columns: names this data in a shared cache


def area_codes_by_level(boundaries: Boundaries) -> dict[str, set[str]]:
    codes = {level.value: set(boundaries.names(level)) for level in boundaries.layers}
    codes[AreaLevel.COUNTRY.value] = {ENGLAND_CODE}
    codes[AreaLevel.ALLIANCE.value] |= {f["id"] for f in boundaries.groupings["features"]} | {EAST_OF_ENGLAND_CODE}
    return codes


def read_table(path: Path) -> pd.DataFrame:
    """A table in the indicator format: Parquet, or CSV (leading '#' comment lines allowed).

    Parquet text columns are read as categories straight from their dictionary encoding:
    a few hundred distinct strings instead of 370,000 Python strings per column.
    """
    if not path.is_file():
        raise InputError(f"no such file: {path}")
    try:
        if path.suffix == ".parquet":
            text = [c for c, dtype in {**COLUMNS, **DERIVED_COLUMNS}.items() if dtype == "string"]
            present = set(pq.read_schema(path).names)
            # self_destruct + split_blocks: Arrow frees each column as pandas takes it (a lower peak per worker).
            return pq.read_table(path, read_dictionary=[c for c in text if c in present]).to_pandas(self_destruct=True, split_blocks=True)
        return pd.read_csv(path, comment="#", dtype=str, keep_default_na=False, na_values=[""])
    except Exception as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc


def check_frame(
    frame: pd.DataFrame, *, file: str, area_codes: Mapping[str, Iterable[str]], indicator_ids: Iterable[str] | None
) -> list[Problem]:
    typed, problems = coerce_types(frame, file)
    if any(p.message == "missing column" for p in problems):
        return problems
    # A download carries the 99.8% limits too: a modelled row must fill none of them either.
    extra = [c for c in ("lower_ci_998", "upper_ci_998") if c in frame.columns]
    problems += modelled_limits(frame.reset_index(drop=True)[["data_status", *extra]], file) if extra else []
    return problems + check_table(typed, file=file, area_codes=area_codes, indicator_ids=indicator_ids)


def check_file(path: Path, geodata_dir: Path, metadata_path: Path | None) -> list[Problem]:
    """`python -m dashboard check-data PATH`: the start-up checks on any file in the format."""
    boundaries = load_boundaries(geodata_dir)
    ids = read_registry(metadata_path) if metadata_path and metadata_path.is_file() else None
    return check_frame(read_table(path), file=str(path), area_codes=area_codes_by_level(boundaries), indicator_ids=ids)


def load_dataset(data_dir: Path, geodata_dir: Path) -> Dataset:
    boundaries = load_boundaries(geodata_dir)
    registry = read_registry(data_dir / METADATA_FILE)
    path = data_dir / INDICATORS_FILE
    raw = read_table(path)
    typed, problems = coerce_types(raw, str(path))
    if not problems:
        problems = check_table(typed, file=str(path), area_codes=area_codes_by_level(boundaries), indicator_ids=registry)
    if problems:
        raise DataValidationError(problems)
    derived = read_derived(data_dir / DERIVED_FILE, table_path=path, rows=len(typed))
    # Arrow's allocator keeps the pages it read Parquet into; hand them back so that each
    # worker's resident memory is its data, not the high-water mark of reading it.
    pa.default_memory_pool().release_unused()
    for column in DERIVED_COLUMNS:  # attached column by column: no second copy of the whole table
        typed[column] = derived[column].to_numpy()
    # Everything a card's content depends on: the table, its derived columns, the indicators'
    # metadata (names, units, polarity) and the boundaries (their manifest holds their checksums).
    parts = (path, data_dir / DERIVED_FILE, data_dir / METADATA_FILE, geodata_dir / BOUNDARY_MANIFEST)
    fingerprint = hashlib.sha256(":".join(sha256_of(part) for part in parts).encode()).hexdigest()
    return Dataset(boundaries=boundaries, indicators=withhold(compact(typed)), registry=registry, fingerprint=fingerprint)


def read_derived(path: Path, *, table_path: Path, rows: int) -> pd.DataFrame:
    """The per-row derived columns; they must have been derived from this very table.

    derived.parquet records the SHA-256 of the indicators.parquet it was made from: a table
    changed, reordered or extended since would otherwise be served with another table's
    disclosure decisions.
    """
    rebuild = "rebuild with `python -m dashboard build-data`, or `derive-data` for a folder with your own rows"
    if not path.is_file():
        raise InputError(f"no such file: {path}; {rebuild}")
    recorded = (pq.read_schema(path).metadata or {}).get(DERIVED_FROM_KEY.encode(), b"").decode()
    if recorded != sha256_of(table_path):
        raise InputError(f"{path}: not derived from {table_path} (SHA-256 differs); {rebuild}")
    frame = read_table(path)
    missing = [c for c in DERIVED_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}; {rebuild}")
    if len(frame) != rows:
        raise InputError(f"{path}: {len(frame)} rows but {table_path} has {rows}; {rebuild}")
    frame = frame[list(DERIVED_COLUMNS)].astype(DERIVED_COLUMNS).reset_index(drop=True)
    frame["suppression"] = frame["suppression"].fillna("")
    return frame


def withhold(table: pd.DataFrame) -> pd.DataFrame:
    """The table with what disclosure control withholds removed: the numerator, value and limits of
    every row with a suppression reason, its denominator where denominator_withheld says so, and
    the counts of modelled rows (a model estimates shares, not counts of real people)."""
    withheld = (table["suppression"].astype(str) != "").to_numpy()
    modelled = (table["data_status"].astype(str) == DataStatus.MODELLED.value).to_numpy()
    out = table.copy(deep=False)  # copy-on-write: only the columns written below are new
    for column in WITHHELD_COLUMNS:
        out[column] = np.where(withheld, np.nan, table[column].to_numpy(dtype=float))
    out["numerator"] = np.where(withheld | modelled, np.nan, table["numerator"].to_numpy(dtype=float))
    denominator_withheld = table["denominator_withheld"].to_numpy(dtype=bool) if "denominator_withheld" in table else withheld
    out["denominator"] = np.where((withheld & denominator_withheld) | modelled, np.nan, table["denominator"].to_numpy(dtype=float))
    return out


def compact(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as categories: a fifth of the memory per worker, and faster filters."""
    text = [c for c, dtype in {**COLUMNS, **DERIVED_COLUMNS}.items() if dtype == "string"]
    return frame.astype({c: "category" for c in text})
