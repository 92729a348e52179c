"""A Fingertips CSV export read into the indicator format (dashboard/data/fingertips.py): the
hand-made fixture's rows mapped to values worked out by hand, what cannot be mapped refused
with its row and column, and the export accepted by check-data and derive-data."""

from __future__ import annotations

import csv
import sys
from datetime import datetime
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from own_data import FINGERTIPS_EXPORT, FINGERTIPS_INVALID, small_base

from dashboard.cli import main
from dashboard.core.measures import CiMethod, Polarity, Unit
from dashboard.core.selection import Selection
from dashboard.core.settings import DEFAULT_GEODATA_DIR
from dashboard.data import fingertips, fingertips_terms
from dashboard.data.boundaries import load_boundaries
from dashboard.data.loading import load_dataset, read_table
from dashboard.data.own_files import check_file
from dashboard.data.validation import coerce_types
from dashboard.figures.exports import csv_text

NAME = "Percentage of cancers in people aged under 25 diagnosed following an emergency presentation"
FORMULA = "formula text (a cell starting with =, +, -, @, a tab or a carriage return, which a spreadsheet would run)"


@pytest.fixture(scope="module")
def boundaries():
    return load_boundaries(DEFAULT_GEODATA_DIR)


def _convert(frame: pd.DataFrame, boundaries, unit: str | None = None, file: str = "export.csv") -> fingertips.Converted:
    return fingertips.convert(frame, file=file, boundaries=boundaries, unit=unit)


def _export(rows: list[dict]) -> pd.DataFrame:
    """A minimal export: Cheshire and Merseyside ICB, 2022, 12 of 40 (30%), unless a row says otherwise."""
    base = {"Indicator ID": "90999", "Indicator Name": "Test indicator", "Area Code": "E54000008", "Area Type": "ICBs",
            "Sex": "Persons", "Age": "All ages", "Category Type": "", "Category": "", "Time period": "2022",
            "Value": "30", "Lower CI 95.0 limit": "", "Upper CI 95.0 limit": "", "Count": "12", "Denominator": "40"}
    return pd.DataFrame([base | row for row in rows]).replace("", pd.NA)


def test_the_layout_is_told_apart_by_its_header() -> None:
    assert fingertips.is_export(read_table(FINGERTIPS_EXPORT).columns)
    assert not fingertips.is_export(["indicator_id", "area_code", "period"])


def test_the_fixture_maps_row_by_row_to_values_worked_by_hand(boundaries) -> None:
    converted = _convert(read_table(FINGERTIPS_EXPORT), boundaries, file=str(FINGERTIPS_EXPORT))
    assert converted.problems == [] and converted.kept.all()
    rows = converted.frame
    assert len(rows) == 8
    assert set(rows["indicator_id"]) == {"fingertips_90999"}
    assert set(rows["indicator_name"]) == {f"{NAME} (from fingertips_export.csv)"}
    assert set(rows["source"]) == {"fingertips_export.csv (Fingertips export)"}
    assert set(rows["cancer_type"]) == {"Not applicable"} and set(rows["unit"]) == {"%"}
    assert set(zip(rows["group_dimension"], rows["group_value"], strict=True)) == {("all", "All")}  # Persons, <25 yrs on every row
    # Row 3 of the export: Lancashire and South Cumbria ICB, 2021, 4 of 30 = 13.33%.
    lsc = rows.iloc[2]
    assert (lsc["area_level"], lsc["area_code"], lsc["area_name"]) == ("icb", "E54000048", "NHS Lancashire and South Cumbria Integrated Care Board")
    assert (lsc["alliance_code"], lsc["alliance_name"]) == ("E56000018", "Lancashire & South Cumbria Cancer Alliance")
    assert (lsc["period"], lsc["period_start"], lsc["period_end"], lsc["period_type"]) == ("2021", "2021-01-01", "2021-12-31", "calendar_year")
    assert (lsc["numerator"], lsc["denominator"], lsc["value"], lsc["lower_ci"], lsc["upper_ci"]) == ("4", "30", "13.33333333", "5.309655483", "29.68132669")
    # Row 5: England 2022, no alliance.
    england = rows.iloc[4]
    assert (england["area_level"], england["area_code"], england["area_name"], england["period"]) == ("country", "E92000001", "England", "2022")
    assert pd.isna(england["alliance_code"]) and (england["numerator"], england["denominator"]) == ("688", "3102")
    assert rows["area_code"].tolist() == ["E92000001", "E54000008", "E54000048", "E54000057"] * 2


