"""A SYNTHETIC data folder N times larger than data/, for growth benchmarks (never real figures).

Why: the embedded table is one size; to see how start-up, memory and callback time grow with
the data, the benchmarks need the same format at 5x and 20x. The folder is built from data/:
  - more groups: every group value other than "All" is copied under a new label,
    "<value> (SYNTHETIC j)", and added to the indicator metadata's display order;
  - more periods: every indicator with a time series (more than one period) gets copies of its
    periods dated k spans of years earlier, labelled as their dates are (2023-04 twenty years
    earlier is 2003-04: the loader checks every label against its dates), so the copies never
    overlap the real periods; the newest period, which a first visit opens, stays a real one;
    the last copy may be partial (the earliest periods only) to land near N.
Copied rows' counts, values and limits are scaled by a factor within +-5% drawn from a fixed
seed (deterministic), clipped so that counts stay whole, numerator <= denominator, a share
<= 100% and lower <= value <= upper. Derived columns (99.8% limits, disclosure decision) are
copied with their rows, so derived.parquet stays row-aligned and bound to the new table by its
SHA-256, as the loader requires; the table is sorted by its key like the committed one.

Marked SYNTHETIC everywhere the format allows: every row's `source` starts with "SYNTHETIC",
every indicator name (table and metadata) starts with "SYNTHETIC:", the metadata and the
manifest say `"synthetic": true` with a description. Written to a temporary folder only.

Run: .venv/bin/python bench/synthetic.py --scale 5 [--out DIR]   (default: the cache folder)
"""

from __future__ import annotations

import argparse
import hashlib
import json
import math
import os
import shutil
import tempfile
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.data.period_labels import expected_label

SEED = 20240601
JITTER = 0.05  # copied rows: counts, values and limits scaled by a factor in [1 - JITTER, 1 + JITTER]
MARK = "SYNTHETIC"
VALUE_COLUMNS = ("value", "lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998")
CACHE_ROOT = Path(tempfile.gettempdir()) / "dashboard-synthetic-data"


@dataclass(frozen=True)
class Plan:
    """How the table grows: whole group copies, whole period copies, then a partial one."""

    group_copies: int
    period_copies: int
    partial_period_share: float  # share of each indicator's periods (earliest first) in one more copy

    @property
    def label(self) -> str:
        return f"{self.group_copies} group copies, {self.period_copies + self.partial_period_share:.2f} period copies"


@dataclass(frozen=True)
class Folder:
    path: Path
    scale: int
    rows: int
    source_rows: int
    build_seconds: float
    cached: bool


def plan_for(scale: float, rows: int, non_all: int, series: int, series_non_all: int) -> Plan:
    """Group copies first (one, two from 10x), then period copies to land near `scale` x `rows`."""
    if scale <= 1:
        return Plan(0, 0, 0.0)
    groups = 1 if scale < 10 else 2
    grown = rows + groups * non_all
    per_copy = series + groups * series_non_all  # a period copy also copies the group copies
    copies = max(0.0, (scale * rows - grown) / per_copy) if per_copy else 0.0
    return Plan(groups, int(copies), round(copies - int(copies), 3))


def read_folder(data_dir: Path) -> tuple[pd.DataFrame, dict, dict]:
    """The published rows with their derived columns beside them, the metadata and manifest."""
    from dashboard.data.loading import read_table
    from dashboard.data.schema import (
        COLUMNS,
        DATA_MANIFEST_FILE,
        DERIVED_COLUMNS,
        DERIVED_FILE,
        INDICATORS_FILE,
        METADATA_FILE,
    )

    table = read_table(data_dir / INDICATORS_FILE)[list(COLUMNS)]
    derived = read_table(data_dir / DERIVED_FILE)[list(DERIVED_COLUMNS)]
    if len(derived) != len(table):
        raise SystemExit(f"{data_dir}: derived.parquet is not row-aligned with indicators.parquet")
    for column in derived.columns:
        table[column] = derived[column].to_numpy()
    manifest_path = data_dir / DATA_MANIFEST_FILE
    manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
    return table, json.loads((data_dir / METADATA_FILE).read_text()), manifest


def relabel(series: pd.Series, label: Callable[[str], str]) -> pd.Series:
    """New text for a categorical column, computed on its few categories, not its rows."""
    series = series.cat.remove_unused_categories()
    return series.cat.rename_categories([label(str(c)) for c in series.cat.categories])


