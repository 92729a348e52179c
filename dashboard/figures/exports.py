"""The CSV download: the table's rows with a header that says what they are."""

from __future__ import annotations

import re
from datetime import datetime

import pandas as pd

from dashboard.core.selection import Selection
from dashboard.core.settings import PRODUCT_NAME
from dashboard.core.sources import BOUNDARY_ATTRIBUTION
from dashboard.data.registry import Indicator
from dashboard.data.schema import DataStatus
from dashboard.figures.formatting import VALUE_DECIMALS
from dashboard.figures.tables import rounded_rows
from dashboard.core.disclosure_rule import RULE_TEXT


def download_filename(sel: Selection) -> str:
    """Names the indicator, the area (or alliance, or level) and the period."""
    scope = sel.area or (sel.alliance if sel.has_alliance else f"{sel.level}-england")
    stem = f"{sel.indicator}_{scope}_{sel.period}"
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", stem).strip("-") + ".csv"


def csv_text(
    rows: pd.DataFrame,
    *,
    sel: Selection,
    indicator: Indicator,
    permalink: str,
    generated: datetime,
    benchmark_name: str = "England",
) -> str:
    table = rounded_rows(rows)
    statuses = sorted(set(table["data_status"].dropna()))
    modelled = DataStatus.MODELLED.value in statuses
    status_line = (
        "includes MODELLED rows (data_status = modelled): estimates from the project's stated model, not published figures"
        if DataStatus.MODELLED.value in statuses
        else "published (taken, or computed directly, from published sources)"
    )
    filters = "; ".join(f"{key}={value}" for key, value in sel.as_dict().items() if value)
    header = [
        f"{PRODUCT_NAME} download",
        f"Indicator: {indicator.name} ({indicator.id})",
        f"Definition: {indicator.definition}",
        f"Numerator: {indicator.numerator}",
        f"Denominator: {indicator.denominator}",
        f"Unit: {indicator.unit}; polarity: {indicator.polarity}; confidence intervals: {indicator.ci_description}"
        + ("; none for MODELLED rows (an interval from sampling alone would leave out the model's uncertainty)" if modelled else ""),
        f"Data status: {status_line}",
        f"Filters: {filters}",
        f"Rows: {len(table)}; values, limits and benchmarks rounded to {VALUE_DECIMALS} decimal place as on screen",
        f"Comparison: with {benchmark_name} at the {sel.confidence}% level (whole interval above or below the benchmark)"
        + ("; MODELLED rows are not compared (their gaps are the model's assumptions)" if modelled else ""),
        f"Disclosure control: {RULE_TEXT} The suppression column says why a row is empty.",
        f"Source: {indicator.source}",
        f"Attribution: {indicator.attribution} {BOUNDARY_ATTRIBUTION}",
        f"Licence: {indicator.licence}",
        f"Caveats: {indicator.caveats}",
        f"Generated: {generated.strftime('%Y-%m-%dT%H:%M:%SZ')}",
        f"Permalink: {permalink}",
    ]
    comments = "".join(f"# {line}\n" for line in header)
    return comments + table.to_csv(index=False, lineterminator="\n")
