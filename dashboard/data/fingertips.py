"""A Fingertips CSV export (OHID's public health profiles), read into the indicator format.

One row of the export becomes one row of the table, in the same order, so that a problem
names the export's own row and column. A header with two names only an export has (`DISTINCTIVE`)
is an export's, so a required column missing is named. Only the columns used are required (`REQUIRED`);
the rest of a real export (Parent Code, Recent Trend, Compared to ..., New data, ...) is
ignored. The decisions (docs/data.md, "Your own data"):

- indicator: id `fingertips_<Indicator ID>`, name: Indicator Name "(from <file name>)"; source: the file's name;
  a row naming an ID otherwise than most of its rows (on a tie, the first) is refused, the rest checked on;
- area: Area Type names the level (England, Cancer Alliance, ICB, Sub-ICB); Area Code must be
  a code of that level in geodata/ (2022 boundaries); names and alliances come from geodata/;
  rows of a region (an export's parent areas: NHS regions, Regions (statistical), ...) are set
  aside and counted, never refused nor dropped unsaid; any other level is refused;
- period: a year (2022), financial year (2022/23), quarter (2022/23 Q1) or month (Mar 2023);
- group: a Sex or Age that is the same on every row of an indicator is part of its definition;
  one that varies is a group (sex, age_band, or both); Category Type maps to broad ethnic
  groups or IMD 2019 quintiles of residence; rows of any other breakdown (deciles, detailed
  ethnic groups, smoking status, ... : a real export holds England's) are set aside and counted;
- unit: the export has none: `unit` if given (--unit), else a percentage when every Value is
  100 x Count / Denominator, a crude rate per 100,000 when it is 100,000 x Count / Denominator;
- polarity: the export gives none, so areas are compared as higher or lower, never better or worse.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.core.cancers import NOT_APPLICABLE
from dashboard.core.geography import ENGLAND_CODE, AreaLevel
from dashboard.core.measures import CiMethod, Polarity, Unit
from dashboard.data.boundaries import Boundaries
from dashboard.data.fingertips_terms import ALL_AGES, PERIOD_FORMATS, PERSONS, category, period, sex_and_age, unusable, words
from dashboard.data.registry import OGL, Indicator
from dashboard.data.schema import COLUMNS, GROUP_LABELS, KEY, DataStatus, GroupDimension
from dashboard.data.validation import FORMULA, Problem, formula_text

REQUIRED = ("Indicator ID", "Indicator Name", "Area Code", "Area Type", "Time period", "Value")
OPTIONAL = ("Sex", "Age", "Category Type", "Category", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Count", "Denominator")
# Names only an export's header has (the indicator format's are lower case, with underscores): a header
# with two of them is an export's, so that one missing required column is named as an export's.
DISTINCTIVE = ("Indicator ID", "Indicator Name", "Parent Code", "Parent Name", "Area Code", "Area Name", "Area Type", "Category Type",
               "Time period", "Lower CI 95.0 limit", "Upper CI 95.0 limit", "Lower CI 99.8 limit", "Upper CI 99.8 limit",
               "Value note", "Recent Trend", "Time period Sortable", "Time period range")
ID_PREFIX = "fingertips_"
LEVELS = {  # Area Type, lower case, words only -> level
    "england": AreaLevel.COUNTRY,
    "cancer alliance": AreaLevel.ALLIANCE, "cancer alliances": AreaLevel.ALLIANCE,
    "icb": AreaLevel.ICB, "icbs": AreaLevel.ICB, "integrated care board": AreaLevel.ICB, "integrated care boards": AreaLevel.ICB,
    "stp": AreaLevel.ICB, "stps": AreaLevel.ICB,
    "sub icb": AreaLevel.SUBICB, "sub icbs": AreaLevel.SUBICB, "sub icb location": AreaLevel.SUBICB,
    "sub icb locations": AreaLevel.SUBICB, "sub icbs former ccgs": AreaLevel.SUBICB, "sub icb former ccgs": AreaLevel.SUBICB,
}
# An Area Type naming regions (words in brackets dropped): rows an export holds as the parents of
# its areas, which the app does not show; they are set aside, each type counted (`Converted.set_aside`).
REGION_TYPE = re.compile(r"\bregions?\b")
LEVEL_NAMES = {AreaLevel.COUNTRY: "England", AreaLevel.ALLIANCE: "Cancer Alliance", AreaLevel.ICB: "ICB", AreaLevel.SUBICB: "Sub-ICB"}
# The table's columns, as the export names them: a problem found by the checks names the export's column.
EXPORT_COLUMNS = {
    "indicator_id": "Indicator ID", "indicator_name": "Indicator Name", "area_level": "Area Type", "area_code": "Area Code",
    "period": "Time period", "period_start": "Time period", "period_end": "Time period", "group_value": "Category",
    "numerator": "Count", "denominator": "Denominator", "value": "Value", "lower_ci": "Lower CI 95.0 limit",
    "upper_ci": "Upper CI 95.0 limit", ",".join(KEY): "Indicator ID,Area Code,Time period,Sex,Age,Category Type,Category",
}


def _column_key(name: str) -> str:
    return " ".join(str(name).lower().split())


def is_export(columns: Iterable[object]) -> bool:
    """A Fingertips export's header (not the indicator format's): two or more of its `DISTINCTIVE` names, no indicator_id."""
    names = {_column_key(str(c)) for c in columns}
    return len(names & {_column_key(n) for n in DISTINCTIVE}) >= 2 and "indicator_id" not in names


@dataclass(frozen=True)
class Converted:
    frame: pd.DataFrame  # the indicator format, as text, one row per export row (a row not `kept` may be part filled)
    kept: np.ndarray  # rows mapped without a problem (and not set aside)
    indicators: dict[str, Indicator]
    problems: list[Problem]
    set_aside: dict[str, int]  # what was set aside and why ("Area Type 'NHS regions': ...") -> rows


def convert(export: pd.DataFrame, *, file: str, boundaries: Boundaries, unit: str | None = None) -> Converted:
    """The export's rows in the indicator format, the indicators it defines, and what could not be mapped."""
    lookup = {_column_key(str(c)): c for c in export.columns}
    missing = [name for name in REQUIRED if _column_key(name) not in lookup]
    if missing:
        problems = [Problem(file, name, "missing column (a Fingertips export needs " + ", ".join(REQUIRED) + ")") for name in missing]
        empty = pd.DataFrame(index=pd.RangeIndex(len(export)), columns=list(COLUMNS), dtype="string")  # one row per export row
        return Converted(empty, np.zeros(len(export), dtype=bool), {}, problems, {})
    raw = pd.DataFrame({name: export[lookup[_column_key(name)]] if _column_key(name) in lookup else pd.Series(pd.NA, index=export.index)
                        for name in (*REQUIRED, *OPTIONAL)}).reset_index(drop=True)
    text = raw.apply(lambda s: s.astype("string").str.strip().replace("", pd.NA))
    out = _Rows(file, len(raw))
    out.set_aside_regions(text["Area Type"])
    for name in (n for n in (*REQUIRED, *OPTIONAL[:4]) if n in raw):
        out.refuse(formula_text(raw[name]), name, FORMULA, raw[name].astype("string").str.slice(0, 40))
    ids = text["Indicator ID"].str.fullmatch(r"[0-9]{1,9}").fillna(False).to_numpy(dtype=bool)  # not \d: it matches '٩٩' too
    out.refuse(~ids, "Indicator ID", "not a Fingertips indicator number (digits only)", text["Indicator ID"])
    out.frame["indicator_id"] = (ID_PREFIX + text["Indicator ID"].str.lstrip("0").replace("", "0")).where(ids)
    out.frame["indicator_name"] = text["Indicator Name"] + f" (from {Path(file).name})"  # labelled with its source wherever it is named
    out.refuse(text["Indicator Name"].isna().to_numpy(), "Indicator Name", "empty")
    _areas(text, boundaries, out)
    _periods(text["Time period"], out)
    _groups(text, out)
    _england_alone(out)
    numbers = {name: pd.to_numeric(text[name], errors="coerce") for name in ("Value", "Count", "Denominator")}
    for column, name in (("numerator", "Count"), ("denominator", "Denominator"), ("value", "Value"),
                         ("lower_ci", "Lower CI 95.0 limit"), ("upper_ci", "Upper CI 95.0 limit")):
        out.frame[column] = text[name]
    indicators = _indicators(text, numbers, unit, Path(file).name, out)
    out.frame["cancer_type"] = NOT_APPLICABLE
    out.frame["data_status"] = DataStatus.PUBLISHED.value
    out.frame["source"] = f"{Path(file).name} (Fingertips export)"
    return Converted(out.frame[list(COLUMNS)], out.kept(), indicators, out.problems, out.set_aside)


