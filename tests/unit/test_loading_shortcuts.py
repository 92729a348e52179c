"""The loader's shortcuts give exactly what the plain pandas steps they replace give.

Start-up works on categories' codes (one test per distinct value, one integer per key), reads
Parquet column by column, withholds in place and splits the table into views; each must leave
the served table, and every problem the checks report, as the plain steps would.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from pandas import testing

from dashboard.core.settings import DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR
from dashboard.data.boundaries import load_boundaries
from dashboard.data.loading import (
    _read_derived,
    _withhold_columns,
    area_codes_by_level,
    compact,
    derived_columns,
    read_derived,
    read_table,
    withhold,
)
from dashboard.data.registry import read_registry
from dashboard.data.schema import (
    COLUMNS,
    DERIVED_COLUMNS,
    DERIVED_FILE,
    INDICATORS_FILE,
    KEY,
    METADATA_FILE,
    WITHHELD_COLUMNS,
)
from dashboard.data.validation import (
    _duplicated,
    check_table,
    coerce_types,
    modelled_limits,
    per_value,
)
from dashboard.data.tables import PARTITION_KEYS, FrameTables


def assert_series_equal(left: pd.Series, right: pd.Series) -> None:
    """Exactly equal; categories compared by their categories (in order, with their dtype) and codes,
    which is what pandas' exact comparison checks, without making a string per row."""
    if not isinstance(left.dtype, pd.CategoricalDtype):
        testing.assert_series_equal(left, right, check_exact=True)
        return
    assert isinstance(right.dtype, pd.CategoricalDtype), (left.name, right.dtype)
    assert left.name == right.name and type(left.index) is type(right.index) and left.index.equals(right.index)
    assert left.cat.ordered == right.cat.ordered and left.cat.categories.dtype == right.cat.categories.dtype, left.name
    assert left.cat.categories.equals(right.cat.categories), left.name
    assert left.array.codes.dtype == right.array.codes.dtype and np.array_equal(left.array.codes, right.array.codes), left.name


def assert_frame_equal(left: pd.DataFrame, right: pd.DataFrame) -> None:
    assert list(left.columns) == list(right.columns)
    assert type(left.index) is type(right.index) and left.index.equals(right.index)
    for column in left.columns:
        assert_series_equal(left[column], right[column])


def _as_text(frame: pd.DataFrame) -> pd.DataFrame:
    """The same table with plain text columns: the checks' row-by-row path."""
    return frame.astype({c: object for c in frame.columns if isinstance(frame[c].dtype, pd.CategoricalDtype)})


def _set(frame: pd.DataFrame, column: str, rows: np.ndarray, value: str | None) -> None:
    series = frame[column].copy()
    if value is not None and value not in series.cat.categories:
        series = series.cat.add_categories([value])
    series.iloc[rows] = np.nan if value is None else value
    frame[column] = series


@pytest.fixture(scope="module")
def corrupted(table: pd.DataFrame) -> pd.DataFrame:
    """3,000 committed rows with one of each problem the checks find, some several times."""
    rng = np.random.default_rng(7)
    frame = table.iloc[np.sort(rng.choice(len(table), 3_000, replace=False))].reset_index(drop=True)

    def pick(k: int) -> np.ndarray:
        return rng.choice(len(frame), k, replace=False)

    _set(frame, "area_code", pick(25), "E54999999")  # unknown at every level it lands on
    _set(frame, "area_code", pick(4), None)
    _set(frame, "area_level", pick(5), "planet")
    _set(frame, "area_level", pick(3), None)
    _set(frame, "alliance_code", pick(4), "E56999999")
    _set(frame, "data_status", pick(5), "guessed")
    _set(frame, "indicator_id", pick(3), "made_up")
    _set(frame, "group_value", pick(3), None)
    rows = pick(10)
    frame.loc[rows, "numerator"] = frame.loc[rows, "denominator"] + 5
    rows = pick(6)
    frame.loc[rows, "lower_ci"] = frame.loc[rows, "value"] + 10
    rows = pick(6)
    frame.loc[rows, "upper_ci"] = frame.loc[rows, "value"] - 10
    frame.loc[pick(4), "numerator"] = -1.0
    frame.loc[pick(4), "value"] = np.nan
    modelled = np.flatnonzero((frame["data_status"].astype(str) == "modelled").to_numpy())
    frame.loc[modelled[:3], "lower_ci"] = 1.0
    rows = pick(3)
    frame.loc[rows, "period_start"] = frame.loc[rows, "period_end"] + pd.Timedelta(days=1)
    return pd.concat([frame, frame.iloc[pick(5)]], ignore_index=True)  # repeated keys


