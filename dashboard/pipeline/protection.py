"""Disclosure control of a whole table, once, at build time: decide, explain, and audit.

`decide` applies the rule (`dashboard.stats.disclosure`) over the model of every relation
among served numbers (`dashboard.pipeline.disclosure_model`) and says why each row is
withheld. `audit` is the independent proof: linear programming over the same relations
and only the numbers left shown, for every withheld small count.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from dashboard.data.boundaries import load_boundaries
from dashboard.data.loading import read_derived, read_table
from dashboard.data.registry import Registry, read_registry
from dashboard.data.schema import DERIVED_FILE, INDICATORS_FILE, METADATA_FILE
from dashboard.pipeline.disclosure_model import Model, build_model
from dashboard.stats import disclosure

_LOG = logging.getLogger(__name__)  # progress of the slow proof step; the CLI shows it


@dataclass(frozen=True)
class Decision:
    reasons: pd.Series  # per row: "" (shown) or why its numerator, value and interval are withheld
    denominator_withheld: np.ndarray  # per row: its denominator is withheld too
    model: Model
    withheld: np.ndarray  # per cell
    primary: np.ndarray  # per cell


def _table(model: Model) -> disclosure.Table:
    return disclosure.Table(model.values, model.is_cell, model.relations, model.inputs)


def decide(table: pd.DataFrame, registry: Registry, parents: dict[str, str]) -> Decision:
    """Which rows to withhold and why; same index as `table`."""
    model = build_model(table, registry, parents)
    cells = _table(model)
    primary = disclosure.primary_cells(cells)
    important = (table["area_level"].astype(str) == "country").to_numpy()
    withheld = disclosure.protect(cells, primary, important, log=_LOG.info)
    return decision_of(table, model, withheld, primary)


def decision_of(table: pd.DataFrame, model: Model, withheld: np.ndarray, primary: np.ndarray) -> Decision:
    """The per-row reasons for withheld cells `withheld` (primary: those the primary rule chose)."""
    n = model.rows
    row_withheld = withheld[:n] | withheld[n:]
    row_primary = primary[:n] | primary[n:]
    dependent, source = model.inputs
    derived = np.zeros(n, dtype=bool)
    derived[dependent[withheld[source]]] = True
    reason = np.where(row_primary, disclosure.PRIMARY, np.where(row_withheld & derived, disclosure.DERIVED, np.where(row_withheld, disclosure.SECONDARY, "")))
    # A withheld row keeps its denominator unless that is withheld too; a rate's denominator (a
    # population, shown by the population indicator) goes with the row.
    denominator_withheld = row_withheld & (withheld[n:] | ~model.is_cell[n:])
    return Decision(pd.Series(reason, index=table.index, dtype="object"), denominator_withheld, model, withheld, primary)


@dataclass(frozen=True)
class AuditReport:
    small_quantities: int  # withheld counts (or differences) of 1 to 4 checked
    exact: int  # how many of them needed the exact programme (no table proving them safe was found first)
    findings: list[disclosure.Finding]  # those an attacker could confine to fewer than 5 values
    seconds: float
    relations: dict[str, tuple[int, int]] = field(default_factory=dict)  # family kind -> (exact sums, ">=" relations)
    withheld: pd.DataFrame | None = None  # per indicator: rows, and rows withheld for each reason

    def lines(self) -> list[str]:
        out = [f"relations: {sum(e + g for e, g in self.relations.values()):,}"]
        out += [f"  {name}: {exact:,} exact sums, {covering:,} totals covering more than their parts" for name, (exact, covering) in self.relations.items()]
        if self.withheld is not None:
            out.append(self.withheld.to_string())
        out.append(f"withheld small counts (or denominator minus numerator) checked: {self.small_quantities:,}")
        shown = [f for f in self.findings if f.target < 0]
        exact = [f for f in self.findings if f.target >= 0 and not np.isnan(f.low)]
        out.append(f"shown counts of 1 to 4, shown gaps of 1 to 4, or shown rows computed from a withheld count: {len(shown):,}")
        out += [f"  cells {f.cells}: {f.true_value:g}" for f in shown[:20]]
        out.append(f"shown safe: {self.small_quantities - len(self.findings) + len(shown):,} ({self.exact - len(exact):,} of them by the exact programme)")
        out.append(f"found recoverable by the exact programme (interval narrower than {disclosure.PROTECTION:g} people): {len(exact):,}")
        out.append(f"not proven safe, exact programme not run (limit reached): {len(self.findings) - len(exact) - len(shown):,}")
        out += [f"  cells {f.cells}: true {f.true_value:g}, an attacker's interval [{f.low:g}, {f.high:g}]" for f in exact[:20]]
        out.append(f"audit time: {self.seconds:.1f} s")
        return out


def audit(model: Model, withheld: np.ndarray, exact_limit: int | None = None, log: Callable[[str], None] | None = None) -> AuditReport:
    """The linear-programming audit of a decision (`withheld` per cell)."""
    started = time.perf_counter()
    checked, exact, findings = disclosure.audit(_table(model), withheld, exact_limit, log)
    names = np.array(model.names)
    relations = {name: (int((model.relations.equality & (names == name)).sum()), int((~model.relations.equality & (names == name)).sum()))
                 for name in dict.fromkeys(model.names)}
    return AuditReport(checked, exact, findings, time.perf_counter() - started, relations)


def withheld_by_indicator(table: pd.DataFrame, reasons: pd.Series) -> pd.DataFrame:
    """Rows per indicator, withheld for each reason, and the share withheld."""
    frame = pd.DataFrame({"indicator": table["indicator_id"].astype(str).to_numpy(), "reason": reasons.astype(str).to_numpy()})
    counts = pd.crosstab(frame["indicator"], frame["reason"]).rename(columns={
        "": "shown", disclosure.PRIMARY: "primary", disclosure.SECONDARY: "secondary", disclosure.DERIVED: "derived"})
    counts.insert(0, "rows", counts.sum(axis=1))
    counts["withheld %"] = (100 * (1 - counts.get("shown", 0) / counts["rows"])).round(1)
    return counts


def served_withheld(model: Model, derived: pd.DataFrame) -> np.ndarray:
    """Per numerator and denominator slot (cell or not), what a served folder's derived columns
    withhold: a row's numerator (and value) when it has a reason, its denominator too when
    denominator_withheld says so. Slots that are not counts never enter a relation; a row's
    numerator slot still says whether the row is shown (the audit checks rows computed from
    withheld counts by it)."""
    rows = (derived["suppression"].astype(str) != "").to_numpy()
    return np.concatenate([rows, rows & derived["denominator_withheld"].to_numpy(dtype=bool)])


def audit_folder(data_dir: Path, geodata_dir: Path, exact_limit: int | None = None, log: Callable[[str], None] | None = None) -> AuditReport:
    """Audit a served data folder (the embedded data/, or one `derive-data` made) from its files alone."""
    table_path = data_dir / INDICATORS_FILE
    table = read_table(table_path)
    derived = read_derived(data_dir / DERIVED_FILE, table_path=table_path, rows=len(table))
    registry = read_registry(data_dir / METADATA_FILE)
    model = build_model(table, registry, load_boundaries(geodata_dir).parents())
    report = audit(model, served_withheld(model, derived), exact_limit, log)
    return AuditReport(report.small_quantities, report.exact, report.findings, report.seconds,
                       report.relations, withheld_by_indicator(table, derived["suppression"]))
