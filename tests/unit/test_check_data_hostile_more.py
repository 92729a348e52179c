"""check-data on more hostile files (issue 14, second round): each was a traceback (exit 1) or was
accepted; now each is refused with a message naming the file, the row (data rows) and the column,
and exit status 2 (a denominator of 0 with a value, a count over 10^9: accepted before). Every expected message was worked out by hand from the file written."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pandas as pd
import pytest
from unit.test_check_data_hostile import FORMULA, HEADER, ROWS, _csv, _edit, _parquet, assert_refused

from dashboard.cli import main
from dashboard.data import own_files

EXPORT_HEADER = ["Indicator ID", "Indicator Name", "Area Code", "Area Type", "Sex", "Age", "Time period", "Value", "Count", "Denominator"]
# Cheshire and Merseyside ICB, 2022: 12 of 40 = 30% (a percentage: the unit is inferred).
EXPORT_ROW = ["90999", "Test indicator", "E54000008", "ICBs", "Persons", "All ages", "2022", "30", "12", "40"]
PERIOD = ("not a year (2022), financial year (2022/23), quarter (2022/23 Q1) or month (Mar 2023) "
          "(periods of several years have no place in the app)")


def _export(rows: list[list[str]], header: list[str] = EXPORT_HEADER) -> Callable[[Path], Path]:
    def make(folder: Path) -> Path:
        with (folder / "export.csv").open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(header)
            writer.writerows(rows)
        return folder / "export.csv"
    return make


def _period(text: str) -> Callable[[Path], Path]:
    """An export whose row 2 is row 1 in the period `text`."""
    return _export([EXPORT_ROW, [*EXPORT_ROW[:6], text, *EXPORT_ROW[7:]]])


def _with_column(name: str, copied: int) -> Callable[[Path], Path]:
    """An export with a last column `name`, a copy of column `copied` (0-based) on each row."""
    return _export([[*EXPORT_ROW, EXPORT_ROW[copied]]], [*EXPORT_HEADER, name])


def _rows(row: int, **values: str) -> Callable[[Path], Path]:
    """A file of ROWS with data row `row` (1-based) changed as `values` say."""
    def make(folder: Path) -> Path:
        rows = [dict(r) for r in ROWS]
        rows[row - 1].update(values)
        return _csv(folder / "extract.csv", rows)
    return make


CASES: dict[str, tuple[Callable[[Path], Path], str]] = {
    # 1. tracebacks
    "export with a header only": (_export([]), "{path}: no data rows (the file has a header only)"),
    "Mar 0000": (_period("Mar 0000"), f"{{path}}: row 2, column Time period: {PERIOD}: ['Mar 0000']"),
    "0000/01 Q1": (_period("0000/01 Q1"), f"{{path}}: row 2, column Time period: {PERIOD}: ['0000/01 Q1']"),
    "9999/00 Q4": (_period("9999/00 Q4"), f"{{path}}: row 2, column Time period: {PERIOD}: ['9999/00 Q4']"),
    "a date with a time zone": (_edit(2, "period_start", "2022-01-01T00:00+05:00"),
                                "{path}: row 2, column period_start: a date and time with a time zone, not a date (expected YYYY-MM-DD): "
                                "['2022-01-01T00:00+05:00']"),
    "a date in UTC": (_edit(1, "period_end", "2022-12-31T00:00Z"),
                      "{path}: row 1, column period_end: a date and time with a time zone, not a date (expected YYYY-MM-DD): "
                      "['2022-12-31T00:00Z']"),
    "Parquet dates with a time zone": (
        _parquet("zoned.parquet", lambda f: f.assign(period_start=pd.to_datetime(["2022-01-01"] * 2).tz_localize("Asia/Kolkata"))),
        "{path}: rows 1, 2, column period_start: a date and time with a time zone, not a date (expected YYYY-MM-DD): time zone Asia/Kolkata"),
    "Parquet bytes for text": (_parquet("bytes.parquet", lambda f: f.assign(area_name=[b"\xff\xfe", b"\xff\xfe"])),
                               "{path}: rows 1, 2, column area_name: binary data, not text (a Parquet binary column; write it as strings)"),
    # 3. a column named twice, in case or spacing only different
    "export: area code after Area Code": (_with_column("area code", 2), "{path}, column Area Code: the header names this column 2 times, "
                                          "differing only in case or spacing (columns 3 'Area Code', 11 'area code')"),
    "export: INDICATOR NAME after Indicator Name": (
        _with_column("INDICATOR  NAME", 1),
        "{path}, column Indicator Name: the header names this column 2 times, differing only in case or spacing "
        "(columns 2 'Indicator Name', 11 'INDICATOR  NAME')"),
    "indicator format: Value after value": (
        lambda folder: _csv(folder / "extract.csv", [dict(r, Value=r["value"]) for r in ROWS], [*HEADER, "Value"]),
        "{path}, column value: the header names this column 2 times, differing only in case or spacing (columns 16 'value', 24 'Value')"),
    # 4. formula text after leading white space
    "formula after a space": (_edit(1, "area_name", ' =HYPERLINK("http://x","y")'),
                              f"{{path}}: row 1, column area_name: {FORMULA}: ' =HYPERLINK(\"http://x\",\"y\")'"),
    "formula after a no-break space": (_edit(2, "cancer_type", "\u00a0@SUM(1+1)"), f"{{path}}: row 2, column cancer_type: {FORMULA}: '\\xa0@SUM(1+1)'"),
    "formula after a newline": (_edit(1, "source", "\n+cmd"), f"{{path}}: row 1, column source: {FORMULA}: '\\n+cmd'"),
    "formula after two spaces": (_edit(2, "area_name", "  -2+3"), f"{{path}}: row 2, column area_name: {FORMULA}: '  -2+3'"),
    "export: formula after a space": (_export([[*EXPORT_ROW[:1], " =1+1", *EXPORT_ROW[2:]]]),
                                      f"{{path}}: row 1, column Indicator Name: {FORMULA}: [' =1+1']"),
    # 6. counts that are no counts
    "denominator 0 with a value": (_rows(2, numerator="0", denominator="0", value="0"),
                                   "{path}: row 2, column denominator: denominator 0 with a value (a share or rate of no one)"),
    "export: Denominator 0 with a Value": (_export([EXPORT_ROW, [*EXPORT_ROW[:8], "0", "0"]]),
                                           "{path}: row 2, column Denominator: denominator 0 with a value (a share or rate of no one)"),
    "a count of 1e308": (_rows(1, numerator="1e308", denominator="1e308"),
                         "{path}: row 1, column numerator: not a plausible count of people (over 10^9): [1e+308]"),
    "a denominator of 2 billion": (_edit(1, "denominator", "2000000000"),
                                   "{path}: row 1, column denominator: not a plausible count of people (over 10^9): [2000000000.0]"),
}


@pytest.mark.parametrize("case", list(CASES))
def test_each_hostile_file_is_refused_with_its_message(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert_refused(*CASES[case], tmp_path, capsys)


@pytest.mark.parametrize(("column", "value"), [("area_name", " -1"), ("source", "\u00a0+5.5")])
def test_a_number_after_white_space_is_not_a_formula(column: str, value: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _edit(1, column, value)(tmp_path)
    assert main(["check-data", str(path)]) == 0, capsys.readouterr().err


def test_whatever_no_check_foresaw_is_one_problem_naming_the_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """The safety net: an exception while checking is one line, its message cut to 200 characters."""
    def fail(*args: object, **kwargs: object) -> None:
        raise ValueError("x" * 300)

    monkeypatch.setattr(own_files, "check_frame", fail)
    path = _csv(tmp_path / "extract.csv", ROWS)
    assert main(["check-data", str(path)]) == 2
    err = capsys.readouterr().err
    assert f"error: {path}: could not be read: ValueError: {'x' * 200}\n" in err
    assert "x" * 201 not in err and "Traceback" not in err


@pytest.mark.parametrize("case", ["a date with a time zone", "a date in UTC", "Parquet dates with a time zone", "Parquet bytes for text"])
def test_a_cell_that_cannot_be_read_is_one_problem_not_also_an_empty_value(case: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    make, _ = CASES[case]
    assert main(["check-data", str(make(tmp_path))]) == 2
    err = capsys.readouterr().err
    assert "empty value" not in err and err.rstrip().endswith("1 problem(s) found; nothing was loaded"), err
