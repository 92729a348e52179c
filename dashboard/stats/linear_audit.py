"""What anyone can work out about withheld counts from everything shown: linear programming.

A *system* is a set of cells (counts, each at least 0) and homogeneous linear relations
among them: for relation r, sum_j a_rj * x_j == 0 (an exact sum: a total minus its parts)
or >= 0 (a total that covers more than its listed parts). Shown cells are constants; the
withheld ones are the unknowns. The interval an attacker can derive for a withheld
quantity is its minimum and maximum over every table that agrees with all shown cells and
all relations: two linear programmes, solved with HiGHS through `scipy.optimize.linprog`.

Speed: a quantity is shown safe by *any* table that fits everything shown and moves it far
enough, and one table can do that for thousands of quantities at once (`Prover`). Only a
quantity that no such table was found for gets the exact programme over its whole connected
component of withheld cells, whose answer is the attacker's interval itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from functools import cached_property
from multiprocessing import get_context

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

TOLERANCE = 1e-6


@dataclass(frozen=True)
class Relations:
    """Relations x cells coefficients; `equality[r]` False means the relation is ">= 0"."""

    matrix: sparse.csr_matrix
    equality: np.ndarray

    @property
    def cells(self) -> int:
        return int(self.matrix.shape[1])

    @cached_property
    def by_cell(self) -> sparse.csc_matrix:
        return self.matrix.tocsc()


@dataclass(frozen=True)
class Interval:
    low: float
    high: float

    @property
    def width(self) -> float:
        return self.high - self.low


def components(relations: Relations, withheld: np.ndarray) -> np.ndarray:
    """Component label per cell: withheld cells linked through a relation share one; -1 for shown cells."""
    incidence = relations.matrix[:, withheld].tocsr()
    incidence.data[:] = 1
    links = (incidence.T @ incidence).tocsr()
    _, labels = connected_components(links, directed=False)
    out = np.full(relations.cells, -1, dtype=np.int64)
    out[np.flatnonzero(withheld)] = labels
    return out


@dataclass(frozen=True)
class Programme:
    """The constraints on the withheld cells `columns` (their positions in the whole system)."""

    columns: np.ndarray
    a_eq: sparse.csr_matrix
    b_eq: np.ndarray
    a_ub: sparse.csr_matrix
    b_ub: np.ndarray
    upper: float


def upper_bound(values: np.ndarray) -> float:
    """A bound no cell can reach (10 times the largest count): keeps every programme bounded."""
    return float(10 * np.nanmax(np.abs(values)) + 1000) if len(values) else 1000.0


def programme(relations: Relations, values: np.ndarray, columns: np.ndarray, upper: float | None = None) -> Programme:
    """The linear constraints on the cells `columns` (sorted), every other cell held at its value.

    Built from the relations that touch those cells only, without a pass over the whole system:
    the audit builds one of these per quantity.
    """
    by_cell = relations.by_cell
    if len(columns):
        touching = np.unique(np.concatenate([by_cell.indices[by_cell.indptr[c]:by_cell.indptr[c + 1]] for c in columns]))
    else:
        touching = np.array([], dtype=np.int64)
    rows = relations.matrix[touching]
    row_of = np.repeat(np.arange(len(touching)), np.diff(rows.indptr))
    where = np.searchsorted(columns, rows.indices)
    inside = where < len(columns)
    inside[inside] = columns[where[inside]] == rows.indices[inside]
    hidden = sparse.csr_matrix((rows.data[inside], (row_of[inside], where[inside])), shape=(len(touching), len(columns)))
    known_part = rows.data * np.nan_to_num(values[rows.indices])
    known = np.bincount(row_of[~inside], weights=known_part[~inside], minlength=len(touching))  # sum of a * v over the other cells
    equal = relations.equality[touching]
    # sum_hidden a x + known (= or >=) 0  ->  A_eq x = -known ;  -A x <= known
    return Programme(
        columns=columns,
        a_eq=hidden[equal].tocsr(), b_eq=-known[equal],
        a_ub=-hidden[~equal].tocsr(), b_ub=known[~equal],
        upper=upper_bound(values) if upper is None else upper,
    )


def _solve(prog: Programme, objective: np.ndarray) -> np.ndarray | None:
    """The minimiser of objective . x, or None when HiGHS finds none (should not happen: the true table is feasible)."""
    result = linprog(
        objective,
        A_ub=prog.a_ub if prog.a_ub.shape[0] else None, b_ub=prog.b_ub if prog.a_ub.shape[0] else None,
        A_eq=prog.a_eq if prog.a_eq.shape[0] else None, b_eq=prog.b_eq if prog.a_eq.shape[0] else None,
        bounds=(0, prog.upper), method="highs",
    )
    return result.x if result.status == 0 else None


def interval(relations: Relations, values: np.ndarray, withheld: np.ndarray, target: sparse.csr_matrix, labels: np.ndarray) -> Interval:
    """The exact [min, max] of one target (a 1 x cells linear form) over its component's feasible tables."""
    cells = target.indices
    hidden_cells = cells[withheld[cells]]
    constant = float((target[:, ~withheld] @ np.nan_to_num(values[~withheld]))[0]) if (~withheld[cells]).any() else 0.0
    if len(hidden_cells) == 0:
        return Interval(constant, constant)
    component = np.flatnonzero(np.isin(labels, np.unique(labels[hidden_cells])))
    prog = programme(relations, values, component)
    objective = np.asarray(target[:, component].todense()).ravel()
    low, high = _solve(prog, objective), _solve(prog, -objective)
    if low is None or high is None:
        return Interval(np.nan, np.nan)  # not expected; a NaN width is never judged safe
    return Interval(float(objective @ low) + constant, float(objective @ high) + constant)


