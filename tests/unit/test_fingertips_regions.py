"""A real export holds more than the app can show: its areas' parents (England, and regions: NHS
regions, or Regions (statistical)) and England's breakdowns by deciles or detailed ethnic groups.
Those rows are set aside and counted, said wherever the file is read, and the rest of the file is
read; they used to refuse the whole file (dashboard/data/fingertips.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from own_data import small_base

from dashboard.cli import main
from dashboard.core.settings import DEFAULT_GEODATA_DIR
from dashboard.data import fingertips
from dashboard.data.boundaries import load_boundaries

HEADER = ["Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name", "Area Type", "Sex", "Age",
          "Category Type", "Category", "Time period", "Value", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Count", "Denominator"]
# As an ICB export from Fingertips lays them out: England, then the parents, then the ICBs. The
# region rows' values are nonsense on purpose (a value no unit fits, a period no calendar has):
# set aside, they are never checked. 12 of 40 is 30%, 30 of 100 is 30%, 300 of 1000 is 30%.
ROWS = [
    ["90999", "Test", "", "", "E92000001", "England", "England", "Persons", "All ages", "", "", "2022", "30", "", "", "300", "1000"],
    ["90999", "Test", "E92000001", "England", "E40000010", "North West", "NHS regions", "Persons", "All ages", "", "", "2022", "77", "", "", "1", "1000"],
    ["90999", "Test", "E92000001", "England", "E40000011", "Midlands", "NHS regions", "Persons", "All ages", "", "", "Mar 0000", "x", "", "", "", ""],
    ["90999", "Test", "E92000001", "England", "E12000002", "North West region", "Regions (statistical)", "Persons", "All ages", "", "", "2022", "30", "", "", "9", "30"],
    ["90999", "Test", "E40000010", "North West", "E54000008", "Cheshire and Merseyside", "ICBs", "Persons", "All ages", "", "", "2022", "30", "", "", "12", "40"],
    ["90999", "Test", "E40000011", "Midlands", "E54000010", "Staffordshire and Stoke-on-Trent", "ICBs", "Persons", "All ages", "", "", "2022", "30", "", "", "30", "100"],
]


def _write(path: Path, rows: list[list[str]]) -> Path:
    pd.DataFrame(rows, columns=HEADER).to_csv(path, index=False)
    return path


def test_region_rows_are_set_aside_counted_and_never_checked() -> None:
    export = pd.DataFrame(ROWS, columns=HEADER).replace("", pd.NA)
    converted = fingertips.convert(export, file="icb_export.csv", boundaries=load_boundaries(DEFAULT_GEODATA_DIR))
    assert converted.problems == []
    assert converted.kept.tolist() == [True, False, False, False, True, True]
    why = ": the app shows England, Cancer Alliances, ICBs and Sub-ICBs, not regions"
    assert converted.set_aside == {f"Area Type 'NHS regions'{why}": 2, f"Area Type 'Regions (statistical)'{why}": 1}
    assert converted.indicators["fingertips_90999"].unit.value == "%"  # the region row's 77 of 1 in 1000 does not count


def _by(row: list[str], kind: str, named: str, count: str = "12", denominator: str = "40") -> list[str]:
    """`row` for one group: Category Type `kind`, Category `named` (30% unless told)."""
    return [*row[:9], kind, named, row[11], str(100 * int(count) / int(denominator)), "", "", count, denominator]


def _converted(rows: list[list[str]]):
    return fingertips.convert(pd.DataFrame(rows, columns=HEADER).replace("", pd.NA), file="x.csv",
                              boundaries=load_boundaries(DEFAULT_GEODATA_DIR))


def test_breakdowns_the_app_has_no_group_for_are_set_aside_and_the_broad_ones_kept() -> None:
    england, icb = ROWS[0], ROWS[4]
    decile = ("County & UA deprivation deciles in England (IMD2019, 4/23 geography)", "Most deprived decile (IMD2019)")
    rows = [england, _by(england, "Ethnic groups", "Asian"), _by(england, "Ethnic groups", "White"), _by(england, *decile), icb,
            _by(icb, "Ethnic groups", "Asian"), _by(icb, "Ethnic groups", "White")]
    converted = _converted(rows)
    assert converted.problems == []
    assert converted.kept.tolist() == [True, True, True, False, True, True, True]
    assert converted.frame.loc[1, ["group_dimension", "group_value"]].tolist() == ["ethnic_group", "Asian"]
    assert converted.set_aside == {f"Category Type {decile[0]!r}: deciles; the app's deprivation groups are quintiles": 1}


# (Category Type, its Categories, why the whole breakdown is set aside), from an adversarial check.
# Each would once have loaded a part of a breakdown, or a finer one folded, as the app's groups.
NOT_QUINTILES = "it does not say quintiles, and the app's deprivation groups are IMD 2019 quintiles"
NOT_BROAD = "a Category other than the broad ethnic groups (Asian, Black, Mixed, Other, White)"
PARTS = {
    "ten numbered, said to be quintiles": ("Deprivation quintile (IMD 2019)", [str(n) for n in range(1, 11)],
                                           "a Category other than the quintiles (Most deprived quintile ... Least deprived quintile) "
                                           "('6', '7', '8'), so none of its Categories are used: a part of a breakdown would mislead"),
    "five numbered, not said to be quintiles": ("Deprivation groups (IMD 2019)", [str(n) for n in range(1, 6)], NOT_QUINTILES),
    "deciles named as such": ("Deprivation quintile (IMD2019)", [f"{n} - decile" for n in range(1, 6)], "a decile, not a quintile"),
    "a quintile misspelt": ("Deprivation quintile (IMD2019)", ["Most deprived quintile", "Second most deprived quintile", "Midle quintile",
                            "Second least deprived quintile", "Least deprived quintile"],
                            "a Category other than the quintiles (Most deprived quintile ... Least deprived quintile) ('Midle quintile'), "
                            "so none of its Categories are used: a part of a breakdown would mislead"),
    "a detailed classification": ("Ethnic group (detailed)", ["White British", "White Irish", "Asian Indian"], NOT_BROAD),
    "one detailed group per broad group": ("Ethnic groups", ["White British", "Asian Indian", "Black African",
                                                             "Mixed White and Black Caribbean", "Other Arab"], NOT_BROAD),
    "one group given twice": ("Ethnic groups", ["Asian", "Asian or Asian British", "White"],
                              "its Categories 'Asian', 'Asian or Asian British' would all be the group 'Asian', so none of them are used"),
    "broad and detailed mixed": ("Ethnic groups", ["Asian", "White: Irish", "Indian"],
                                 f"{NOT_BROAD} ('White: Irish', 'Indian'), so none of its Categories are used: a part of a breakdown would mislead"),
}


@pytest.mark.parametrize("case", list(PARTS))
def test_a_breakdown_is_used_whole_or_set_aside_whole(case: str) -> None:
    kind, categories, why = PARTS[case]
    icb = ROWS[4]
    converted = _converted([icb, *(_by(icb, kind, named) for named in categories)])
    assert converted.problems == [] and converted.kept.tolist() == [True] + [False] * len(categories)
    assert converted.set_aside == {f"Category Type {kind!r}: {why}": len(categories)}


def test_a_row_set_aside_does_not_change_how_the_kept_rows_are_grouped() -> None:
    """Every kept row is of females; a region's row of males once made them the group 'sex'."""
    female = [[*row[:7], "Female", *row[8:]] for row in (ROWS[0], ROWS[4])]
    male_region = [*ROWS[1][:7], "Male", *ROWS[1][8:]]
    converted = _converted([*female, male_region])
    assert converted.kept.tolist() == [True, True, False]
    assert converted.frame.loc[:1, "group_dimension"].tolist() == ["all", "all"]


