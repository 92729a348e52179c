"""The rows behind the views, rounded once, for the on-screen table and the CSV alike."""

from __future__ import annotations

import pandas as pd

from dashboard.data.schema import COLUMNS
from dashboard.figures.formatting import round_count, round_value

# Download columns: the documented table format, then the comparison made on screen.
EXPORT_COLUMNS = [*COLUMNS, "lower_ci_998", "upper_ci_998", "benchmark", "comparison", "suppression"]
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
    ("comparison", "Comparison (at the chosen level)"),
    ("data_status", "Data status"),
    ("suppression", "Note"),
]


def rounded_rows(rows: pd.DataFrame) -> pd.DataFrame:
    """The selection's rows in download format, rounded as they are shown (one rule)."""
    out = rows.reindex(columns=EXPORT_COLUMNS).copy()
    for column in ("value", "lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998", "benchmark"):
        out[column] = out[column].map(round_value).astype("object")
    for column in ("numerator", "denominator"):
        out[column] = out[column].map(round_count).astype("object")
    for column in ("period_start", "period_end"):
        out[column] = pd.to_datetime(out[column]).dt.strftime("%Y-%m-%d")
    # Missing is None (an empty cell), never NaN, on screen and in the file alike.
    out = out.astype("object").where(out.notna(), None)
    # An empty reason means shown: None too. Kept as objects, or pandas would infer text and write NaN.
    out["suppression"] = pd.Series([str(r) if r else None for r in out["suppression"]], index=out.index, dtype="object")
    return out.reset_index(drop=True)


def table_records(rows: pd.DataFrame) -> list[dict[str, object]]:
    """Records for the on-screen table: the same rounding as `rounded_rows`, on its fewer columns
    only, column by column (a filter change sends this table; rounding every export column of
    every row first cost more than the rest of the change)."""
    columns = {column: _cells(rows[column], column) for column, _ in TABLE_COLUMNS}
    return [dict(zip(columns, cells, strict=True)) for cells in zip(*columns.values(), strict=True)]


def _cells(column: pd.Series, name: str) -> list[object]:
    """One column's cells as `rounded_rows` writes them: rounded numbers, None for missing
    (and for an empty suppression reason, which means shown)."""
    if name in ("value", "lower_ci", "upper_ci"):
        return [round_value(v) for v in column.tolist()]
    if name in ("numerator", "denominator"):
        return [round_count(v) for v in column.tolist()]
    missing = column.isna().tolist()
    texts = column.astype(object).tolist()
    if name == "suppression":
        return [str(t) if t and not m else None for t, m in zip(texts, missing, strict=True)]
    return [None if m else t for t, m in zip(texts, missing, strict=True)]
