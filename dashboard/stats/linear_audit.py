"""What anyone can work out about withheld counts from everything shown: linear programming.

A *system* is a set of cells (counts, each at least 0) and homogeneous linear relations
among them: for relation r, sum_j a_rj * x_j == 0 (an exact sum: a total minus its parts)
or >= 0 (a total that covers more than its listed parts). Shown cells are constants; the
withheld ones are the unknowns. The interval an attacker can derive for a withheld
quantity is its minimum and maximum over every table that agrees with all shown cells and
all relations: two linear programmes, solved with HiGHS through `scipy.optimize.linprog`.

Speed: a quantity is shown safe by *any* table that fits everything shown and moves it far
enough. So each is first tried on a small programme over the withheld cells near it (the
others held at their true values): a table found there fits the whole system too. Only a
quantity that this cannot show safe gets the exact programme over its whole connected
component of withheld cells, whose answer is the attacker's interval itself.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property

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


def _near(by_relation: sparse.csr_matrix, by_cell: sparse.csc_matrix, withheld: np.ndarray, start: np.ndarray, radius: int, cap: int) -> np.ndarray:
    found = {int(c) for c in start}
    frontier = list(found)
    for _ in range(radius):
        relations = np.unique(np.concatenate([by_cell.indices[by_cell.indptr[c]:by_cell.indptr[c + 1]] for c in frontier])) if frontier else []
        nxt = []
        for r in relations:
            for c in by_relation.indices[by_relation.indptr[r]:by_relation.indptr[r + 1]]:
                c = int(c)
                if withheld[c] and c not in found:
                    found.add(c)
                    nxt.append(c)
        frontier = nxt
        if len(found) >= cap or not frontier:
            break
    return np.array(sorted(found), dtype=np.int64)


class LocalAuditor:
    """Intervals for one linear form at a time, first near it, then (if that is not enough) exactly."""

    def __init__(self, relations: Relations, values: np.ndarray, withheld: np.ndarray) -> None:
        self.relations, self.values, self.withheld = relations, values, withheld
        self.by_cell = relations.by_cell
        self.upper = upper_bound(values)
        self._labels: np.ndarray | None = None

    def reach(self, target: sparse.csr_matrix, columns: np.ndarray, maximise: bool) -> float | None:
        """The target's max (or min) over tables where only `columns` may differ from the truth."""
        prog = programme(self.relations, self.values, columns, self.upper)
        where = np.searchsorted(columns, target.indices)
        inside = (where < len(columns)) & (columns[np.minimum(where, len(columns) - 1)] == target.indices)
        objective = np.zeros(len(columns))
        objective[where[inside]] = target.data[inside]
        x = _solve(prog, -objective if maximise else objective)
        if x is None:
            return None
        constant = float(np.sum(target.data[~inside] * np.nan_to_num(self.values[target.indices[~inside]])))
        return float(objective @ x) + constant

    def protected(self, target: sparse.csr_matrix, width: float, radius: int = 2, cap: int = 300, exact: bool = True) -> tuple[bool, Interval | None]:
        """(safe, the exact interval when it had to be computed; None when `exact` is False and it was needed)."""
        truth = float(np.sum(target.data * np.nan_to_num(self.values[target.indices])))
        start = target.indices[self.withheld[target.indices]]
        if len(start) == 0:
            return False, Interval(truth, truth)
        for r, c in ((radius, cap), (2 * radius, 8 * cap)):
            columns = _near(self.relations.matrix, self.by_cell, self.withheld, start, r, c)
            high = self.reach(target, columns, maximise=True)
            if high is not None and high >= truth + width - TOLERANCE:
                return True, None
            low = self.reach(target, columns, maximise=False)
            if high is not None and low is not None and high - low >= width - TOLERANCE:
                return True, None
        if not exact:
            return False, None
        if self._labels is None:
            self._labels = components(self.relations, self.withheld)
        found = interval(self.relations, self.values, self.withheld, target, self._labels)
        return bool(found.width >= width - TOLERANCE), found
