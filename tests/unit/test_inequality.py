"""SII and RII: PHEindicatormethods' own test values, worked examples and invariants.

Reference values are read from ../shared/reference-values (skipped when absent). Point
estimates (SII, RII, intercept) are deterministic and must agree to 1e-6 relative. Worked
examples are built by hand (the arithmetic is in the comments), never from the module's
own functions. The
confidence limits are Monte Carlo percentiles; R's and NumPy's random streams differ, so
they are held to the peer's own tolerance for phe_sii: 0.05 as a mean relative difference
over each compared column (mean|x−y| / mean|y| across the areas of a test case).
"""

from __future__ import annotations

import math
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.stats.inequality import Inequality, describe, relative_ranks, sii

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference-values"
POINT_RTOL = 1e-6
PEER_CI_TOLERANCE = 0.05


# --- PHEindicatormethods reference cases --------------------------------------------------


def _reference_cases() -> list[str]:
    if not (REFERENCE / "sii.csv").is_file():
        return []
    return list(dict.fromkeys(pd.read_csv(REFERENCE / "sii.csv")["case"]))


def _case_inputs(row: pd.Series, inputs: pd.DataFrame) -> dict:
    """Arguments for one area of a case, following the README's arg_inputs mapping."""
    first, last = (int(n) for n in row["input_records"].split("-"))
    records = inputs.loc[first:last]
    if not str(row["area"]).startswith("(ungrouped"):
        records = records[records["area"] == row["area"]]
    records = records.sort_values("quantile")
    if row["arg_inputs"] == "count+cl":
        values = records["count"] / records["population"]  # x = Count, value = count / population
    else:
        values = records["value"]
    uncertainty = (
        {"se": records["standard_error"]}
        if row["arg_inputs"] == "value+se"
        else {"lower_ci": records["lower_cl"], "upper_ci": records["upper_cl"]}
    )
    return {
        "values": values.to_numpy(),
        "populations": records["population"].to_numpy(),
        "value_type": int(row["arg_value_type"]),
        "multiplier": float(row["arg_multiplier"]),
        "repetitions": int(row["arg_repetitions"]),
        "transform": bool(row["arg_transform"]),
        **uncertainty,
    }


@pytest.mark.skipif(not REFERENCE.is_dir(), reason=f"reference values not present at {REFERENCE}")
@pytest.mark.parametrize("case", _reference_cases() or ["(reference values absent)"])
def test_phe_sii_reference_case(case: str) -> None:
    inputs = pd.read_csv(REFERENCE / "sii_inputs.csv").set_index("record")
    rows = pd.read_csv(REFERENCE / "sii.csv")
    rows = rows[rows["case"] == case]
    limits: dict[str, list[tuple[float, float]]] = {}
    for _, row in rows.iterrows():
        arguments = _case_inputs(row, inputs)
        # Confidence is given as 95, 0.99, 99, 98 or "95;99": one call per level.
        for level, confidence in enumerate(str(row["arg_confidence"]).split(";"), start=1):
            result = sii(**arguments, confidence=float(confidence))
            points = {"sii": result.sii, "rii": result.rii, "intercept": result.intercept}
            for name, actual in points.items():
                expected = row[f"expected_{name}"]
                if pd.notna(expected):
                    assert actual == pytest.approx(expected, rel=POINT_RTOL), (case, row["area"], name)
            for name, actual in {
                f"sii_lowercl_{level}": result.sii_lower,
                f"sii_uppercl_{level}": result.sii_upper,
                f"rii_lowercl_{level}": result.rii_lower,
                f"rii_uppercl_{level}": result.rii_upper,
            }.items():
                expected = row[f"expected_{name}"]
                if pd.notna(expected):
                    limits.setdefault(name, []).append((actual, expected))
    for name, pairs in limits.items():
        actual, expected = np.array(pairs).T
        mean_relative = np.abs(actual - expected).sum() / np.abs(expected).sum()
        assert mean_relative <= PEER_CI_TOLERANCE, (case, name, mean_relative)


# --- worked examples ---------------------------------------------------------------------


def test_relative_rank_is_the_midpoint_of_each_population_share() -> None:
    # PHE's documented example: a decile with 12% of people sits at 0.06, the next (10%) at 0.17.
    ranks = relative_ranks([12, 10, 78])
    np.testing.assert_allclose(ranks, [0.06, 0.17, 0.61])


