"""Proofs that withheld small quantities are safe, and the least extra withholding that makes one exist.

A proof for a quantity is a table that fits every shown number and every relation, in which
the quantity is at least the protection width away from its value in another such table (the
true one, or one found earlier). `Prover` finds tables that prove many quantities at once;
`lift_with_frontier` chooses shown cells to withhold so that such a table exists, and the table
it finds is the proof.

A group of linked withheld cells can hold tens of thousands of cells; one programme over it
takes seconds to minutes, and proves or lifts thousands of quantities at once.
"""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

import numpy as np
from scipy import sparse

from dashboard.stats.linear_audit import (
    TOLERANCE,
    Evidence,
    Programme,
    Relations,
    _batch_table,
    _solve,
    components,
    programme,
    solve_lp,
    touching,
    upper_bound,
)

BIG = 1500  # a linked group of more withheld cells than this is big: one programme over it takes minutes
NEIGHBOURHOOD = 400  # withheld cells near a quantity that the audit's quick check may move


def hidden_part(targets: sparse.csr_matrix, withheld: np.ndarray) -> sparse.csr_matrix:
    """Each target's withheld cells (the rest of it is shown, a constant)."""
    hidden = targets.multiply(withheld[None, :]).tocsr()
    hidden.eliminate_zeros()
    return hidden


