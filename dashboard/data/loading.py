"""The only file I/O at run time: read data/ and geodata/ once, validate, freeze.

Nothing is computed per row here beyond attaching what the build derived (99.8% limits,
disclosure decisions) and withholding what it says to withhold.
"""

from __future__ import annotations

import ctypes
import hashlib
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
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
from dashboard.data.files import check_csv_text, csv_header, duplicated_columns, kind_of, parquet_header
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
from dashboard.data.store import DEFAULT_BUDGET_MB, open_store, prepare_store
from dashboard.data.tables import FrameTables, IndicatorTables
from dashboard.data.validation import (
    DataValidationError,
    Problem,
    check_table,
    coerce_types,
    modelled_limits,
    per_value,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Dataset:
    """Everything the app shows, read once and never changed."""

    boundaries: Boundaries
    indicators: pd.DataFrame | None  # the served table: published columns + derived ones, withheld rows blanked (None: `stored`)
    registry: Registry
    fingerprint: str = ""  # SHA-256 of the served table and its derived columns: names this data in a shared cache
    stored: IndicatorTables | None = None  # the table in a prepared store (`open_dataset`), read as needed

    def tables(self) -> IndicatorTables:
        """The served table, by indicator and partition: the store's, or the table in memory."""
        if self.stored is not None:
            return self.stored
        if self.indicators is None:
            raise ValueError("a Dataset needs its table or a store")
        return FrameTables(self.indicators)


def area_codes_by_level(boundaries: Boundaries) -> dict[str, set[str]]:
    codes = {level.value: set(boundaries.names(level)) for level in boundaries.layers}
    codes[AreaLevel.COUNTRY.value] = {ENGLAND_CODE}
    codes[AreaLevel.ALLIANCE.value] |= {f["id"] for f in boundaries.groupings["features"]} | {EAST_OF_ENGLAND_CODE}
    return codes


def read_table(path: Path, columns: Iterable[str] | None = None) -> pd.DataFrame:
    """A table in the indicator format: Parquet, or CSV (leading '#' comment lines allowed).

    Parquet text columns are read as categories straight from their dictionary encoding:
    a few hundred distinct strings instead of 370,000 Python strings per column. `columns`:
    read only these, of those a Parquet file has (in its order); default all.
    """
    kind = kind_of(path)
    skip = 0
    if kind == "csv":
        check_csv_text(path)
        skip = _notes_before_header(path)
        header = csv_header(path, skip)
        if not any(name.strip() for name in header):
            raise InputError(f"{path}: no header row")
    else:
        header = parquet_header(path)
    duplicated = duplicated_columns(str(path), header)
    if duplicated:
        raise DataValidationError(duplicated)
    try:
        if kind == "parquet":
            if columns is not None:
                return _read_columns(path, [c for c in pq.read_schema(path).names if c in set(columns)])
            text = [c for c, dtype in {**COLUMNS, **DERIVED_COLUMNS}.items() if dtype == "string"]
            present = set(pq.read_schema(path).names)
            # self_destruct + split_blocks: Arrow frees each column as pandas takes it (a lower peak per worker).
            return pq.read_table(path, read_dictionary=[c for c in text if c in present]).to_pandas(self_destruct=True, split_blocks=True)
        frame = pd.read_csv(path, skiprows=skip, encoding="utf-8-sig", dtype=str, keep_default_na=False, na_values=[""])
    except Exception as exc:
        raise InputError(f"cannot read {path}: {exc}") from exc
    if not isinstance(frame.index, pd.RangeIndex):  # pandas takes a first row longer than the header as an index
        raise InputError(f"cannot read {path}: line {skip + 2} (data row 1) has more cells than the header has columns ({len(header)})")
    return frame


def _notes_before_header(path: Path) -> int:
    """How many lines come before a CSV's header row: notes, as the dashboard's own download
    writes them (`"# ..."`, one quoted cell each, then a blank line) or as plain `# ...`
    comment lines, and blank lines. A `#` later in the file is data, not a comment."""
    count = 0
    with path.open(encoding="utf-8-sig", newline="") as lines:
        for line in lines:
            if line.strip() and not line.lstrip('"').startswith("#"):
                break
            count += 1
    return count


def _read_columns(path: Path, columns: list[str]) -> pd.DataFrame:
    """Parquet `columns` read one at a time, each handed back to the system once pandas holds it:
    the peak is the frame and one column, not the frame and Arrow's copy of the whole table (and
    at 8 million rows it is faster too). Text columns as categories, as `read_table` reads them."""
    text = {c for c, dtype in {**COLUMNS, **DERIVED_COLUMNS}.items() if dtype == "string"}
    if not columns:
        return pq.read_table(path, columns=[]).to_pandas()
    frame = pd.DataFrame()
    for column in columns:  # read_table, not ParquetFile.read: it decodes a column's row groups in parallel
        part = pq.read_table(path, columns=[column], read_dictionary=[column] if column in text else None)
        part = part.to_pandas(self_destruct=True, split_blocks=True)
        if frame.columns.empty:
            frame = part
        else:
            frame[column] = part[column]  # the same index: shared, not copied
        del part
        pa.default_memory_pool().release_unused()
    return frame


def check_frame(
    frame: pd.DataFrame, *, file: str, area_codes: Mapping[str, Iterable[str]], indicator_ids: Iterable[str] | None
) -> list[Problem]:
    typed, problems = coerce_types(frame, file)
    if any(p.message == "missing column" for p in problems):
        return problems
    # A download carries the 99.8% limits too: a modelled row must fill none of them either.
    extra = [c for c in ("lower_ci_998", "upper_ci_998") if c in frame.columns]
    problems += modelled_limits(frame.reset_index(drop=True)[["data_status", *extra]], file) if extra else []
    return problems + _not_said_twice(check_table(typed, file=file, area_codes=area_codes, indicator_ids=indicator_ids), problems)


# What check_table says of a cell that is empty once read: of a cell that could not be read, only a consequence.
CONSEQUENCES = ("empty value", "confidence limits given without a value")


def _not_said_twice(found: list[Problem], said: list[Problem]) -> list[Problem]:
    """`found` without CONSEQUENCES for cells `said` named already: a cell that could not be read
    (a date with a time zone, bytes for text, a Value that is no number) is empty once read, and
    was reported twice."""
    named: dict[str, set[int]] = {}
    for problem in said:
        named.setdefault(problem.column, set()).update(problem.rows)
    kept = []
    for problem in found:
        if problem.message in CONSEQUENCES and problem.column in named:
            problem = replace(problem, rows=tuple(r for r in problem.rows if r not in named[problem.column]))
            if not problem.rows:
                continue
        kept.append(problem)
    return kept


def open_dataset(data_dir: Path, geodata_dir: Path, store_root: Path | None, budget_mb: float = DEFAULT_BUDGET_MB) -> Dataset:
    """The data the app serves. From the prepared store for these very files and today's checks
    when there is one (`dashboard/data/store.py`): nothing is read but summaries, and each
    partition when first needed. Otherwise the table is read and checked (`load_dataset`) and a
    store prepared for the next start; if none can be written, the table is served from memory."""
    boundaries = load_boundaries(geodata_dir)
    registry = read_registry(data_dir / METADATA_FILE)
    if store_root is None:
        return load_dataset(data_dir, geodata_dir, boundaries=boundaries, registry=registry)
    try:
        fingerprint = data_fingerprint(data_dir, geodata_dir)
    except OSError:  # a file missing: the checks below say which, in their words
        fingerprint = ""
    stored = open_store(store_root, fingerprint, budget_mb) if fingerprint else None
    if stored is None:
        dataset = load_dataset(data_dir, geodata_dir, boundaries=boundaries, registry=registry)
        fingerprint = dataset.fingerprint
        try:
            prepare_store(dataset.indicators, store_root, fingerprint)  # type: ignore[arg-type]
        except OSError as exc:
            log.warning("no prepared store written under %s (%s): serving the table from memory", store_root, exc)
            return dataset
        del dataset
        _release_memory()
        stored = open_store(store_root, fingerprint, budget_mb)
        if stored is None:
            raise InputError(f"the prepared store under {store_root} could not be read back")
    if not stored.held_in_memory:
        _return_large_blocks_promptly()  # partitions will come and go
    return Dataset(boundaries=boundaries, indicators=None, registry=registry, fingerprint=fingerprint, stored=stored)


def data_fingerprint(data_dir: Path, geodata_dir: Path, table_sha256: str | None = None) -> str:
    """Everything a card's content depends on: the table, its derived columns, the indicators'
    metadata (names, units, polarity) and the boundaries (their manifest holds their checksums)."""
    parts = (data_dir / DERIVED_FILE, data_dir / METADATA_FILE, geodata_dir / BOUNDARY_MANIFEST)
    first = table_sha256 or sha256_of(data_dir / INDICATORS_FILE)
    return hashlib.sha256(":".join([first, *(sha256_of(part) for part in parts)]).encode()).hexdigest()


def load_dataset(data_dir: Path, geodata_dir: Path, *, boundaries: Boundaries | None = None, registry: Registry | None = None) -> Dataset:
    """Read and check the whole table (`boundaries` and `registry`: if already read)."""
    boundaries = boundaries or load_boundaries(geodata_dir)
    registry = registry or read_registry(data_dir / METADATA_FILE)
    path = data_dir / INDICATORS_FILE
    typed, problems = coerce_types(read_table(path, columns=COLUMNS), str(path))
    if not problems:
        problems = check_table(typed, file=str(path), area_codes=area_codes_by_level(boundaries), indicator_ids=registry)
    if problems:
        raise DataValidationError(problems)
    table_sha256 = sha256_of(path)  # read once: for the derived file's binding and for the fingerprint
    derived = derived_columns(_read_derived(data_dir / DERIVED_FILE, table_path=path, rows=len(typed), table_sha256=table_sha256))
    for column in DERIVED_COLUMNS:  # attached column by column, shared not copied: no second copy of the table
        typed[column] = derived.pop(column)
    del derived
    fingerprint = data_fingerprint(data_dir, geodata_dir, table_sha256)
    typed = compact(typed)
    _withhold_columns(typed)  # in place: each column replaced is freed, not kept beside its withheld copy
    _release_memory()
    return Dataset(boundaries=boundaries, indicators=typed, registry=registry, fingerprint=fingerprint)


M_MMAP_THRESHOLD = -3  # glibc's mallopt parameter numbers (malloc.h)
MMAP_THRESHOLD_BYTES = 256 * 1024


def _return_large_blocks_promptly() -> None:
    """Partitions read from a store come and go: give every block over 256 KB its own mapping,
    handed back to the system when freed. glibc's default raises this threshold each time such a
    block is freed, so that later ones come from the heap, which keeps its high-water mark; and
    Arrow's own allocator (mimalloc or jemalloc) keeps what it freed, so Arrow allocates with
    the system's here."""
    try:
        ctypes.CDLL(None).mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES)
    except (OSError, AttributeError, TypeError):
        return
    pa.set_memory_pool(pa.system_memory_pool())


