"""Checks on a table in the indicator format. Every problem names file, row and column.

Rows are numbered from 1 for the first data row (the header is not counted), so in a
CSV file row N is on line N + 1 (plus any leading comment lines).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.core.measures import Unit
from dashboard.data.period_labels import mislabelled
from dashboard.data.schema import (
    ALLOWED_VALUES,
    COLUMNS,
    KEY,
    REQUIRED_VALUES,
    DataStatus,
)

MAX_COUNT = 1e9  # a count of people over this is not one: England has about 57 million
ROWS_LISTED = 20  # rows named per problem; the count says how many more
CI_TOLERANCE = 1e-9
UNITS = frozenset(unit.value for unit in Unit)
# A text cell a spreadsheet would take for a formula (OWASP's list), unless it is just a number.
FORMULA_START = r"[=+\-@\t\r]"
NUMBER_TEXT = r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?"
ZONED = "a date and time with a time zone, not a date (expected YYYY-MM-DD)"
ZONE_SUFFIX = r"[T\s]\d{1,2}(?::\d{2}){0,2}(?:\.\d+)?\s*(?:Z|[+-]\d{2}(?::?\d{2})?)\s*$|\dZ\s*$"  # 2022-01-01T00:00+05:00, ...Z
FORMULA = "formula text (a cell starting with =, +, -, @, a tab or a carriage return, which a spreadsheet would run)"


@dataclass(frozen=True)
class Problem:
    file: str
    column: str
    message: str
    rows: tuple[int, ...] = ()

    def __str__(self) -> str:
        where = f"{self.file}"
        if self.rows:
            shown = ", ".join(str(r) for r in self.rows[:ROWS_LISTED])
            more = f" and {len(self.rows) - ROWS_LISTED} more" if len(self.rows) > ROWS_LISTED else ""
            where += f": row{'s' if len(self.rows) > 1 else ''} {shown}{more}"
        if not self.column:  # the whole file (no data rows)
            return f"{where}: {self.message}"
        return f"{where}, column {self.column}: {self.message}"


class DataValidationError(Exception):
    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


def _rows(mask: pd.Series | np.ndarray) -> tuple[int, ...]:
    return tuple(int(i) + 1 for i in np.flatnonzero(np.asarray(mask)))


def per_value(series: pd.Series, test: Callable[[pd.Series], pd.Series]) -> np.ndarray:
    """`test(series)` as a boolean array, for an element-wise `test`.

    On a categorical column (how Parquet's dictionary-encoded text is read) the test runs once
    per category, and once on a missing value, then is looked up by each row's code: the same
    answer for every row as running it on the rows, at the cost of their few distinct values.
    """
    if not isinstance(series.dtype, pd.CategoricalDtype):
        return np.asarray(test(series), dtype=bool)
    distinct = np.append(np.arange(len(series.cat.categories)), -1)  # the last: a missing value (code -1)
    answers = np.asarray(test(pd.Series(pd.Categorical.from_codes(distinct, dtype=series.dtype))), dtype=bool)
    return answers[series.array.codes]  # code -1 picks the last answer


def clean_text(series: pd.Series) -> pd.Series:
    """Text with surrounding spaces removed and empty strings as missing.

    A categorical column (how Parquet's dictionary-encoded text is read) is cleaned on its
    categories alone, so 370,000 rows cost what their few hundred distinct values cost.
    """
    if isinstance(series.dtype, pd.CategoricalDtype):
        cleaned = series.cat.categories.astype("string").str.strip().replace("", pd.NA)
        if cleaned.is_unique and not cleaned.isna().any():
            # `series.cat.rename_categories(cleaned)`, sharing the codes instead of copying them
            dtype = pd.CategoricalDtype(cleaned, ordered=series.cat.ordered)
            renamed = pd.Categorical.from_codes(series.array.codes, dtype=dtype, validate=False)
            return pd.Series(renamed, index=series.index, name=series.name, copy=False)
        return series.map(dict(zip(series.cat.categories, cleaned, strict=True))).astype("category")
    return series.astype("string").str.strip().replace("", pd.NA)


def coerce_types(frame: pd.DataFrame, file: str) -> tuple[pd.DataFrame, list[Problem]]:
    """Cast to the schema's types; report columns missing or not castable (with rows)."""
    problems: list[Problem] = []
    missing = [c for c in COLUMNS if c not in frame.columns]
    for column in missing:
        problems.append(Problem(file, column, "missing column"))
    if missing:
        return frame, problems
    out = frame[list(COLUMNS)].reset_index(drop=True)  # copy-on-write (pandas 3): columns replaced below are new
    for column, dtype in COLUMNS.items():
        series = out[column]
        if dtype == "float64" and pd.api.types.is_numeric_dtype(series):
            out[column] = series.astype("float64")  # already numbers (Parquet): nothing can fail to parse
        elif dtype.startswith("datetime64") and pd.api.types.is_datetime64_any_dtype(series):
            if getattr(series.dtype, "tz", None) is not None:  # Parquet's timestamp with a time zone: a moment, not a date
                problems.append(Problem(file, column, f"{ZONED}: time zone {series.dtype.tz}", _rows(series.notna())))
                series = pd.Series(pd.NaT, index=series.index)
            out[column] = series.astype(dtype)
        elif dtype == "float64":
            converted = pd.to_numeric(series, errors="coerce").astype("float64")
            bad = converted.isna() & series.notna() & (series.astype("string").str.strip() != "")
            if bad.any():
                problems.append(Problem(file, column, "not a number", _rows(bad)))
            out[column] = converted
        elif dtype.startswith("datetime64"):
            zoned = series.astype("string").str.contains(ZONE_SUFFIX, regex=True).fillna(False)
            if zoned.any():  # pandas cannot hold dates of several time zones, or make one zone's naive
                problems.append(Problem(file, column, f"{ZONED}: {sorted(set(series[zoned].astype(str)))[:3]}", _rows(zoned)))
                series = series.mask(zoned)
            converted = pd.to_datetime(series, errors="coerce", format="ISO8601")
            bad = converted.isna() & series.notna()
            if bad.any():
                problems.append(Problem(file, column, "not a date (expected YYYY-MM-DD)", _rows(bad)))
            out[column] = converted.astype(dtype)
        else:
            distinct = series.cat.categories if isinstance(series.dtype, pd.CategoricalDtype) else series
            binary = per_value(series, lambda s: s.map(lambda v: isinstance(v, bytes | bytearray)).astype(bool)) if distinct.dtype == object else None
            if binary is not None and binary.any():  # Parquet's binary column: bytes, perhaps not text at all
                problems.append(Problem(file, column, "binary data, not text (a Parquet binary column; write it as strings)", _rows(binary)))
                series = series.astype(object).mask(binary)
            formula = formula_text(series)
            if formula.any():
                shown = sorted({repr(str(v)[:40]) for v in series[formula]})[:3]
                problems.append(Problem(file, column, f"{FORMULA}: {', '.join(shown)}", _rows(formula)))
            out[column] = clean_text(series)
        if dtype == "float64":
            problems += _infinite(out, column, file)
    return out, problems


def _infinite(out: pd.DataFrame, column: str, file: str) -> list[Problem]:
    """inf and -inf (read from text such as "inf" or "Infinity", or stored in Parquet) are not
    figures: reported, then made missing in `out` so that no later check trips over them."""
    values = out[column].to_numpy(dtype=float)
    infinite = np.isinf(values)
    if not infinite.any():
        return []
    signs = sorted({"-inf" if v < 0 else "inf" for v in values[infinite]})
    out[column] = out[column].mask(pd.Series(infinite, index=out.index))
    return [Problem(file, column, f"infinite value ({', '.join(signs)}): not a number", _rows(infinite))]


def formula_text(series: pd.Series) -> np.ndarray:
    """Cells of a text column that start as a spreadsheet formula does (a number written as text is not)."""
    def test(s: pd.Series) -> pd.Series:
        text = s.astype("string")
        stripped = text.str.strip()  # " =HYPERLINK(...)" is stored as "=HYPERLINK(...)": the rule applies to both
        formula = text.str.match(FORMULA_START) & ~text.str.fullmatch(NUMBER_TEXT)
        return (formula | (stripped.str.match(FORMULA_START) & ~stripped.str.fullmatch(NUMBER_TEXT))).fillna(False)

    return per_value(series, test)


MODELLED_LIMITS = (
    "modelled rows must have no confidence limits (an interval from sampling alone would leave out "
    "the model's uncertainty, and would let a modelled gap pass for a finding)"
)
LIMIT_COLUMNS = ("lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998")  # the last two: in downloads


def modelled_limits(frame: pd.DataFrame, file: str) -> list[Problem]:
    """A problem for each limit column, of those present, that a modelled row fills."""
    modelled = per_value(frame["data_status"], lambda s: (s.astype("string").str.strip() == DataStatus.MODELLED.value).fillna(False))
    problems = []
    for column in (c for c in LIMIT_COLUMNS if c in frame.columns):
        filled = modelled & _filled(frame[column])
        if filled.any():
            problems.append(Problem(file, column, MODELLED_LIMITS, _rows(filled)))
    return problems


def _filled(series: pd.Series) -> np.ndarray:
    """Rows with a value that is not blank text. A number is never blank once written as text,
    so a numeric column needs only its missing values (no text made for millions of rows)."""
    if pd.api.types.is_numeric_dtype(series.dtype) and not isinstance(series.dtype, pd.CategoricalDtype):
        return series.notna().to_numpy()
    return per_value(series, lambda s: s.notna() & (s.astype("string").str.strip() != "").fillna(False))


def check_table(
    frame: pd.DataFrame,
    *,
    file: str,
    area_codes: Mapping[str, Iterable[str]],
    indicator_ids: Iterable[str] | None = None,
) -> list[Problem]:
    """Every problem in a table that has already been through `coerce_types`."""
    if len(frame) == 0:
        return [Problem(file, "", "no data rows (the file has a header only)")]
    problems: list[Problem] = []
    for column in REQUIRED_VALUES:
        empty = frame[column].isna()
        if empty.any():
            problems.append(Problem(file, column, "empty value", _rows(empty)))
    for column, allowed in ALLOWED_VALUES.items():
        bad = per_value(frame[column], lambda s, allowed=allowed: s.notna() & ~s.isin(allowed))
        if bad.any():
            values = sorted(set(frame.loc[bad, column]))[:5]
            problems.append(Problem(file, column, f"value(s) {values} not in {sorted(allowed)}", _rows(bad)))
    if indicator_ids is not None:
        ids = set(indicator_ids)
        bad = per_value(frame["indicator_id"], lambda s: ~s.isin(ids))
        if bad.any():
            values = sorted(set(frame.loc[bad, "indicator_id"].dropna()))[:5]
            problems.append(Problem(file, "indicator_id", f"{values} not defined in the indicator metadata", _rows(bad)))
    problems += _check_area_codes(frame, file, area_codes)
    problems += _check_numbers(frame, file)
    problems += check_units(frame, file, indicator_ids if isinstance(indicator_ids, Mapping) else None)
    duplicated = _duplicated(frame, KEY)
    if duplicated.any():
        problems.append(Problem(file, ",".join(KEY), "the same key appears more than once", _rows(duplicated)))
    bad_period = frame["period_start"] > frame["period_end"]
    if bad_period.any():
        problems.append(Problem(file, "period_start", "period_start is after period_end", _rows(bad_period)))
    wrong_label, examples = mislabelled(frame[~bad_period])
    if wrong_label.any():
        problems.append(Problem(file, "period", f"not the label of its period_type and dates: {'; '.join(examples)}",
                                _rows(wrong_label.reindex(frame.index, fill_value=False))))
    return problems


def _duplicated(frame: pd.DataFrame, columns: tuple[str, ...]) -> np.ndarray:
    """`frame.duplicated(columns, keep=False)`. When every column is categorical, equal values are
    equal codes (a missing value is code -1, equal to itself as `duplicated` has it), so each row's
    codes make one integer, numbered so that rows sorted by the columns' text get increasing ones:
    a table so sorted (as the build writes it) is seen to have no duplicate in one pass."""
    series = [frame[c] for c in columns]
    sizes = [len(s.cat.categories) + 1 for s in series if isinstance(s.dtype, pd.CategoricalDtype)]
    if len(sizes) < len(series) or np.prod(np.array(sizes, dtype=float)) >= 2.0**62:
        return frame.duplicated(list(columns), keep=False).to_numpy()
    key = np.zeros(len(frame), dtype=np.int64)
    for s, size in zip(series, sizes, strict=True):
        rank = np.zeros(size, dtype=np.int64)  # rank[code]: 1 + the category's place in sorted order; the last (code -1) 0
        rank[np.argsort(np.asarray(s.cat.categories, dtype=object), kind="stable")] = np.arange(1, size)
        key *= size
        key += rank[s.array.codes]
    if (key[1:] > key[:-1]).all():
        return np.zeros(len(frame), dtype=bool)  # strictly increasing: all different
    return pd.Series(key, copy=False).duplicated(keep=False).to_numpy()


def _check_area_codes(frame: pd.DataFrame, file: str, area_codes: Mapping[str, Iterable[str]]) -> list[Problem]:
    known = {level: set(codes) for level, codes in area_codes.items()}
    categorical = all(isinstance(frame[c].dtype, pd.CategoricalDtype) for c in ("area_level", "area_code"))
    if categorical and frame.index.equals(pd.RangeIndex(len(frame))):
        problems = _unknown_codes(frame, file, known)
    else:
        problems = _unknown_codes_by_level(frame, file, known)
    alliance = frame["alliance_code"]
    bad = alliance.notna() & ~alliance.isin(known.get("alliance", set()))
    if bad.any():
        problems.append(Problem(file, "alliance_code", f"code(s) {sorted(set(alliance[bad]))[:5]} are not alliances in geodata/", _rows(bad)))
    return problems


def _unknown_codes_by_level(frame: pd.DataFrame, file: str, known: Mapping[str, set[str]]) -> list[Problem]:
    """Area codes not known at their row's level, level by level (any table)."""
    problems = []
    for level, rows in frame.groupby("area_level", dropna=True).groups.items():
        if level not in known:
            continue  # an unknown level is reported by the allowed-values check
        codes = frame.loc[rows, "area_code"]
        bad = codes.notna() & ~codes.isin(known[level])
        if bad.any():
            values = sorted(set(codes[bad]))[:5]
            problems.append(
                Problem(file, "area_code", f"{level} code(s) {values} are not in geodata/", _rows(frame.index.isin(bad[bad].index)))
            )
    return problems


def _unknown_codes(frame: pd.DataFrame, file: str, known: Mapping[str, set[str]]) -> list[Problem]:
    """`_unknown_codes_by_level` on categorical columns (default index): whether a code is known
    at a level is decided once per (level, code) pair of categories, then looked up by each row's
    codes. Levels come in the order grouping by a categorical gives (its categories' order)."""
    levels, codes = frame["area_level"].cat, frame["area_code"].cat
    # unknown[level, code]; the last row and column (code -1: a missing level or code) stay False
    unknown = np.zeros((len(levels.categories) + 1, len(codes.categories) + 1), dtype=bool)
    for i, level in enumerate(levels.categories):
        if level in known:
            unknown[i, :-1] = ~codes.categories.isin(known[level])
    level_codes, area_codes = frame["area_level"].array.codes, frame["area_code"].array.codes
    bad_rows = np.flatnonzero(unknown[level_codes, area_codes])
    problems = []
    bad_levels = level_codes[bad_rows]
    for i, level in enumerate(levels.categories):
        rows = bad_rows[bad_levels == i]
        if len(rows):
            values = sorted(set(codes.categories[np.unique(area_codes[rows])]))[:5]
            problems.append(Problem(file, "area_code", f"{level} code(s) {values} are not in geodata/", tuple(int(r) + 1 for r in rows)))
    return problems


def _check_numbers(frame: pd.DataFrame, file: str) -> list[Problem]:
    problems = []
    for column in ("numerator", "denominator"):
        negative = frame[column] < 0
        if negative.any():
            problems.append(Problem(file, column, "negative count", _rows(negative)))
        implausible = frame[column] > MAX_COUNT
        if implausible.any():
            values = sorted(set(frame.loc[implausible, column].tolist()))[:5]
            problems.append(Problem(file, column, f"not a plausible count of people (over 10^9): {values}", _rows(implausible)))
    nobody = (frame["denominator"] == 0) & frame["value"].notna()
    if nobody.any():
        problems.append(Problem(file, "denominator", "denominator 0 with a value (a share or rate of no one)", _rows(nobody)))
    over = frame["numerator"] > frame["denominator"]
    if over.any():
        problems.append(Problem(file, "numerator", "numerator exceeds denominator", _rows(over)))
    value = frame["value"].to_numpy()
    slack = CI_TOLERANCE * np.maximum(np.abs(value), 1)  # `.abs().clip(lower=1)`: a missing value stays missing
    low = frame["lower_ci"].to_numpy() > value + slack
    if low.any():
        problems.append(Problem(file, "lower_ci", "lower_ci is above value", _rows(low)))
    high = frame["upper_ci"].to_numpy() < value - slack
    if high.any():
        problems.append(Problem(file, "upper_ci", "upper_ci is below value", _rows(high)))
    problems += modelled_limits(frame, file)
    no_value = frame["value"].isna() & (frame["lower_ci"].notna() | frame["upper_ci"].notna())
    if no_value.any():
        problems.append(Problem(file, "value", "confidence limits given without a value", _rows(no_value)))
    return problems


def check_units(frame: pd.DataFrame, file: str, registry: Mapping[str, object] | None = None) -> list[Problem]:
    """Units the app knows; values and limits that fit them (a share between 0 and 100%, no
    negative rate); counts that are whole (or halves: NHS England splits shared patients between
    providers); and, given the indicator metadata, each row's unit as its indicator's."""
    problems = []
    unknown = per_value(frame["unit"], lambda s: s.notna() & ~s.isin(UNITS))
    if unknown.any():
        values = sorted(set(frame.loc[unknown, "unit"].astype(str)))[:5]
        problems.append(Problem(file, "unit", f"unknown unit(s) {values}: not one of {sorted(UNITS)}", _rows(unknown)))
    percent = per_value(frame["unit"], lambda s: (s == Unit.PERCENT.value).fillna(False))
    known = ~unknown & frame["unit"].notna().to_numpy()
    for column in ("value", "lower_ci", "upper_ci"):
        x = frame[column].to_numpy(dtype=float)
        with np.errstate(invalid="ignore"):
            outside = percent & ((x < -CI_TOLERANCE) | (x > 100 + CI_TOLERANCE))
            negative = known & ~percent & (x < -CI_TOLERANCE)
        if outside.any():
            values = sorted(set(x[outside].tolist()))[:5]
            problems.append(Problem(file, column, f"a percentage (unit %) outside 0 to 100: {values}", _rows(outside)))
        if negative.any():
            values = sorted(set(x[negative].tolist()))[:5]
            problems.append(Problem(file, column, f"negative (a rate or a count cannot be below 0): {values}", _rows(negative)))
    for column in ("numerator", "denominator"):
        x = frame[column].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", over="ignore"):  # 1e308 x 2: inf, and refused as no plausible count
            fractional = np.isfinite(x) & (np.abs(x * 2 - np.round(x * 2)) > 1e-6)
        if fractional.any():
            values = sorted(set(x[fractional].tolist()))[:5]
            problems.append(Problem(file, column, f"not a whole number (a count of people; a half is allowed): {values}", _rows(fractional)))
    return problems + _units_of_metadata(frame, file, registry)


def _units_of_metadata(frame: pd.DataFrame, file: str, registry: Mapping[str, object] | None) -> list[Problem]:
    units = {i: str(getattr(ind, "unit")) for i, ind in (registry or {}).items() if hasattr(ind, "unit")}
    if not units:
        return []
    pairs = frame[["indicator_id", "unit"]].drop_duplicates().dropna()
    pairs = pairs[pairs["unit"].isin(UNITS)].astype(str)  # an unknown unit is reported as such
    wrong = pairs[pairs["indicator_id"].map(units).fillna(pairs["unit"]) != pairs["unit"]]
    if wrong.empty:
        return []
    keys = frame["indicator_id"].astype(str) + "\0" + frame["unit"].astype(str)
    bad = keys.isin(set(wrong["indicator_id"] + "\0" + wrong["unit"])).to_numpy()
    first = wrong.iloc[0]
    message = f"unit {first['unit']!r} is not the indicator's unit in the metadata ({units[first['indicator_id']]!r} for {first['indicator_id']})"
    return [Problem(file, "unit", message, _rows(bad))]