def test_values_exactly_linear_in_rank_give_the_gradient_and_a_collapsed_interval() -> None:
    # Shares 0.1, 0.3, 0.2, 0.4 -> cumulative 0.1, 0.4, 0.6, 1.0 -> midpoints 0.05, 0.25, 0.5, 0.8.
    # Values 50 − 8x = 49.6, 48, 46, 43.6: 8 units lower across the whole range.
    populations = np.array([100.0, 300.0, 200.0, 400.0])
    values = np.array([49.6, 48.0, 46.0, 43.6])
    result = sii(values, populations, se=np.zeros(4), repetitions=1000)
    assert result.sii == pytest.approx(-8)
    assert result.sii_lower == pytest.approx(-8) and result.sii_upper == pytest.approx(-8)
    assert result.intercept == pytest.approx(50)
    assert result.rii == pytest.approx(0.84)  # fitted 42 at x = 1 over 50 at x = 0
    assert result.absolute_gap == pytest.approx(6.0)  # 49.6 − 43.6
    assert result.relative_gap == pytest.approx(1.137615, abs=1e-6)  # 49.6 / 43.6


def test_equal_populations_match_an_ordinary_regression_on_rank() -> None:
    # Equal fifths: x = 0.1, 0.3, 0.5, 0.7, 0.9 (mean 0.5); mean value 364 / 5 = 72.8.
    # x − 0.5 = −0.4, −0.2, 0, 0.2, 0.4; value − 72.8 = −2.8, −0.3, −1.8, 1.2, 3.7.
    # Σ products = 1.12 + 0.06 + 0 + 0.24 + 1.48 = 2.9; Σ(x − 0.5)² = 0.4; slope = 7.25.
    # Intercept 72.8 − 7.25 × 0.5 = 69.175; RII = (69.175 + 7.25) / 69.175 = 1.104807.
    values = np.array([70.0, 72.5, 71.0, 74.0, 76.5])
    result = sii(values, np.full(5, 1000.0), se=np.full(5, 0.5), repetitions=1000)
    assert result.sii == pytest.approx(7.25)
    assert result.intercept == pytest.approx(69.175)
    assert result.rii == pytest.approx(1.104807, abs=1e-6)
    assert result.sii_lower < result.sii < result.sii_upper


def _example(**overrides) -> Inequality:
    arguments = {
        "values": [0.30, 0.28, 0.27, 0.25, 0.22],
        "populations": [900, 1100, 1000, 950, 1050],
        "lower_ci": [0.27, 0.25, 0.24, 0.22, 0.19],
        "upper_ci": [0.33, 0.31, 0.30, 0.28, 0.25],
        "value_type": 2,
        "repetitions": 2000,
    } | overrides
    return sii(**arguments)


def test_same_seed_same_limits_other_seed_close_limits() -> None:
    a, b, c = _example(seed=7), _example(seed=7), _example(seed=8)
    assert a == b
    assert (c.sii_lower, c.sii_upper) != (a.sii_lower, a.sii_upper)
    assert c.sii_lower == pytest.approx(a.sii_lower, rel=0.1)
    assert c.sii == a.sii  # the point estimate does not depend on the draws


def test_negative_multiplier_flips_the_sii_and_inverts_the_rii() -> None:
    plus, minus = _example(multiplier=100), _example(multiplier=-100)
    assert minus.sii == pytest.approx(-plus.sii)
    assert (minus.sii_lower, minus.sii_upper) == pytest.approx((-plus.sii_upper, -plus.sii_lower))
    assert minus.rii == pytest.approx(1 / plus.rii)
    assert (minus.rii_lower, minus.rii_upper) == pytest.approx((1 / plus.rii_upper, 1 / plus.rii_lower))
    assert minus.absolute_gap == pytest.approx(plus.absolute_gap)  # first minus last, in display units
    assert minus.intercept == pytest.approx(plus.intercept)


def test_percentage_and_fraction_confidence_agree_and_wider_level_is_wider() -> None:
    assert _example(confidence=99) == _example(confidence=0.99)
    narrow, wide = _example(confidence=0.95), _example(confidence=0.998)
    assert wide.sii_lower < narrow.sii_lower < narrow.sii_upper < wide.sii_upper