def _problems(frame: pd.DataFrame) -> list[tuple]:
    codes = area_codes_by_level(load_boundaries(DEFAULT_GEODATA_DIR))
    registry = read_registry(DEFAULT_DATA_DIR / METADATA_FILE)
    return [(p.column, p.message, p.rows) for p in check_table(frame, file="f", area_codes=codes, indicator_ids=registry)]


def test_checks_on_categories_report_what_checks_on_text_report(corrupted: pd.DataFrame) -> None:
    on_codes, on_text = _problems(corrupted), _problems(_as_text(corrupted))
    assert sorted(on_codes) == sorted(on_text)  # area levels come in category order, text levels sorted
    found = {(column, message.split(" ")[-1]) for column, message, _ in on_codes}
    for column in ("area_level", "area_code", "alliance_code", "data_status", "indicator_id", "group_value", "numerator",
                   "lower_ci", "upper_ci", "value", "period_start", ",".join(KEY)):
        assert column in {c for c, _ in found}, column


def test_checks_on_the_committed_table_find_nothing(table: pd.DataFrame) -> None:
    assert _problems(table) == []


def test_per_value_answers_what_the_test_answers_row_by_row() -> None:
    series = pd.Series(pd.Categorical([" modelled", None, "published", "modelled ", "", None], categories=["", " modelled", "modelled ", "published", "unused"]))
    for test in (
        lambda s: (s.astype("string").str.strip() == "modelled").fillna(False),
        lambda s: s.astype(str) != "",
        lambda s: s.notna() & ~s.isin({"published"}),
    ):
        assert per_value(series, test).tolist() == test(series).astype(bool).tolist()
        assert per_value(series.astype(object), test).tolist() == test(series).astype(bool).tolist()


def test_modelled_limits_on_numbers_and_text_agree() -> None:
    frame = pd.DataFrame({
        "data_status": pd.Categorical(["modelled", "modelled", "published", "modelled", None]),
        "lower_ci": [1.0, np.nan, 2.0, 0.0, 3.0],
        "upper_ci": [np.nan, np.nan, 2.0, np.nan, 3.0],
        "lower_ci_998": ["", " ", "1", "2", "1"],
    })
    as_text = frame.astype({"data_status": object, "lower_ci": "string", "upper_ci": "string"})
    found = [(p.column, p.rows) for p in modelled_limits(frame, "f")]
    assert found == [(p.column, p.rows) for p in modelled_limits(as_text, "f")] == [("lower_ci", (1, 4)), ("lower_ci_998", (4,))]


@pytest.mark.parametrize("order", ["sorted", "shuffled"])
def test_duplicated_keys_match_pandas(table: pd.DataFrame, order: str) -> None:
    frame = table[list(KEY)].iloc[:5_000]
    frame = pd.concat([frame, frame.iloc[[3, 3, 100]]]).sort_values(list(KEY)) if order == "sorted" else frame.sample(frac=1, random_state=1)
    frame = frame.reset_index(drop=True)
    _set(frame, "group_value", np.array([0, 1, 2]), None)  # missing values count as equal, as in pandas
    _set(frame, "area_code", np.array([0, 1]), None)
    expected = frame.duplicated(list(KEY), keep=False).to_numpy()
    assert (_duplicated(frame, KEY) == expected).all()
    assert (_duplicated(_as_text(frame), KEY) == expected).all()
    assert _duplicated(table, KEY).sum() == 0


def test_reading_some_columns_reads_them_as_reading_all_does() -> None:
    path = DEFAULT_DATA_DIR / INDICATORS_FILE
    assert_frame_equal(read_table(path, columns=COLUMNS), read_table(path)[list(COLUMNS)])
    assert_frame_equal(read_table(path, columns=["value", "nonexistent", "area_code"]), read_table(path)[["area_code", "value"]])


