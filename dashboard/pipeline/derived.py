"""Per-row work done once, at build time, so that the app's start-up only reads.

For every row of the indicator table: its limits at 99.8% (by the indicator's interval
method) and its disclosure-control decision. Written to data/derived.parquet in the
table's row order; `dashboard.data.loading` attaches it and withholds what it says.
"""

from __future__ import annotations

import pandas as pd

from dashboard.data.boundaries import Boundaries
from dashboard.data.registry import Registry
from dashboard.data.schema import DERIVED_COLUMNS
from dashboard.stats.compare import CONFIDENCE_LEVELS, limits_at
from dashboard.stats.disclosure import suppression_reasons


def derive(table: pd.DataFrame, registry: Registry, boundaries: Boundaries) -> pd.DataFrame:
    """The derived columns for `table` (same index and order)."""
    methods = table["indicator_id"].astype(str).map({i: ind.ci_method for i, ind in registry.items()})
    lower, upper = limits_at(table, methods, CONFIDENCE_LEVELS["99.8"])
    exempt = frozenset(i for i, ind in registry.items() if not ind.counts_people)
    reasons = suppression_reasons(table, boundaries.parents(), exempt)
    derived = pd.DataFrame({"lower_ci_998": lower, "upper_ci_998": upper, "suppression": reasons}, index=table.index)
    return derived.astype(DERIVED_COLUMNS)
