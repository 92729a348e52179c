"""A user's own file (the indicator format, or a Fingertips CSV export), read and checked as at
start-up: what `check-data`, `derive-data --add` and `serve --data FILE` read (docs/data.md,
"Your own data")."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from dashboard.core.errors import InputError
from dashboard.core.geography import AreaLevel
from dashboard.data import fingertips
from dashboard.data.boundaries import Boundaries, load_boundaries
from dashboard.data.loading import area_codes_by_level, check_frame, read_table
from dashboard.data.registry import Indicator, read_registry
from dashboard.data.schema import COLUMNS
from dashboard.data.validation import DataValidationError, Problem


@dataclass(frozen=True)
class Rows:
    """A user's file read into the indicator format (as text), what it defines, and its problems."""

    frame: pd.DataFrame
    indicators: Mapping[str, Indicator]  # indicators the file defines itself: a Fingertips export's
    problems: list[Problem]
    notes: tuple[str, ...] = ()  # rows read but set aside, and why (never silently)
    set_aside: int = 0  # how many rows the notes are of


def read_rows(path: Path, boundaries: Boundaries, known: Iterable[str] | None, unit: str | None = None) -> Rows:
    """A file in the indicator format or a Fingertips CSV export (told apart by its header), checked
    as at start-up; `known`: the indicator ids (or registry) rows may use, besides the file's own."""
    try:
        return _read_rows(path, boundaries, known, unit)
    except (InputError, DataValidationError):
        raise
    except Exception as exc:  # what no check foresaw: one problem naming the file, never a traceback
        message = f"could not be read: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
        return Rows(pd.DataFrame(columns=list(COLUMNS)), {}, [Problem(str(path), "", message)])


def _read_rows(path: Path, boundaries: Boundaries, known: Iterable[str] | None, unit: str | None) -> Rows:
    frame = read_table(path)
    codes = area_codes_by_level(boundaries)
    if not fingertips.is_export(frame.columns):
        return Rows(frame, {}, check_frame(frame, file=str(path), area_codes=codes, indicator_ids=known))
    export = fingertips.convert(frame, file=str(path), boundaries=boundaries, unit=unit)
    given = known if isinstance(known, Mapping) else dict.fromkeys(known or ())
    ids = {**given, **export.indicators} if known is not None or export.indicators else None
    rows = export.frame[export.kept].reset_index(drop=True)
    if not len(rows) and export.set_aside and not export.problems:  # not "a header only": say what it held
        aside = sum(export.set_aside.values())
        found = [Problem(str(path), "", f"no rows the app can show: all {aside} were set aside ({'; '.join(set_aside_notes(export.set_aside))})")]
    else:
        found = check_frame(rows, file=str(path), area_codes=codes, indicator_ids=ids) if len(rows) or not export.problems else []
    problems = sorted(export.problems + fingertips.in_export_terms(found, export.kept), key=lambda p: (p.rows[:1] or (0,), p.column))
    return Rows(rows, export.indicators, problems, set_aside_notes(export.set_aside), sum(export.set_aside.values()))


NOTES_SHOWN = 20  # kinds of row set aside, each a line; the rest are counted in one (a file of 100,000 kinds printed 100,000 lines)


def set_aside_notes(set_aside: Mapping[str, int]) -> tuple[str, ...]:
    """A line for each kind of row an export holds but the app has no place for (regions, other
    breakdowns), the most common first, up to NOTES_SHOWN; then one line for the rest."""
    kinds = sorted(set_aside.items(), key=lambda item: -item[1])
    lines = [f"set aside {n} row{'s' if n != 1 else ''} of {why}" for why, n in kinds[:NOTES_SHOWN]]
    rest = kinds[NOTES_SHOWN:]
    if rest:
        lines.append(f"set aside {sum(n for _, n in rest)} rows of {len(rest)} other kinds, each named like those above")
    return tuple(lines)


def printable(text: object, limit: int = 80) -> str:
    """`text` as a terminal shows it harmlessly: control characters escaped (an escape sequence in a
    cell once reached the terminal raw), at most `limit` characters."""
    text = str(text)
    shown = "".join(c if c.isprintable() else repr(c)[1:-1] for c in text[:limit])
    return shown + ("…" if len(text) > limit else "")


def check_file(path: Path, geodata_dir: Path, metadata_path: Path | None, unit: str | None = None) -> list[Problem]:
    """`python -m dashboard check-data PATH`: the start-up checks on any file in the format, or a Fingertips export."""
    return read_file(path, geodata_dir, metadata_path, unit).problems


def read_file(path: Path, geodata_dir: Path, metadata_path: Path | None, unit: str | None = None) -> Rows:
    """`read_rows` for check-data: the metadata's ids (if the file is there) are the ones rows may use."""
    ids = read_registry(metadata_path) if metadata_path and metadata_path.is_file() else None
    return read_rows(path, load_boundaries(geodata_dir), ids, unit)


def describe(rows: Rows, unit: str | None = None) -> list[str]:
    """What a file was read as (check-data's lines): its rows, indicators and units (a Fingertips
    export's given with `unit` or inferred), area levels and periods, and any rows set aside. Distinct values only are made text."""
    frame, plural = rows.frame, (lambda n, word: f"{n} {word}{'s' if n != 1 else ''}")
    first = frame.drop_duplicates("indicator_id")[["indicator_id", "indicator_name", "unit"]].astype(str)
    scale = {"%": "100", "per 100,000": "100,000"}  # a Fingertips export's unit: given, or inferred as fingertips._unit does

    def how(u: str) -> str:
        return "" if not rows.indicators else ", given with --unit" if unit else f", inferred: Value is {scale.get(u)} x Count / Denominator"

    listed = [f"{printable(i)} '{printable(name, 200)}' (unit {printable(u)}{how(u)})" for i, name, u in first.head(5).itertuples(index=False)]
    more = f"; and {len(first) - 5} more" if len(first) > 5 else ""
    order = {level.value: i for i, level in enumerate(AreaLevel)}
    counts = {str(level): int(n) for level, n in frame["area_level"].value_counts().items() if n}
    levels = [f"{printable(level)} ({plural(counts[level], 'row')})" for level in sorted(counts, key=lambda v: (order.get(v, len(order)), v))]
    periods = [printable(p) for p in frame[["period", "period_start"]].drop_duplicates("period").astype(str).sort_values(["period_start", "period"])["period"]]
    shown = ", ".join(periods) if len(periods) <= 8 else f"{periods[0]} to {periods[-1]} ({len(periods)})"
    kind = " of a Fingertips export" if rows.indicators else ""
    used = f", {len(frame)} used and {rows.set_aside} set aside (below)" if rows.set_aside else ""
    return [f"read {plural(len(frame) + rows.set_aside, 'row')}{kind}{used}: {plural(len(first), 'indicator')}, {'; '.join(listed)}{more}",
            f"area levels: {', '.join(levels)}; periods: {shown}", *rows.notes]
