"""A Fingertips export's words in the app's terms: its periods, its Category Types and
Categories, its Sex and Age (the decisions: dashboard/data/fingertips.py and docs/data.md)."""

from __future__ import annotations

import re

import pandas as pd

from dashboard.data.schema import GroupDimension, PeriodType

PERSONS, ALL_AGES = "Persons", "All ages"
SEXES = {"male": "Males", "males": "Males", "female": "Females", "females": "Females"}
QUINTILES = {
    "most deprived quintile": "1 - most deprived", "second most deprived quintile": "2", "third more deprived quintile": "3",
    "middle quintile": "3", "third quintile": "3", "second least deprived quintile": "4", "least deprived quintile": "5 - least deprived",
}
ETHNIC_GROUPS = ("Asian", "Black", "Mixed", "Other", "White")
# The broad groups' names, as `words` has them: the 2021 Census's five high-level groups, their
# 2011 and short names. Only these: a detailed group ("White British", "Asian Indian") is not its
# broad group, even where a classification has one detailed group per broad one.
BROAD_ETHNIC_NAMES = {
    "asian": "Asian", "asian or asian british": "Asian", "asian asian british or asian welsh": "Asian",
    "black": "Black", "black or black british": "Black", "black black british caribbean or african": "Black",
    "black black british black welsh caribbean or african": "Black", "black african caribbean or black british": "Black",
    "mixed": "Mixed", "mixed or multiple ethnic groups": "Mixed", "mixed multiple ethnic groups": "Mixed",
    "other": "Other", "other ethnic group": "Other", "other ethnic groups": "Other",
    "white": "White",
}
MONTH_NAMES = ("january", "february", "march", "april", "may", "june", "july", "august", "september", "october", "november", "december")
MONTHS = {name: i for i, full in enumerate(MONTH_NAMES, start=1) for name in (full, full[:3])} | {"sept": 9}
PERIOD_FORMATS = "a year (2022), financial year (2022/23), quarter (2022/23 Q1) or month (Mar 2023)"