def test_the_indicator_it_defines(boundaries) -> None:
    indicator = _convert(read_table(FINGERTIPS_EXPORT), boundaries, file=str(FINGERTIPS_EXPORT)).indicators["fingertips_90999"]
    assert indicator.name == f"{NAME} (from fingertips_export.csv)"
    # 100 x 12 / 41 = 29.27 is the Value, on every row: a percentage, so Wilson limits at 99.8%.
    assert (indicator.unit, indicator.ci_method, indicator.polarity) == (Unit.PERCENT, CiMethod.WILSON, Polarity.NEITHER)
    assert indicator.counts_people and "sex: Persons, age: <25 yrs" in indicator.definition
    assert indicator.source == "fingertips_export.csv (Fingertips export)"


def test_the_invalid_fixture_lists_every_problem_by_row_and_column() -> None:
    """Row numbers are the export's data rows (row 1 is England 2021, the only good row)."""
    path = str(FINGERTIPS_INVALID)
    expected = [
        f"{path}: row 2, column Area Type: not a level the app shows (England, Cancer Alliances, ICBs, Sub-ICBs; regions are set aside): ['GPs']",
        f"{path}: row 3, column Area Code: not ICB code(s) in geodata/ (2022 boundaries): ['E54999999']",
        f"{path}: row 4, column Time period: not a year (2022), financial year (2022/23), quarter (2022/23 Q1) or month (Mar 2023) "
        "(periods of several years have no place in the app): ['2018 - 20']",
        f"{path}: row 6, column Category: {FORMULA}: ['=HYPERLINK(\"http://example.com\",\"Asian\")']",
        f"{path}: row 7, column Count: not a whole number (a count of people; a half is allowed): [12.3]",
        f"{path}: row 8, column Count: numerator exceeds denominator",
        f"{path}: row 8, column Value: a percentage (unit %) outside 0 to 100: [150.0]",
        f"{path}: row 9, column Value: infinite value (inf): not a number",
    ]
    assert [str(p) for p in check_file(FINGERTIPS_INVALID, DEFAULT_GEODATA_DIR, None)] == expected
    # Row 5, England by deprivation decile, is a breakdown the app has no group for: set aside, not refused.
    converted = _convert(read_table(FINGERTIPS_INVALID), load_boundaries(DEFAULT_GEODATA_DIR), file=path)
    assert converted.set_aside == {"Category Type 'County & UA deprivation deciles in England (IMD2019, 4/23 geography)': "
                                   "deciles; the app's deprivation groups are quintiles": 1}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2022", ("2022", "2022-01-01", "2022-12-31", "calendar_year")),
        ("2022/23", ("2022-23", "2022-04-01", "2023-03-31", "financial_year")),
        ("2022/23 Q1", ("2022-23 Q1", "2022-04-01", "2022-06-30", "quarter")),
        ("2022/23 Q4", ("2022-23 Q4", "2023-01-01", "2023-03-31", "quarter")),
        ("Mar 2023", ("2023-03", "2023-03-01", "2023-03-31", "month")),
        ("February 2024", ("2024-02", "2024-02-01", "2024-02-29", "month")),
        ("2018 - 20", None),
        ("2022/24", None),
        ("2022 Q1", None),
        ("Smarch 2023", None),
    ],
)
def test_time_periods(text: str, expected) -> None:
    assert fingertips_terms.period(text) == expected