def test_derived_columns_are_the_served_derived_columns() -> None:
    path, table_path = DEFAULT_DATA_DIR / DERIVED_FILE, DEFAULT_DATA_DIR / INDICATORS_FILE
    rows = len(read_table(table_path, columns=["indicator_id"]))
    plain = read_derived(path, table_path=table_path, rows=rows)
    fast = derived_columns(_read_derived(path, table_path=table_path, rows=rows, table_sha256=None))
    for column in DERIVED_COLUMNS:  # what the loader did: each column's values, then text as categories
        expected = pd.Series(plain[column].to_numpy(), name=column)
        assert_series_equal(fast[column], expected.astype("category") if column == "suppression" else expected)


def test_derived_suppression_with_missing_and_unused_reasons() -> None:
    reasons = pd.Categorical(["b", None, "", "a", None, "b"], categories=["b", "unused", "", "a"])
    frame = pd.DataFrame({"lower_ci_998": np.arange(6.0), "upper_ci_998": np.arange(6.0), "suppression": reasons, "denominator_withheld": [True, False] * 3})
    expected = pd.Series(pd.Series(reasons).astype("string").fillna("").to_numpy(), name="suppression").astype("category")
    assert_series_equal(derived_columns(frame)["suppression"], expected)


def test_withholding_in_place_withholds_what_withhold_does(dataset) -> None:
    loaded = read_table(DEFAULT_DATA_DIR / INDICATORS_FILE)
    typed, _ = coerce_types(loaded, INDICATORS_FILE)
    derived = read_derived(DEFAULT_DATA_DIR / DERIVED_FILE, table_path=DEFAULT_DATA_DIR / INDICATORS_FILE, rows=len(typed))
    for column in DERIVED_COLUMNS:  # the loader's steps, done the plain way
        typed[column] = derived[column].to_numpy()
    before = compact(typed)
    kept = before.copy(deep=True)
    served = withhold(before)
    assert_frame_equal(before, kept)  # withhold leaves its input alone
    assert_frame_equal(served, _withhold_row_by_row(before))
    in_place = before.copy(deep=True)
    _withhold_columns(in_place)
    assert_frame_equal(in_place, served)
    assert_frame_equal(dataset.indicators, served)  # and load_dataset serves exactly that


def _withhold_row_by_row(table: pd.DataFrame) -> pd.DataFrame:
    """The reference: withholding written with a text per row, as it first was."""
    withheld = (table["suppression"].astype(str) != "").to_numpy()
    modelled = (table["data_status"].astype(str) == "modelled").to_numpy()
    denominator_withheld = table["denominator_withheld"].to_numpy(dtype=bool)
    out = table.copy(deep=False)
    for column in WITHHELD_COLUMNS:
        out[column] = np.where(withheld, np.nan, table[column].to_numpy(dtype=float))
    out["numerator"] = np.where(withheld | modelled, np.nan, table["numerator"].to_numpy(dtype=float))
    out["denominator"] = np.where((withheld & denominator_withheld) | modelled, np.nan, table["denominator"].to_numpy(dtype=float))
    return out


def test_partitions_are_groupby_splits_in_table_order_without_a_copy(dataset) -> None:
    table = dataset.indicators
    tables = FrameTables(table)
    expected = {tuple(map(str, key)): rows.reset_index(drop=True) for key, rows in table.groupby(PARTITION_KEYS, observed=True, sort=False)}
    assert sorted(tables.partition_keys()) == sorted(expected)
    for key, rows in expected.items():
        got = tables.partition(*key)
        assert_frame_equal(got, rows)  # every row, in the table's order
    # Each indicator's rows: all of them, once.
    for indicator, rows in table.groupby("indicator_id", observed=True):
        assert len(tables[str(indicator)]) == len(rows)
    assert sum(len(tables[i]) for i in tables) == len(table)
    # Views of one sorted copy, never a copy per call: asked twice, a partition is the same memory.
    key = max(expected, key=lambda k: len(expected[k]))
    assert np.shares_memory(tables.partition(*key)["value"].to_numpy(), tables.partition(*key)["value"].to_numpy())
    assert tables.partition("early_stage", "no such cancer", "all").empty