"""Disclosure control: the rule and its audit on worked examples, then on many random selections.

The worked examples are small tables whose safe and unsafe answers are worked out by hand;
the audit (linear programming over every relation) must find the unsafe ones, and must
find nothing once the rule has run.
"""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from scipy import sparse

from dashboard.core.selection import Selection
from dashboard.figures import maps
from dashboard.pipeline.disclosure_model import build_model
from dashboard.pipeline.indicators import INDICATORS
from dashboard.pipeline.protection import audit, decide, served_withheld
from dashboard.presenters.download import download_view
from dashboard.presenters.map import map_view
from dashboard.presenters.table import table_view
from dashboard.query.explorer import Explorer
from dashboard.stats.disclosure import DERIVED, PRIMARY, PROTECTION, SECONDARY, is_small
from dashboard.stats.linear_audit import Relations, components, interval, local_interval, neighbourhood
from dashboard.stats.proofs import Prover, lift_with_frontier
from downloads import read_download  # tests/downloads.py

PARENTS = {"A1": "ALL", "A2": "ALL", "A3": "ALL"}
YEAR = ("2022", "2022-01-01", "2022-12-31", "calendar_year")


def _frame(rows: list[tuple], indicator: str = "early_stage", period: tuple[str, str, str, str] = YEAR) -> pd.DataFrame:
    frame = pd.DataFrame(rows, columns=["area_code", "group_dimension", "group_value", "numerator", "denominator"])
    return frame.assign(
        area_level=np.where(frame["area_code"].isin(["ALL", "ENG"]), "country", "icb"), indicator_id=indicator, period=period[0], period_start=pd.Timestamp(period[1]), period_end=pd.Timestamp(period[2]),
        period_type=period[3], cancer_type="Lung", data_status="published",
    )


def _decide(frame: pd.DataFrame, parents: dict[str, str] | None = None):
    frame = frame.reset_index(drop=True)
    return decide(frame, INDICATORS, parents if parents is not None else PARENTS)


def _findings(frame: pd.DataFrame, withheld_rows: np.ndarray, parents: dict[str, str] | None = None) -> int:
    """What the audit finds when these rows are withheld whole (numerator and denominator)."""
    model = build_model(frame.reset_index(drop=True), INDICATORS, parents if parents is not None else PARENTS)
    return len(audit(model, np.concatenate([withheld_rows, withheld_rows]) & model.is_cell).findings)


def _rows(decision) -> np.ndarray:
    return (decision.reasons != "").to_numpy()


def test_small_counts_halves_and_small_complements_are_primary() -> None:
    rows = [("A1", "all", "All", 3, 50), ("A2", "all", "All", 48, 50), ("A3", "all", "All", 0, 50), ("ALL", "all", "All", 51, 150)]
    reasons = _decide(_frame(rows)).reasons
    assert list(reasons[:2]) == [PRIMARY, PRIMARY]  # 3 people; 50 - 48 = 2 people
    assert reasons[2] != PRIMARY  # zero is not a count of 1 to 4 (it may still be withheld to protect the others)
    assert list(is_small(np.array([0, 0.5, 1, 4, 4.5, 5, np.nan]))) == [False, True, True, True, True, False, False]


def test_one_withheld_area_is_recoverable_until_a_second_is_withheld() -> None:
    frame = _frame([("A1", "all", "All", 3, 50), ("A2", "all", "All", 20, 60), ("A3", "all", "All", 10, 40), ("ALL", "all", "All", 33, 150)])
    only_primary = np.array([True, False, False, False])
    assert _findings(frame, only_primary) >= 1  # 33 - 20 - 10 = 3: the audit must see it
    decision = _decide(frame)
    assert list(decision.reasons) == [PRIMARY, "", SECONDARY, ""]  # the other part with the fewest people (10)
    assert len(audit(decision.model, decision.withheld).findings) == 0


def test_two_small_parts_of_a_small_difference_need_a_third() -> None:
    # A1 = 1 and A2 = 2 withheld beside a shown A3 = 30 inside a shown 33: no relation holds a single
    # withheld cell, yet each is confined to 0..3. The audit sees it; the rule then withholds A3 too.
    frame = _frame([("A1", "all", "All", 1, 60), ("A2", "all", "All", 2, 60), ("A3", "all", "All", 30, 40), ("ALL", "all", "All", 33, 160)])
    model = build_model(frame, INDICATORS, PARENTS)
    only_primary = np.zeros(len(model.values), dtype=bool)
    only_primary[[0, 1]] = True  # the two numerators
    findings = audit(model, only_primary).findings
    assert sorted((f.true_value, round(f.low, 6), round(f.high, 6)) for f in findings) == [(1.0, 0.0, 3.0), (2.0, 0.0, 3.0)]
    decision = _decide(frame)
    assert _rows(decision)[:3].all()
    assert len(audit(decision.model, decision.withheld).findings) == 0