class _Rows:
    """The table being made, and the problems found so far (rows numbered as the export's)."""

    def __init__(self, file: str, rows: int):
        self.file, self.problems = file, []
        self.frame = pd.DataFrame(index=pd.RangeIndex(rows), columns=list(COLUMNS), dtype="string")
        self.bad = np.zeros(rows, dtype=bool)
        self.aside = np.zeros(rows, dtype=bool)
        self.set_aside: dict[str, int] = {}

    def set_aside_regions(self, area_types: pd.Series) -> None:
        """Set aside the rows of regions (REGION_TYPE), before any check: none is refused or kept."""
        regions = [kind for kind in area_types.dropna().unique() if REGION_TYPE.search(words(str(kind)))]
        mask = area_types.isin(regions).to_numpy(dtype=bool)  # one pass, however many kinds (100,000 took 60 s kind by kind)
        self.aside |= mask
        for kind, n in area_types[mask].value_counts(sort=False).items():
            why = f"Area Type {str(kind)[:80]!r}: the app shows England, Cancer Alliances, ICBs and Sub-ICBs, not regions"
            self.set_aside[why] = self.set_aside.get(why, 0) + int(n)

    def put_aside(self, mask: np.ndarray, why: str) -> None:
        """Rows the app has no place for: counted under `why`, never refused by a later check, never kept.
        A row refused already stays refused: what is wrong with it is said once, as a problem."""
        mask = mask & ~self.aside & ~self.bad
        if mask.any():
            self.aside |= mask
            self.set_aside[why] = self.set_aside.get(why, 0) + int(mask.sum())

    def refuse(self, mask: np.ndarray | pd.Series, column: str, message: str, values: pd.Series | None = None) -> None:
        mask = np.asarray(mask, dtype=bool) & ~self.aside
        if not mask.any():
            return
        if values is not None:
            shown = sorted({str(v) for v in values[mask].dropna()})[:5]
            message = f"{message}: {shown}" if shown else message
        self.problems.append(Problem(self.file, column, message, tuple(int(i) + 1 for i in np.flatnonzero(mask))))
        self.bad |= mask

    def kept(self) -> np.ndarray:
        return ~self.bad & ~self.aside