def jitter(part: pd.DataFrame, rng: np.random.Generator) -> pd.DataFrame:
    """Copied rows: scaled by one factor per row, keeping every check the loader makes true."""
    factor = 1 + JITTER * rng.uniform(-1.0, 1.0, len(part))
    cap = np.where((part["unit"].astype(str) == "%").to_numpy(), 100.0, np.inf)
    out = part.copy()
    for column in VALUE_COLUMNS:  # one monotone map for value and limits: lower <= value <= upper still
        out[column] = np.minimum(part[column].to_numpy(dtype=float) * factor, cap)
    numerator = np.round(part["numerator"].to_numpy(dtype=float) * factor)
    denominator = part["denominator"].to_numpy(dtype=float)
    out["numerator"] = np.where(np.isnan(denominator), numerator, np.minimum(numerator, denominator))
    return out


def group_copy(table: pd.DataFrame, copy: int, rng: np.random.Generator) -> pd.DataFrame:
    part = table[(table["group_dimension"].astype(str) != "all").to_numpy()]
    return jitter(part.assign(group_value=relabel(part["group_value"], lambda v: f"{v} ({MARK} {copy})")), rng)


def series_spans(table: pd.DataFrame) -> dict[str, int]:
    """Indicators with a time series -> years from the first period's start to the last's end."""
    periods = table.groupby("indicator_id", observed=True).agg(
        n=("period", "nunique"), first=("period_start", "min"), last=("period_end", "max"))
    return {str(i): int(r.last.year - r.first.year + 1) for i, r in periods.iterrows() if r.n > 1}


def period_copy(table: pd.DataFrame, copy: int, spans: dict[str, int], share: float, rng: np.random.Generator) -> pd.DataFrame:
    """Copy `copy` of every series' periods, `copy` x span years earlier; `share` < 1: earliest only."""
    parts = []
    for indicator, span in spans.items():
        rows = table[(table["indicator_id"].astype(str) == indicator).to_numpy()]
        if share < 1:
            starts = np.sort(rows["period_start"].unique())
            rows = rows[rows["period_start"] < starts[min(len(starts) - 1, math.ceil(share * len(starts)))]] if share > 0 else rows.iloc[:0]
        if rows.empty:
            continue
        offset = pd.DateOffset(years=copy * span)
        start = (rows["period_start"] - offset).astype(rows["period_start"].dtype)
        end = (rows["period_end"] - offset).astype(rows["period_end"].dtype)
        dated = pd.DataFrame({"period": rows["period"].astype(str), "type": rows["period_type"].astype(str), "start": start, "end": end})
        labels = {p: expected_label(t, s, e) or f"{MARK}-{copy} {p}" for p, t, s, e in dated.drop_duplicates("period").itertuples(index=False)}
        parts.append(rows.assign(period=relabel(rows["period"], labels.__getitem__), period_start=start, period_end=end))
    return jitter(concat(parts), rng) if parts else table.iloc[:0]


def concat(parts: list[pd.DataFrame]) -> pd.DataFrame:
    """Row-wise concatenation that keeps text as categories (pandas would fall back to objects)."""
    columns = {}
    for column in parts[0].columns:
        if isinstance(parts[0][column].dtype, pd.CategoricalDtype):
            columns[column] = pd.Series(pd.api.types.union_categoricals([p[column] for p in parts], sort_categories=True))
        else:
            columns[column] = pd.Series(np.concatenate([p[column].to_numpy() for p in parts]))
    return pd.DataFrame(columns)


def grow(table: pd.DataFrame, plan: Plan, seed: int = SEED) -> pd.DataFrame:
    """The synthetic table (published + derived columns), sorted by key like the committed one."""
    from dashboard.data.schema import KEY

    rng = np.random.default_rng(seed)
    parts = [table] + [group_copy(table, j, rng) for j in range(1, plan.group_copies + 1)]
    grouped = concat(parts) if len(parts) > 1 else table
    spans = series_spans(table)
    copies = [(k, 1.0) for k in range(1, plan.period_copies + 1)]
    if plan.partial_period_share > 0:
        copies.append((plan.period_copies + 1, plan.partial_period_share))
    out = concat([grouped] + [period_copy(grouped, k, spans, share, rng) for k, share in copies])
    keys = [out[c].cat.codes.to_numpy() for c in reversed(KEY)]  # sorted categories: code order is text order
    order = np.lexsort([out["period_start"].to_numpy(), *keys])
    return out.take(order).reset_index(drop=True)


