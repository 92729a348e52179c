"""What anyone can work out about withheld counts from everything shown: linear programming.

A *system* is a set of cells (counts, each at least 0) and homogeneous linear relations
among them: for relation r, sum_j a_rj * x_j == 0 (an exact sum: a total minus its parts)
or >= 0 (a total that covers more than its listed parts). Shown cells are constants; the
withheld ones are the unknowns. The interval an attacker can derive for a withheld
quantity is its minimum and maximum over every table that agrees with all shown cells and
all relations: two linear programmes, solved with HiGHS through `scipy.optimize.linprog`.

Speed: a quantity is shown safe by *any* table that fits everything shown and moves it far
enough, and one table can do that for thousands of quantities at once (`dashboard.stats.proofs`).
A programme over only the withheld cells near a quantity, the rest held at their true values,
is a restriction of the whole one, so a table it finds is such a table too (`neighbourhood`,
`local_interval`). Only a quantity no such table was found for needs the exact programme over
its whole connected component of withheld cells, whose answer is the attacker's interval itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

import numpy as np
from scipy import sparse
from scipy.optimize import linprog
from scipy.sparse.csgraph import connected_components

TOLERANCE = 1e-6
# HiGHS's interior-point method (with its crossover to a vertex) solves the big programmes here about
# four times faster than its simplex: 4 s against 15 s for one lifting round over 26,484 cells.
METHOD = "highs-ipm"


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


def touching(relations: Relations, cells: np.ndarray) -> np.ndarray:
    """The relations (sorted) that hold at least one of `cells`."""
    return np.unique(relations.by_cell[:, cells].indices) if len(cells) else np.array([], dtype=np.int64)


def programme(relations: Relations, values: np.ndarray, columns: np.ndarray, upper: float | None = None) -> Programme:
    """The linear constraints on the cells `columns` (sorted), every other cell held at its value.

    Built from the relations that touch those cells, without a pass over the whole system:
    the audit builds one of these per quantity.
    """
    used = touching(relations, columns)
    rows = relations.matrix[used]
    row_of = np.repeat(np.arange(len(used)), np.diff(rows.indptr))
    where = np.searchsorted(columns, rows.indices)
    inside = where < len(columns)
    inside[inside] = columns[where[inside]] == rows.indices[inside]
    hidden = sparse.csr_matrix((rows.data[inside], (row_of[inside], where[inside])), shape=(len(used), len(columns)))
    known_part = rows.data * np.nan_to_num(values[rows.indices])
    known = np.bincount(row_of[~inside], weights=known_part[~inside], minlength=len(used))  # sum of a * v over the other cells
    equal = relations.equality[used]
    # sum_hidden a x + known (= or >=) 0  ->  A_eq x = -known ;  -A x <= known
    return Programme(
        columns=columns,
        a_eq=hidden[equal].tocsr(), b_eq=-known[equal],
        a_ub=-hidden[~equal].tocsr(), b_ub=known[~equal],
        upper=upper_bound(values) if upper is None else upper,
    )


def solve_lp(objective: np.ndarray, **constraints) -> np.ndarray | None:
    """`linprog` with HiGHS's interior point; when that stops without an optimum (a numerical failure
    on a large degenerate programme), its dual simplex; None when neither finds one."""
    for method in (METHOD, "highs"):
        result = linprog(objective, method=method, **constraints)
        if result.status == 0:
            return result.x
    return None


def _solve(prog: Programme, objective: np.ndarray) -> np.ndarray | None:
    """The minimiser of objective . x, or None when HiGHS finds none (should not happen: the true table is feasible)."""
    return solve_lp(
        objective,
        A_ub=prog.a_ub if prog.a_ub.shape[0] else None, b_ub=prog.b_ub if prog.a_ub.shape[0] else None,
        A_eq=prog.a_eq if prog.a_eq.shape[0] else None, b_eq=prog.b_eq if prog.a_eq.shape[0] else None,
        bounds=(0, prog.upper),
    )


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
    x = solve_lp(
        np.concatenate([np.zeros(n), -weights]), A_ub=a_ub, b_ub=b_ub,
        A_eq=a_eq if a_eq.shape[0] else None, b_eq=prog.b_eq if a_eq.shape[0] else None,
        bounds=[(0, prog.upper)] * n + [(0, width)] * m,
    )
    return None if x is None else x[:n]


def neighbourhood(relations: Relations, withheld: np.ndarray, seeds: np.ndarray, cap: int) -> np.ndarray:
    """The withheld cells nearest `seeds` (sorted, the seeds included), at most `cap` of them:
    breadth first through the relations, the last ring cut in cell order when it would pass the cap.

    A programme over these alone, every other cell held at its true value, is a restriction of the
    whole one: every table it finds fits everything shown, so what it proves is proven."""
    inside = np.unique(seeds)
    frontier = inside
    while len(frontier) and len(inside) < cap:
        beside = np.unique(relations.matrix[touching(relations, frontier)].indices)
        new = np.setdiff1d(beside[withheld[beside]], inside, assume_unique=True)[: cap - len(inside)]
        inside, frontier = np.union1d(inside, new), new
    return inside


def local_interval(relations: Relations, values: np.ndarray, withheld: np.ndarray, target: sparse.csr_matrix, cap: int) -> Interval:
    """An interval inside the attacker's for one target (1 x cells): its [min, max] over tables that
    change only the `cap` withheld cells nearest it. Wide enough here means wide enough."""
    hidden_cells = target.indices[withheld[target.indices]]
    if len(hidden_cells) == 0:
        value = float((target @ np.nan_to_num(values))[0])
        return Interval(value, value)
    columns = neighbourhood(relations, withheld, hidden_cells, cap)
    outside = np.ones(relations.cells, dtype=bool)
    outside[columns] = False
    constant = float((target.multiply(outside[None, :]) @ np.nan_to_num(values))[0])
    prog = programme(relations, values, columns)
    objective = np.asarray(target[:, columns].todense()).ravel()
    low, high = _solve(prog, objective), _solve(prog, -objective)
    if low is None or high is None:
        return Interval(np.nan, np.nan)
    return Interval(float(objective @ low) + constant, float(objective @ high) + constant)