def test_single_child_chain_is_one_identity() -> None:
    # An alliance with one ICB: the ICB's figure is the alliance's. Withholding the ICB alone
    # is no protection; the audit sees through it, the rule does not leave it.
    parents = {"ICB1": "AL1", "ICB2": "AL2", "AL1": "ENG", "AL2": "ENG"}
    frame = _frame([("ICB1", "all", "All", 3, 40), ("AL1", "all", "All", 3, 40), ("ICB2", "all", "All", 50, 90), ("AL2", "all", "All", 50, 90), ("ENG", "all", "All", 53, 130)])
    assert _findings(frame, np.array([True, False, False, False, False]), parents) >= 1
    decision = _decide(frame, parents)
    assert _rows(decision)[:2].all()  # both ends of the chain
    assert len(audit(decision.model, decision.withheld).findings) == 0


def test_absent_months_count_as_known_zeros() -> None:
    # The second reproducer in miniature: a year shows 78/144, its Q4 75/141 and Q1-Q3 have no row.
    year = _frame([("A1", "all", "All", 78, 144)], indicator="fds_28day", period=("2021-22", "2021-04-01", "2022-03-31", "financial_year"))
    q4 = _frame([("A1", "all", "All", 75, 141)], indicator="fds_28day", period=("2021-22 Q4", "2022-01-01", "2022-03-31", "quarter"))
    q3 = _frame([("A1", "all", "All", 3, 3)], indicator="fds_28day", period=("2021-22 Q3", "2021-10-01", "2021-12-31", "quarter"))
    frame = pd.concat([year, q4, q3], ignore_index=True)
    assert _findings(frame, np.array([False, False, True]), {}) >= 1  # Q3 = 78 - 75 = 3
    decision = _decide(frame, {})
    assert len(audit(decision.model, decision.withheld).findings) == 0
    assert _rows(decision)[2] and _rows(decision)[:2].any()


def test_a_count_shared_by_two_indicators_is_protected_in_both() -> None:
    # Patients with a known stage: the early-stage denominator and the completeness numerator.
    stage = _frame([("A1", "all", "All", 1, 3), ("A2", "all", "All", 30, 60), ("ALL", "all", "All", 31, 63)])
    completeness = _frame([("A1", "all", "All", 3, 10), ("A2", "all", "All", 60, 70), ("ALL", "all", "All", 63, 80)], indicator="stage_completeness")
    frame = pd.concat([stage, completeness], ignore_index=True)
    decision = _decide(frame, {"A1": "ALL", "A2": "ALL"})
    assert _rows(decision)[0] and _rows(decision)[3]  # the same 3 people, in both indicators
    assert len(audit(decision.model, decision.withheld).findings) == 0


def test_modelled_rows_show_no_counts_and_go_with_their_total() -> None:
    frame = _frame([("A1", "all", "All", 3, 50), ("A1", "imd_quintile", "1", 1, 10), ("A1", "imd_quintile", "2", 2, 40),
                    ("A2", "all", "All", 20, 60), ("A3", "all", "All", 10, 40), ("ALL", "all", "All", 33, 150)])
    frame.loc[[1, 2], "data_status"] = "modelled"
    reasons = _decide(frame).reasons
    assert list(reasons[:3]) == [PRIMARY, DERIVED, DERIVED]


def test_the_audit_interval_matches_one_worked_by_hand() -> None:
    # x + y = 10 and x + z = 7 shown; x, y, z withheld, all >= 0: x in [0, 7], y in [3, 10], z in [0, 7].
    # cells x, y, z, t1, t2; relations t1 - x - y = 0 and t2 - x - z = 0
    matrix = sparse.csr_matrix(np.array([[-1.0, -1, 0, 1, 0], [-1.0, 0, -1, 0, 1]]))
    relations = Relations(matrix, np.array([True, True]))
    values = np.array([2.0, 8, 5, 10, 7])
    withheld = np.array([True, True, True, False, False])
    labels = components(relations, withheld)
    found = [interval(relations, values, withheld, sparse.csr_matrix(np.eye(5)[[i]]), labels) for i in range(3)]
    assert [(round(f.low, 9), round(f.high, 9)) for f in found] == [(0, 7), (3, 10), (0, 7)]