@dataclass
class Evidence:
    """Per target, the least and greatest value it takes in tables found so far that fit everything shown
    (the true table among them). A target whose spread reaches the width is proven safe: an attacker's
    interval contains both tables' values."""

    low: np.ndarray
    high: np.ndarray

    def proven(self, width: float) -> np.ndarray:
        return self.high - self.low >= width - TOLERANCE

    def record(self, rows: np.ndarray, values: np.ndarray) -> None:
        np.minimum.at(self.low, rows, values)
        np.maximum.at(self.high, rows, values)


def _batch_table(prog: Programme, forms: sparse.csr_matrix, constant: np.ndarray, floor: np.ndarray, width: float, weights: np.ndarray) -> np.ndarray | None:
    """A table that lifts many targets at once: maximise sum_t w_t s_t, s_t <= form_t - floor_t, 0 <= s_t <= width.

    One programme, one table; capping each target's gain at the width stops one target taking all."""
    n, m = len(prog.columns), forms.shape[0]
    lift = sparse.hstack([-forms, sparse.identity(m, format="csr")]).tocsr()
    a_ub = sparse.vstack([sparse.hstack([prog.a_ub, sparse.csr_matrix((prog.a_ub.shape[0], m))]), lift]).tocsr()
    b_ub = np.concatenate([prog.b_ub, constant - floor])
    a_eq = sparse.hstack([prog.a_eq, sparse.csr_matrix((prog.a_eq.shape[0], m))]).tocsr()
    result = linprog(
        np.concatenate([np.zeros(n), -weights]), A_ub=a_ub, b_ub=b_ub,
        A_eq=a_eq if a_eq.shape[0] else None, b_eq=prog.b_eq if a_eq.shape[0] else None,
        bounds=[(0, prog.upper)] * n + [(0, width)] * m, method="highs",
    )
    return result.x[:n] if result.status == 0 else None


