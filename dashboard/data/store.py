"""A prepared store of the served table, partition by partition: for data too large to hold whole.

The first start on a set of data files reads, checks and withholds the whole table as always
(`loading.load_dataset`), then writes each partition (one indicator, cancer type and group
dimension, `dashboard/data/tables.py`) to its own Arrow IPC file. Every later start, and every worker,
opens the store instead: it reads the small summaries only, and each partition when a filter
change first needs it, holding at most a set amount of memory (least recently used dropped).

A store is named by the data's fingerprint (the SHA-256 of every data file it came from) and
by the version of the checks and the format: data or checks that change make a new store, so
nothing is ever served that today's checks did not pass. The stamp is written last; a store
without one is not a store. Layout of <root>/<name>/:
    stamp.json         fingerprint, versions, and per indicator its partitions' files and area counts
    p<n>.arrow         one partition (Arrow IPC file, uncompressed)
    p<n>.<kind>.arrow  its row indexes (ROW_INDEXES: each key's row positions), made once here
    c<n>.arrow         one indicator's catalogue (the control options' combinations)
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import threading
from collections import OrderedDict
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from dashboard.core.errors import InputError
from dashboard.data.tables import ROW_INDEXES, FrameTables, IndicatorTables, row_index_of

log = logging.getLogger(__name__)

STORE_FORMAT = 5
STAMP = "stamp.json"
STORES_KEPT = 2  # other stores under the root (older data or code) are removed beyond this many
DEFAULT_BUDGET_MB = 64.0  # partitions held per worker (the embedded data's all fit in about 50 MB)


def checks_version() -> str:
    """The source of the checks, the schema and the loading (dashboard/data and dashboard/core),
    hashed: a release that checks differently never trusts a store an older one wrote."""
    root = Path(__file__).resolve().parents[1]
    digest = hashlib.sha256(str(STORE_FORMAT).encode())
    for folder in ("data", "core"):
        for path in sorted((root / folder).rglob("*.py")):
            digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def store_folder(root: Path, fingerprint: str) -> Path:
    return root / f"{fingerprint[:16]}-{checks_version()}"


def prepare_store(table: pd.DataFrame, root: Path, fingerprint: str) -> Path:
    """Write `table` (the served table, already checked and withheld) as a store under `root`;
    its folder. Written in a temporary folder and renamed into place, so that a reader sees a
    whole store or none; a store another process finished first is kept."""
    folder = store_folder(root, fingerprint)
    if _stamp(folder, fingerprint) is not None:
        return folder
    root.mkdir(parents=True, exist_ok=True)
    partial = root / f".{folder.name}.{os.getpid()}.{threading.get_ident()}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir()
    try:
        tables = FrameTables(table)
        indicators: dict[str, dict] = {}
        for i, indicator in enumerate(tables):
            _write(tables.catalogue(indicator), partial / f"c{i}.arrow")
            indicators[indicator] = {"partitions": [], "catalogue": f"c{i}.arrow", "area_counts": tables.area_counts(indicator)}
        for n, (indicator, cancer, group) in enumerate(tables.partition_keys()):
            rows = tables.partition(indicator, cancer, group)
            size = _write(rows, partial / f"p{n}.arrow")
            for kind, keys in ROW_INDEXES.items():
                _write_index(row_index_of(rows, keys), keys, partial / f"p{n}.{kind}.arrow")
            indicators[indicator]["partitions"].append([cancer, group, f"p{n}.arrow", size])
        stamp = {"fingerprint": fingerprint, "checks": checks_version(), "format": STORE_FORMAT, "indicators": indicators}
        (partial / STAMP).write_text(json.dumps(stamp, indent=1))
        try:
            partial.rename(folder)
        except OSError:
            if _stamp(folder, fingerprint) is None:  # not another process's finished store: a real failure
                raise
    finally:
        shutil.rmtree(partial, ignore_errors=True)
    _remove_old_stores(root, keep=folder)
    return folder


def open_store(root: Path, fingerprint: str, budget_mb: float = DEFAULT_BUDGET_MB) -> StoredTables | None:
    """The store for these data and these checks under `root`, or None if there is none."""
    folder = store_folder(root, fingerprint)
    stamp = _stamp(folder, fingerprint)
    if stamp is None:
        return None
    tables = StoredTables(folder, stamp, budget_mb)
    tables.in_use = hold_in_use(folder)
    return tables


IN_USE = "in-use.lock"  # a store's lock file: held shared by every process serving from it


def hold_in_use(folder: Path) -> int | None:
    """A shared lock on `folder`'s IN_USE file, held while the returned descriptor is open (by
    the process and every worker it forks): a start on other data then leaves this store
    alone, where it had removed the store a running server read its partitions from (an
    adversarial check: 36 of 84 views answered 500). None where locks cannot be taken."""
    try:
        descriptor = os.open(folder / IN_USE, os.O_CREAT | os.O_RDWR, 0o644)
        fcntl.flock(descriptor, fcntl.LOCK_SH)
        return descriptor
    except OSError:
        return None


def _in_use(folder: Path) -> bool:
    """Whether some process holds `folder`'s IN_USE lock (a store with no lock file is not in use)."""
    try:
        descriptor = os.open(folder / IN_USE, os.O_RDWR)
    except OSError:
        return False
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return False
    except OSError:
        return True
    finally:
        os.close(descriptor)  # closing the descriptor releases the trial lock