def _two_by_two() -> tuple[Relations, np.ndarray]:
    """a b | 13 ; c d | 30 ; columns 13 and 30; grand total 43: cells a=3, b=10, c=10, d=20, r1, r2, k1, k2, g."""
    rows = [[-1, -1, 0, 0, 1, 0, 0, 0, 0], [0, 0, -1, -1, 0, 1, 0, 0, 0], [-1, 0, -1, 0, 0, 0, 1, 0, 0], [0, -1, 0, -1, 0, 0, 0, 1, 0],
            [0, 0, 0, 0, -1, -1, 0, 0, 1], [0, 0, 0, 0, 0, 0, -1, -1, 1]]
    return Relations(sparse.csr_matrix(np.array(rows, dtype=float)), np.ones(6, dtype=bool)), np.array([3.0, 10, 10, 20, 13, 30, 13, 30, 43])


def test_a_lone_small_cell_gets_the_cheapest_rectangle_and_its_proof() -> None:
    # Withholding a (3) alone pins it: 13 - 10. To let a rise by 5 one table must move b and c
    # down 5 and d up 5 (41 people), or r1, k1 and g up 5 (99 people), so b, c and d go, and then
    # a is anywhere in [0, 13]: b = 13 - a, c = 13 - a, d = 17 + a.
    relations, values = _two_by_two()
    withheld = np.array([True] + [False] * 8)
    target = sparse.csr_matrix(np.eye(9)[[0]])
    new, lifted = lift_with_frontier(relations, values, withheld, np.ones(9, dtype=bool), values + 1, target, np.array([3.0]), PROTECTION, reach=2)
    assert sorted(new.tolist()) == [1, 2, 3] and lifted.tolist() == [True]
    withheld[new] = True
    found = interval(relations, values, withheld, target, components(relations, withheld))
    assert (round(found.low, 9), round(found.high, 9)) == (0, 13)
    evidence = Prover(relations, values, withheld, target, PROTECTION).run()
    assert evidence.proven(PROTECTION).tolist() == [True]


def test_the_prover_never_calls_a_pinned_count_safe() -> None:
    relations, values = _two_by_two()
    withheld = np.array([True, True] + [False] * 7)  # a + b = 13 shown and a + c = 13 with c shown: a = 3
    evidence = Prover(relations, values, withheld, sparse.csr_matrix(np.eye(9)[[0]]), PROTECTION).run()
    assert evidence.proven(PROTECTION).tolist() == [False]
    assert (evidence.low[0], evidence.high[0]) == (3, 3)


@pytest.fixture(scope="module")
def explorer(dataset) -> Explorer:
    return Explorer.from_dataset(dataset)


def _random_selection(explorer: Explorer, data) -> Selection:
    indicator = data.draw(st.sampled_from([i for i in explorer.tables if explorer.registry[i].counts_people]))
    sel = explorer.normalise(Selection(indicator, "", "", "icb"))[0]
    sel = explorer.normalise(sel.with_(cancer=data.draw(st.sampled_from([o.value for o in explorer.cancer_options(indicator)]))))[0]
    levels = [o.value for o in explorer.level_options(sel) if not o.disabled]
    sel = explorer.normalise(sel.with_(level=data.draw(st.sampled_from(levels))))[0]
    sel = explorer.normalise(sel.with_(period=data.draw(st.sampled_from([o.value for o in explorer.period_options(sel)]))))[0]
    groups = [o.value for o in explorer.group_options(sel) if not o.disabled]
    sel = explorer.normalise(sel.with_(group=data.draw(st.sampled_from(groups))))[0]
    if sel.group != "all":
        sel = explorer.normalise(sel.with_(group_value=data.draw(st.sampled_from([o.value for o in explorer.group_value_options(sel)]))))[0]
    return sel


def _no_small_counts(frame: pd.DataFrame) -> None:
    for column in ("numerator", "denominator"):
        values = pd.to_numeric(frame[column], errors="coerce").to_numpy()
        assert not is_small(values).any(), frame.loc[is_small(values)]
    complement = pd.to_numeric(frame["denominator"], errors="coerce") - pd.to_numeric(frame["numerator"], errors="coerce")
    assert not is_small(complement.to_numpy()).any()


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_random_selections_show_no_small_count(explorer: Explorer, data) -> None:
    sel = _random_selection(explorer, data)
    # The table and the download.
    table = pd.DataFrame(table_view(explorer, sel))
    _, text = download_view(explorer, sel, permalink="x", generated=pd.Timestamp("2026-01-01"))
    _, download, _ = read_download(text)
    for frame in (table, download):
        if not frame.empty:
            _no_small_counts(frame)
    # The map and the ranked chart show a value only for rows the table shows.
    shown = set(table.loc[table["value"].notna(), "area_code"]) if not table.empty else set()
    mapped = map_view(explorer, sel, _geometry(explorer)).properties["traces"][maps.AREAS]["locations"]
    assert set(mapped) == shown