def test_a_breakdown_of_england_alone_is_set_aside_as_it_could_not_be_seen() -> None:
    """The app shows a breakdown within areas, with England's as their benchmark (a new-user trial
    loaded England's ethnic groups, then found no way to see them)."""
    england, icb = ROWS[0], ROWS[4]
    rows = [england, _by(england, "Ethnic groups", "Asian"), _by(england, "Ethnic groups", "White"), icb]
    converted = fingertips.convert(pd.DataFrame(rows, columns=HEADER).replace("", pd.NA), file="x.csv",
                                   boundaries=load_boundaries(DEFAULT_GEODATA_DIR))
    assert converted.problems == [] and converted.kept.tolist() == [True, False, False, True]
    assert converted.set_aside == {"a breakdown by ethnic group (Census 2021) for England alone (indicator 90999): the app shows "
                                   "a breakdown within areas, with England's as their benchmark": 2}


def test_check_data_says_what_it_set_aside(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "icb_export.csv", ROWS)
    assert main(["check-data", str(path)]) == 0
    out = capsys.readouterr().out.splitlines()
    assert out[1].startswith("read 6 rows of a Fingertips export, 3 used and 3 set aside (below): 1 indicator")
    assert out[2:] == [
        "area levels: country (1 row), icb (2 rows); periods: 2022",
        "set aside 2 rows of Area Type 'NHS regions': the app shows England, Cancer Alliances, ICBs and Sub-ICBs, not regions",
        "set aside 1 row of Area Type 'Regions (statistical)': the app shows England, Cancer Alliances, ICBs and Sub-ICBs, not regions",
    ]