def test_transform_fits_on_the_logit_scale_and_reports_the_ends_back_on_the_value_scale() -> None:
    # Proportions exactly linear in x on the logit scale: odds 0.25 × 4^x, so the fitted ends
    # are odds 0.25 (p = 0.2) at x = 0 and odds 1 (p = 0.5) at x = 1. Equal fifths sit at
    # x = 0.1, 0.3, 0.5, 0.7, 0.9. SII = 0.5 − 0.2 = 0.3, RII = 0.5 / 0.2 = 2.5, intercept 0.2.
    x = np.array([0.1, 0.3, 0.5, 0.7, 0.9])
    odds = 0.25 * 4.0**x
    result = sii(odds / (1 + odds), np.full(5, 1000.0), se=np.full(5, 0.1), value_type=2, transform=True, repetitions=1000)
    assert result.sii == pytest.approx(0.3)
    assert result.rii == pytest.approx(2.5)
    assert result.intercept == pytest.approx(0.2)


def test_a_missing_group_means_no_sii_but_the_gap_between_the_ends_remains() -> None:
    result = _example(values=[0.30, np.nan, 0.27, 0.25, 0.22])
    assert all(math.isnan(v) for v in (result.sii, result.sii_lower, result.sii_upper, result.rii, result.intercept))
    assert result.absolute_gap == pytest.approx(0.08) and result.relative_gap == pytest.approx(0.30 / 0.22)
    assert math.isnan(_example(upper_ci=[0.33, 0.31, np.nan, 0.28, 0.25]).sii)
    assert describe(result, unit="points", first="most deprived", last="least deprived") == (
        "The slope index of inequality could not be calculated."
    )


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"populations": [900, 0, 1000, 950, 1050]}, "positive population"),
        ({"populations": [900, 1100]}, "one entry per group"),
        ({"value_type": 3}, "value_type"),
        ({"repetitions": 10}, "repetitions"),
        ({"lower_ci": None}, "either se"),
        ({"values": [0.30, 0.28, 1.2, 0.25, 0.22]}, "between 0 and 1"),
        ({"value_type": 0, "transform": True}, "transform"),
        ({"confidence": 0.2}, "confidence"),
    ],
)
def test_invalid_input_is_refused(overrides: dict, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _example(**overrides)


# --- describe ----------------------------------------------------------------------------


def test_describe_says_which_end_is_higher() -> None:
    falling = Inequality(-4.2, -6.0, -2.4, 0.93, 0.90, 0.96, 4.0, 1.05)
    text = describe(falling, unit="percentage points", first="most deprived", last="least deprived")
    assert text == (
        "The slope index of inequality is -4.2 percentage points (95% CI -6.0 to -2.4): across the range "
        "from most deprived to least deprived, the estimated value is 4.2 percentage points higher at the "
        "most deprived end than at the least deprived end. Relative index 0.930 (0.900 to 0.960)."
    )
    rising = Inequality(6.93, 3.13, 10.76, 1.089, 1.038, 1.141, -10.4, 0.88)
    assert "6.9 years lower at the most deprived end" in describe(
        rising, unit="years", first="most deprived", last="least deprived"
    )


def test_describe_follows_a_negative_multiplier_and_flags_an_interval_through_zero() -> None:
    flipped = Inequality(2.0, -0.5, 4.5, math.nan, math.nan, math.nan, 1.0, 1.1, multiplier=-1, confidence=0.998)
    text = describe(flipped, unit="", first="most deprived", last="least deprived")
    assert text.startswith("The slope index of inequality is 2.0 (99.8% CI -0.5 to 4.5)")
    assert "2.0 higher at the most deprived end" in text
    assert "may be due to chance" in text
    assert "Relative index" not in text


# --- invariants --------------------------------------------------------------------------

group_values = st.lists(st.floats(min_value=1, max_value=1000), min_size=5, max_size=10)


@settings(max_examples=40, deadline=None)
@given(values=group_values, shift=st.floats(min_value=-500, max_value=500), scale=st.floats(min_value=0.1, max_value=10))
def test_sii_moves_with_the_values_as_a_slope_should(values: list[float], shift: float, scale: float) -> None:
    n = len(values)
    populations = np.linspace(1000, 2000, n)
    se = np.full(n, 1.0)
    base = sii(values, populations, se=se, repetitions=1000)
    shifted = sii(np.add(values, shift), populations, se=se, repetitions=1000)
    scaled = sii(np.multiply(values, scale), populations, se=se * scale, repetitions=1000)
    assert shifted.sii == pytest.approx(base.sii, abs=1e-8 * (1 + abs(shift)) * 1000)
    assert scaled.sii == pytest.approx(scale * base.sii, rel=1e-9, abs=1e-9)
    assert scaled.rii == pytest.approx(base.rii, rel=1e-9)
    assert base.sii_lower <= base.sii_upper and base.rii_lower <= base.rii_upper
