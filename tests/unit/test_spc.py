"""SPC (XmR) agrees with NHSRplotthedots v0.2.2's own test values (../shared/reference-values).

Tolerances are the README's: XmR means and limits are compared after rounding to the digits
the peer's snapshots print; rule vectors, labels, icons and assurance types are exact. Where
no peer value exists (rebased limits, the plain-English description), the expected numbers
are worked out by hand on small series, with the arithmetic in the comments.
"""

from __future__ import annotations

import math
import re
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dashboard.stats.spc import (
    XmR,
    assurance_type,
    average_moving_range,
    describe,
    rebase_flags,
    rebase_groups,
    short_group_warnings,
    xmr,
    xmr_by_group,
)
from dashboard.stats.spc_rules import (
    label_special_causes,
    limit_flags,
    part_of_seven_trend,
    part_of_two_in_three,
    seven_point_one_side_mean,
    seven_point_trend,
    special_cause_type,
    two_in_three,
)

REFERENCE = Path(__file__).resolve().parents[3] / "shared" / "reference-values"
# The peer's icon files are assurance/pass.svg etc.; our names are its assurance types.
ASSURANCE_ICON_STEMS = {"consistent_pass": "pass", "consistent_fail": "fail", "inconsistent": "inconsistent"}
# NHS-R's limits: mean ± 2.66 × the average moving range (the published constant, not the module's).
PUBLISHED_LIMIT = 2.66


def _reference() -> Path:
    if not REFERENCE.is_dir():
        pytest.skip(f"reference values not present at {REFERENCE}")
    return REFERENCE


def _row_ids(name: str) -> list[int]:
    """Row numbers to parametrise over; one dummy (skipped in the test) when the folder is absent."""
    path = REFERENCE / name
    return list(range(len(pd.read_csv(path)))) if path.is_file() else [-1]


def _table(name: str) -> pd.DataFrame:
    return pd.read_csv(_reference() / name, dtype=str, keep_default_na=False)


def _vector(cell: str) -> list[str]:
    """Unpack a `;`-separated cell, expanding `v*k` to k copies of v."""
    if cell == "":
        return []
    out: list[str] = []
    for part in cell.split(";"):
        value, _, times = part.rpartition("*") if re.fullmatch(r".+\*\d+", part) else (part, "", "1")
        out.extend([value] * int(times))
    return out


def _numbers(cell: str) -> list[float]:
    return [float(v) for v in _vector(cell)]


def _series(name: str) -> pd.DataFrame:
    inputs = pd.read_csv(_reference() / "spc_inputs.csv")
    return inputs[inputs["series"] == name].sort_values("index").reset_index(drop=True)


def _signif(value: float, digits: int) -> float:
    """Round to significant digits as R prints them."""
    return float(f"{value:.{digits}g}")


# --- spc_xmr.csv ------------------------------------------------------------------------------


@pytest.mark.parametrize("row", _row_ids("spc_xmr.csv"))
def test_xmr_mean_and_limits(row: int) -> None:
    ref = _table("spc_xmr.csv").iloc[row]
    data = _series(ref["series"])
    if ref["facet_field"]:  # facet = rep(c(0, 1), each = 10)
        data = data[(data["index"] > 10) == (ref["facet"] == "1")]
    values = data["y"].to_numpy()
    screen = ref["screen_outliers"] == "True"
    days = [date.fromisoformat(x) for x in data["x"]]
    rebase = [date.fromisoformat(ref["rebase"])] if ref["rebase"] else None
    groups = rebase_groups(rebase_flags(days, rebase))
    assert set(groups) == {0}  # the rebase date is not in the data, so one group

    (result,) = xmr_by_group(values, groups, screen_outliers=screen)
    digits = int(ref["printed_sig_digits"])
    assert _signif(result.mean, digits) == float(ref["mean_col"])
    assert _signif(result.lpl, digits) == float(ref["lpl"])
    assert _signif(result.upl, digits) == float(ref["upl"])

    if ref["n"]:
        assert len(result.point_type) == int(ref["n"])
        assert result.point_type.count("common_cause") == int(ref["common_cause"])
        assert result.point_type.count("special_cause_improvement") == int(ref["special_cause_improvement"])

    rtm, outside, close = limit_flags(values, result.mean, average_moving_range(values, screen_outliers=screen))
    prefixes = (("relative_to_mean_prefix", rtm), ("outside_limits_prefix", outside), ("close_to_limits_prefix", close))
    for column, flags in prefixes:
        expected = _vector(ref[column])
        if column == "relative_to_mean_prefix":
            assert flags[: len(expected)].tolist() == [int(v) for v in expected]
        else:
            assert flags[: len(expected)].astype(bool).tolist() == [v == "TRUE" for v in expected]