def words(text: str) -> str:
    """Lower case, parentheses dropped, punctuation as spaces: 'Sub-ICBs (former CCGs)' -> 'sub icbs'."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", re.sub(r"\(.*?\)", " ", text.lower())).split())


def period(text: str) -> tuple[str, str, str, str] | None:
    """(label, start, end, type) in the project's convention (dashboard/pipeline/periods.py); None: not a
    period, or one with a date no calendar has (year 0000, or 9999/00 Q4 ending in year 10000)."""
    try:
        return _parsed_period(text)
    except (ValueError, OverflowError):  # pandas: "year 0 is out of range", "year 10000 is out of range"
        return None


def _parsed_period(text: str) -> tuple[str, str, str, str] | None:
    if m := re.fullmatch(r"(\d{4})", text):
        year = int(m[1])
        return str(year), f"{year}-01-01", f"{year}-12-31", PeriodType.CALENDAR_YEAR.value
    if (m := re.fullmatch(r"(\d{4})/(\d{2})(?: Q([1-4]))?", text)) and (int(m[1]) + 1) % 100 == int(m[2]):
        year, label = int(m[1]), f"{m[1]}-{m[2]}"
        if not m[3]:
            return label, f"{year}-04-01", f"{year + 1}-03-31", PeriodType.FINANCIAL_YEAR.value
        start = pd.Timestamp(year, 4, 1) + pd.DateOffset(months=3 * (int(m[3]) - 1))
        end = start + pd.DateOffset(months=3) - pd.Timedelta(days=1)
        return f"{label} Q{m[3]}", start.date().isoformat(), end.date().isoformat(), PeriodType.QUARTER.value
    if (m := re.fullmatch(r"([A-Za-z]{3,9}) (\d{4})", text)) and (number := MONTHS.get(m[1].lower())):
        start = pd.Timestamp(int(m[2]), number, 1)
        end = start + pd.offsets.MonthEnd(0)
        return start.strftime("%Y-%m"), start.date().isoformat(), end.date().isoformat(), PeriodType.MONTH.value
    return None


def sex_and_age(sex: str, age: str, by_sex: bool, by_age: bool) -> tuple[str, str, str]:
    """(dimension, value, "") of a row with no Category, or ("", what is wrong, "Sex")."""
    if by_sex and sex.lower() not in SEXES:
        return "", f"{sex!r}: not Male, Female or Persons", "Sex"
    if by_sex and by_age:
        return GroupDimension.SEX_AND_AGE_BAND.value, f"{SEXES[sex.lower()]}, {age}", ""
    if by_sex:
        return GroupDimension.SEX.value, SEXES[sex.lower()], ""
    if by_age:
        return GroupDimension.AGE_BAND.value, age, ""
    return GroupDimension.ALL.value, "All", ""


def category(kind: str, value: str) -> tuple[str, str, str]:
    """(dimension, value, ""), or ("", why the app has no place for it, the column that says so)."""
    kind_words = words(kind)
    if "ethnic" in kind_words:
        if broad := BROAD_ETHNIC_NAMES.get(words(value)):
            return GroupDimension.ETHNIC_GROUP.value, broad, ""
        return "", f"a Category other than the broad ethnic groups ({', '.join(ETHNIC_GROUPS)})", "Category"
    if "deprivation" in kind_words or "imd" in kind_words:
        years = re.findall(r"imd ?(\d{4})", kind.lower())
        if "decile" in kind_words:
            return "", "deciles; the app's deprivation groups are quintiles", "Category Type"
        if any(year != "2019" for year in years):
            return "", "the app's deprivation groups are IMD 2019 quintiles", "Category Type"
        if any(w in f" {kind_words} " for w in (" county ", " district ", " ua ", " local authority ", " upper tier ", " lower tier ")):
            return "", "quintiles of local authorities, not of where patients live", "Category Type"
        if "quintile" not in kind_words:  # "1" to "5" could be deciles' first five: the type must say
            return "", "it does not say quintiles, and the app's deprivation groups are IMD 2019 quintiles", "Category Type"
        if "decile" in words(value):
            return "", "a decile, not a quintile", "Category"
        if m := re.match(r"\s*([1-5])\b", value):
            return GroupDimension.IMD_QUINTILE.value, {"1": "1 - most deprived", "5": "5 - least deprived"}.get(m[1], m[1]), ""
        if quintile := QUINTILES.get(words(value)):
            return GroupDimension.IMD_QUINTILE.value, quintile, ""
        return "", "a Category other than the quintiles (Most deprived quintile ... Least deprived quintile)", "Category"
    return "", "no group of the app matches (it has broad ethnic groups and IMD 2019 quintiles)", "Category Type"


def unusable(rows: list[tuple[int, str, tuple[str, str, str]]]) -> str:
    """Why an indicator's breakdown (its rows: position, Category, what it maps to) cannot be used
    whole, or "". A breakdown is used whole or not at all: a part of one (quintiles 1 to 5 of ten
    deciles; four quintiles of five, one misspelt) would be a group that misleads, and so would
    two Categories folded into one group ('Asian' and 'Asian or Asian British')."""
    failed = [(named, found[1]) for _, named, found in rows if found[2]]
    if failed and len(failed) == len(rows):
        return failed[0][1]
    if failed:
        shown = ", ".join(repr(named[:40]) for named in dict.fromkeys(named for named, _ in failed[:3]))
        return f"{failed[0][1]} ({shown}), so none of its Categories are used: a part of a breakdown would mislead"
    categories: dict[str, set[str]] = {}
    for _, named, found in rows:
        categories.setdefault(found[1], set()).add(named)
    folded = next(((group, sorted(names)) for group, names in categories.items() if len(names) > 1), None)
    if folded:
        group, names = folded
        return f"its Categories {', '.join(repr(n[:40]) for n in names[:3])} would all be the group {group!r}, so none of them are used"
    return ""