@pytest.mark.parametrize(
    ("kind", "category", "expected"),
    [
        ("Ethnic groups", "Asian", ("ethnic_group", "Asian")),
        ("Ethnic groups", "Black, Black British, Caribbean or African", ("ethnic_group", "Black")),
        ("Ethnic groups", "White: Irish", ("", "Category")),  # a detailed group
        ("Deprivation quintile (IMD2019)", "Most deprived quintile (IMD2019)", ("imd_quintile", "1 - most deprived")),
        ("Deprivation quintile (IMD2019)", "Second least deprived quintile (IMD2019)", ("imd_quintile", "4")),
        ("Deprivation quintile (IMD2019)", "Least deprived quintile (IMD2019)", ("imd_quintile", "5 - least deprived")),
        ("Deprivation quintile (IMD2015)", "Most deprived quintile (IMD2015)", ("", "Category Type")),
        ("County & UA deprivation quintiles (IMD2019)", "Most deprived quintile (IMD2019)", ("", "Category Type")),
        ("Deprivation deciles (IMD2019)", "Most deprived decile (IMD2019)", ("", "Category Type")),
        ("Smoking status", "Current smokers", ("", "Category Type")),
    ],
)
def test_category_types(kind: str, category: str, expected: tuple[str, str]) -> None:
    dimension, value, column = fingertips_terms.category(kind, category)
    assert (dimension, value if dimension else column) == expected


def test_a_sex_that_varies_is_a_group_and_one_that_does_not_is_the_definition(boundaries) -> None:
    converted = _convert(_export([{"Sex": "Persons"}, {"Sex": "Male", "Count": "5", "Denominator": "20", "Value": "25"},
                                  {"Sex": "Female", "Count": "7", "Denominator": "20", "Value": "35"}]), boundaries)
    assert converted.problems == []
    assert list(zip(converted.frame["group_dimension"], converted.frame["group_value"], strict=True)) == [
        ("all", "All"), ("sex", "Males"), ("sex", "Females")]
    females_only = _convert(_export([{"Sex": "Female", "Age": "53-70 yrs"}]), boundaries)
    assert females_only.frame["group_dimension"].tolist() == ["all"]
    assert "sex: Female, age: 53-70 yrs" in females_only.indicators["fingertips_90999"].definition


def test_a_category_with_a_sex_breakdown_as_well_is_set_aside(boundaries) -> None:
    converted = _convert(_export([{"Sex": "Male"}, {"Sex": "Female", "Category Type": "Ethnic groups", "Category": "Asian"}]), boundaries)
    assert converted.problems == []
    assert converted.set_aside == {"Category Type 'Ethnic groups': a Category with a Sex or Age breakdown as well: the app has no such group": 1}
    assert converted.kept.tolist() == [True, False]


def test_the_unit_is_inferred_or_given(boundaries) -> None:
    # 12 / 40,000 x 100,000 = 30: a crude rate per 100,000, with Poisson limits at 99.8%.
    rate = _convert(_export([{"Denominator": "40000"}]), boundaries).indicators["fingertips_90999"]
    assert (rate.unit, rate.ci_method, rate.age_standardised) == (Unit.PER_100K, CiMethod.POISSON, False)
    # 31.7 is neither 100 x 12 / 40 = 30 nor 30,000: refused unless the unit is given.
    unknown = _convert(_export([{"Value": "31.7"}]), boundaries)
    assert unknown.indicators == {} and unknown.problems[0].column == "Value" and "give it with --unit" in unknown.problems[0].message
    given = _convert(_export([{"Value": "31.7", "Denominator": "40000"}]), boundaries, unit="per 100,000").indicators["fingertips_90999"]
    assert (given.unit, given.ci_method, given.age_standardised) == (Unit.PER_100K, CiMethod.DOBSON, True)  # not crude: standardised


def test_the_area_type_must_match_the_code(boundaries) -> None:
    converted = _convert(_export([{"Area Type": "Sub-ICBs (former CCGs)"}, {"Area Type": "Cancer Alliances (2023)", "Area Code": "E56000005"}]), boundaries)
    assert [str(p) for p in converted.problems] == ["export.csv: row 1, column Area Code: not Sub-ICB code(s) in geodata/ (2022 boundaries): ['E54000008']"]
    assert converted.frame.loc[1, "area_level"] == "alliance" and converted.frame.loc[1, "alliance_code"] == "E56000005"