def test_snapshot_limits_differ_and_unscreened_is_wider() -> None:
    _reference()
    r1 = xmr(_series("seed123_rnorm20")["y"])
    outlier = _series("seed123_rnorm20_y15_is_10")["y"]
    r2, r3 = xmr(outlier), xmr(outlier, screen_outliers=False)
    assert len({(r.lpl, r.upl) for r in (r1, r2, r3)}) == 3
    assert r3.lpl < r2.lpl and r3.upl > r2.upl
    # y[15] = 10 is the one special cause either way; screening only stops it widening the limits
    assert [i for i, rule in enumerate(r2.rules) if rule] == [i for i, rule in enumerate(r3.rules) if rule] == [14]
    assert r2.rules[14] == r3.rules[14] == "outside_limits"


# --- spc_rules.csv ----------------------------------------------------------------------------


def _as_ints(values: np.ndarray) -> list[int]:
    return [int(v) for v in values]


@pytest.mark.parametrize("row", _row_ids("spc_rules.csv"))
def test_rule_vectors(row: int) -> None:
    ref = _table("spc_rules.csv").iloc[row]
    function = ref["function"]
    y = _numbers(ref["input_y"])
    rtm = _numbers(ref["input_relative_to_mean"])
    close = _numbers(ref["input_close_to_limits"])
    outside = _numbers(ref["input_outside_limits"])

    if function == "seven_point_one_side_mean":
        assert _as_ints(seven_point_one_side_mean(rtm)) == _numbers(ref["expected"])
    elif function == "part_of_seven_trend":
        assert _as_ints(part_of_seven_trend(y)) == _numbers(ref["expected"])
    elif function == "seven_point_trend":
        assert _as_ints(seven_point_trend(y)) == _numbers(ref["expected"])
    elif function == "two_in_three":
        assert _as_ints(two_in_three(close, rtm)) == _numbers(ref["expected"])
    elif function.startswith("part_of_two_in_three("):
        assert _as_ints(part_of_two_in_three(two_in_three(close, rtm), close)) == _numbers(ref["expected"])
    elif function.startswith("special_cause_type"):
        mocked = dict(re.findall(r"(part_of_\w+)=([-\d;]+)", ref["note"]))
        labels = label_special_causes(
            y,
            rtm,
            outside,
            part_trend=_numbers(mocked["part_of_seven_point_trend"]),
            part_two_in_three=_numbers(mocked["part_of_two_in_three"]),
            part_one_side=_numbers(mocked["part_of_seven_one_side_mean"]),
        )
        assert labels == _vector(ref["expected"])
    elif function.startswith("ptd_spc end-to-end"):
        series = re.match(r"series (\S+)", ref["note"]).group(1)
        values = _series(series)["y"].to_numpy()
        assert values.tolist() == y
        result = xmr(values)
        assert result.point_type[-2:] == _vector(ref["expected"])
        assert result.rules[-2:] == ["", ""]
    else:
        pytest.fail(f"unhandled reference function {function!r}")


def test_special_cause_type_unmocked_precedence() -> None:
    """Without mocks: an outside point inside a 7-point rise is labelled outside, the rest trend."""
    y = [0, 0.1, 0.2, 0.3, 0.4, 0.5, 5.0, -0.1, 0.05]
    rtm, outside, close = limit_flags(y, 0.6, 0.5)
    labels = special_cause_type(y, rtm, close, outside)
    assert labels[6] == "Above UCL"
    assert labels[:6] == ["7 Point Trend (Increasing)"] * 6
    assert labels[7:] == ["Common Cause"] * 2


# --- spc_icons.csv ----------------------------------------------------------------------------


def _scenarios() -> list[str]:
    path = REFERENCE / "spc_icons.csv"
    return sorted(pd.read_csv(path)["scenario"].unique()) if path.is_file() else ["absent"]


@pytest.mark.parametrize("scenario", _scenarios())
def test_icons(scenario: str) -> None:
    table = _table("spc_icons.csv")
    rows = table[table["scenario"] == scenario]
    first = rows.iloc[0]
    target = float(first["target"]) if first["target"] else None
    direction = first["improvement_direction"]
    data = _series(first["series"])
    facets = {"no facet": data} if not first["facet_field"] else {str(int(f)): g for f, g in data.groupby("facet")}

    results = {f: xmr(g["y"].to_numpy(), improvement_direction=direction, target=target) for f, g in facets.items()}
    actual = [(f, "variation", f"variation/{r.variation_icon}.svg") for f, r in results.items()]
    actual += [
        (f, "assurance", f"assurance/{ASSURANCE_ICON_STEMS[r.assurance_icon]}.svg")
        for f, r in results.items()
        if r.assurance_icon is not None
    ]
    expected = list(rows[["expected_f", "expected_type", "expected_icon"]].itertuples(index=False, name=None))
    assert actual == expected


