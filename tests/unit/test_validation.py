"""The start-up checks: every problem named by file, row and column; bad data never load."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashboard.cli import main
from dashboard.data.loading import check_frame, load_dataset, read_table
from dashboard.figures.exports import notes_and_table
from dashboard.data.validation import DataValidationError

CODES = {"country": {"E92000001"}, "alliance": {"E56000005"}, "icb": {"E54000008"}, "subicb": set(), "region": set()}


def _row(**overrides) -> dict:
    row = {
        "indicator_id": "early_stage", "indicator_name": "Diagnosed at stage 1 or 2", "area_level": "icb",
        "area_code": "E54000008", "area_name": "NHS Cheshire and Merseyside ICB", "alliance_code": "E56000005",
        "alliance_name": "Cheshire and Merseyside", "period": "2022", "period_start": "2022-01-01", "period_end": "2022-12-31",
        "cancer_type": "Lung", "group_dimension": "all", "group_value": "All", "numerator": 30, "denominator": 100,
        "value": 30.0, "lower_ci": 21.9, "upper_ci": 39.6, "ci_method": "Wilson score 95%", "unit": "%",
        "data_status": "published", "source": "test", "period_type": "calendar_year",
    }
    return row | overrides


def _problems(*rows: dict) -> list[str]:
    return [str(p) for p in check_frame(pd.DataFrame(list(rows)), file="extract.csv", area_codes=CODES, indicator_ids={"early_stage"})]


def test_a_good_row_has_no_problems() -> None:
    assert _problems(_row()) == []


@pytest.mark.parametrize(
    ("overrides", "expected"),
    [
        ({"numerator": 120}, "extract.csv: row 2, column numerator: numerator exceeds denominator"),
        ({"lower_ci": 35.0}, "extract.csv: row 2, column lower_ci: lower_ci is above value"),
        ({"upper_ci": 25.0}, "extract.csv: row 2, column upper_ci: upper_ci is below value"),
        ({"area_code": "E54999999"}, "extract.csv: row 2, column area_code: icb code(s) ['E54999999'] are not in geodata/"),
        ({"data_status": "guessed"}, "extract.csv: row 2, column data_status: value(s) ['guessed'] not in ['modelled', 'published']"),
        ({"value": "thirty"}, "extract.csv: row 2, column value: not a number"),
        ({"period_start": "last year"}, "extract.csv: row 2, column period_start: not a date (expected YYYY-MM-DD)"),
        ({"indicator_id": "made_up"}, "extract.csv: row 2, column indicator_id: ['made_up'] not defined in the indicator metadata"),
        ({"area_name": None}, "extract.csv: row 2, column area_name: empty value"),
    ],
)
def test_each_problem_names_file_row_and_column(overrides: dict, expected: str) -> None:
    assert expected in _problems(_row(), _row(cancer_type="Bowel", **overrides))


def test_duplicate_keys_are_reported() -> None:
    assert any("rows 1, 2, column indicator_id,area_level" in p for p in _problems(_row(), _row()))


def test_missing_column_is_reported() -> None:
    frame = pd.DataFrame([_row()]).drop(columns=["upper_ci"])
    problems = [str(p) for p in check_frame(frame, file="x.csv", area_codes=CODES, indicator_ids=None)]
    assert problems == ["x.csv, column upper_ci: missing column"]


def test_check_data_cli_lists_every_problem_and_exits_2(tmp_path: Path, capsys) -> None:
    path = tmp_path / "extract.csv"
    pd.DataFrame([_row(area_code="E54000008"), _row(cancer_type="Bowel", numerator=500, area_code="E54000999")]).to_csv(path, index=False)
    status = main(["check-data", str(path)])
    err = capsys.readouterr().err
    assert status == 2
    assert f"{path}: row 2, column numerator: numerator exceeds denominator" in err
    assert f"{path}: row 2, column area_code" in err
    assert "2 problem(s) found" in err


def test_check_data_passes_a_good_file(tmp_path: Path, capsys) -> None:
    path = tmp_path / "extract.csv"
    pd.DataFrame([_row(area_code="E54000008")]).to_csv(path, index=False)
    assert main(["check-data", str(path)]) == 0
    assert "no problems found" in capsys.readouterr().out


def test_check_data_reads_a_download_with_comment_lines(tmp_path: Path) -> None:
    path = tmp_path / "download.csv"
    path.write_text("# Indicator: early stage\n# Source: NDRS\n" + pd.DataFrame([_row()]).to_csv(index=False))
    assert main(["check-data", str(path)]) == 0


def test_check_data_reads_the_dashboards_own_download(tmp_path: Path) -> None:
    """Byte-order mark, quoted notes with commas in them, a blank line, then the header
    (dashboard/figures/exports.py); a '#' inside the table is data."""
    path = tmp_path / "download.csv"
    path.write_text(notes_and_table(["Indicator: early stage, all", "Source: NDRS"], pd.DataFrame([_row(area_name="Area #1")]).to_csv(index=False)))
    assert main(["check-data", str(path)]) == 0
    assert read_table(path)["area_name"].tolist() == ["Area #1"]


def test_app_does_not_start_on_bad_data(tmp_path: Path, geodata_dir: Path) -> None:
    from dashboard.core.settings import DEFAULT_DATA_DIR

    data = tmp_path / "data"
    data.mkdir()
    (data / "indicator_metadata.json").write_bytes((DEFAULT_DATA_DIR / "indicator_metadata.json").read_bytes())
    pd.DataFrame([_row(), _row(cancer_type="Bowel", numerator=500)]).astype({"numerator": float}).to_parquet(data / "indicators.parquet")
    with pytest.raises(DataValidationError) as caught:
        load_dataset(data, geodata_dir)
    assert "row 2, column numerator" in str(caught.value)
    assert main(["serve", "--data", str(data), "--port", "8999"]) == 2


MODELLED = {"data_status": "modelled", "lower_ci": None, "upper_ci": None, "ci_method": "none: modelled"}


def test_a_modelled_row_without_limits_is_fine() -> None:
    assert _problems(_row(**MODELLED)) == []


@pytest.mark.parametrize("column", ["lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998"])
def test_a_modelled_row_with_any_limit_is_refused_naming_that_column(column: str) -> None:
    """An interval on a modelled figure would let an assumed gap pass for a measured one; a
    download carries the 99.8% limits as well, so they are checked where present."""
    row = _row(**MODELLED, lower_ci_998=None, upper_ci_998=None) | {column: 35.0 if column.startswith("upper") else 25.0}
    problems = _problems(row)
    assert len(problems) == 1 and problems[0].startswith(f"extract.csv: row 1, column {column}: modelled rows must have no confidence limits")