class Prover:
    """Shows withheld targets safe by finding tables that fit everything shown and move them far apart.

    Per connected component of withheld cells: one programme that pushes every target down, then
    rounds that lift a random half of those not yet proven (each round's table proves many at
    once) until a round proves few more, then one that lifts all that are left. Every table found is a real alternative an attacker
    cannot rule out, so a proof here is a proof; what it cannot prove is left for `interval`
    (exact) or for more withholding."""

    def __init__(self, relations: Relations, values: np.ndarray, withheld: np.ndarray, targets: sparse.csr_matrix, width: float,
                 seed: int = 0, evidence: Evidence | None = None) -> None:
        self.relations, self.values, self.withheld, self.width = relations, values, withheld, width
        self.targets = targets.tocsr()
        self.known = np.nan_to_num(values)
        self.truth = self.targets @ self.known
        # Tables found while fewer cells were withheld still fit: withholding only widens what is possible.
        self.evidence = evidence if evidence is not None else Evidence(self.truth.copy(), self.truth.copy())
        self.labels = components(relations, withheld)
        self.upper = upper_bound(values)
        self.seed = seed

    def target_components(self) -> np.ndarray:
        """The component of each target (its withheld cells all share one: they are linked by a relation or are one cell)."""
        hidden = self.targets.multiply(self.withheld[None, :]).tocsr()
        hidden.eliminate_zeros()
        first = np.minimum(hidden.indptr[:-1], max(len(hidden.indices) - 1, 0))
        return np.where(np.diff(hidden.indptr) > 0, self.labels[hidden.indices[first]] if len(hidden.indices) else -1, -1)

    def prove_component(self, label: int, ids: np.ndarray, rounds: int = 14) -> None:
        columns = np.flatnonzero(self.labels == label)
        prog = programme(self.relations, self.values, columns, self.upper)
        forms = self.targets[ids][:, columns].tocsr()
        constant = self.targets[ids].multiply(~self.withheld[None, :]).tocsr() @ self.known
        proven = lambda: self.evidence.proven(self.width)[ids]  # noqa: E731
        rng = np.random.default_rng((self.seed, int(columns[0])))  # the same rounds whichever worker runs it, whatever its label

        def record(x: np.ndarray | None) -> None:
            if x is not None:
                self.evidence.record(ids, forms @ x + constant)

        record(_solve(prog, np.asarray(forms.sum(axis=0)).ravel()))
        stalled = 0
        for _ in range(rounds):
            active = np.flatnonzero(~proven())
            if len(active) == 0:
                return
            chosen = active if len(active) <= 40 else active[rng.random(len(active)) < 0.5]
            before = len(active)
            record(_batch_table(prog, forms[chosen], constant[chosen], self.evidence.low[ids[chosen]], self.width, rng.uniform(0.2, 1.0, len(chosen))))
            gained = before - int((~proven()).sum())
            stalled = stalled + 1 if gained < max(2, 0.02 * before) else 0
            if stalled >= 2:
                break
        active = np.flatnonzero(~proven())
        if len(active):
            # All that are left at once: when one table can free them all (as the one that decided to
            # withhold more for them did), this finds it, so a proof made in the build is found again here.
            record(_batch_table(prog, forms[active], constant[active], self.evidence.low[ids[active]], self.width, np.ones(len(active))))
        active = np.flatnonzero(~proven())
        if len(active):
            record(_solve(prog, np.asarray(forms[active].sum(axis=0)).ravel()))

    def _prove_one(self, label: int, ids: np.ndarray) -> tuple[int, np.ndarray, np.ndarray, np.ndarray]:
        self.prove_component(label, ids)
        return label, ids, self.evidence.low[ids], self.evidence.high[ids]

    def run(self, log: Callable[[str], None] | None = None, workers: int = 1) -> Evidence:
        """Prove what can be proven, component by component (`workers` processes at once, forked)."""
        owner = self.target_components()
        open_ = ~self.evidence.proven(self.width)
        labels, sizes = np.unique(owner[(owner >= 0) & open_], return_counts=True)
        jobs = [(int(label), np.flatnonzero((owner == label) & open_)) for label in labels[np.argsort(-sizes)]]

        def report(label: int, ids: np.ndarray, low: np.ndarray, high: np.ndarray) -> None:
            self.evidence.record(ids, low)
            self.evidence.record(ids, high)
            if log is not None:
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
    touching = np.unique(relations.by_cell[:, cells].tocsc().indices)
    beside = np.unique(relations.matrix[touching].indices)
    return np.union1d(cells, beside[allowed[beside]])


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
    known = np.nan_to_num(values)
    labels = components(relations, withheld)
    hidden = forms.multiply(withheld[None, :]).tocsr()
    inner = np.flatnonzero(np.isin(labels, np.unique(labels[hidden.indices])) & withheld)
    columns = _ring(relations, inner, movable | withheld)
    near = np.unique(hidden.indices)
    for _ in range(reach):
        near = _ring(relations, near, movable | withheld)
    columns = np.union1d(columns, near)
    prog = programme(relations, values, columns, upper_bound(values))
    n, k = len(columns), forms.shape[0]
    shown = np.flatnonzero(~withheld[columns])
    m = len(shown)
    outside = np.ones(len(known), dtype=bool)
    outside[columns] = False
    constant = forms.multiply(outside[None, :]).tocsr() @ known
    # columns: table (n), moved up (m), moved down (m), lift (k).  table_shown - up + down = true value.
    link = sparse.hstack([sparse.csr_matrix((np.ones(m), (np.arange(m), shown)), shape=(m, n)), -sparse.identity(m), sparse.identity(m), sparse.csr_matrix((m, k))])
    a_eq = sparse.vstack([sparse.hstack([prog.a_eq, sparse.csr_matrix((prog.a_eq.shape[0], 2 * m + k))]), link]).tocsr()
    b_eq = np.concatenate([prog.b_eq, known[columns[shown]]])
    lift = sparse.hstack([-forms[:, columns], sparse.csr_matrix((k, 2 * m)), sparse.identity(k)])  # lift_t <= form_t - floor_t
    a_ub = sparse.vstack([sparse.hstack([prog.a_ub, sparse.csr_matrix((prog.a_ub.shape[0], 2 * m + k))]), lift]).tocsr()
    b_ub = np.concatenate([prog.b_ub, constant - floors])
    charge = price * cost[columns[shown]]
    result = linprog(
        np.concatenate([np.zeros(n), charge, charge, -np.ones(k)]), A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
        bounds=[(0, prog.upper)] * (n + 2 * m) + [(0, width)] * k, method="highs",
    )
    if result.status != 0:
        return np.array([], dtype=np.int64), np.zeros(k, dtype=bool)
    moved = result.x[n:n + m] + result.x[n + m:n + 2 * m]
    return columns[shown[moved > 1e-7]], result.x[n + 2 * m:] >= width - TOLERANCE