# --- spc_assurance.csv ------------------------------------------------------------------------


def _assurance_cases() -> list[str]:
    path = REFERENCE / "spc_assurance.csv"
    if not path.is_file():
        return ["absent"]
    table = pd.read_csv(path, dtype=str, keep_default_na=False)
    return list(dict.fromkeys(table["case"] + "/" + table["facet"]))


@pytest.mark.parametrize("case", _assurance_cases())
def test_assurance(case: str) -> None:
    table = _table("spc_assurance.csv")
    rows = table[table["case"] + "/" + table["facet"] == case]
    last = rows.sort_values("row_order").iloc[-1]  # only the latest rebase group counts
    expected = last["expected_assurance_type"] or None
    if not last["target"]:  # no target: nothing to assure, whatever the chart
        result = xmr(_series("seed123_rnorm20")["y"], improvement_direction=last["improvement_direction"])
        assert result.assurance_icon is expected is None
        return
    actual = assurance_type(float(last["lpl"]), float(last["upl"]), float(last["target"]), last["improvement_direction"])
    assert actual == expected


# --- spc_rebase.csv ---------------------------------------------------------------------------


def _dates(cell: str) -> list[date]:
    return [date.fromisoformat(v) for v in _vector(cell)]


@pytest.mark.parametrize("row", _row_ids("spc_rebase.csv"))
def test_rebase(row: int) -> None:
    ref = _table("spc_rebase.csv").iloc[row]
    test, arg = ref["test"], ref["rebase_arg"]
    facets = _vector(ref["facet"]) or None
    if test.startswith("add_rebase_column"):
        if not arg:
            rebase = None
        elif "=" in arg:
            rebase = {k: [date.fromisoformat(v)] for k, v in (pair.split("=") for pair in arg.split(";"))}
        else:
            rebase = _dates(arg)
        assert rebase_flags(_dates(ref["x"]), rebase, facets) == _numbers(ref["expected"])
    elif test.startswith("spc_standard: rebase_group"):
        flags = [0] * 10 + [1] + [0] * 9  # "rebase column = 0 x10, 1, 0 x9"
        groups = rebase_groups(flags)
        assert groups == _numbers(ref["expected"])
        # Limits are recomputed within each group. By hand: 0, 1, 0, 1, ... (10 points) has
        # mean 0.5 and every moving range 1, so limits 0.5 ± 2.66 = -2.16 to 3.16; then 10, 12,
        # 10, 12, ... has mean 11 and every moving range 2, so limits 11 ± 5.32 = 5.68 to 16.32.
        # (One chart over all 20 points would have mean 5.75 and a moving range of 9 at the join.)
        values = [0.0, 1.0] * 5 + [10.0, 12.0] * 5
        before, after = xmr_by_group(values, groups)
        assert (before.mean, before.lpl, before.upl) == pytest.approx((0.5, -2.16, 3.16))
        assert (after.mean, after.lpl, after.upl) == pytest.approx((11, 5.68, 16.32))
    elif test.startswith("short_group_warning"):
        expected = [v == "TRUE" for v in _vector(ref["expected"])]
        if arg:  # "rebase_group = 0*35,1*5,..."
            groups = _vector(arg.split("=", 1)[1].strip().replace(",", ";"))
        else:
            groups = [0] * len(expected)
        assert short_group_warnings(groups, facets) == expected
    else:
        pytest.fail(f"unhandled rebase test {test!r}")


# --- describe and input checks ----------------------------------------------------------------


def test_describe_common_cause_with_target() -> None:
    result = XmR(72.1, 68.0, 76.2, ["common_cause"] * 3, "common_cause", "inconsistent", ["", "", ""], target=75)
    assert describe(result, unit="%") == (
        "Common cause variation only: the process is stable around a mean of 72.1% (limits 68.0% to 76.2%). "
        "The 75% target will be met only some of the time."
    )