def mark(table: pd.DataFrame, scale: int) -> pd.DataFrame:
    """Every row says SYNTHETIC in its source and indicator name."""
    note = f"{MARK} benchmark data (bench/synthetic.py, {scale}x), not real figures; copied and jittered from: "
    return table.assign(
        source=relabel(table["source"], lambda s: note + s),
        indicator_name=relabel(table["indicator_name"], lambda n: f"{MARK}: {n}"),
    )


def metadata(document: dict, table: pd.DataFrame, scale: int, group_copies: int) -> dict:
    """The indicator metadata: SYNTHETIC names, and the copied group values after the real ones
    (copy 1 in the real order, then copy 2, ...): the app shows only values listed here."""
    present = table.groupby(["indicator_id", "group_dimension"], observed=True)["group_value"].unique()
    indicators = []
    for item in document["indicators"]:
        item = {**item, "name": f"{MARK}: {item['name']}", "source": f"{MARK} (bench/synthetic.py): {item['source']}"}
        values = {}
        for dimension, order in item["group_values"].items():
            found = {str(v) for v in present.get((item["id"], dimension), [])}
            copies = [f"{v} ({MARK} {j})" for j in range(1, group_copies + 1) for v in order]
            values[dimension] = list(order) + [v for v in copies if v in found]
        indicators.append({**item, "group_values": values})
    return {"synthetic": True, "description": description(scale), "indicators": indicators}


def description(scale: int) -> str:
    return (f"{MARK} data for benchmarks only: data/ grown about {scale}x by bench/synthetic.py "
            f"(copied groups and periods, values jittered with seed {SEED}). Not real figures.")


def summary(table: pd.DataFrame) -> dict:
    """The manifest's per-indicator summary, made as the build makes it."""
    out = {}
    for indicator, rows in table.groupby("indicator_id", observed=True):
        out[str(indicator)] = {
            "rows": len(rows), "areas": int(rows["area_code"].nunique()), "periods": int(rows["period"].nunique()),
            "cancer_types": int(rows["cancer_type"].nunique()),
            "levels": sorted(map(str, rows["area_level"].unique())), "group_dimensions": sorted(map(str, rows["group_dimension"].unique())),
            "data_status": sorted(map(str, rows["data_status"].unique())),
            "first_period": str(rows["period_start"].min().date()), "last_period": str(rows["period_end"].max().date()),
        }
    return out


