"""What a new user's trial of their own Fingertips exports found, each now worked by hand:
the row that breaks the unit's inference is named (not every row that makes it), and two
exports of one indicator (Fingertips exports a level at a time) are added as one indicator."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from own_data import small_base
from unit.test_fingertips_regions import HEADER, ROWS

from dashboard.cli import main
from dashboard.core.settings import DEFAULT_GEODATA_DIR
from dashboard.data.loading import load_dataset

ENGLAND, ICB = ROWS[0], ROWS[4]  # England 300 of 1000; Cheshire and Merseyside ICB 12 of 40 (both 30%)


def _row(template: list[str], code: str, area_type: str, count: int, denominator: int, value: str | None = None) -> list[str]:
    return [*template[:4], code, "", area_type, *template[7:12], value if value is not None else str(100 * count / denominator), "", "",
            str(count), str(denominator)]


def _write(path: Path, rows: list[list[str]]) -> Path:
    pd.DataFrame(rows, columns=HEADER).to_csv(path, index=False)
    return path


def test_the_row_that_breaks_the_units_inference_is_the_one_named(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Rows 1-4 fit Value = 100 x Count / Denominator; row 5's Count (50) is over its Denominator
    (40) and its Value (30) fits no scale; row 6's Value is no number. Once, row 5 made every
    row 'cannot tell the unit', and row 6's problem was never said."""
    rows = [ENGLAND, ICB, _row(ICB, "E54000010", "ICBs", 30, 100), _row(ICB, "E54000057", "ICBs", 9, 60),
            _row(ICB, "E54000048", "ICBs", 50, 40, value="30"), _row(ICB, "E54000061", "ICBs", 7, 70, value="abc")]
    path = _write(tmp_path / "export.csv", rows)
    assert main(["check-data", str(path)]) == 2
    assert capsys.readouterr().err.splitlines()[:2] == [
        f"error: {path}: row 5, column Value: not 100 x Count / Denominator, as on the other 5 rows of indicator 90999 "
        "(so a percentage): check Value, Count and Denominator, or give the unit with --unit",
        f"error: {path}: row 6, column Value: not a number",
    ]


def _exports(folder: Path, england_count: int = 300) -> tuple[Path, Path]:
    """One indicator exported twice, as Fingertips does: at ICB level and at sub-ICB level, each
    with England's row (the same figures, unless `england_count` says otherwise)."""
    icb = _write(folder / "icb.csv", [ENGLAND, ICB])
    subicb = [_row(ICB, "E38000068", "Sub-ICBs", 5, 20), _row(ICB, "E38000091", "Sub-ICBs", 7, 20)]
    england = _row(ENGLAND, "E92000001", "England", england_count, 1000)
    return icb, _write(folder / "sub icb (1).csv", [england, *subicb])


def test_two_exports_of_one_indicator_are_added_as_one(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    icb, subicb = _exports(tmp_path)
    out = tmp_path / "served"
    assert main(["derive-data", "--data", str(small_base(tmp_path)), "--add", str(icb), "--add", str(subicb), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"added 2 rows from {icb}\n" in printed and f"added 2 rows from {subicb}\n" in printed
    assert f"{subicb}: 1 row already read from an earlier file (the same key and figures" in printed
    dataset = load_dataset(out, DEFAULT_GEODATA_DIR)
    indicator = dataset.registry["fingertips_90999"]
    assert indicator.name == "Test (from icb.csv, sub icb (1).csv)"
    assert indicator.source == "icb.csv, sub icb (1).csv (Fingertips exports)"
    rows = dataset.indicators[dataset.indicators["indicator_id"] == "fingertips_90999"]
    assert sorted(zip(rows["area_code"], rows["numerator"], rows["denominator"], strict=True)) == [
        ("E38000068", 5, 20), ("E38000091", 7, 20), ("E54000008", 12, 40), ("E92000001", 300, 1000)]
    assert set(rows["indicator_name"]) == {indicator.name}
    manifest = json.loads((out / "manifest.json").read_text())
    assert [a["rows"] for a in manifest["additions"][-2:]] == [2, 2]


def test_two_exports_giving_england_other_figures_are_refused_naming_both(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    icb, subicb = _exports(tmp_path, england_count=301)
    out = tmp_path / "served"
    assert main(["derive-data", "--data", str(small_base(tmp_path)), "--add", str(icb), "--add", str(subicb), "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"2 rows share a key with another row but give other figures, in {icb}, {subicb}" in err and "E92000001" in err
    assert not out.exists()


def test_two_exports_of_one_indicator_in_other_units_are_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    icb, subicb = _exports(tmp_path)
    rate = _write(tmp_path / "rate.csv", [_row(ICB, "E54000010", "ICBs", 30, 100_000, value="30")])  # 30 per 100,000
    out = tmp_path / "served"
    assert main(["derive-data", "--data", str(small_base(tmp_path)), "--add", str(icb), "--add", str(rate), "--out", str(out)]) == 2
    assert (f"{rate}, column Indicator ID: indicator 90999 is in an earlier file too, but its unit differs from the earlier "
            "file's: % / per 100,000") in capsys.readouterr().err


def test_an_out_folder_holding_other_files_is_refused_and_left_as_it_was(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """An adversarial check: `--out` a folder of someone's notes replaced it whole, deleting them."""
    from own_data import FINGERTIPS_EXPORT

    out = tmp_path / "notes"
    (out / "sub").mkdir(parents=True)
    (out / "notes.txt").write_text("mine")
    assert main(["derive-data", "--data", str(small_base(tmp_path)), "--add", str(FINGERTIPS_EXPORT), "--out", str(out)]) == 2
    assert f"{out}: holds 'notes.txt', 'sub', which this command did not write" in capsys.readouterr().err
    assert (out / "notes.txt").read_text() == "mine" and (out / "sub").is_dir()
    # A folder it wrote before is replaced, as documented.
    served = tmp_path / "served"
    assert main(["derive-data", "--data", str(small_base(tmp_path / "again")), "--add", str(FINGERTIPS_EXPORT), "--out", str(served)]) == 0
    assert main(["derive-data", "--data", str(small_base(tmp_path / "third")), "--add", str(FINGERTIPS_EXPORT), "--out", str(served)]) == 0


def test_output_piped_to_a_reader_that_stops_is_not_a_traceback(tmp_path: Path) -> None:
    """`check-data FILE | head -1`: the reader closes the pipe first; the command ends quietly."""
    import subprocess
    import sys

    path = _write(tmp_path / "export.csv", [ENGLAND, ICB])
    command = f"{sys.executable} -m dashboard check-data {path} | true"  # true reads nothing and is gone before the first line
    done = subprocess.run(["bash", "-o", "pipefail", "-c", command], capture_output=True, text=True, timeout=120)
    assert "Traceback" not in done.stderr and done.returncode == 0, done.stderr


def test_a_file_given_twice_and_output_that_cannot_be_written_are_one_line_each(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A re-check: the same file added twice said "added 0 rows" of each; a full disk gave a traceback."""
    import subprocess
    import sys

    path = _write(tmp_path / "export.csv", [ENGLAND, ICB])
    out = tmp_path / "served"
    assert main(["derive-data", "--data", str(small_base(tmp_path)), "--add", str(path), "--add", str(tmp_path / "." / "export.csv"),
                 "--out", str(out)]) == 2
    assert f"error: {path}: given to --add more than once" in capsys.readouterr().err and not out.exists()
    done = subprocess.run(["bash", "-c", f"{sys.executable} -m dashboard check-data {path} > /dev/full"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and done.stderr.strip() == "error: No space left on device", done.stderr