def _areas(text: pd.DataFrame, boundaries: Boundaries, out: _Rows) -> None:
    names = {level: boundaries.names(level) for level in (AreaLevel.ALLIANCE, AreaLevel.ICB, AreaLevel.SUBICB)}
    names[AreaLevel.COUNTRY] = {ENGLAND_CODE: "England"}
    areas = boundaries.areas
    alliance_of = dict(zip(areas["subicb_code"], areas["alliance_code"], strict=True)) | dict(zip(areas["icb_code"], areas["alliance_code"], strict=False))
    alliance_of |= {code: code for code in names[AreaLevel.ALLIANCE]}
    types = text["Area Type"].fillna("")
    level_of = {t: LEVELS.get(words(t)) for t in types.unique()}
    levels = [level_of[t] for t in types]
    out.refuse(np.array([lv is None for lv in levels], dtype=bool), "Area Type", "not a level the app shows (England, Cancer Alliances, ICBs, "
               "Sub-ICBs; regions are set aside)", types)
    codes = text["Area Code"].fillna("")
    good = np.array([lv is not None and code in names[lv] for code, lv in zip(codes, levels, strict=True)], dtype=bool)
    for lv, label in LEVEL_NAMES.items():
        wrong = np.array([level is lv for level in levels], dtype=bool) & ~good
        out.refuse(wrong, "Area Code", f"not {label} code(s) in geodata/ (2022 boundaries)", codes)
    out.frame["area_level"] = pd.Series([lv.value if g else pd.NA for lv, g in zip(levels, good, strict=True)], dtype="string")
    out.frame["area_code"] = codes.where(good)
    out.frame["area_name"] = pd.Series([names[lv][c] if g else pd.NA for c, lv, g in zip(codes, levels, good, strict=True)], dtype="string")
    alliances = pd.Series([alliance_of.get(c, pd.NA) if g else pd.NA for c, g in zip(codes, good, strict=True)], dtype="string")
    out.frame["alliance_code"] = alliances
    out.frame["alliance_name"] = alliances.map(names[AreaLevel.ALLIANCE]).astype("string")