def write_parquet(frame: pd.DataFrame, columns: dict[str, str], path: Path, metadata: dict[str, str] | None = None) -> None:
    """Parquet as the build writes it: text as (dictionary-encoded) large strings, no pandas metadata."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    arrow = pa.Table.from_pandas(frame[list(columns)], preserve_index=False)
    fields = [pa.field(f.name, pa.dictionary(f.type.index_type, pa.large_string()) if pa.types.is_dictionary(f.type) else f.type)
              for f in arrow.schema]
    arrow = arrow.cast(pa.schema(fields)).replace_schema_metadata(metadata or {})
    pq.write_table(arrow, path, compression="zstd", compression_level=3)


def build(source: Path, out: Path, scale: int, seed: int = SEED) -> int:
    """Write the synthetic folder to `out` (replaced whole, via a sibling temporary folder); its rows."""
    from dashboard.core.checksums import sha256_of
    from dashboard.data.schema import (
        COLUMNS,
        DATA_MANIFEST_FILE,
        DERIVED_COLUMNS,
        DERIVED_FILE,
        DERIVED_FROM_KEY,
        INDICATORS_FILE,
        METADATA_FILE,
    )

    started = time.perf_counter()
    table, document, manifest = read_folder(source)
    is_all = table["group_dimension"].astype(str) == "all"
    series = table["indicator_id"].astype(str).isin(series_spans(table))
    plan = plan_for(scale, len(table), int((~is_all).sum()), int(series.sum()), int((series & ~is_all).sum()))
    grown = mark(grow(table, plan, seed), scale)
    work = Path(tempfile.mkdtemp(prefix=f".{out.name}-", dir=out.parent))
    try:
        write_parquet(grown, COLUMNS, work / INDICATORS_FILE)
        write_parquet(grown, DERIVED_COLUMNS, work / DERIVED_FILE, {DERIVED_FROM_KEY: sha256_of(work / INDICATORS_FILE)})
        registry = metadata(document, grown, scale, plan.group_copies)
        (work / METADATA_FILE).write_text(json.dumps(registry, indent=1, ensure_ascii=False) + "\n")
        products = {name: {"file": name, "bytes": (work / name).stat().st_size, "sha256": sha256_of(work / name)}
                    for name in (INDICATORS_FILE, DERIVED_FILE, METADATA_FILE)}
        manifest = {**manifest, "synthetic": True, "description": description(scale), "builder": "bench/synthetic.py (SYNTHETIC)",
                    "synthetic_plan": {**asdict(plan), "scale": scale, "seed": seed, "source_rows": len(table),
                                       "source": str(source), "build_seconds": round(time.perf_counter() - started, 2)},
                    "rows": len(grown), "products": products, "indicators": summary(grown)}
        (work / DATA_MANIFEST_FILE).write_text(json.dumps(manifest, indent=1, ensure_ascii=False) + "\n")
        if out.exists():
            shutil.rmtree(out)
        work.rename(out)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return len(grown)


def cache_key(source: Path, scale: int) -> str:
    """Changes with the source data's bytes, this file's code and the scale: re-runs reuse a build."""
    from dashboard.core.checksums import sha256_of
    from dashboard.data.schema import DERIVED_FILE, INDICATORS_FILE, METADATA_FILE

    digest = hashlib.sha256(f"{scale}|{SEED}".encode())
    for path in (source / INDICATORS_FILE, source / DERIVED_FILE, source / METADATA_FILE, Path(__file__)):
        digest.update(sha256_of(path).encode())
    return digest.hexdigest()[:16]


def is_complete(folder: Path) -> bool:
    """A cached folder is used only if every product matches its manifest (SHA-256)."""
    from dashboard.core.checksums import sha256_of
    from dashboard.data.schema import DATA_MANIFEST_FILE

    try:
        manifest = json.loads((folder / DATA_MANIFEST_FILE).read_text())
        return manifest.get("synthetic") is True and all(
            sha256_of(folder / p["file"]) == p["sha256"] for p in manifest["products"].values())
    except (OSError, ValueError, KeyError):
        return False


def ensure(scale: int, source: Path | None = None, cache_root: Path = CACHE_ROOT) -> Folder:
    """The cached synthetic folder for `scale`, built first if absent (keyed by the source's checksums)."""
    from dashboard.core.settings import DEFAULT_DATA_DIR
    from dashboard.data.schema import DATA_MANIFEST_FILE

    source = (source or DEFAULT_DATA_DIR).resolve()
    folder = cache_root / f"x{scale}-{cache_key(source, scale)}"
    cached = is_complete(folder)
    if not cached:
        cache_root.mkdir(parents=True, exist_ok=True)
        for stale in cache_root.glob(f"x{scale}-*"):  # older builds of this scale: other data or code
            shutil.rmtree(stale, ignore_errors=True)
        build(source, folder, scale)
    manifest = json.loads((folder / DATA_MANIFEST_FILE).read_text())
    plan = manifest["synthetic_plan"]
    return Folder(folder, scale, manifest["rows"], plan["source_rows"], plan["build_seconds"], cached)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=int, default=int(os.environ.get("BENCH_SCALE", "5")))
    parser.add_argument("--out", type=Path, help="write here (replaced) instead of the cache folder")
    args = parser.parse_args()
    if args.out:
        from dashboard.core.settings import DEFAULT_DATA_DIR

        started = time.perf_counter()
        rows = build(DEFAULT_DATA_DIR, args.out.resolve(), args.scale)
        print(f"SYNTHETIC {args.scale}x: {rows:,} rows in {args.out} ({time.perf_counter() - started:.1f} s)")
        return
    folder = ensure(args.scale)
    print(f"SYNTHETIC {args.scale}x: {folder.rows:,} rows ({folder.rows / folder.source_rows:.2f}x) in {folder.path} "
          f"(built in {folder.build_seconds:.1f} s{', cached' if folder.cached else ''})")


if __name__ == "__main__":
    main()