class StoredTables(IndicatorTables):
    """A store's partitions, each read on first use and held while they fit in the budget."""

    def __init__(self, folder: Path, stamp: dict, budget_mb: float = DEFAULT_BUDGET_MB) -> None:
        self.folder = folder
        self._indicators: dict[str, dict] = stamp["indicators"]
        self._files = {(indicator, cancer, group): name for indicator, entry in self._indicators.items() for cancer, group, name, _ in entry["partitions"]}
        self._total_bytes = sum(size for entry in self._indicators.values() for *_, size in entry["partitions"])
        self._budget = budget_mb * 1024 * 1024
        self._held: OrderedDict[tuple[str, str, str], tuple[pd.DataFrame, int]] = OrderedDict()
        self._held_bytes = 0
        self._catalogues: dict[str, pd.DataFrame] = {}
        self._categories = CategoryTypes()
        self._lock = threading.Lock()
        self.in_use: int | None = None  # the descriptor of its IN_USE lock (open_store)

    @property
    def held_in_memory(self) -> bool:
        """True when every partition fits in the budget: the warm-up then reads them all, and
        the store costs a worker nothing after it (the embedded data: about 40 MB)."""
        return self._total_bytes <= self._budget

    @property
    def held_bytes(self) -> int:
        return self._held_bytes

    def __iter__(self) -> Iterator[str]:
        return iter(self._indicators)

    def __len__(self) -> int:
        return len(self._indicators)

    def __getitem__(self, indicator: str) -> pd.DataFrame:
        """All the indicator's rows (read, not held: for small indicators and checks)."""
        parts = [_read(self.folder / name, self._categories) for _, _, name, _ in self._indicators[indicator]["partitions"]]
        return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()

    def partition_keys(self) -> list[tuple[str, ...]]:
        return list(self._files)

    def partition(self, indicator: str, cancer: str, group: str) -> pd.DataFrame:
        key = (indicator, cancer, group)
        with self._lock:
            if key in self._held:
                self._held.move_to_end(key)
                return self._held[key][0]
        name = self._files.get(key)
        if name is None:
            return self._empty(indicator)
        table = _open(self.folder / name)
        size = int(table.nbytes)  # what pandas holds of it, near enough (frame.memory_usage took 0.7 ms a partition)
        frame = _to_frame(table, self._categories)
        with self._lock:
            if key not in self._held:
                self._held[key] = (frame, size)
                self._held_bytes += size
            while self._held_bytes > self._budget and len(self._held) > 1:  # the one just read always stays
                _, (_, dropped) = self._held.popitem(last=False)
                self._held_bytes -= dropped
            return self._held[key][0] if key in self._held else frame

    def row_index(self, indicator: str, cancer: str, group: str, kind: str) -> dict[tuple[str, ...], np.ndarray]:
        name = self._files.get((indicator, cancer, group))
        return _read_index(self.folder / name.replace(".arrow", f".{kind}.arrow")) if name else {}

    def catalogue(self, indicator: str) -> pd.DataFrame:
        if indicator not in self._catalogues:
            self._catalogues[indicator] = _read(self.folder / self._indicators[indicator]["catalogue"], self._categories)
        return self._catalogues[indicator]

    def area_counts(self, indicator: str) -> dict[str, int]:
        return dict(self._indicators[indicator]["area_counts"])

    def _empty(self, indicator: str) -> pd.DataFrame:
        first = next(iter(self._indicators[indicator]["partitions"]), None)
        return _read(self.folder / first[2], self._categories).iloc[0:0] if first else pd.DataFrame()


def _write(frame: pd.DataFrame, path: Path) -> int:
    """One frame as an Arrow IPC file. Each text column's dictionary holds only the values it uses
    (a partition of the whole table would otherwise carry every category, read back each time);
    numbers keep NaN as NaN, not as Arrow's missing value, so that they are read back without a copy."""
    arrays = {}
    for column in frame.columns:
        values = frame[column]
        if isinstance(values.dtype, pd.CategoricalDtype):
            arrays[column] = pa.Array.from_pandas(values.cat.remove_unused_categories())
        elif values.dtype == np.float64:
            arrays[column] = pa.array(values.to_numpy(), from_pandas=False)
        else:
            arrays[column] = pa.Array.from_pandas(values)
    table = pa.table(arrays)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)
    return int(table.nbytes)  # about what pandas holds when it is read back