def _periods(periods: pd.Series, out: _Rows) -> None:
    parsed = [period(str(p)) if pd.notna(p) else None for p in periods]
    out.refuse(np.array([p is None for p in parsed], dtype=bool), "Time period", f"not {PERIOD_FORMATS} (periods of several years have no place in the app)", periods)
    for i, column in enumerate(("period", "period_start", "period_end", "period_type")):
        out.frame[column] = pd.Series([p[i] if p else pd.NA for p in parsed], dtype="string")


def _groups(text: pd.DataFrame, out: _Rows) -> None:
    """Group dimension and value of each row (see the module's notes). Whether Sex or Age varies
    is judged on the rows with no Category, not set aside (a region's row, or a row of a breakdown
    set aside, once made the kept rows a group); a row with a Category and a Sex or Age of its
    own (not the one every such row has) is a breakdown the app has no group for."""
    base = pd.Series(~out.aside) & text["Category Type"].isna()
    sex, age = text["Sex"].fillna(PERSONS), text["Age"].fillna(ALL_AGES)
    indicator = text["Indicator ID"].fillna("")
    varies_sex, only_sex = _variation(sex, base, indicator)
    varies_age, only_age = _variation(age, base, indicator)
    dimension, value, refused, breakdowns = [], [], {}, {}
    for i, (s, a, kind, named) in enumerate(zip(sex, age, text["Category Type"], text["Category"], strict=True)):
        by_sex = varies_sex[i] and s != PERSONS
        by_age = varies_age[i] and a != ALL_AGES
        if pd.notna(kind):
            by_sex = by_sex or (not varies_sex[i] and pd.notna(only_sex[i]) and s != only_sex[i])
            by_age = by_age or (not varies_age[i] and pd.notna(only_age[i]) and a != only_age[i])
            combined = ("", "a Category with a Sex or Age breakdown as well: the app has no such group", "Category Type")
            found = combined if by_sex or by_age else category(str(kind), "" if pd.isna(named) else str(named))
            breakdowns.setdefault((indicator.iat[i], str(kind)), []).append((i, "" if pd.isna(named) else str(named), found))
        else:
            found = sex_and_age(s, a, by_sex, by_age)
            if found[2]:
                refused.setdefault((found[2], found[1]), []).append(i)
        dimension.append(found[0] or pd.NA)
        value.append(found[1] if found[0] else pd.NA)
    for (column, message), rows in refused.items():
        out.refuse(_mask(np.array(rows), len(sex)), column, message)
    for (_, kind), rows in breakdowns.items():
        if why := unusable(rows):  # a breakdown the app has no group for, whole: set aside, counted by its Category Type
            out.put_aside(_mask(np.array([i for i, _, _ in rows], dtype=int), len(sex)), f"Category Type {kind[:80]!r}: {why}")
    out.frame["group_dimension"] = pd.Series(dimension, dtype="string")
    out.frame["group_value"] = pd.Series(value, dtype="string")


