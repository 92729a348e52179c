"""Rows for the trend card beyond the selected period's type: an area's monthly series.

The Period control lists years (or a span of months) first, so a monthly indicator opens on
an aggregate period whose series has one to three points. The trend card asks here for the
area's months instead, whatever the Period control holds; so can any text that describes the
card. With 12 or more months they are an SPC chart (`spc_months`); with 2 to 11, a plain run
chart without limits (`chart_months` gives the months in either case). Also here: whether
two series over time are one line (an ICB that is its alliance's only one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from dashboard.core.geography import CODE_PREFIX, AreaLevel
from dashboard.core.selection import Selection
from dashboard.data.schema import DataStatus, PeriodType
from dashboard.query.explorer import Explorer
from dashboard.stats.spc import SHORT_GROUP_THRESHOLD

# Fewer months give limits too unstable to read: the threshold below which NHSRplotthedots
# calls limits "trial" limits, one number for both.
SPC_MIN_POINTS = SHORT_GROUP_THRESHOLD
RUN_MIN_POINTS = 2  # a run chart needs two months to show a change


@dataclass(frozen=True)
class Months:
    """The monthly values an SPC chart is drawn from: month starts (ISO dates), values, rows."""

    starts: list[str]
    values: list[float]
    rows: pd.DataFrame

    @property
    def first(self) -> date:
        return date.fromisoformat(self.starts[0])

    @property
    def latest(self) -> date:
        return date.fromisoformat(self.starts[-1])


def monthly_rows(explorer: Explorer, sel: Selection, code: str) -> pd.DataFrame:
    """The area's rows for every month of the selection's indicator, cancer type and group
    value, oldest first; no rows if the indicator has no monthly figures."""
    rows = explorer.tables.partition(sel.indicator, sel.cancer, sel.group)
    series = explorer.lookups.series_positions(sel.indicator, sel.cancer, sel.group)
    positions = series.get((sel.group_value, PeriodType.MONTH.value, code))
    if positions is None:
        return rows.iloc[0:0]
    starts = rows["period_start"].to_numpy()[positions]
    return rows.take(positions[np.argsort(starts, kind="stable")])


def months_of(rows: pd.DataFrame) -> Months:
    """The rows with a value, oldest first (a withheld month leaves a gap)."""
    shown = rows[rows["value"].notna()]
    starts = [pd.Timestamp(s).date().isoformat() for s in shown["period_start"]]
    return Months(starts, [float(v) for v in shown["value"]], shown)


def chart_months(explorer: Explorer, sel: Selection, code: str) -> Months | None:
    """The months the trend card charts for `code`, whatever the Period control holds (an
    aggregate period, e.g. a financial year or "2023-04 to 2023-10", included); None when it
    shows the series over time instead: fewer than 2 monthly values, or modelled ones (their
    ups and downs would be the model's, not the service's)."""
    months = months_of(monthly_rows(explorer, sel, code))
    modelled = (months.rows["data_status"] == DataStatus.MODELLED.value).any()
    return None if len(months.starts) < RUN_MIN_POINTS or modelled else months


def spc_months(explorer: Explorer, sel: Selection, code: str) -> Months | None:
    """The months the trend card charts as SPC (with limits) for `code`: `chart_months` when
    there are at least 12 of them, else None."""
    months = chart_months(explorer, sel, code)
    return months if months is not None and len(months.starts) >= SPC_MIN_POINTS else None


# --- the series over time -------------------------------------------------------------------------


def same_values(rows: pd.DataFrame, other: pd.DataFrame) -> bool:
    """Whether two series have the same values in the same periods (one line would hide the other)."""
    if rows.empty or len(rows) != len(other):
        return False
    left, right = rows.set_index(rows["period"].astype(str))["value"], other.set_index(other["period"].astype(str))["value"]
    if not left.index.equals(right.index):
        return False
    a, b = left.to_numpy(dtype=float), right.to_numpy(dtype=float)
    return bool(((a == b) | (np.isnan(a) & np.isnan(b))).all() and np.isfinite(a).any())


def only_icb(explorer: Explorer, code: str, alliance: str) -> bool:
    """Whether `code` is the one ICB of `alliance` (Lancashire and South Cumbria is)."""
    icbs = [c for c in explorer.members.get(alliance, frozenset()) if c.startswith(CODE_PREFIX[AreaLevel.ICB])]
    return icbs == [code]
