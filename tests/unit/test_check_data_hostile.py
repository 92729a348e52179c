"""check-data on hostile files (issue 14): each bad file is refused with a message naming the file,
the row (data rows: row 1 is the first under the header) and the column, exit status 2, and
never a traceback. Every expected message was worked out by hand from the file written."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest

from dashboard.cli import main

HEADER = [
    "indicator_id", "indicator_name", "area_level", "area_code", "area_name", "alliance_code", "alliance_name", "period",
    "period_start", "period_end", "cancer_type", "group_dimension", "group_value", "numerator", "denominator", "value",
    "lower_ci", "upper_ci", "ci_method", "unit", "data_status", "source", "period_type",
]
COMMON = {
    "indicator_id": "early_stage", "indicator_name": "Diagnosed at stage 1 or 2", "area_level": "icb", "area_code": "E54000048",
    "area_name": "NHS Lancashire and South Cumbria Integrated Care Board", "alliance_code": "E56000018",
    "alliance_name": "Lancashire & South Cumbria Cancer Alliance", "period": "2022", "period_start": "2022-01-01",
    "period_end": "2022-12-31", "cancer_type": "Lung", "group_dimension": "sex", "ci_method": "Wilson score 95%", "unit": "%",
    "data_status": "published", "source": "Alliance extract (test)", "period_type": "calendar_year",
}
# Row 1 and row 2 (data rows): Females 120/400 = 30%, Males 3/20 = 15%, both with their Wilson limits.
ROWS = [
    {**COMMON, "group_value": "Females", "numerator": "120", "denominator": "400", "value": "30", "lower_ci": "25.7", "upper_ci": "34.6"},
    {**COMMON, "group_value": "Males", "numerator": "3", "denominator": "20", "value": "15", "lower_ci": "5.2", "upper_ci": "36"},
]
FORMULA = "formula text (a cell starting with =, +, -, @, a tab or a carriage return, which a spreadsheet would run)"


def _csv(path: Path, rows: list[dict], header: list[str] = HEADER) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL)  # quoted: a tab or CR stays inside its cell
        writer.writerow(header)
        writer.writerows([[row.get(c, "") for c in header] for row in rows])
    return path


def _edit(row: int, column: str, value: str) -> Callable[[Path], Path]:
    """A file of ROWS with data row `row` (1-based)'s `column` set to `value`."""
    def make(folder: Path) -> Path:
        rows = [dict(r) for r in ROWS]
        rows[row - 1][column] = value
        return _csv(folder / "extract.csv", rows)
    return make


def _bytes(name: str, content: bytes) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        (folder / name).write_bytes(content)
        return folder / name
    return make


def _parquet(name: str, change: Callable[[pd.DataFrame], pd.DataFrame]) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        frame = pd.DataFrame(ROWS)[HEADER].astype({c: float for c in ("numerator", "denominator", "value", "lower_ci", "upper_ci")})
        change(frame).to_parquet(folder / name, index=False)
        return folder / name
    return make


def _good_parquet_bytes(folder: Path) -> bytes:
    _parquet("whole.parquet", lambda f: f)(folder)
    return (folder / "whole.parquet").read_bytes()