def _variation(values: pd.Series, base: pd.Series, indicator: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """For each row: whether its indicator's `base` rows vary in `values`, and the one value they
    all have when they do not (missing when the indicator has no base row)."""
    counted = values.where(base).groupby(indicator)
    return (counted.transform("nunique") > 1).to_numpy(), counted.transform("first").to_numpy(dtype=object)


def _england_alone(out: _Rows) -> None:
    """Set aside an indicator's breakdown that only England's rows have (a real export's ethnic
    groups, say): the app shows a breakdown within areas, with England's as their benchmark, so
    rows of England alone could be loaded but never seen (a new-user trial)."""
    frame, kept = out.frame, out.kept()
    dimension = frame["group_dimension"].fillna(GroupDimension.ALL.value)
    grouped = kept & (dimension != GroupDimension.ALL.value).to_numpy(dtype=bool)
    if not grouped.any():
        return
    keys = (frame["indicator_id"].fillna("") + "|" + dimension).to_numpy(dtype=object)
    england = (frame["area_level"] == AreaLevel.COUNTRY.value).fillna(False).to_numpy(dtype=bool)
    within_areas = set(keys[grouped & ~england])
    for key in sorted(set(keys[grouped]) - within_areas):
        indicator_id, group = key.split("|")
        label = GROUP_LABELS[GroupDimension(group)]
        out.put_aside(grouped & (keys == key), f"a breakdown by {label[0].lower() + label[1:]} for England alone (indicator "
                      f"{indicator_id.removeprefix(ID_PREFIX)}): the app shows a breakdown within areas, with England's as their benchmark")


def _indicators(text: pd.DataFrame, numbers: dict[str, pd.Series], unit: str | None, name: str, out: _Rows) -> dict[str, Indicator]:
    """One Indicator per Indicator ID, with its unit given or inferred; the rows' unit and interval method.
    Each ID's rows are found once, by position (a mask per ID made 16,000 IDs take 100 s)."""
    indicators: dict[str, Indicator] = {}
    ids = out.frame["indicator_id"]
    counted = np.flatnonzero(ids.notna().to_numpy(dtype=bool) & ~out.aside)
    positions = {str(k): counted[v] for k, v in pd.Series(counted).groupby(ids.to_numpy(dtype=object)[counted], sort=True).indices.items()}
    titles_of = text["Indicator Name"].to_numpy(dtype=object, na_value=None)
    sexes, ages = (text[c].to_numpy(dtype=object, na_value=None) for c in ("Sex", "Age"))
    values = {n: numbers[n].to_numpy(dtype=float, na_value=np.nan) for n in ("Value", "Count", "Denominator")}
    units = np.full(len(ids), None, dtype=object)
    for indicator_id, rows in positions.items():
        given = Counter(t for t in titles_of[rows] if t is not None)
        common = max(given, key=given.__getitem__) if given else None  # the most given; on a tie, the first (in row order)
        odd = rows[[t is not None and t != common for t in titles_of[rows]]]
        if len(odd):  # the rows that name it otherwise than most do are refused
            out.refuse(_mask(odd, len(ids)), "Indicator Name", f"differs from {common!r}, the name most rows of Indicator ID "
                       f"{indicator_id.removeprefix(ID_PREFIX)} give", text["Indicator Name"])
            rows = np.setdiff1d(rows, odd)
        chosen, crude, misfits = _unit(values, rows, unit)
        if chosen is None:
            out.refuse(_mask(rows, len(ids)), "Value", f"cannot tell the unit of indicator {indicator_id.removeprefix(ID_PREFIX)}: Value is not "
                       "100 x Count / Denominator (a percentage) nor 100,000 x Count / Denominator (a crude rate) on most rows "
                       "that have all three; give it with --unit")
            continue
        if len(misfits):  # the rows that break the inference are named, not the rows that make it
            out.refuse(_mask(misfits, len(ids)), "Value", f"not {SCALE_WORDS[chosen]} x Count / Denominator, as on the other "
                       f"{len(rows) - len(misfits)} rows of indicator {indicator_id.removeprefix(ID_PREFIX)} (so {UNIT_WORDS[chosen]}): "
                       "check Value, Count and Denominator, or give the unit with --unit")
        method = {Unit.PERCENT: CiMethod.WILSON, Unit.PEOPLE: CiMethod.NONE}.get(chosen, CiMethod.POISSON if crude else CiMethod.DOBSON)
        fixed = [f"{field}: {found[0]}" for field, found in (("sex", _distinct(sexes[rows])), ("age", _distinct(ages[rows]))) if len(found) == 1]
        title = str(common) if common is not None else indicator_id
        definition = f"{title} (Fingertips indicator {indicator_id.removeprefix(ID_PREFIX)}{'; ' + ', '.join(fixed) if fixed else ''})."
        indicators[indicator_id] = _indicator(indicator_id, title, definition, chosen, method, (name,))
        units[rows] = chosen.value
    out.frame["unit"] = pd.Series(units, dtype="string")
    out.frame["ci_method"] = pd.Series(np.where(pd.isna(units), None, "95% as given in the Fingertips export"), dtype="string")
    return indicators


def _indicator(indicator_id: str, title: str, definition: str, unit: Unit, method: CiMethod, files: tuple[str, ...]) -> Indicator:
    """An export's indicator, named with the files it comes from (all its metadata says so)."""
    named, several = ", ".join(files), len(files) > 1
    return Indicator(
        id=indicator_id, name=f"{title} (from {named})", definition=definition,
        numerator="Count, as in the export", denominator="Denominator, as in the export", unit=unit,
        polarity=Polarity.NEITHER, ci_method=method,
        ci_description=f"95% limits as given in the export; 99.8% limits {_METHOD_WORDS[method]}",
        source=f"{named} (Fingertips export{'s' if several else ''})", attribution=f"OHID Fingertips, as exported to {named}.",
        caveats=(f"Loaded from the file{'s' if several else ''} {named}: checked for format and consistency, not for accuracy. The "
                 "export gives no polarity, so areas are compared as higher or lower, not better or worse."),
        licence=f"{OGL} (Fingertips); check your file's own terms", age_standardised=method is CiMethod.DOBSON,
    )


# "Title (from a.csv, b (1).csv)": a title seldom says " (from "; a browser's second download of a file is "b (1).csv".
FROM_FILES = re.compile(r"(?P<title>.*?) \(from (?P<files>.*)\)")


def joined(first: Indicator, other: Indicator) -> Indicator:
    """One indicator from two exports of it (one per area level, say: Fingertips exports a level at
    a time), named with both files; ValueError saying how they differ if they are not the same."""
    for field, words_ in (("definition", "definition (name, sex or age)"), ("unit", "unit"), ("ci_method", "interval method")):
        if getattr(first, field) != getattr(other, field):
            raise ValueError(f"its {words_} differs from the earlier file's: {getattr(first, field)!s:.80} / {getattr(other, field)!s:.80}")
    mine, theirs = FROM_FILES.fullmatch(first.name), FROM_FILES.fullmatch(other.name)
    if not (mine and theirs):
        raise ValueError("it is not an export's indicator")
    files = tuple(dict.fromkeys([*mine["files"].split(", "), *theirs["files"].split(", ")]))
    return _indicator(first.id, mine["title"], first.definition, first.unit, first.ci_method, files)


def _mask(rows: np.ndarray, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    mask[rows] = True
    return mask


def _distinct(found: np.ndarray) -> list[object]:
    return list(dict.fromkeys(v for v in found if v is not None))


_METHOD_WORDS = {
    CiMethod.WILSON: "by Wilson's score method from Count and Denominator",
    CiMethod.POISSON: "exact Poisson below 10, Byar's approximation from 10",
    CiMethod.DOBSON: "rescaled from the 95% limits (Dobson)",
    CiMethod.NONE: "none (a count)",
}


SCALE_WORDS = {Unit.PERCENT: "100", Unit.PER_100K: "100,000"}
UNIT_WORDS = {Unit.PERCENT: "a percentage", Unit.PER_100K: "a crude rate per 100,000"}


def _unit(numbers: dict[str, np.ndarray], rows: np.ndarray, given: str | None) -> tuple[Unit | None, bool, np.ndarray]:
    """The unit of an indicator's `rows` (positions), whether its values are crude rates of the
    counts, and the rows that break the inference. Given: as given. Else the scale (100 or
    100,000) that Value = scale x Count / Denominator holds for on every row with all three, or
    on most of them: the rest (a Count over its Denominator, a mistyped Value) are then the
    rows at fault, and named, where one such row used to blame every row of the indicator."""
    value, count, denominator = (numbers[n][rows] for n in ("Value", "Count", "Denominator"))
    full = np.isfinite(value) & np.isfinite(count) & np.isfinite(denominator) & (denominator > 0)
    none = np.array([], dtype=int)

    def fitting(scale: float) -> np.ndarray:
        expected = scale * count / np.where(full, denominator, 1.0)
        return full & (np.abs(value - expected) <= 0.051 + 1e-3 * np.abs(expected))

    if given is not None:
        fits = fitting(100_000.0)
        return Unit(given), Unit(given) is Unit.PER_100K and bool(full.any()) and bool(fits[full].all()), none
    by_scale = {Unit.PERCENT: fitting(100.0), Unit.PER_100K: fitting(100_000.0)}
    chosen = max(by_scale, key=lambda u: int(by_scale[u].sum()))
    fits = by_scale[chosen]
    if not full.any() or 2 * int(fits.sum()) <= int(full.sum()):
        return None, False, none
    return chosen, chosen is Unit.PER_100K, rows[full & ~fits]


def in_export_terms(problems: list[Problem], kept: np.ndarray) -> list[Problem]:
    """Problems the checks found in the kept rows, with the export's row numbers and column names."""
    rows = np.flatnonzero(kept) + 1
    return [replace(p, column=EXPORT_COLUMNS.get(p.column, p.column), rows=tuple(int(rows[r - 1]) for r in p.rows)) for p in problems]
