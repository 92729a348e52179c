"""The rows behind the views, rounded once, for the on-screen table and the CSV alike."""

from __future__ import annotations

import pandas as pd

from dashboard.data.schema import COLUMNS
from dashboard.views.formatting import round_count, round_value

# Download columns: the documented table format, then the comparison made on screen.
EXPORT_COLUMNS = [*COLUMNS, "benchmark", "comparison"]
# On-screen table: (column id, heading).
TABLE_COLUMNS = [
    ("area_name", "Area"),
    ("area_code", "Code"),
    ("period", "Period"),
    ("cancer_type", "Cancer type"),
    ("group_value", "Group"),
    ("numerator", "Numerator"),
    ("denominator", "Denominator"),
    ("value", "Value"),
    ("lower_ci", "Lower 95% CI"),
    ("upper_ci", "Upper 95% CI"),
    ("comparison", "Comparison"),
    ("data_status", "Data status"),
]


def rounded_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The selection's rows in download format, rounded as they are shown (one rule)."""
    out = rows.reindex(columns=EXPORT_COLUMNS).copy()
    for column in ("value", "lower_ci", "upper_ci", "benchmark"):
        out[column] = out[column].map(round_value).astype("object")
    for column in ("numerator", "denominator"):
        out[column] = out[column].map(round_count).astype("object")
    for column in ("period_start", "period_end"):
        out[column] = pd.to_datetime(out[column]).dt.strftime("%Y-%m-%d")
    text = [c for c in EXPORT_COLUMNS if c not in ("value", "lower_ci", "upper_ci", "benchmark", "numerator", "denominator")]
    out[text] = out[text].astype("object").where(out[text].notna(), None)
    return out.reset_index(drop=True)


def table_records(rows: pd.DataFrame) -> list[dict[str, object]]:
    """Records for the on-screen table (the same rounded rows, fewer columns)."""
    return rounded_rows(rows)[[c for c, _ in TABLE_COLUMNS]].to_dict("records")
