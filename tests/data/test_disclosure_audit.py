"""The linear-programming audit, run in the test suite on the committed data's families it can afford.

The table's indicators fall into families that share no relation (a relation links counts of
one family only), so a family's rows and their served decisions can be audited alone, with
exactly the answer the whole-table audit gives them. Mortality and staging take seconds; the
waiting-times and FDS families take minutes and are audited by `make audit` (docs/disclosure.md).
Whatever the audit cannot prove by a table it finds gets the exact programme: the attacker's
interval itself, over every relation and every shown number.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from dashboard.core.settings import DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR
from dashboard.data.boundaries import load_boundaries
from dashboard.data.loading import read_derived, read_table
from dashboard.data.registry import read_registry
from dashboard.pipeline.disclosure_model import build_model
from dashboard.pipeline.protection import audit, served_withheld

FAMILIES = {
    "mortality": ["mortality_age_specific", "mortality_asr"],
    "staging": ["early_stage", "stage_completeness", "incidence_crude"],
}


@pytest.fixture(scope="module")
def committed() -> tuple[pd.DataFrame, pd.DataFrame]:
    path = Path(DEFAULT_DATA_DIR) / "indicators.parquet"
    table = read_table(path)
    return table, read_derived(Path(DEFAULT_DATA_DIR) / "derived.parquet", table_path=path, rows=len(table))


@pytest.mark.parametrize("family", sorted(FAMILIES))
def test_no_withheld_small_count_in_the_family_can_be_narrowed_below_5(committed, family: str) -> None:
    table, derived = committed
    keep = table["indicator_id"].astype(str).isin(FAMILIES[family]).to_numpy()
    rows, decisions = table[keep].reset_index(drop=True), derived[keep].reset_index(drop=True)
    model = build_model(rows, read_registry(Path(DEFAULT_DATA_DIR) / "indicator_metadata.json"), load_boundaries(Path(DEFAULT_GEODATA_DIR)).parents())
    report = audit(model, served_withheld(model, decisions))
    assert report.small_quantities > 1000  # thousands of withheld counts of 1 to 4 in each family
    assert [(f.cells, f.true_value, f.low, f.high) for f in report.findings] == []