def _truncated_parquet(folder: Path) -> Path:
    content = _good_parquet_bytes(folder)
    (folder / "truncated.parquet").write_bytes(content[: len(content) // 2])
    return folder / "truncated.parquet"


def _duplicated_column(folder: Path) -> Path:
    return _csv(folder / "extract.csv", [dict(r, extra=r["value"]) for r in ROWS], [*HEADER, "value"])


def _csv_text(name: str, text: str) -> Callable[[Path], Path]:
    return _bytes(name, text.encode("utf-8"))


HEADER_LINE = ",".join(HEADER) + "\n"
# "indicator_id,area_name\n" is 23 bytes; "x,Sanat" 7 more: the Latin-1 é (0xe9) is byte 30, on line 2.
LATIN_1 = b"indicator_id,area_name\nx,Sanat\xe9\n"
# The NUL: 23 bytes of header, then "x,Lu": byte 27, line 2.
WITH_NUL = b"indicator_id,area_name\nx,Lu\x00ng\n"

CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    "inf": (_edit(2, "value", "inf"), "{path}: row 2, column value: infinite value (inf): not a number"),
    "minus inf": (_edit(1, "upper_ci", "-inf"), "{path}: row 1, column upper_ci: infinite value (-inf): not a number"),
    "Infinity": (_edit(1, "denominator", "Infinity"), "{path}: row 1, column denominator: infinite value (inf): not a number"),
    "inf in Parquet": (_parquet("inf.parquet", lambda f: f.assign(value=[float("inf"), 15.0])),
                       "{path}: row 1, column value: infinite value (inf): not a number"),
    "share of 150%": (_edit(1, "value", "150"), "{path}: row 1, column value: a percentage (unit %) outside 0 to 100: [150.0]"),
    "share of -20%": (_edit(2, "value", "-20"), "{path}: row 2, column value: a percentage (unit %) outside 0 to 100: [-20.0]"),
    "upper limit 120%": (_edit(2, "upper_ci", "120"), "{path}: row 2, column upper_ci: a percentage (unit %) outside 0 to 100: [120.0]"),
    "unknown unit": (_edit(1, "unit", "percent"),
                     "{path}: row 1, column unit: unknown unit(s) ['percent']: not one of ['%', 'people', 'per 100,000']"),
    "unit not the indicator's": (_edit(2, "unit", "per 100,000"),
                                 "{path}: row 2, column unit: unit 'per 100,000' is not the indicator's unit in the metadata ('%' for early_stage)"),
    "fractional numerator": (_edit(1, "numerator", "120.3"),
                             "{path}: row 1, column numerator: not a whole number (a count of people; a half is allowed): [120.3]"),
    "fractional denominator": (_edit(2, "denominator", "20.25"),
                               "{path}: row 2, column denominator: not a whole number (a count of people; a half is allowed): [20.25]"),
    "formula =": (_edit(1, "area_name", '=HYPERLINK("http://x","y")'), f"{{path}}: row 1, column area_name: {FORMULA}: '=HYPERLINK(\"http://x\",\"y\")'"),
    "formula +": (_edit(2, "source", "+1+1"), f"{{path}}: row 2, column source: {FORMULA}: '+1+1'"),
    "formula @": (_edit(2, "indicator_name", "@SUM(1+1)"), f"{{path}}: row 2, column indicator_name: {FORMULA}: '@SUM(1+1)'"),
    "formula -": (_edit(1, "group_value", "-2+3"), f"{{path}}: row 1, column group_value: {FORMULA}: '-2+3'"),
    "formula tab": (_edit(1, "cancer_type", "\t=1"), f"{{path}}: row 1, column cancer_type: {FORMULA}: '\\t=1'"),
    "formula carriage return": (_edit(2, "alliance_name", "\r=1"), f"{{path}}: row 2, column alliance_name: {FORMULA}: '\\r=1'"),
    "header only": (_csv_text("extract.csv", HEADER_LINE), "{path}: no data rows (the file has a header only)"),
    "Parquet with no rows": (_parquet("empty.parquet", lambda f: f.iloc[:0]), "{path}: no data rows (the file has a header only)"),
    "empty file": (_bytes("extract.csv", b""), "{path}: empty file (no header row, no data rows)"),
    "blank lines only": (_bytes("extract.csv", b"\r\n\n  \n"), "{path}: empty file (no header row, no data rows)"),
    "Latin-1": (_bytes("extract.csv", LATIN_1), "{path}: not UTF-8 text: byte 0xe9 at byte offset 30 (line 2) cannot be read"),
    "UTF-16": (_bytes("extract.csv", HEADER_LINE.encode("utf-16")), "{path}: UTF-16 text, not UTF-8"),
    "NUL byte": (_bytes("extract.csv", WITH_NUL), "{path}: a NUL byte at byte offset 27 (line 2): a binary file, not CSV text"),
    "a workbook named .csv": (_bytes("extract.csv", b"PK\x03\x04" + bytes(60)), "{path}: not a CSV file: it is a ZIP archive (an Excel .xlsx workbook?)"),
    "a picture named .csv": (_bytes("extract.csv", b"\x89PNG\r\n\x1a\n" + bytes(range(256))), "{path}: not a CSV file: it is a PNG picture"),
    "a workbook": (_bytes("extract.xlsx", b"PK\x03\x04" + bytes(60)), "{path}: not a .csv or .parquet file"),
    "a text file": (_csv_text("notes.txt", "hello\n"), "{path}: not a .csv or .parquet file"),
    "corrupt Parquet": (_bytes("extract.parquet", b"PAR1garbagegarbagePAR1"), "{path}: not a readable Parquet file ("),
    "truncated Parquet": (_truncated_parquet, "{path}: not a readable Parquet file (Parquet magic bytes not found in footer"),
    "CSV named .parquet": (_csv_text("extract.parquet", HEADER_LINE), "{path}: not a readable Parquet file ("),
    "missing column": (lambda folder: _csv(folder / "extract.csv", ROWS, [c for c in HEADER if c != "unit"]), "{path}, column unit: missing column"),
    "duplicated column": (_duplicated_column, "{path}, column value: the header names this column 2 times (columns 16, 24)"),
    "first row too long": (_csv_text("extract.csv", HEADER_LINE + "a,b,c," * 30 + "\n"),
                           "cannot read {path}: line 2 (data row 1) has more cells than the header has columns (23)"),
    "later row too long": (_csv_text("extract.csv", HEADER_LINE + "a," * 22 + "a\n" + "a,b,c," * 30 + "\n"),
                           "cannot read {path}: Error tokenizing data. C error: Expected 23 fields in line 3, saw 91"),
    "no such file": (lambda folder: folder / "absent.csv", "no such file: {path}"),
    "a folder": (lambda folder: (folder / "folder.csv").mkdir() or folder / "folder.csv", "{path}: not a file"),
}


def assert_refused(make, expected: str, folder: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """`check-data` on the file `make(folder)` writes exits 2 with `expected` ({path}: the file), no traceback."""
    path = make(folder)
    assert main(["check-data", str(path)]) == 2
    captured = capsys.readouterr()
    assert expected.format(path=path) in captured.err, captured.err
    assert "Traceback" not in captured.err + captured.out
    assert "no problems found" not in captured.out


@pytest.mark.parametrize("case", list(CASES))
def test_each_hostile_file_is_refused_with_its_message(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_refused(*CASES[case], tmp_path, capsys)


@pytest.mark.parametrize(
    ("column", "value"),
    [("lower_ci", "-0"), ("numerator", "120.5"), ("area_name", "-1"), ("group_value", "+5")],
)
def test_what_is_not_hostile_passes(column: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A number written as text is not a formula; a count may be a half (NHS England splits shared patients)."""
    path = _edit(1, column, value)(tmp_path)
    assert main(["check-data", str(path)]) == 0, capsys.readouterr().err
    assert "no problems found" in capsys.readouterr().out


def test_the_problems_say_how_rows_are_counted(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _edit(2, "value", "inf")(tmp_path)
    assert main(["check-data", str(path)]) == 2
    err = capsys.readouterr().err
    assert "rows are data rows: row 1 is the first row under the header, row 2 in a spreadsheet" in err
    assert err.rstrip().endswith("problem(s) found; nothing was loaded")


def test_a_good_file_is_described(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """What check-data read: ROWS' two rows, early_stage for one ICB in 2022 (its unit from the file)."""
    path = _csv(tmp_path / "extract.csv", ROWS)
    assert main(["check-data", str(path)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{path}: no problems found",
        "read 2 rows: 1 indicator, early_stage 'Diagnosed at stage 1 or 2' (unit %)",
        "area levels: icb (2 rows); periods: 2022",
    ]