def test_describe_special_cause_names_nature_rule_and_assurance() -> None:
    # 10, 11, 10, 11, 10, 11, 10, 11, 10, 20: mean (5 × 10 + 4 × 11 + 20) / 10 = 11.4. Moving
    # ranges are 1 (eight times) and 10: average 18 / 9 = 2, and 10 >= 3.267 × 2 is screened
    # out, leaving 1. Limits 11.4 ± 2.66 = 8.74 to 14.06, printed to 3 significant figures.
    # The last point (20) is above the upper limit; lower is better, so it is a concern. A
    # target of 5 (at most 5 is good) is below the lower limit, so the process never meets it.
    result = xmr([10, 11] * 4 + [10, 20], improvement_direction="decrease", target=5)
    assert describe(result, unit="per 100,000") == (
        "Concerning special cause variation: the latest point is above the upper process limit "
        "(mean 11.4 per 100,000, limits 8.7 per 100,000 to 14.1 per 100,000). "
        "The 5 per 100,000 target will not be met without a change to the process."
    )
    # The same shape ending at 0: mean 9.4, limits 6.74 to 12.06, the last point below the lower
    # limit. With no preferred direction there is no assurance, whatever the target.
    neutral = xmr([10, 11] * 4 + [10, 0], improvement_direction="neutral", target=3)
    assert neutral.assurance_icon is None
    assert describe(neutral, unit="") == (
        "Neutral special cause variation: the latest point is below the lower process limit (mean 9.4, limits 6.7 to 12.1)."
    )


@pytest.mark.parametrize(
    ("values", "options"),
    [([1.0], {}), ([1.0, float("nan"), 2.0], {}), ([[1.0, 2.0]], {}), ([1.0, 2.0], {"improvement_direction": "up"})],
)
def test_rejects_bad_input(values: list, options: dict) -> None:
    with pytest.raises(ValueError, match="values|direction"):
        xmr(values, **options)


# --- properties -------------------------------------------------------------------------------

series = st.lists(st.floats(min_value=-1e6, max_value=1e6, allow_nan=False), min_size=2, max_size=60)


@settings(max_examples=200, deadline=None)
@given(series, st.sampled_from(["increase", "decrease", "neutral"]), st.booleans())
def test_limits_bracket_the_mean_and_rules_match_point_types(values: list[float], direction: str, screen: bool) -> None:
    result = xmr(values, improvement_direction=direction, screen_outliers=screen)
    assert result.lpl <= result.mean <= result.upl
    assert math.isclose(result.upl - result.mean, result.mean - result.lpl, rel_tol=1e-9, abs_tol=1e-6)
    assert len(result.point_type) == len(result.rules) == len(values)
    assert [t == "common_cause" for t in result.point_type] == [r == "" for r in result.rules]


@settings(max_examples=100, deadline=None)
@given(st.floats(min_value=-1e9, max_value=1e9, allow_nan=False), st.integers(min_value=2, max_value=40))
def test_constant_series_is_common_cause_only(value: float, n: int) -> None:
    result = xmr([value] * n, target=value)
    assert result.mean == result.lpl == result.upl == value
    assert result.point_type == ["common_cause"] * n
    assert result.rules == [""] * n
    assert result.variation_icon == "common_cause"
    assert result.assurance_icon == "inconsistent"


@settings(max_examples=200, deadline=None)
@given(series)
def test_direction_only_relabels_points(values: list[float]) -> None:
    up, down, neutral = (xmr(values, improvement_direction=d) for d in ("increase", "decrease", "neutral"))
    swap = {"special_cause_improvement": "special_cause_concern", "special_cause_concern": "special_cause_improvement"}
    assert down.point_type == [swap.get(t, t) for t in up.point_type]
    def limits_and_rules(r: XmR) -> tuple:
        return (r.mean, r.lpl, r.upl, r.rules)

    assert limits_and_rules(up) == limits_and_rules(down) == limits_and_rules(neutral)
    high_low = {"special_cause_improvement": "special_cause_neutral_high", "special_cause_concern": "special_cause_neutral_low"}
    assert neutral.point_type == [high_low.get(t, t) for t in up.point_type]


@settings(max_examples=200, deadline=None)
@given(series)
def test_screening_never_widens_the_limits(values: list[float]) -> None:
    screened = average_moving_range(values, screen_outliers=True)
    raw = average_moving_range(values, screen_outliers=False)
    assert screened <= raw * (1 + 1e-12)
    narrow, wide = xmr(values), xmr(values, screen_outliers=False)
    assert narrow.upl - narrow.lpl <= (wide.upl - wide.lpl) * (1 + 1e-12)
    assert narrow.upl - narrow.lpl == pytest.approx(2 * PUBLISHED_LIMIT * screened, rel=1e-9, abs=1e-6)
