"""The three attacks the disclosure issue reported, rerun on the committed data.

Each attack worked out a withheld count of 1 to 4 exactly from numbers the app served. Here
the attacker's best is computed by linear programming over every relation among the served
numbers (`dashboard.pipeline.disclosure_model`) and only the numbers the committed
data/derived.parquet leaves shown: the withheld count must be free to lie anywhere in a
range at least 5 people wide.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from scipy import sparse

from dashboard.core.settings import DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR
from dashboard.data.boundaries import load_boundaries
from dashboard.data.loading import read_derived, read_table
from dashboard.data.registry import read_registry
from dashboard.pipeline.disclosure_model import Model, build_model
from dashboard.pipeline.protection import served_withheld
from dashboard.stats.disclosure import PRIMARY, PROTECTION, is_small
from dashboard.stats.linear_audit import components, interval


@pytest.fixture(scope="module")
def served() -> tuple[pd.DataFrame, pd.DataFrame, Model, np.ndarray]:
    path = Path(DEFAULT_DATA_DIR) / "indicators.parquet"
    table = read_table(path)
    derived = read_derived(Path(DEFAULT_DATA_DIR) / "derived.parquet", table_path=path, rows=len(table))
    model = build_model(table, read_registry(Path(DEFAULT_DATA_DIR) / "indicator_metadata.json"), load_boundaries(Path(DEFAULT_GEODATA_DIR)).parents())
    return table, derived, model, served_withheld(model, derived)


def _row(table: pd.DataFrame, **where: str) -> int:
    mask = np.ones(len(table), dtype=bool)
    for column, value in where.items():
        mask &= (table[column].astype(str) == value).to_numpy()
    (found,) = np.flatnonzero(mask)
    return int(found)


def _attacker_range(model: Model, withheld: np.ndarray, cells: list[tuple[int, float]]) -> tuple[float, float]:
    form = sparse.csr_matrix(([c for _, c in cells], ([0] * len(cells), [i for i, _ in cells])), shape=(1, len(model.values)))
    found = interval(model.relations, model.values, withheld, form, components(model.relations, withheld))
    return found.low, found.high


def _assert_protected(low: float, high: float) -> None:
    assert high - low >= PROTECTION - 1e-6, (low, high)
    assert not (low >= 1 and high <= 4), (low, high)


def test_a_single_child_chain_no_longer_gives_away_leicester(served) -> None:
    # mortality_age_specific, Bladder, 2020, 60 to 69: East Midlands 54; LLR was 54 - 16 - 15 - 12 - 8 = 3,
    # with Northamptonshire's 8 read off its only sub-ICB.
    table, derived, model, withheld = served
    llr = _row(table, indicator_id="mortality_age_specific", cancer_type="Bladder", group_value="60 to 69", area_code="E54000015")
    assert table.loc[llr, "numerator"] == 3 and derived.loc[llr, "suppression"] == PRIMARY
    northamptonshire = _row(table, indicator_id="mortality_age_specific", cancer_type="Bladder", group_value="60 to 69", area_code="E54000059")
    only_child = _row(table, indicator_id="mortality_age_specific", cancer_type="Bladder", group_value="60 to 69", area_code="E38000262")
    assert derived.loc[northamptonshire, "suppression"] != "" and derived.loc[only_child, "suppression"] != ""  # both ends of the chain
    _assert_protected(*_attacker_range(model, withheld, [(llr, 1.0)]))


def test_a_quarter_is_not_the_year_minus_the_quarter_shown(served) -> None:
    # fds_28day, Suspected lower GI, Screening, North East London ICB, 2021-22: 78/144 for the year and 75/141
    # for Q4 were shown, Q1 and Q2 have no rows (known zeros), so Q3 was 3/3.
    table, derived, model, withheld = served
    where = {"indicator_id": "fds_28day", "cancer_type": "Suspected lower gastrointestinal cancer", "group_value": "Screening", "area_code": "E54000029"}
    q3 = _row(table, period="2021-22 Q3", **where)
    assert (table.loc[q3, "numerator"], table.loc[q3, "denominator"]) == (3, 3) and derived.loc[q3, "suppression"] == PRIMARY
    n = model.rows
    _assert_protected(*_attacker_range(model, withheld, [(q3, 1.0)]))  # told within 28 days
    _assert_protected(*_attacker_range(model, withheld, [(q3 + n, 1.0)]))  # told


def test_half_counts_are_small_counts(served) -> None:
    # cwt_62day, Thames Valley, Head & Neck, 2023-06, consultant upgrade: 4.5 of 4.5 was shown.
    table, derived, model, withheld = served
    row = _row(table, indicator_id="cwt_62day", cancer_type="Head & Neck", period="2023-06", area_code="E56000013", group_value="Consultant upgrade")
    assert (table.loc[row, "numerator"], table.loc[row, "denominator"]) == (4.5, 4.5) and derived.loc[row, "suppression"] == PRIMARY
    _assert_protected(*_attacker_range(model, withheld, [(row, 1.0)]))
    _assert_protected(*_attacker_range(model, withheld, [(row + model.rows, 1.0)]))


def test_no_count_of_1_to_4_is_served_anywhere(served) -> None:
    """Every numerator, denominator and difference of 1 to 4 (halves included) in the served table is withheld."""
    _, _, model, withheld = served
    n = model.rows
    shown_small = model.is_cell & ~withheld & is_small(model.values)
    both = model.is_cell[:n] & model.is_cell[n:] & ~withheld[:n] & ~withheld[n:]
    shown_difference = both & is_small(model.values[n:] - model.values[:n])
    assert not shown_small.any() and not shown_difference.any()
