"""Disclosure control: which counts to withhold so that no count of 1 to 4 people can be seen or worked out.

Cells are counts: a row's numerator and, for a percentage, its denominator. Withholding a
numerator withholds the row's value and interval too; its denominator stays shown unless
it must go as well.

Primary rule: a count greater than 0 and less than 5 (halves included: the 62-day standard
publishes 0.5 for a shared pathway) is withheld; so is a numerator whose denominator minus
it is in that range (and a small denominator withholds its numerator with it).

Secondary rule: wherever an exact sum among the numbers (`dashboard.pipeline.disclosure_model`:
areas in their parent, periods in a longer one, groups in their total, cancer types in
"All", counts two indicators share, numerator within denominator) holds exactly one withheld
cell, the cheapest other cell that could hide it (the fewest people among those of 5 or more;
England's figures last) is withheld too, until none does; a row computed from a withheld
count (a persons age-standardised rate from its age bands, a modelled split from its
total) is withheld with it.

That rule stops subtraction from any one relation. It does not yet guarantee that no
combination of relations narrows a small count to fewer than 5 values: `audit` checks that
by linear programming and reports what it finds (docs/disclosure.md gives the figures).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy import sparse

from dashboard.stats.linear_audit import LocalAuditor, Relations

PROTECTION = 5.0  # an attacker's interval for a small count must be at least this many people wide
IMPORTANT = 1e6  # added to a cell's cost: chosen as a partner only when no other will do
PRIMARY = "Withheld: a count of 1 to 4 people"
SECONDARY = "Withheld: would let a withheld count of 1 to 4 be worked out from other figures"
DERIVED = "Withheld: computed from a withheld count"
RULE_TEXT = (
    "No figure is shown that rests on 1 to 4 people (a count, or the gap between a total and the part that met a standard), "
    "and wherever subtracting shown figures from a total would recover a withheld one, the smallest other figure that hides it "
    "is withheld too. Each withheld figure says which of these reasons applies."
)
MODELLED_COUNTS = "Modelled figures show a percentage only: the model estimates shares, not counts of real people."
MAX_ROUNDS = 60


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
    both = np.flatnonzero(withheld[:n] & table.both() & is_small(table.values[n:] - table.values[:n]))
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
    n = table.rows
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
        withheld[chosen] = True
        withheld[chosen[chosen >= n] - n] = True  # a withheld denominator takes its numerator with it


@dataclass(frozen=True)
class Finding:
    """A withheld small quantity an attacker can confine to fewer than PROTECTION values."""

    target: int
    cells: tuple[int, ...]
    true_value: float
    low: float
    high: float


def audit(table: Table, withheld: np.ndarray, exact_limit: int | None = None, sample: int | None = None) -> tuple[int, list[Finding]]:
    """(number of small quantities checked, those an attacker can pin down or narrow below 5 wide).

    `withheld` is per cell; a withheld cell is an unknown, every other cell a known constant.
    Each quantity is first tried near itself (`LocalAuditor`); exact intervals are computed for
    the rest (at most `exact_limit` of them; any beyond are reported with a NaN interval).
    `sample` audits that many quantities drawn at random (seeded: the same ones every run)."""
    targets = sensitive_targets(table, withheld)
    cells = withheld & table.is_cell
    auditor = LocalAuditor(table.relations, table.values, cells)
    truth = targets @ np.nan_to_num(table.values)
    findings, exact = [], 0
    chosen = range(targets.shape[0])
    if sample is not None and sample < targets.shape[0]:
        chosen = np.sort(np.random.default_rng(0).choice(targets.shape[0], sample, replace=False))
    for t in chosen:
        form = targets[t]
        ok, found = auditor.protected(form, PROTECTION, exact=exact_limit is None or exact < exact_limit)
        exact += found is not None
        if not ok:
            low, high = (found.low, found.high) if found is not None else (np.nan, np.nan)
            findings.append(Finding(int(t), tuple(int(c) for c in form.indices), float(truth[t]), low, high))
    return len(chosen), findings


def protect(table: Table, primary: np.ndarray, important: np.ndarray | None = None) -> np.ndarray:
    """Cells to withhold (primary included): no exact sum left with a single withheld cell, and every
    row computed from a withheld count withheld with it. Rows marked `important` (England's figures,
    every comparison's benchmark) are chosen last."""
    withheld = primary.copy()
    cost = np.nan_to_num(table.values) + (IMPORTANT * np.concatenate([important, important]) if important is not None else 0.0)
    close_single_cells(table, withheld, cost)
    return withheld
