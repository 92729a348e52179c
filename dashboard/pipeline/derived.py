"""Per-row work done once, before the app starts, so that its start-up only reads.

For every row of the indicator table: its limits at 99.8% (by the indicator's interval
method) and its disclosure-control decision. Written to data/derived.parquet in the
table's row order, with the SHA-256 of the indicators.parquet it was derived from in
the file's metadata; `dashboard.data.loading` refuses a pair that does not match,
attaches the columns and withholds what they say to withhold.

`build-data` runs this on the table it builds; `derive-data` runs it on a data folder
an alliance has extended with its own rows. Neither needs a geometry library.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd
import pyarrow.parquet as pq

from dashboard.core.checksums import sha256_bytes, sha256_of
from dashboard.core.errors import InputError
from dashboard.core.measures import CiMethod
from dashboard.data.boundaries import Boundaries, load_boundaries
from dashboard.data.loading import read_table
from dashboard.data import fingertips
from dashboard.data.own_files import read_rows
from dashboard.data.registry import Indicator, Registry, read_registry, registry_document
from dashboard.data.schema import (
    COLUMNS,
    DATA_MANIFEST_FILE,
    DERIVED_COLUMNS,
    DERIVED_FILE,
    DERIVED_FROM_KEY,
    INDICATORS_FILE,
    KEY,
    METADATA_FILE,
    DataStatus,
)
from dashboard.data.validation import DataValidationError, Problem, coerce_types
from dashboard.pipeline.disclosure_model import RATE_FROM_BANDS, SHARED_COUNTS
from dashboard.pipeline.indicators import with_groups
from dashboard.pipeline.io import parquet_bytes, pretty_json, replace_directory
from dashboard.pipeline.protection import decide
from dashboard.stats.compare import CONFIDENCE_LEVELS, limits_at

# Values and limits are stored to 4 decimal places (screens show 1): the noise digits
# below that cost a fifth of the file and no one's decision depends on them.
STORED_DECIMALS = 4


def derive(table: pd.DataFrame, registry: Registry, boundaries: Boundaries, decision: pd.DataFrame | None = None) -> pd.DataFrame:
    """The derived columns for `table` (same index and order); `decision` (suppression and
    denominator_withheld) is one already made for this very table, else it is made here."""
    methods = table["indicator_id"].astype(str).map({i: ind.ci_method for i, ind in registry.items()})
    methods = methods.where(table["data_status"].astype(str) != DataStatus.MODELLED.value, CiMethod.NONE)  # modelled: no interval
    lower, upper = limits_at(table, methods, CONFIDENCE_LEVELS["99.8"])
    if decision is None:
        made = decide(table, registry, boundaries.parents())
        decision = pd.DataFrame({"suppression": made.reasons, "denominator_withheld": made.denominator_withheld}, index=table.index)
    derived = pd.DataFrame(
        {"lower_ci_998": lower, "upper_ci_998": upper,
         "suppression": decision["suppression"].to_numpy(), "denominator_withheld": decision["denominator_withheld"].to_numpy()},
        index=table.index,
    )
    derived[["lower_ci_998", "upper_ci_998"]] = derived[["lower_ci_998", "upper_ci_998"]].round(STORED_DECIMALS)
    return derived.astype(DERIVED_COLUMNS)


def previous_decision(previous: Path | None, table_bytes: bytes, rows: int) -> pd.DataFrame | None:
    """The disclosure decision an earlier build wrote for exactly this table (derived.parquet is
    bound to its table by SHA-256), or None. The decision takes an hour or more to prove; a
    rebuild of an unchanged table reuses it (`build-data --fresh` makes it again)."""
    if previous is None or not previous.is_file():
        return None
    recorded = (pq.read_schema(previous).metadata or {}).get(DERIVED_FROM_KEY.encode(), b"").decode()
    if recorded != sha256_bytes(table_bytes):
        return None
    frame = pd.read_parquet(previous, columns=["suppression", "denominator_withheld"])
    if len(frame) != rows:
        return None
    return frame.assign(suppression=frame["suppression"].fillna("").astype(str), denominator_withheld=frame["denominator_withheld"].astype(bool))


def served_products(
    table: pd.DataFrame, definitions: Registry, boundaries: Boundaries, previous: Path | None = None, decision: pd.DataFrame | None = None
) -> dict[str, bytes]:
    """indicators.parquet, derived.parquet (bound to it by hash) and the registry with the table's groups.

    `previous`: an earlier derived.parquet whose disclosure decision is reused if it was made for this very table;
    `decision`: one already made for this table (same index)."""
    registry = with_groups(definitions, table)
    table_bytes = parquet_bytes(table, COLUMNS)
    if decision is None:
        decision = previous_decision(previous, table_bytes, len(table))
    derived_bytes = parquet_bytes(derive(table, registry, boundaries, decision), DERIVED_COLUMNS, {DERIVED_FROM_KEY: sha256_bytes(table_bytes)})
    return {
        INDICATORS_FILE: table_bytes,
        DERIVED_FILE: derived_bytes,
        METADATA_FILE: pretty_json(registry_document(registry)),
    }


@dataclass(frozen=True)
class Addition:
    file: str
    sha256: str
    rows: int
    set_aside: tuple[str, ...] = ()  # rows read but not added, and why (an export's regions)

    def lines(self) -> list[str]:
        """What derive-data and serve say of it."""
        return [f"added {self.rows} rows from {self.file}", *(f"{self.file}: {note}" for note in self.set_aside)]


def derive_data(data_dir: Path, geodata_dir: Path, out: Path, additions: list[Path], unit: str | None = None) -> list[Addition]:
    """A served data folder at `out`: the table in `data_dir` plus the rows of `additions`
    (files in the indicator format, or Fingertips CSV exports, whose indicators are added to
    the registry), checked as at start-up, with their derived columns. `unit`: a Fingertips
    export's (it has no unit column), else inferred from its values.

    Every problem in every addition is reported (file, row, column) and nothing is written.
    """
    given = [path.resolve() for path in additions]
    if len(set(given)) < len(given):
        twice = next(path for path in additions if given.count(path.resolve()) > 1)
        raise InputError(f"{twice}: given to --add more than once")
    boundaries = load_boundaries(geodata_dir)
    registry = dict(read_registry(data_dir / METADATA_FILE))
    base, problems = coerce_types(read_table(data_dir / INDICATORS_FILE), str(data_dir / INDICATORS_FILE))
    if problems:
        raise DataValidationError(problems)
    parts, origins, read, problems = [base], [str(data_dir / INDICATORS_FILE)] * len(base), [], []
    for path in additions:
        rows = read_rows(path, boundaries, registry, unit)
        joined, conflicts = _joined(registry, rows.indicators, str(path))
        problems += rows.problems + conflicts
        registry |= joined
        typed, _ = coerce_types(rows.frame, str(path))
        parts.append(typed)
        origins += [str(path)] * len(typed)
        read.append((path, len(typed), rows.notes))
    if problems:
        raise DataValidationError(problems)
    table = pd.concat(parts, ignore_index=True).astype(COLUMNS)
    exports = {i: indicator.name for i, indicator in registry.items() if i.startswith(fingertips.ID_PREFIX)}
    named = table["indicator_id"].isin(list(exports))  # an indicator of several exports: every row says so
    table.loc[named, "indicator_name"] = table.loc[named, "indicator_id"].map(exports)
    table, repeats = _without_repeats(table, pd.Series(origins))
    added = [Addition(str(path), sha256_of(path), rows - repeats.get(str(path), 0),
                      notes + ((f"{repeats[str(path)]} row{'s' if repeats[str(path)] != 1 else ''} already read from an earlier file (the "
                                "same key and figures: England's, say, in two exports): kept once",) if repeats.get(str(path)) else ()))
             for path, rows, notes in read]
    decision = _decision_beside(data_dir, base, table.iloc[len(base):], registry, boundaries)
    order = table.sort_values([*KEY, "period_start"], kind="stable").index
    table = table.loc[order].reset_index(drop=True)
    decision = None if decision is None else decision.loc[order].reset_index(drop=True)
    files = served_products(table, registry, boundaries, decision=decision)
    files[DATA_MANIFEST_FILE] = pretty_json(_manifest(data_dir, files, added))
    replace_directory(out, files)
    return added


def _joined(registry: Registry, indicators: Mapping[str, Indicator], file: str) -> tuple[dict[str, Indicator], list[Problem]]:
    """A file's indicators, each joined with the earlier export's of the same ID (a level at a time,
    as Fingertips exports them), or a problem saying how they differ."""
    joined, problems = {}, []
    for indicator_id, indicator in indicators.items():
        earlier = registry.get(indicator_id)
        try:
            joined[indicator_id] = fingertips.joined(earlier, indicator) if earlier is not None else indicator
        except ValueError as exc:
            problems.append(Problem(file, "Indicator ID", f"indicator {indicator_id.removeprefix(fingertips.ID_PREFIX)} is in an earlier file too, but {exc}"))
    return joined, problems


FIGURES = ("numerator", "denominator", "value", "lower_ci", "upper_ci")


def _without_repeats(table: pd.DataFrame, origins: pd.Series) -> tuple[pd.DataFrame, dict[str, int]]:
    """The table without rows that repeat an earlier row's key and figures exactly, and how many
    each file (`origins`, row by row) repeated; rows sharing a key with other figures stop it,
    naming their files and the first such key."""
    repeat = table.duplicated([*KEY, *FIGURES], keep="first").to_numpy()
    kept, kept_origins = table[~repeat], origins[~repeat]
    clash = kept.duplicated(list(KEY), keep=False).to_numpy()
    if clash.any():
        first = {k: v for k, v in kept.loc[clash, list(KEY)].iloc[0].items() if pd.notna(v)}
        files = ", ".join(dict.fromkeys(kept_origins[clash]))
        raise InputError(f"{int(clash.sum())} rows share a key with another row but give other figures, in {files} "
                         f"(first: {first}); a file repeats rows already in the table, with other figures")
    return kept.reset_index(drop=True), {str(k): int(n) for k, n in origins[repeat].value_counts().items()}


def _decision_beside(data_dir: Path, base: pd.DataFrame, added: pd.DataFrame, registry: Registry, boundaries: Boundaries) -> pd.DataFrame | None:
    """The disclosure decision for base + added rows (in that order) without deciding the base
    again, when the added rows are indicators of their own: no relation of the disclosure model
    links them to the base (its relations stay within an indicator, but for SHARED_COUNTS and
    RATE_FROM_BANDS), so the base's proven decision (its derived.parquet, bound to its table by
    SHA-256) stands and only the added rows are decided. None: decide the whole table."""
    ids = set(added["indicator_id"].astype(str))
    linked = {name for link in SHARED_COUNTS for name in (link[0], link[2])} | set(RATE_FROM_BANDS)
    previous = data_dir / DERIVED_FILE
    if added.empty or ids & (set(base["indicator_id"].astype(str).unique()) | linked) or not previous.is_file():
        return None
    try:
        recorded = (pq.read_schema(previous).metadata or {}).get(DERIVED_FROM_KEY.encode(), b"").decode()
        if recorded != sha256_of(data_dir / INDICATORS_FILE):
            return None
        kept = pd.read_parquet(previous, columns=["suppression", "denominator_withheld"])
    except (OSError, ValueError):  # pyarrow's errors are ValueErrors and OSErrors: decide afresh
        return None
    if len(kept) != len(base):
        return None
    rows = added.reset_index(drop=True)
    made = decide(rows, with_groups(registry, rows), boundaries.parents())
    return pd.concat(
        [kept.assign(suppression=kept["suppression"].fillna("").astype(str), denominator_withheld=kept["denominator_withheld"].astype(bool)),
         pd.DataFrame({"suppression": made.reasons.to_numpy(), "denominator_withheld": made.denominator_withheld})],
        ignore_index=True,
    )


def _manifest(data_dir: Path, files: dict[str, bytes], added: list[Addition]) -> dict[str, object]:
    """The original build's manifest, with the additions and the new products' hashes."""
    manifest_path = data_dir / DATA_MANIFEST_FILE
    try:
        manifest = json.loads(manifest_path.read_text(encoding="utf-8")) if manifest_path.is_file() else {}
    except (OSError, ValueError, RecursionError) as exc:  # ValueError: not JSON, or not UTF-8
        raise InputError(f"{manifest_path}: not a readable manifest ({type(exc).__name__}); restore it from the data folder's source") from None
    if not isinstance(manifest, dict):
        raise InputError(f"{manifest_path}: not a manifest (a JSON object); restore it from the data folder's source")
    manifest["additions"] = [*manifest.get("additions", []), *({"file": a.file, "sha256": a.sha256, "rows": a.rows, "set_aside": list(a.set_aside)} for a in added)]
    manifest["products"] = {name: {"file": name, "bytes": len(data), "sha256": sha256_bytes(data)} for name, data in files.items()}
    manifest["derived_by"] = "python -m dashboard derive-data"
    return manifest