def test_an_export_of_regions_alone_adds_nothing_and_is_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "regions.csv", ROWS[1:4])
    assert main(["check-data", str(path)]) == 2
    err = capsys.readouterr().err
    assert err.splitlines() == [
        f"error: {path}: no rows the app can show: all 3 were set aside (set aside 2 rows of Area Type 'NHS regions': the app shows "
        "England, Cancer Alliances, ICBs and Sub-ICBs, not regions; set aside 1 row of Area Type 'Regions (statistical)': the app "
        "shows England, Cancer Alliances, ICBs and Sub-ICBs, not regions)", "1 problem(s) found; nothing was loaded"]


def test_other_levels_are_still_refused(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    county = ["90999", "Test", "E92000001", "England", "E10000017", "Lancashire", "Counties & UAs", "Persons", "All ages", "", "", "2022", "30", "", "", "3", "10"]
    path = _write(tmp_path / "county.csv", [*ROWS, county])
    assert main(["check-data", str(path)]) == 2
    assert f"{path}: row 7, column Area Type: not a level the app shows" in capsys.readouterr().err


def test_derive_data_says_and_records_what_it_set_aside(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    path = _write(tmp_path / "icb_export.csv", ROWS)
    out = tmp_path / "served"
    assert main(["derive-data", "--data", str(small_base(tmp_path)), "--add", str(path), "--out", str(out)]) == 0
    printed = capsys.readouterr().out
    assert f"added 3 rows from {path}\n{path}: set aside 2 rows of Area Type 'NHS regions'" in printed
    addition = json.loads((out / "manifest.json").read_text())["additions"][-1]
    assert addition["rows"] == 3 and len(addition["set_aside"]) == 2


def test_many_indicator_ids_each_become_an_indicator(tmp_path: Path) -> None:
    """Each ID's rows are found once (by position): 300 IDs, one ICB row each, named and united as given."""
    rows = [[str(i), f"Indicator {i}", "", "", "E54000008", "C&M", "ICBs", "Persons", "All ages", "", "", "2022", "30", "", "", "12", "40"]
            for i in range(1, 301)]
    export = pd.DataFrame(rows, columns=HEADER).replace("", pd.NA)
    converted = fingertips.convert(export, file="many.csv", boundaries=load_boundaries(DEFAULT_GEODATA_DIR))
    assert converted.problems == [] and converted.kept.all()
    assert len(converted.indicators) == 300
    assert converted.indicators["fingertips_217"].name == "Indicator 217 (from many.csv)"
    assert converted.frame["unit"].tolist() == ["%"] * 300


def test_a_breakdown_set_aside_does_not_change_how_the_kept_rows_are_grouped() -> None:
    """Every row without a Category is of females; England's decile of males once made them the group 'sex'."""
    female = [[*row[:7], "Female", *row[8:]] for row in (ROWS[0], ROWS[4])]
    male_decile = [*_by(ROWS[0], "Deprivation deciles (IMD2019)", "1")[:7], "Male", *_by(ROWS[0], "Deprivation deciles (IMD2019)", "1")[8:]]
    converted = _converted([*female, male_decile])
    assert converted.problems == [] and converted.kept.tolist() == [True, True, False]
    assert converted.frame.loc[:1, "group_dimension"].tolist() == ["all", "all"]
    assert converted.set_aside == {"Category Type 'Deprivation deciles (IMD2019)': a Category with a Sex or Age breakdown as well: "
                                   "the app has no such group": 1}