def _release_memory() -> None:
    """Hand back to the system what reading and checking the table freed: Arrow's allocator keeps
    the pages it read Parquet into, and C's keeps freed blocks of its heap, so that without this a
    worker's resident memory would be the high-water mark of loading, not its data."""
    pa.default_memory_pool().release_unused()
    try:
        ctypes.CDLL(None).malloc_trim(0)  # glibc; elsewhere there is nothing to call
    except (OSError, AttributeError, TypeError):
        pass


def read_derived(path: Path, *, table_path: Path, rows: int, table_sha256: str | None = None) -> pd.DataFrame:
    """The per-row derived columns; they must have been derived from this very table.

    derived.parquet records the SHA-256 of the indicators.parquet it was made from: a table
    changed, reordered or extended since would otherwise be served with another table's
    disclosure decisions. `table_sha256`: that table's, if already computed.
    """
    frame = _read_derived(path, table_path=table_path, rows=rows, table_sha256=table_sha256)
    frame = frame[list(DERIVED_COLUMNS)].astype(DERIVED_COLUMNS).reset_index(drop=True)
    frame["suppression"] = frame["suppression"].fillna("")
    return frame


def _read_derived(path: Path, *, table_path: Path, rows: int, table_sha256: str | None) -> pd.DataFrame:
    """derived.parquet as read (text as categories), once it is known to belong to the table."""
    rebuild = "rebuild with `python -m dashboard build-data`, or `derive-data` for a folder with your own rows"
    if not path.is_file():
        raise InputError(f"no such file: {path}; {rebuild}")
    try:
        recorded = (pq.read_schema(path).metadata or {}).get(DERIVED_FROM_KEY.encode(), b"").decode()
    except Exception as exc:  # pyarrow's ArrowInvalid, OSError: truncated or not Parquet at all
        raise InputError(f"{path}: not a readable Parquet file ({exc}); {rebuild}") from exc
    if recorded != (table_sha256 or sha256_of(table_path)):
        raise InputError(f"{path}: not derived from {table_path} (SHA-256 differs); {rebuild}")
    frame = read_table(path, columns=DERIVED_COLUMNS)
    missing = [c for c in DERIVED_COLUMNS if c not in frame.columns]
    if missing:
        raise InputError(f"{path}: missing column(s) {missing}; {rebuild}")
    if len(frame) != rows:
        raise InputError(f"{path}: {len(frame)} rows but {table_path} has {rows}; {rebuild}")
    return frame