def test_a_missing_column_is_named(boundaries) -> None:
    converted = _convert(_export([{}]).drop(columns=["Time period"]), boundaries)
    assert [p.column for p in converted.problems] == ["Time period"] and not converted.kept.any()


def test_check_data_accepts_the_export(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-data", str(FINGERTIPS_EXPORT)]) == 0
    assert "no problems found" in capsys.readouterr().out


def test_check_data_refuses_the_invalid_export(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check-data", str(FINGERTIPS_INVALID)]) == 2
    err = capsys.readouterr().err
    assert "8 problem(s) found; nothing was loaded" in err and "Traceback" not in err


def test_derive_data_adds_the_export_disclosure_controlled(tmp_path: Path) -> None:
    base = small_base(tmp_path)
    out = tmp_path / "served"
    assert main(["derive-data", "--data", str(base), "--add", str(FINGERTIPS_EXPORT), "--out", str(out)]) == 0
    dataset = load_dataset(out, DEFAULT_GEODATA_DIR)
    assert dataset.registry["fingertips_90999"].group_dimensions == ("all",)
    table = dataset.indicators
    rows = table[table["indicator_id"] == "fingertips_90999"].set_index(["area_code", "period"])
    assert len(rows) == 8
    withheld = rows.loc[("E54000048", "2021")]  # 4 people
    assert str(withheld["suppression"]).startswith("Withheld: a count of 1 to 4") and np.isnan(withheld["value"])
    shown = rows.loc[("E54000057", "2022")]  # 16 of 80, as exported; 99.8% limits by Wilson from the counts
    assert (shown["numerator"], shown["denominator"], shown["value"]) == (16, 80, 20.0) and str(shown["suppression"]) == ""
    assert shown["lower_ci_998"] == pytest.approx(9.7508, abs=1e-4) and shown["upper_ci_998"] == pytest.approx(36.6475, abs=1e-4)
    # The base's rows keep the decision derive-data proved for them (the export's indicator is linked to none of them).
    before = pd.read_parquet(base / "derived.parquet")["suppression"].fillna("")
    base_rows = table[table["indicator_id"] == "early_stage"]
    assert sorted(base_rows["suppression"].astype(str)) == sorted(before)


def test_derive_data_refuses_the_invalid_export_and_writes_nothing(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "served"
    assert main(["derive-data", "--data", str(small_base(tmp_path)), "--add", str(FINGERTIPS_INVALID), "--out", str(out)]) == 2
    assert f"{FINGERTIPS_INVALID}: row 3, column Area Code" in capsys.readouterr().err
    assert not out.exists()


REQUIRED_TEXT = "a Fingertips export needs Indicator ID, Indicator Name, Area Code, Area Type, Time period, Value"


def _without(column: str, folder: Path) -> Path:
    """The fixture with one column taken out of every line."""
    lines = list(csv.reader(FINGERTIPS_EXPORT.open(encoding="utf-8", newline="")))
    at = lines[0].index(column)
    path = folder / f"no {column}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows([line[:at] + line[at + 1:] for line in lines])
    return path


@pytest.mark.parametrize("column", ["Value", "Area Type", "Time period", "Indicator ID", "Area Code", "Indicator Name"])
def test_an_export_missing_a_required_column_is_refused_naming_it(column: str, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """A new-user trial: no Value or Area Type crashed ("Item wrong length"); no Time period, Indicator ID
    or Area Code was not recognised as an export (23 "missing column" of the indicator format's)."""
    path = _without(column, tmp_path)
    assert main(["check-data", str(path)]) == 2
    captured = capsys.readouterr()
    assert captured.err.splitlines() == [f"error: {path}, column {column}: missing column ({REQUIRED_TEXT})",
                                         "1 problem(s) found; nothing was loaded"]
    assert "Traceback" not in captured.err + captured.out


def test_an_export_is_told_by_two_of_its_own_column_names() -> None:
    assert fingertips.is_export(["Indicator Name", "Area Type", "Value"])  # no Indicator ID, Area Code or Time period
    assert fingertips.is_export(["indicator id", "Lower CI 95.0 limit"])
    assert not fingertips.is_export(["Area Code", "Value", "Count"])  # one name of an export's is not enough
    assert not fingertips.is_export(["indicator_id", "Indicator Name", "Area Code", "Time period"])  # the indicator format's id


def test_one_odd_indicator_name_blames_its_row_alone_and_the_rest_is_checked(tmp_path: Path) -> None:
    """Row 4 names the indicator otherwise, row 7 has the Value 'abc': both are found in one run."""
    lines = list(csv.reader(FINGERTIPS_EXPORT.open(encoding="utf-8", newline="")))
    lines[4][1] = "Emergency presentations under 25"
    lines[7][lines[0].index("Value")] = "abc"
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(lines)
    assert [str(p) for p in check_file(path, DEFAULT_GEODATA_DIR, None)] == [
        f"{path}: row 4, column Indicator Name: differs from {NAME!r}, the name most rows of Indicator ID 90999 give: "
        "['Emergency presentations under 25']",
        f"{path}: row 7, column Value: not a number",
    ]


def test_on_a_tie_of_names_the_first_rows_is_taken(boundaries) -> None:
    converted = _convert(_export([{"Time period": "2020"}, {"Indicator Name": "Another", "Time period": "2021"}]), boundaries)
    assert [str(p) for p in converted.problems] == [
        "export.csv: row 2, column Indicator Name: differs from 'Test indicator', the name most rows of Indicator ID 90999 give: ['Another']"]
    assert converted.kept.tolist() == [True, False]
    assert converted.indicators["fingertips_90999"].name == "Test indicator (from export.csv)"


def test_check_data_says_what_it_read(capsys: pytest.CaptureFixture[str]) -> None:
    """8 rows: England and three ICBs in 2021 and 2022; 12 of 41 is 29.27, the Value: a percentage."""
    assert main(["check-data", str(FINGERTIPS_EXPORT)]) == 0
    assert capsys.readouterr().out.splitlines() == [
        f"{FINGERTIPS_EXPORT}: no problems found",
        f"read 8 rows of a Fingertips export: 1 indicator, fingertips_90999 '{NAME} (from fingertips_export.csv)' "
        "(unit %, inferred: Value is 100 x Count / Denominator)",
        "area levels: country (2 rows), icb (6 rows); periods: 2021, 2022",
    ]
    assert main(["check-data", str(FINGERTIPS_EXPORT), "--unit", "%"]) == 0
    assert "(unit %, given with --unit)" in capsys.readouterr().out


def test_the_download_attribution_is_two_sentences(boundaries) -> None:
    """The download's note ran "as exported to FILE Source: Office for National Statistics"."""
    converted = _convert(read_table(FINGERTIPS_EXPORT), boundaries, file=str(FINGERTIPS_EXPORT))
    rows = coerce_types(converted.frame, "export")[0].assign(lower_ci_998=np.nan, upper_ci_998=np.nan, suppression="")
    text = csv_text(rows, sel=Selection("fingertips_90999", "Not applicable", "2022", "icb"),
                    indicator=converted.indicators["fingertips_90999"], permalink="http://x/", generated=datetime(2024, 1, 1))
    assert "# Attribution: OHID Fingertips, as exported to fingertips_export.csv. Source: Office for National Statistics" in text


def test_derive_data_help_and_its_closing_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["derive-data", "--help"])
    assert "or a Fingertips CSV export" in " ".join(capsys.readouterr().out.split())
    out = tmp_path / "served"
    assert main(["derive-data", "--data", str(small_base(tmp_path)), "--add", str(FINGERTIPS_EXPORT), "--out", str(out)]) == 0
    assert f"serve it with: {sys.executable} -m dashboard serve --data {out}" in capsys.readouterr().out
