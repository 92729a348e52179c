"""Disclosure control: which counts to withhold so that no count of 1 to 4 people can be seen or worked out.

Cells are counts: a row's numerator and, for a percentage, its denominator. Withholding a
numerator withholds the row's value and interval too; its denominator stays shown unless
it must go as well.

Primary rule: a count greater than 0 and less than 5 (halves included: the 62-day standard
publishes 0.5 for a shared pathway) is withheld; so is a numerator whose denominator minus
it is in that range (and a small denominator withholds its numerator with it).

Secondary rule, in two steps. First a fast closure: wherever a relation among the numbers
(`dashboard.pipeline.disclosure_model`: areas in their parent, periods in a longer one, groups
in their total, cancer types in "All", counts two indicators share, numerator within
denominator) would give a withheld small count away on its own, the cheapest other cell (the
fewest people among those of 5 or more; England's figures last) is withheld too. Then a proof
for every withheld small quantity: a table that fits everything left shown in which it is at
least 5 people from its lowest possible value (`proofs.Prover`). Where none is found, one
linear programme per group of linked cells withholds the fewest people beside them that let such
a table exist (`proofs.lift_with_frontier`), and that table is the proof. A row computed
from a withheld count (a persons age-standardised rate from its age bands, a modelled split
from its total) is withheld with it.

`audit` checks the result independently, from the served numbers alone.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context

import numpy as np
from scipy import sparse

from dashboard.stats.linear_audit import (
    TOLERANCE,
    Evidence,
    Relations,
    interval,
    local_interval,
)
from dashboard.stats.proofs import NEIGHBOURHOOD, Prover, lift_with_frontier

PROTECTION = 5.0  # an attacker's interval for a small count must be at least this many people wide
IMPORTANT = 1e6  # added to a cell's cost: chosen as a partner only when no other will do
PRIMARY = "Withheld: a count of 1 to 4 people"
SECONDARY = "Withheld: would let a withheld count of 1 to 4 be worked out from other figures"
DERIVED = "Withheld: computed from a withheld count"
MODELLED_COUNTS = "Modelled figures show a percentage only: the model estimates shares, not counts of real people."
WORKERS = min(2, os.cpu_count() or 1)  # processes proving linked groups of cells at once
AUDIT_BATCHES = 40  # the audit's last rounds: what is left, split into this many batches, one table each
FINISH_PASSES = 3  # fresh searches, each followed by lifts further out, at the end
LAST_RESORT = 1e3  # England's extra cost when finishing: 0.1 per person moved against a lift's 1, so withheld only when nothing else lifts
MAX_PASSES = 10  # prove, then withhold more for what is left, at most this many times


def is_small(count: np.ndarray) -> np.ndarray:
    """Greater than 0 and less than 5, halves included; NaN is not small."""
    with np.errstate(invalid="ignore"):
        return (count > 0) & (count < PROTECTION)


@dataclass(frozen=True)
class Table:
    """A table's cells, as the disclosure model numbers them: row r's numerator is cell r, its denominator n_rows + r."""

    values: np.ndarray
    is_cell: np.ndarray
    relations: Relations
    inputs: tuple[np.ndarray, np.ndarray]  # (dependent row, input row): withhold the first whole when the second's numerator is withheld

    @property
    def rows(self) -> int:
        return len(self.values) // 2

    def both(self) -> np.ndarray:
        """Rows with a numerator and a denominator that are both counts."""
        return self.is_cell[: self.rows] & self.is_cell[self.rows:]


def primary_cells(table: Table) -> np.ndarray:
    """Cells withheld by the primary rule: small counts, and numerators with a small complement."""
    n = table.rows
    small = table.is_cell & is_small(table.values)
    complement = table.both() & is_small(table.values[n:] - table.values[:n])
    numerator = small[:n] | small[n:] | complement
    return table.is_cell & np.concatenate([numerator, small[n:]])


def sensitive_targets(table: Table, withheld: np.ndarray) -> sparse.csr_matrix:
    """One linear form per withheld small quantity: a count of 1 to 4, or a denominator minus numerator of 1 to 4."""
    n = table.rows
    cells = np.flatnonzero(withheld & table.is_cell & is_small(table.values))
    both = np.flatnonzero((withheld[:n] | withheld[n:]) & table.both() & is_small(table.values[n:] - table.values[:n]))
    k, m = len(cells), len(both)
    rows = np.concatenate([np.arange(k), k + np.arange(m), k + np.arange(m)])
    cols = np.concatenate([cells, both + n, both])
    data = np.concatenate([np.ones(k), np.ones(m), -np.ones(m)])
    return sparse.csr_matrix((data, (rows, cols)), shape=(k + m, len(table.values)))


def propagate(table: Table, withheld: np.ndarray) -> None:
    """Withhold, whole, every row computed from a row whose numerator is withheld (in place)."""
    n = table.rows
    dependent, source = table.inputs
    while True:
        new = dependent[withheld[source] & ~withheld[dependent]]
        if len(new) == 0:
            return
        withheld[new] = True
        withheld[new + n] |= table.is_cell[new + n]


def _cheapest_partners(table: Table, relation_ids: np.ndarray, withheld: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """For each relation, its cheapest shown cell that could move by PROTECTION (5 or more people),
    else its largest shown cell."""
    sub = table.relations.matrix[relation_ids].tocoo()
    candidate = table.is_cell[sub.col] & ~withheld[sub.col]
    rel, cell = sub.row[candidate], sub.col[candidate]
    value = np.nan_to_num(table.values[cell])
    too_small = value < PROTECTION
    order = np.lexsort((np.where(too_small, -value, cost[cell]), too_small, rel))
    rel, cell = rel[order], cell[order]
    first = np.ones(len(rel), dtype=bool)
    first[1:] = rel[1:] != rel[:-1]
    return np.unique(cell[first])


def close_single_cells(table: Table, withheld: np.ndarray, cost: np.ndarray, rounds: int = 100) -> None:
    """Withhold partners (in place) until no relation gives a withheld count away on its own:
    no exact relation holds exactly one withheld cell (subtraction would recover it), and no
    relation whose withheld cells are all parts leaves them fewer than 5 people to share
    (1 and 2 withheld beside a shown 30 inside a shown 33 would each be 0 to 3)."""
    matrix = table.relations.matrix
    pattern = matrix.copy()
    pattern.data[:] = 1
    parts = matrix.copy()
    parts.data = np.where(parts.data < 0, 1.0, 0.0)
    totals = matrix.copy()
    totals.data = np.where(totals.data > 0, 1.0, 0.0)
    values = np.nan_to_num(table.values)
    slack = matrix @ values  # 0 for an exact sum; what a covering total holds beyond its parts
    exact = table.relations.equality
    for _ in range(rounds):
        propagate(table, withheld)
        hidden = (withheld & table.is_cell).astype(float)
        count = pattern @ hidden
        hidden_parts = parts @ (hidden * values)
        total_hidden = (totals @ hidden) > 0
        lone = (exact & (count == 1)) | ((count >= 1) & ~total_hidden & (hidden_parts + np.where(exact, 0.0, slack) < PROTECTION - 1e-9))
        exposed = np.flatnonzero(lone)
        if len(exposed) == 0:
            return
        chosen = _cheapest_partners(table, exposed, withheld, cost)
        chosen = chosen[~withheld[chosen]]
        if len(chosen) == 0:
            return
        _withhold(table, withheld, chosen)


@dataclass(frozen=True)
class Finding:
    """A withheld small quantity an attacker can confine to fewer than PROTECTION values."""

    target: int
    cells: tuple[int, ...]
    true_value: float
    low: float
    high: float


def audit(table: Table, withheld: np.ndarray, exact_limit: int | None = None, log: Callable[[str], None] | None = None) -> tuple[int, int, list[Finding]]:
    """(small quantities checked, how many needed the exact programme, those an attacker can narrow below PROTECTION).

    `withheld` is per cell; a withheld cell is an unknown, every other cell a known constant.
    `Prover` first looks for tables that show each quantity free to move; each it cannot is given
    the exact programme (at most `exact_limit` of them; any beyond are reported with a NaN interval)."""
    targets = sensitive_targets(table, withheld)
    cells = withheld & table.is_cell
    shown = shown_breaches(table, withheld)
    prover = Prover(table.relations, table.values, cells, targets, PROTECTION, few_at_a_time=AUDIT_BATCHES)
    evidence = prover.run(log=log, workers=WORKERS)
    truth = targets @ np.nan_to_num(table.values)
    findings, exact = [], 0
    for t in np.flatnonzero(~evidence.proven(PROTECTION)):
        form = targets[t]
        # Tables that change only the cells near it first (a wide enough one there is a proof), then the exact programme.
        if local_interval(table.relations, table.values, cells, form, 4 * NEIGHBOURHOOD).width >= PROTECTION - TOLERANCE:
            continue
        if exact_limit is not None and exact >= exact_limit:
            findings.append(Finding(int(t), tuple(int(c) for c in form.indices), float(truth[t]), np.nan, np.nan))
            continue
        exact += 1
        found = interval(table.relations, table.values, cells, form, prover.labels)
        if found.width < PROTECTION - TOLERANCE or np.isnan(found.width):
            findings.append(Finding(int(t), tuple(int(c) for c in form.indices), float(truth[t]), found.low, found.high))
    return targets.shape[0], exact, shown + findings


def shown_breaches(table: Table, withheld: np.ndarray) -> list[Finding]:
    """What the primary rule and the computed-from rule would catch, checked again on the result:
    a shown count of 1 to 4, a shown numerator and denominator 1 to 4 apart, a shown row computed
    from a withheld count. Each is a finding an attacker reads off directly (target -1)."""
    n = table.rows
    values = table.values
    out = [Finding(-1, (int(c),), float(values[c]), float(values[c]), float(values[c]))
           for c in np.flatnonzero(table.is_cell & ~withheld & is_small(values))]
    gap = values[n:] - values[:n]
    out += [Finding(-1, (int(r), int(r + n)), float(gap[r]), float(gap[r]), float(gap[r]))
            for r in np.flatnonzero(table.both() & ~withheld[:n] & ~withheld[n:] & is_small(gap))]
    return out + [Finding(-1, (int(d),), float(values[d]), float(values[d]), float(values[d])) for d in shown_dependents(table, withheld, withheld[: table.rows])]


def shown_dependents(table: Table, withheld: np.ndarray, row_withheld: np.ndarray) -> np.ndarray:
    """Rows shown (per `row_withheld`) though computed from a row whose numerator is withheld."""
    dependent, source = table.inputs
    return np.unique(dependent[withheld[source] & ~row_withheld[dependent]])


def protect(table: Table, primary: np.ndarray, important: np.ndarray | None = None, log: Callable[[str], None] | None = None) -> np.ndarray:
    """Cells to withhold (primary included), such that every withheld small quantity is shown,
    by a table that fits everything left shown, to be free to move at least PROTECTION people.

    First the fast closure (`close_single_cells`: no relation gives a withheld count away on its
    own); then `Prover` looks for tables proving each small quantity safe; for those it cannot,
    `lift_with_frontier` withholds the fewest people beside them that let one table lift them all,
    and that table is their proof. Rows marked `important` (England's figures) are chosen last."""
    withheld = primary.copy()
    cost = _cost(table, important, IMPORTANT)
    close_single_cells(table, withheld, cost)
    targets = sensitive_targets(table, withheld)
    evidence = None
    for _ in range(MAX_PASSES):
        prover = Prover(table.relations, table.values, withheld & table.is_cell, targets, PROTECTION, evidence=evidence)
        evidence = prover.run(log=log, workers=WORKERS)
        unproven = ~evidence.proven(PROTECTION)
        if log is not None:
            log(f"pass: {int(unproven.sum())} of {len(unproven)} small quantities without a proof")
        if not unproven.any():
            break
        # In a big component one programme takes minutes: lift once per pass and let the next pass's
        # proofs (and lifts) take what is left; the retries further out pay only in small ones.
        lifted = _lift_unproven(table, withheld, cost, targets, prover, unproven, (0,), log)
        _lifted(evidence, lifted, prover.truth)
    if log is not None and evidence is not None and not evidence.proven(PROTECTION).all():
        log(f"WARNING: {int((~evidence.proven(PROTECTION)).sum())} small quantities still without a proof after {MAX_PASSES} passes; run the audit")
    # A cell withheld for a lift (or with one) may stand alone in some sum: close again. Withholding
    # more keeps every proof above.
    close_single_cells(table, withheld, cost)
    return finish(table, withheld, important, log)


def finish(table: Table, withheld: np.ndarray, important: np.ndarray | None = None, log: Log = None) -> np.ndarray:
    """The last step of `protect`, from its withheld cells alone: search afresh as the audit will
    (no tables carried over), and for what that cannot prove, lift looking further out in every
    group, big ones too, England's figures allowed at a last-resort price; close again. In place;
    returns `withheld`."""
    cost = _cost(table, important, LAST_RESORT)
    for _ in range(FINISH_PASSES):
        targets = sensitive_targets(table, withheld)
        prover = Prover(table.relations, table.values, withheld & table.is_cell, targets, PROTECTION, few_at_a_time=AUDIT_BATCHES)
        unproven = ~prover.run(log=log, workers=WORKERS).proven(PROTECTION)
        if log is not None:
            log(f"finishing: {int(unproven.sum())} of {len(unproven)} small quantities without a proof found afresh")
        if not unproven.any():
            break
        _lift_unproven(table, withheld, cost, targets, prover, unproven, (0, 2, 3), log)
        close_single_cells(table, withheld, cost)
    return withheld


Log = Callable[[str], None] | None


def _cost(table: Table, important: np.ndarray | None, extra: float) -> np.ndarray:
    """Per cell, the price of moving one of its people: its size plus one, and `extra` for `important` rows' cells."""
    return np.nan_to_num(table.values) + 1.0 + (extra * np.concatenate([important, important]) if important is not None else 0.0)


def _lift_unproven(table: Table, withheld: np.ndarray, cost: np.ndarray, targets: sparse.csr_matrix, prover: Prover,
                   unproven: np.ndarray, big_reaches: tuple[int, ...], log: Log) -> np.ndarray:
    """Lift the `unproven` targets, component by component (reaches 0, 2 and 3 in a small one,
    `big_reaches` in a big one), withholding (in place) the cells the lifts move; the targets lifted."""
    owner = prover.target_components()
    labels, sizes = np.unique(owner[unproven], return_counts=True)
    jobs = [(np.flatnonzero(unproven & (owner == label)), big_reaches if prover.is_big(int(label)) else (0, 2, 3))
            for label in labels[np.argsort(-sizes, kind="stable")]]
    lifted_all = []
    for new, lifted, ids in _lift_all(table, withheld, cost, targets, prover.truth, jobs):
        _withhold(table, withheld, new)
        lifted_all.append(lifted)
        if log is not None and len(ids) >= 100:
            log(f"  lifted {len(lifted)} of {len(ids)} by withholding {len(new)} more cells")
    return np.concatenate(lifted_all) if lifted_all else np.array([], dtype=np.int64)


def _lifted(evidence: Evidence, ids: np.ndarray, truth: np.ndarray) -> None:
    """Record that a table fitting everything shown holds each of `ids` PROTECTION above its true value."""
    evidence.high[ids] = np.maximum(evidence.high[ids], truth[ids] + PROTECTION)


def _lift_component(table: Table, withheld: np.ndarray, cost: np.ndarray, targets: sparse.csr_matrix, truth: np.ndarray,
                    job: tuple[np.ndarray, tuple[int, ...]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(cells to withhold, targets lifted, targets tried): one programme over the targets' whole
    component; for any it could not lift, again with the cells a few relations further (`job`'s reaches)."""
    ids, reaches = job
    withheld, tried, new_cells, lifted_ids = withheld.copy(), ids, [], []
    for reach in reaches:
        # Lifted 5 above its true value, so the true table and this one are the proof.
        new, lifted = lift_with_frontier(table.relations, table.values, withheld & table.is_cell, table.is_cell, cost,
                                         targets[ids], truth[ids], PROTECTION, reach)
        _withhold(table, withheld, new)
        new_cells.append(new)
        lifted_ids.append(ids[lifted])
        ids = ids[~lifted]
        if len(ids) == 0:
            break
    return np.concatenate(new_cells), np.concatenate(lifted_ids), tried


_LIFTING: tuple | None = None  # what forked lifting workers inherit (shared copy-on-write, not pickled)


def _lift_forked(job: tuple[np.ndarray, tuple[int, ...]]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    assert _LIFTING is not None
    return _lift_component(*_LIFTING, job)


def _lift_all(table: Table, withheld: np.ndarray, cost: np.ndarray, targets: sparse.csr_matrix, truth: np.ndarray,
              jobs: list[tuple[np.ndarray, tuple[int, ...]]]) -> list[tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """Every component's lift, each against the same withheld cells (so the result does not depend on
    how many processes share the work). Each table moves only its own cells, so it stays a proof
    whatever the others withhold: withholding more only widens what is possible."""
    global _LIFTING
    if WORKERS < 2 or len(jobs) < 2 or len(withheld) < 2000:
        return [_lift_component(table, withheld, cost, targets, truth, job) for job in jobs]
    _LIFTING = (table, withheld, cost, targets, truth)
    try:
        with ProcessPoolExecutor(WORKERS, mp_context=get_context("fork")) as pool:
            return list(pool.map(_lift_forked, jobs))
    finally:
        _LIFTING = None


def _withhold(table: Table, withheld: np.ndarray, cells: np.ndarray) -> None:
    """Withhold `cells` (in place), a withheld denominator's numerator with it, and every row computed from them."""
    withheld[cells] = True
    withheld[cells[cells >= table.rows] - table.rows] = True
    propagate(table, withheld)