def test_no_exact_sum_in_the_served_table_has_a_single_withheld_cell(served_model) -> None:
    """Across the whole served table, not a sample: subtraction within one relation recovers nothing.

    (Whether a sum is exact is read from the data: e.g. mortality's "All cancers" also counts
    sites not listed, so one withheld site there is only bounded, not recovered.)"""
    model, withheld = served_model
    exact = model.relations.matrix[np.flatnonzero(model.relations.equality)].tocsr()
    exact.data[:] = 1
    assert int(((exact @ withheld.astype(float)) == 1).sum()) == 0


@pytest.fixture(scope="module")
def served_model():
    from pathlib import Path

    from dashboard.core.settings import DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR
    from dashboard.data.boundaries import load_boundaries
    from dashboard.data.loading import read_derived, read_table
    from dashboard.data.registry import read_registry

    path = Path(DEFAULT_DATA_DIR) / "indicators.parquet"
    table = read_table(path)
    derived = read_derived(Path(DEFAULT_DATA_DIR) / "derived.parquet", table_path=path, rows=len(table))
    model = build_model(table, read_registry(Path(DEFAULT_DATA_DIR) / "indicator_metadata.json"), load_boundaries(Path(DEFAULT_GEODATA_DIR)).parents())
    return model, served_withheld(model, derived)


def _geometry(explorer: Explorer):
    from dashboard.figures.maps import MapGeometry

    codes = {}
    for level in ("alliance", "icb", "subicb"):
        codes[level] = sorted({str(c) for t in explorer.tables.values() for c in t.loc[t["area_level"] == level, "area_code"].unique()})
    return MapGeometry(urls={k: f"/geo/{k}.json" for k in codes}, outline_url="/geo/outline.json", level_codes=codes, alliance_codes=codes["alliance"], bounds={"": (0, 0, 1, 1)})


def test_a_neighbourhood_programme_gives_an_interval_inside_the_attackers() -> None:
    # All four inner cells withheld, margins shown: a = 3 can be anywhere in [0, 13] (b = 13 - a,
    # c = 13 - a, d = 17 + a). Held to a alone (the others at their true values) it cannot move;
    # with its three neighbours free it has the whole range: a restriction never claims more room.
    relations, values = _two_by_two()
    withheld = np.array([True] * 4 + [False] * 5)
    target = sparse.csr_matrix(np.eye(9)[[0]])
    assert neighbourhood(relations, withheld, np.array([0]), 1).tolist() == [0]
    assert neighbourhood(relations, withheld, np.array([0]), 3).tolist() == [0, 1, 2]  # b and c share a sum with a; d is two away
    assert neighbourhood(relations, withheld, np.array([0]), 10).tolist() == [0, 1, 2, 3]
    alone = local_interval(relations, values, withheld, target, 1)
    assert (alone.low, alone.high) == (3, 3)
    with_three = local_interval(relations, values, withheld, target, 3)
    assert (with_three.low, with_three.high) == (3, 3)  # d held at 20 pins b + d = 30 and c + d = 30
    whole = local_interval(relations, values, withheld, target, 10)
    assert (round(whole.low, 9), round(whole.high, 9)) == (0, 13)


def test_the_audit_also_reads_off_what_is_shown() -> None:
    # Nothing withheld: A1's 3 people and A2's 50 - 48 = 2 are read straight off the page. The
    # audit checks the result, not only the withheld cells, so it reports both (cells: A1's
    # numerator; A2's numerator and denominator).
    frame = _frame([("A1", "all", "All", 3, 50), ("A2", "all", "All", 48, 50), ("A3", "all", "All", 20, 50), ("ALL", "all", "All", 71, 150)])
    model = build_model(frame, INDICATORS, PARENTS)
    findings = audit(model, np.zeros(len(model.values), dtype=bool)).findings
    assert sorted((f.cells, f.true_value) for f in findings) == [((0,), 3.0), ((1, 5), 2.0)]
