"""Rows for the trend card beyond the selected period's type: an area's monthly series.

The Period control lists years first, so a monthly indicator opens on a financial year,
whose series has three points and no SPC chart. The trend card asks here for the area's
months instead, whatever the Period control holds; so can any text that describes the card.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd

from dashboard.core.selection import Selection
from dashboard.data.schema import DataStatus, PeriodType
from dashboard.query.explorer import Explorer

SPC_MIN_POINTS = 12  # fewer months give limits too unstable to read (NHSRplotthedots' trial-limit threshold)


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


def spc_months(explorer: Explorer, sel: Selection, code: str) -> Months | None:
    """The months the trend card charts as SPC for `code`, whatever the Period control holds;
    None when it shows the series over time instead: fewer than 12 monthly values, or
    modelled ones (their ups and downs would be the model's, not the service's)."""
    months = months_of(monthly_rows(explorer, sel, code))
    modelled = (months.rows["data_status"] == DataStatus.MODELLED.value).any()
    return None if len(months.starts) < SPC_MIN_POINTS or modelled else months