def _write_index(index: dict[tuple[str, ...], np.ndarray], keys: list[str], path: Path) -> None:
    """A row index as one row per key: its parts as text, and its positions as a list."""
    columns = {key: pa.array([parts[i] for parts in index], pa.string()) for i, key in enumerate(keys)}
    lengths = np.fromiter((len(positions) for positions in index.values()), dtype=np.int32, count=len(index))
    offsets = np.concatenate([[0], np.cumsum(lengths, dtype=np.int32)]).astype(np.int32)
    flat = np.concatenate(list(index.values())).astype(np.int32) if index else np.array([], dtype=np.int32)
    columns["positions"] = pa.ListArray.from_arrays(pa.array(offsets), pa.array(flat))
    table = pa.table(columns)
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _read_index(path: Path) -> dict[tuple[str, ...], np.ndarray]:
    """`_write_index`'s file back: each key's positions a view of one array (nothing per row)."""
    try:
        table = pa.ipc.open_file(pa.memory_map(str(path))).read_all()
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"cannot read the prepared store's {path}: {exc}; remove {path.parent} to rebuild it") from exc
    lists = table.column("positions").combine_chunks()
    flat = lists.values.to_numpy(zero_copy_only=False)
    offsets = lists.offsets.to_numpy()
    parts = [table.column(name).to_pylist() for name in table.column_names if name != "positions"]
    return {key: flat[offsets[i]:offsets[i + 1]] for i, key in enumerate(zip(*parts, strict=True))}


def _read(path: Path, categories: CategoryTypes | None = None) -> pd.DataFrame:
    """One Arrow IPC file as pandas (text as categories, as the loaded table holds it)."""
    return _to_frame(_open(path), categories if categories is not None else CategoryTypes())


def _open(path: Path) -> pa.Table:
    """One Arrow IPC file, memory-mapped: columns pandas can take as they are (numbers with no
    gaps) stay the file's own pages, which the system shares between workers and may drop and
    read again, not a copy."""
    try:
        return pa.ipc.open_file(pa.memory_map(str(path))).read_all()
    except (OSError, pa.ArrowInvalid) as exc:
        raise InputError(f"cannot read the prepared store's {path}: {exc}; remove {path.parent} to rebuild it") from exc


class CategoryTypes:
    """One pandas CategoricalDtype per distinct text dictionary, shared by every partition that
    has it. pyarrow's own conversion builds and checks a new one per column per file, which was
    two thirds of the time to read the store (the warm-up after start-up); shared types also let
    rows of two partitions be put together without merging their categories."""

    def __init__(self) -> None:
        self._types: dict[tuple[str, ...], pd.CategoricalDtype] = {}

    def of(self, dictionary: pa.Array) -> pd.CategoricalDtype:
        key = tuple(dictionary.to_pylist())
        known = self._types.get(key)
        if known is None:  # a race only builds an equal type twice
            known = self._types.setdefault(key, pd.CategoricalDtype(pd.Index(key, dtype="str")))
        return known


def _is_text_codes(column: pa.ChunkedArray) -> bool:
    kind = column.type
    return (
        pa.types.is_dictionary(kind)
        and (pa.types.is_string(kind.value_type) or pa.types.is_large_string(kind.value_type))
        and column.num_chunks == 1
        and len(column.chunk(0).dictionary) > 0  # pyarrow gives an empty one untyped categories: left to it
    )


def _to_frame(table: pa.Table, categories: CategoryTypes) -> pd.DataFrame:
    """The table as pandas, each column its own block (as pyarrow's split_blocks): text columns
    as categoricals of shared types, everything else by pyarrow's conversion."""
    columns: dict[str, object] = {}
    for name, column in zip(table.column_names, table.columns, strict=True):
        if _is_text_codes(column):
            coded = column.chunk(0)
            codes = pc.fill_null(coded.indices, -1).to_numpy()  # a missing value is code -1
            columns[name] = pd.Categorical.from_codes(codes, dtype=categories.of(coded.dictionary), validate=False)
        else:
            columns[name] = column.to_pandas().array  # an array, not a Series: pandas then neither aligns nor copies it
    return pd.DataFrame(columns, copy=False)


def _stamp(folder: Path, fingerprint: str) -> dict | None:
    """The folder's stamp if it is a whole store of these data, checks and format."""
    try:
        stamp = json.loads((folder / STAMP).read_text())
    except (OSError, ValueError):
        return None
    if not isinstance(stamp, dict):
        return None
    fits = stamp.get("fingerprint") == fingerprint and stamp.get("checks") == checks_version() and stamp.get("format") == STORE_FORMAT
    return stamp if fits and isinstance(stamp.get("indicators"), dict) else None


def _remove_old_stores(root: Path, keep: Path) -> None:
    """Stores of other data or code beyond the newest STORES_KEPT (by time written)."""
    others = sorted((p for p in root.iterdir() if p.is_dir() and p != keep and (p / STAMP).exists()), key=lambda p: (p / STAMP).stat().st_mtime, reverse=True)
    for old in others[STORES_KEPT - 1:]:
        if _in_use(old):
            continue  # a running server reads it
        shutil.rmtree(old, ignore_errors=True)
        log.info("removed an older prepared store: %s", old)