def derived_columns(frame: pd.DataFrame) -> pd.DataFrame:
    """The derived columns as the served table holds them: `read_derived`'s, with the suppression
    reasons as `compact` makes categories of them (computed on the distinct reasons, not per row)."""
    out = frame[list(DERIVED_COLUMNS)].reset_index(drop=True)
    for column, dtype in DERIVED_COLUMNS.items():
        if column != "suppression":
            out[column] = out[column].astype(dtype)
    reasons = out["suppression"]
    if not isinstance(reasons.dtype, pd.CategoricalDtype):
        out["suppression"] = pd.Series(reasons.astype("string").fillna("").to_numpy()).astype("category")
        return out
    codes = reasons.array.codes
    used = pd.unique(codes)  # the codes that occur (-1: a missing reason)
    distinct = pd.Series(pd.Categorical.from_codes(used, dtype=reasons.dtype))
    # what read_derived and the old attach did to each row, done to each distinct reason
    recoded = pd.Series(distinct.astype("string").fillna("").to_numpy()).astype("category")
    lookup = np.zeros(len(reasons.cat.categories) + 1, dtype=recoded.cat.codes.dtype)  # the last: code -1
    lookup[used] = recoded.cat.codes.to_numpy()
    categories = pd.Categorical.from_codes(lookup[codes], dtype=recoded.dtype, validate=False)
    out["suppression"] = pd.Series(categories, index=out.index, copy=False)
    return out