class Prover:
    """Shows withheld targets safe by finding tables that fit everything shown and move them far apart.

    Per connected component of withheld cells: one programme that pushes every target down, then
    rounds that lift a random half of those not yet proven (each round's table proves many at
    once) until a round proves few more, then one that lifts all that are left. Every table
    found is a real alternative an attacker cannot rule out, so a proof here is a proof; what it
    cannot prove is left for the exact interval or for more withholding."""

    def __init__(self, relations: Relations, values: np.ndarray, withheld: np.ndarray, targets: sparse.csr_matrix, width: float,
                 seed: int = 0, evidence: Evidence | None = None, few_at_a_time: int = 0) -> None:
        self.few_at_a_time = few_at_a_time
        self.relations, self.values, self.withheld, self.width = relations, values, withheld, width
        self.targets = targets.tocsr()
        self.known = np.nan_to_num(values)
        self.truth = self.targets @ self.known
        # Tables found while fewer cells were withheld still fit: withholding only widens what is possible.
        self.evidence = evidence if evidence is not None else Evidence(self.truth.copy(), self.truth.copy())
        self.labels = components(relations, withheld)
        self.sizes = np.bincount(self.labels[self.labels >= 0]) if withheld.any() else np.zeros(0, dtype=np.int64)
        self.upper = upper_bound(values)
        self.seed = seed

    def target_components(self) -> np.ndarray:
        """The component of each target (its withheld cells all share one: they are linked by a relation or are one cell)."""
        hidden = hidden_part(self.targets, self.withheld)
        first = np.minimum(hidden.indptr[:-1], max(len(hidden.indices) - 1, 0))
        return np.where(np.diff(hidden.indptr) > 0, self.labels[hidden.indices[first]] if len(hidden.indices) else -1, -1)

    def is_big(self, label: int) -> bool:
        return bool(self.sizes[label] > BIG)

    def _record(self, ids: np.ndarray, forms: sparse.csr_matrix, constant: np.ndarray, x: np.ndarray | None) -> None:
        if x is not None:
            self.evidence.record(ids, forms @ x + constant)

    def _proven(self, ids: np.ndarray) -> np.ndarray:
        return self.evidence.proven(self.width)[ids]

    def prove_component(self, label: int, ids: np.ndarray, rounds: int = 14) -> None:
        columns = np.flatnonzero(self.labels == label)
        prog = programme(self.relations, self.values, columns, self.upper)
        forms = self.targets[ids][:, columns].tocsr()
        constant = self.targets[ids].multiply(~self.withheld[None, :]).tocsr() @ self.known
        rng = np.random.default_rng((self.seed, int(columns[0])))  # the same rounds whichever worker runs it, whatever its label
        self._record(ids, forms, constant, _solve(prog, np.asarray(forms.sum(axis=0)).ravel()))
        stalled = 0
        for _ in range(rounds):
            active = np.flatnonzero(~self._proven(ids))
            if len(active) == 0:
                return
            chosen = active if len(active) <= 40 else active[rng.random(len(active)) < 0.5]
            self._lift(prog, ids, forms, constant, chosen, rng.uniform(0.2, 1.0, len(chosen)))
            gained = len(active) - int((~self._proven(ids)).sum())
            stalled = stalled + 1 if gained < max(2, 0.02 * len(active)) else 0
            if stalled >= 2:
                break
        active = np.flatnonzero(~self._proven(ids))
        if len(active):
            # All that are left at once: when one table can free them all (as the one that decided to
            # withhold more for them did), this finds it, so a proof made in the build is found again here.
            self._lift(prog, ids, forms, constant, active, np.ones(len(active)))
        # Then (for the audit, which has no build tables to start from) a few at a time: quantities that crowd
        # each other out of one table (two small cells in one sum with room for one of them) each get their own.
        for chunk in np.array_split(rng.permutation(np.flatnonzero(~self._proven(ids))), self.few_at_a_time) if self.few_at_a_time else []:
            chunk = chunk[~self._proven(ids[chunk])]
            if len(chunk):
                self._lift(prog, ids, forms, constant, chunk, np.ones(len(chunk)))
        active = np.flatnonzero(~self._proven(ids))
        if len(active):
            self._record(ids, forms, constant, _solve(prog, np.asarray(forms[active].sum(axis=0)).ravel()))

    def _lift(self, prog: Programme, ids: np.ndarray, forms: sparse.csr_matrix, constant: np.ndarray, chosen: np.ndarray, weights: np.ndarray) -> None:
        x = _batch_table(prog, forms[chosen], constant[chosen], self.evidence.low[ids[chosen]], self.width, weights)
        self._record(ids, forms, constant, x)

    def _prove_one(self, label: int, ids: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        self.prove_component(label, ids)
        return label, ids, self.evidence.low[ids], self.evidence.high[ids]

    def jobs(self) -> list[tuple[int, np.ndarray]]:
        """(component, unproven targets) to work on, largest first; a big component's targets in chunks."""
        owner = self.target_components()
        open_ = ~self.evidence.proven(self.width)
        labels, sizes = np.unique(owner[(owner >= 0) & open_], return_counts=True)
        out = []
        for label in labels[np.argsort(-sizes, kind="stable")]:
            ids = np.flatnonzero((owner == label) & open_)
            out.append((int(label), ids))
        return out

    def run(self, log: Callable[[str], None] | None = None, workers: int = 1) -> Evidence:
        """Prove what can be proven, component by component (`workers` processes at once, forked)."""
        jobs = self.jobs()

        def report(label: int, ids: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
            self.evidence.record(ids, low)
            self.evidence.record(ids, high)
            if log is not None and len(ids) >= 100:
                log(f"{len(ids)} small quantities linked: {int(self.evidence.proven(self.width)[ids].sum())} proven by tables that fit everything shown")

        if workers > 1 and len(jobs) > 1 and len(self.truth) > 1000:  # forking pays only for big tables
            global _FORKED
            _FORKED = self
            with ProcessPoolExecutor(workers, mp_context=get_context("fork")) as pool:
                for result in pool.map(_prove_forked, jobs):
                    report(*result)
            _FORKED = None
        else:
            for label, ids in jobs:
                report(*self._prove_one(label, ids))
        return self.evidence


_FORKED: Prover | None = None  # the prover a forked worker inherits (its arrays are shared copy-on-write, not pickled)


def _prove_forked(job: tuple[int, np.ndarray]) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
    assert _FORKED is not None
    return _FORKED._prove_one(*job)


def _ring(relations: Relations, cells: np.ndarray, allowed: np.ndarray) -> np.ndarray:
    """`cells` and the `allowed` cells that share a relation with one of them."""
    beside = np.unique(relations.matrix[touching(relations, cells)].indices)
    return np.union1d(cells, beside[allowed[beside]])


def _charged_lift(relations: Relations, values: np.ndarray, columns: np.ndarray, charge: np.ndarray,
                  forms: sparse.csr_matrix, floors: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray] | None:
    """The table (over `columns`) that lifts each target up to `width` above its floor, paying
    `charge[j]` per person cell j moves from its true value (NaN: free); (table, per target lifted)."""
    known = np.nan_to_num(values)
    prog = programme(relations, values, columns, upper_bound(values))
    n, k = len(columns), forms.shape[0]
    charged = np.flatnonzero(~np.isnan(charge))
    m = len(charged)
    outside = np.ones(len(known), dtype=bool)
    outside[columns] = False
    constant = forms.multiply(outside[None, :]).tocsr() @ known
    # variables: table (n), moved up (m), moved down (m), lift (k).  table_charged - up + down = true value.
    link = sparse.hstack([sparse.csr_matrix((np.ones(m), (np.arange(m), charged)), shape=(m, n)), -sparse.identity(m), sparse.identity(m), sparse.csr_matrix((m, k))])
    a_eq = sparse.vstack([sparse.hstack([prog.a_eq, sparse.csr_matrix((prog.a_eq.shape[0], 2 * m + k))]), link]).tocsr()
    b_eq = np.concatenate([prog.b_eq, known[columns[charged]]])
    lift = sparse.hstack([-forms[:, columns], sparse.csr_matrix((k, 2 * m)), sparse.identity(k)])  # lift_t <= form_t - floor_t
    a_ub = sparse.vstack([sparse.hstack([prog.a_ub, sparse.csr_matrix((prog.a_ub.shape[0], 2 * m + k))]), lift]).tocsr()
    b_ub = np.concatenate([prog.b_ub, constant - floors])
    x = solve_lp(
        np.concatenate([np.zeros(n), charge[charged], charge[charged], -np.ones(k)]), A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
        bounds=[(0, prog.upper)] * (n + 2 * m) + [(0, width)] * k,
    )
    if x is None:
        return None
    return x[:n], x[n + 2 * m:] >= width - TOLERANCE


def lift_with_frontier(relations: Relations, values: np.ndarray, withheld: np.ndarray, movable: np.ndarray, cost: np.ndarray,
                       forms: sparse.csr_matrix, floors: np.ndarray, width: float, reach: int = 0, price: float = 1e-4) -> tuple[np.ndarray, np.ndarray]:
    """Shown cells to withhold so that one table lifts each target `width` above its floor:
    (those cells, per target whether it was lifted).

    One linear programme over the withheld cells the targets' components hold, the shown
    `movable` cells beside them, and the movable cells within `reach` relations of the targets
    (everything else at its true value). Lifting a target is worth
    1 per person up to `width`; moving a shown cell costs `price * cost` per person, so the
    programme lifts every target it can and moves the fewest people to do it (a linear stand-in
    for fewest people withheld). Every shown cell it moves is withheld, and the table it found
    is then the proof: it fits everything still shown."""
    hidden = hidden_part(forms, withheld)
    labels = components(relations, withheld)
    inner = np.flatnonzero(np.isin(labels, np.unique(labels[hidden.indices])) & withheld)
    columns = _ring(relations, inner, movable | withheld)
    near = np.unique(hidden.indices)
    for _ in range(reach):
        near = _ring(relations, near, movable | withheld)
    columns = np.union1d(columns, near)
    charge = np.where(withheld[columns], np.nan, price * cost[columns])
    found = _charged_lift(relations, values, columns, charge, forms, floors, width)
    if found is None:
        return np.array([], dtype=np.int64), np.zeros(forms.shape[0], dtype=bool)
    table, lifted = found
    return _moved(columns, table, values, ~withheld[columns]), lifted


def _moved(columns: np.ndarray, table: np.ndarray, values: np.ndarray, among: np.ndarray) -> np.ndarray:
    return columns[among & (np.abs(table - np.nan_to_num(values[columns])) > 1e-7)]
