"""A user's file, read safely: what kind of file it is, whether its text is UTF-8, its header.

Nothing here evaluates anything: CSV cells are read as text (`dtype=str`), Parquet through
pyarrow (no pickle). A file that cannot be read ends in an `InputError` naming the file and,
for text, the byte offset and line; a header that names a column twice is a `Problem`.
"""

from __future__ import annotations

import codecs
import csv
import io
from collections import Counter
from pathlib import Path

import pyarrow.parquet as pq

from dashboard.core.errors import InputError
from dashboard.data.validation import Problem

CSV_SUFFIXES = (".csv",)
PARQUET_SUFFIXES = (".parquet",)
CHUNK = 1 << 20
# The first bytes of files people save by mistake with a .csv name.
SIGNATURES: tuple[tuple[bytes, str], ...] = (
    (b"PK\x03\x04", "a ZIP archive (an Excel .xlsx workbook?)"),
    (b"\xd0\xcf\x11\xe0", "an old Excel (.xls) or other Office file"),
    (b"PAR1", "a Parquet file (name it .parquet)"),
    (b"%PDF", "a PDF document"),
    (b"\x89PNG", "a PNG picture"),
    (b"\xff\xd8\xff", "a JPEG picture"),
    (b"\x1f\x8b", "a gzip archive"),
)
SAVE_AS = "save it from the spreadsheet as 'CSV UTF-8'"


def kind_of(path: Path) -> str:
    """"csv" or "parquet", by the file's name; anything else is refused."""
    if not path.exists():
        raise InputError(f"no such file: {path}")
    if not path.is_file():
        raise InputError(f"{path}: not a file")
    suffix = path.suffix.lower()
    if suffix in PARQUET_SUFFIXES:
        return "parquet"
    if suffix in CSV_SUFFIXES:
        return "csv"
    raise InputError(f"{path}: not a .csv or .parquet file (the indicator format, or a Fingertips CSV export)")


def check_csv_text(path: Path) -> None:
    """Refuse a .csv file that is empty, binary, or not UTF-8 text, naming where it goes wrong."""
    with path.open("rb") as handle:
        first = handle.read(CHUNK)
        if not first.strip(b" \t\r\n\xef\xbb\xbf"):
            raise InputError(f"{path}: empty file (no header row, no data rows)")
        for signature, kind in SIGNATURES:
            if first.startswith(signature):
                raise InputError(f"{path}: not a CSV file: it is {kind}; {SAVE_AS}")
        if first.startswith((b"\xff\xfe", b"\xfe\xff")):
            raise InputError(f"{path}: UTF-16 text, not UTF-8; {SAVE_AS}")
        decoder = codecs.getincrementaldecoder("utf-8")()
        offset, lines, chunk = 0, 1, first
        while chunk:
            nul = chunk.find(b"\x00")
            if nul >= 0:
                line = lines + chunk.count(b"\n", 0, nul)
                raise InputError(f"{path}: a NUL byte at byte offset {offset + nul} (line {line}): a binary file, not CSV text")
            try:
                decoder.decode(chunk)
            except UnicodeDecodeError as exc:
                # The decoder may hold back up to 3 bytes of the previous chunk: locate the bad byte in this one.
                start = max(0, exc.start - (len(exc.object) - len(chunk)))
                line = lines + chunk.count(b"\n", 0, start)
                raise InputError(
                    f"{path}: not UTF-8 text: byte 0x{chunk[start]:02x} at byte offset {offset + start} (line {line}) "
                    f"cannot be read (Windows-1252 or Latin-1?); {SAVE_AS}"
                ) from None
            offset += len(chunk)
            lines += chunk.count(b"\n")
            chunk = handle.read(CHUNK)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            raise InputError(f"{path}: not UTF-8 text: the file ends inside a character (byte offset {offset}); {SAVE_AS}") from None


def csv_header(path: Path, skip: int) -> list[str]:
    """The names in a CSV's header row (after `skip` lines of notes)."""
    with path.open(encoding="utf-8-sig", newline="") as handle:
        for _ in range(skip):
            handle.readline()
        return next(csv.reader(io.StringIO(handle.readline())), [])


def parquet_header(path: Path) -> list[str]:
    try:
        return list(pq.read_schema(path).names)
    except Exception as exc:  # pyarrow's ArrowInvalid, OSError: a truncated or foreign file
        raise InputError(f"{path}: not a readable Parquet file ({exc})") from exc


def duplicated_columns(file: str, names: list[str]) -> list[Problem]:
    """A problem for each column the header names more than once (pandas would rename the second), or
    twice in names differing only in case or spacing (`Area Code`, `area code`): a Fingertips export's
    columns are found by such a key, so one of them would be taken silently for the other."""
    def key(name: str) -> str:
        return " ".join(name.lower().split())

    counts = Counter(key(name) for name in names)
    problems = []
    for name, count in counts.items():
        if count > 1:
            places = [(i, n) for i, n in enumerate(names, start=1) if key(n) == name]
            first = places[0][1].strip()
            if all(n.strip() == first for _, n in places):
                message = f"the header names this column {count} times (columns {', '.join(str(i) for i, _ in places)})"
            else:
                listed = ", ".join(f"{i} {n!r}" for i, n in places)
                message = f"the header names this column {count} times, differing only in case or spacing (columns {listed})"
            problems.append(Problem(file, first or "(unnamed)", message))
    return problems
