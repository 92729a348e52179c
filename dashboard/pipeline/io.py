"""Reading raw sources with clear errors, and writing products deterministically.

Every build (geodata, outcome data) goes through these helpers so that a missing or
corrupt source always fails the same way, naming the file, and a failed build never
leaves a half-written product folder behind.
"""

from __future__ import annotations

import io
import json
import os
import shutil
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq

from dashboard.core.checksums import sha256_of

if TYPE_CHECKING:
    import geopandas as gpd
from dashboard.core.errors import InputError


def require_file(sources: Path, relative: str) -> Path:
    path = sources / relative
    if not path.is_file():
        raise InputError(f"missing source file: {path}")
    return path


SHAPEFILE_PARTS = (".shp", ".shx", ".dbf", ".prj", ".cpg")


def source_files_of(sources: Path, relative: str) -> list[str]:
    """The files that make up one source: a shapefile is several files."""
    if relative.endswith(".shp"):
        stem = relative[: -len(".shp")]
        return [stem + ext for ext in SHAPEFILE_PARTS if (sources / (stem + ext)).is_file()]
    return [relative]


def source_record(sources: Path, relative: str) -> list[dict[str, str]]:
    return [{"file": name, "sha256": sha256_of(sources / name)} for name in source_files_of(sources, relative)]


def read_boundaries(
    sources: Path, relative: str, *, expected_crs: str, columns: Iterable[str]
) -> "gpd.GeoDataFrame":
    """Read a boundary file, insisting on its CRS and columns."""
    path = require_file(sources, relative)
    if relative.endswith(".shp"):
        for part in (".shx", ".dbf", ".prj"):
            require_file(sources, relative[: -len(".shp")] + part)
    try:
        import geopandas as gpd  # here, so the table-only steps (derive-data) need no geometry library

        frame = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputError(f"cannot read boundary file {path}: {exc}") from exc
    if frame.crs is None:
        raise InputError(f"{path}: no coordinate reference system; expected {expected_crs}")
    if frame.crs.to_string() != expected_crs:
        raise InputError(f"{path}: coordinate reference system is {frame.crs.to_string()}; expected {expected_crs}")
    _require_columns(frame, columns, path)
    if frame.geometry.isna().any() or frame.geometry.is_empty.any():
        rows = [int(i) for i in frame.index[frame.geometry.isna() | frame.geometry.is_empty]]
        raise InputError(f"{path}: rows {rows} have no geometry")
    return frame


def read_csv_source(sources: Path, relative: str, *, columns: Iterable[str], skiprows: int = 0) -> pd.DataFrame:
    """Read a CSV source as strings (codes keep their leading zeros)."""
    path = require_file(sources, relative)
    try:
        frame = pd.read_csv(path, dtype=str, encoding="utf-8-sig", skiprows=skiprows, keep_default_na=False)
    except (UnicodeDecodeError, pd.errors.ParserError, pd.errors.EmptyDataError) as exc:
        raise InputError(f"cannot read CSV file {path}: {exc}") from exc
    _require_columns(frame, columns, path)
    return frame


def _require_columns(frame: pd.DataFrame, columns: Iterable[str], path: Path) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}; found {list(frame.columns)}")


def canonical_json(value: Any) -> bytes:
    """JSON with sorted keys and no spaces: the same value always gives the same bytes."""
    return (json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False) + "\n").encode()


def pretty_json(value: Any) -> bytes:
    return (json.dumps(value, sort_keys=True, indent=2, ensure_ascii=False) + "\n").encode()


def parquet_bytes(table: pd.DataFrame, columns: Mapping[str, str], metadata: Mapping[str, str] | None = None) -> bytes:
    """Parquet with no pandas metadata or index, so the bytes depend on the data (and pyarrow) alone.

    `metadata` is stored in the file's key-value metadata (e.g. what it was derived from).
    """
    arrow = pa.Table.from_pandas(table[list(columns)].astype(dict(columns)), preserve_index=False)
    arrow = arrow.replace_schema_metadata(dict(metadata or {}))  # pandas metadata embeds versions; keep the file reproducible
    sink = io.BytesIO()
    pq.write_table(arrow, sink, compression="zstd", compression_level=19, use_dictionary=True, write_statistics=True)
    return sink.getvalue()


def csv_bytes(frame: pd.DataFrame) -> bytes:
    return frame.to_csv(index=False, lineterminator="\n").encode()


def _refuse_unless_ours(out: Path, files: Mapping[str, bytes]) -> None:
    """Stop before replacing a folder that holds anything but the files this command writes: a
    mistyped --out (a home folder, a project) was once replaced whole, its contents deleted."""
    if out.exists() and not out.is_dir():
        raise InputError(f"{out}: a file, not a folder; give --out a new or empty folder")
    others = sorted(entry.name for entry in out.iterdir() if entry.name not in files) if out.is_dir() else []
    if others:
        shown = ", ".join(repr(name) for name in others[:3]) + (f" and {len(others) - 3} more" if len(others) > 3 else "")
        raise InputError(f"{out}: holds {shown}, which this command did not write: it replaces its --out folder whole, so "
                         "give a new or empty folder, or one it wrote before")


def replace_directory(out: Path, files: Mapping[str, bytes]) -> None:
    """Write `files` as the whole content of `out`, or leave `out` untouched.

    Files go to a sibling temporary folder first; only when all are written is the
    old folder swapped out, so an interrupted or failed build never leaves a mix.
    """
    out = out.resolve()
    _refuse_unless_ours(out, files)
    out.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent))
    try:
        for name, data in files.items():
            (staging / name).write_bytes(data)
        os.chmod(staging, 0o755)
        if out.exists():
            retired = Path(tempfile.mkdtemp(prefix=f".{out.name}.", suffix=".old", dir=out.parent))
            retired.rmdir()
            out.rename(retired)
            staging.rename(out)
            shutil.rmtree(retired)
        else:
            staging.rename(out)
    finally:
        if staging.exists():
            shutil.rmtree(staging)