def withhold(table: pd.DataFrame) -> pd.DataFrame:
    """The table with what disclosure control withholds removed: the numerator, value and limits of
    every row with a suppression reason, its denominator where denominator_withheld says so, and
    the counts of modelled rows (a model estimates shares, not counts of real people)."""
    out = table.copy(deep=False)  # copy-on-write: only the columns written are new
    _withhold_columns(out)
    return out


def _withhold_columns(table: pd.DataFrame) -> None:
    """`withhold`, done to `table` itself (columns replaced, none written into)."""
    withheld = per_value(table["suppression"], lambda s: s.astype(str) != "")
    modelled = per_value(table["data_status"], lambda s: s.astype(str) == DataStatus.MODELLED.value)
    denominator_withheld = table["denominator_withheld"].to_numpy(dtype=bool) if "denominator_withheld" in table else withheld
    blank = {column: withheld for column in WITHHELD_COLUMNS}
    blank["numerator"] = withheld | modelled
    blank["denominator"] = (withheld & denominator_withheld) | modelled
    for column, rows in blank.items():
        values = np.where(rows, np.nan, table[column].to_numpy(dtype=float))
        table[column] = pd.Series(values, index=table.index, copy=False)
        pa.default_memory_pool().release_unused()  # the column replaced, if Arrow's (a loaded table's are)


def compact(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns as categories: a fifth of the memory per worker, and faster filters."""
    text = [c for c, dtype in {**COLUMNS, **DERIVED_COLUMNS}.items() if dtype == "string"]
    return frame.astype({c: "category" for c in text})
