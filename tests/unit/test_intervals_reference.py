"""Intervals agree with PHEindicatormethods' own test values (../shared/reference-values).

The peer's tolerance is testthat's default, 1.49e-8 as a mean relative difference per
column; these tests are stricter, applying it element by element.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from dashboard.stats.intervals import (
    byar_count_interval,
    dobson_dsr,
    rate_interval,
    wilson_interval,
)

PEER_TOLERANCE = 1.49e-8


def _close(actual, expected) -> None:
    np.testing.assert_allclose(np.asarray(actual, float), np.asarray(expected, float), rtol=PEER_TOLERANCE, equal_nan=True)


def test_wilson_and_byar_direct(reference_values: Path) -> None:
    table = pd.read_csv(reference_values / "wilson_byars_ci.csv")
    table = table[table["row"] != "inline"]
    wilson = table[table["method"] == "Wilson"]
    for confidence, rows in wilson.groupby("confidence"):
        lower, upper = wilson_interval(rows["x"], rows["n"], confidence)
        _close(lower, rows["lowercl"])
        _close(upper, rows["uppercl"])
    byar = table[table["method"] == "Byars"]
    for confidence, rows in byar.groupby("confidence"):
        lower, upper = byar_count_interval(rows["x"], confidence)
        _close(lower, rows["lowercl"])
        _close(upper, rows["uppercl"])


def test_wilson_proportions(reference_values: Path) -> None:
    table = pd.read_csv(reference_values / "wilson_proportion.csv").dropna(subset=["numerator", "denominator"])
    for confidence, prefix in ((0.95, "95_0"), (0.998, "99_8")):
        lower, upper = wilson_interval(table["numerator"], table["denominator"], confidence)
        _close(lower * table["multiplier"], table[f"lower{prefix}cl"])
        _close(upper * table["multiplier"], table[f"upper{prefix}cl"])


def test_wilson_grouped(reference_values: Path) -> None:
    table = pd.read_csv(reference_values / "wilson_proportion_grouped.csv").dropna(subset=["numerator", "denominator"])
    lower, upper = wilson_interval(table["numerator"], table["denominator"], 0.95)
    _close(lower, table["lowercl"])
    _close(upper, table["uppercl"])


@pytest.mark.parametrize("name", ["byar_rate.csv"])
def test_rates_exact_below_10_byar_from_10(reference_values: Path, name: str) -> None:
    table = pd.read_csv(reference_values / name).dropna(subset=["numerator", "denominator"])
    for confidence, prefix in ((0.95, "95_0"), (0.998, "99_8")):
        value, lower, upper = rate_interval(table["numerator"], table["denominator"], 1, confidence)
        _close(value * table["multiplier"], table["value"])
        _close(lower * table["multiplier"], table[f"lower{prefix}cl"])
        _close(upper * table["multiplier"], table[f"upper{prefix}cl"])


def test_rates_grouped(reference_values: Path) -> None:
    table = pd.read_csv(reference_values / "byar_rate_grouped.csv").dropna(subset=["numerator", "denominator"])
    value, lower, upper = rate_interval(table["numerator"], table["denominator"], 100_000, 0.95)
    _close(value, table["value"])
    _close(lower, table["lowercl"])
    _close(upper, table["uppercl"])


def test_dobson_dsr(reference_values: Path) -> None:
    inputs = pd.read_csv(reference_values / "dobson_dsr_inputs.csv")
    expected = pd.read_csv(reference_values / "dobson_dsr.csv")
    expected = expected[(expected["input_file"] == "dobson_dsr_inputs.csv") & expected["independent_events"]]
    assert len(expected) >= 6
    for row in expected.itertuples():
        area = inputs[inputs["area"] == row.area]
        for confidence, prefix in ((0.95, "95_0"), (0.998, "99_8")):
            value, lower, upper = dobson_dsr(area["count"], area["pop"], area["esp2013"], row.multiplier, confidence)
            _close(value, row.value)
            _close(lower, getattr(row, f"lower{prefix}cl"))
            _close(upper, getattr(row, f"upper{prefix}cl"))
        assert area["count"].fillna(0).sum() == row.total_count


def test_dobson_dsr_esp1976_95(reference_values: Path) -> None:
    inputs = pd.read_csv(reference_values / "dobson_dsr_inputs_esp1976.csv")
    row = pd.read_csv(reference_values / "dobson_dsr.csv").query("input_file == 'dobson_dsr_inputs_esp1976.csv'").iloc[0]
    value, lower, upper = dobson_dsr(inputs["count"], inputs["pop"], inputs["esp1976"], row.multiplier, 0.95)
    _close([value, lower, upper], [row.value, row.lower95_0cl, row.upper95_0cl])


def test_dobson_998_limits_recovered_from_95_limits(reference_values: Path) -> None:
    """The app gives 99.8% limits for published DSRs by rescaling their 95% limits."""
    from dashboard.stats.intervals import dobson_limits_at

    inputs = pd.read_csv(reference_values / "dobson_dsr_inputs.csv")
    expected = pd.read_csv(reference_values / "dobson_dsr.csv")
    expected = expected[(expected["input_file"] == "dobson_dsr_inputs.csv") & expected["independent_events"] & expected["value"].notna()]
    for row in expected.itertuples():
        count = inputs.loc[inputs["area"] == row.area, "count"].fillna(0).sum()
        lower, upper = dobson_limits_at(row.value, row.lower95_0cl, row.upper95_0cl, count, 0.998)
        _close([lower, upper], [row.lower99_8cl, row.upper99_8cl])
