"""The pure explorer core on the committed data: options, normalising, rows, permalinks."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from dashboard.core.selection import Selection
from dashboard.query.explorer import Explorer
from dashboard.web.urlstate import decode, encode


@pytest.fixture(scope="module")
def explorer(dataset) -> Explorer:
    return Explorer.from_dataset(dataset)


def test_default_is_early_stage_alliances_latest_year(explorer: Explorer) -> None:
    sel = explorer.default_selection()
    assert (sel.indicator, sel.cancer, sel.period, sel.level, sel.group) == ("early_stage", "All cancers", "2022", "alliance", "all")


def test_permalink_round_trip(explorer: Explorer) -> None:
    sel = explorer.normalise(Selection("fds_28day", "Suspected lung cancer", "2023-24", "icb", "E56000018", "referral_route", "Urgent suspected cancer", "alliance", "E54000048", "comparison"))[0]
    assert sel.area == "E54000048" and sel.group_value == "Urgent suspected cancer"
    search = encode(sel)
    assert search.startswith("?indicator=fds_28day&cancer=Suspected+lung+cancer&period=2023-24&level=icb&alliance=E56000018")
    again, notices = decode(search, explorer)
    assert again == sel and notices == []


@pytest.mark.parametrize(
    ("search", "parameter"),
    [
        ("?indicator=nonsense", "indicator"),
        ("?indicator=early_stage&cancer=Spleen", "cancer"),
        ("?indicator=early_stage&level=subicb", "level"),
        ("?period=1999", "period"),
        ("?alliance=E56999999", "alliance"),
        ("?group=learning_disability", "group"),
        ("?area=E54000999", "area"),
        ("?colour=rainbow", "colour"),
        ("?foo=bar", "foo"),
    ],
)
def test_invalid_permalink_falls_back_with_a_notice_naming_the_parameter(explorer: Explorer, search: str, parameter: str) -> None:
    sel, notices = decode(search, explorer)
    assert [n.parameter for n in notices] == [parameter]
    assert sel.indicator in explorer.tables


def test_compare_with_alliance_needs_an_alliance(explorer: Explorer) -> None:
    sel, notices = decode("?compare=alliance", explorer)
    assert sel.compare == "england" and notices[0].parameter == "compare"


def test_options_come_from_the_data(explorer: Explorer) -> None:
    sel = explorer.default_selection()
    levels = {o.value: o.disabled for o in explorer.level_options(sel)}
    assert levels == {"alliance": False, "icb": False, "subicb": True}
    groups = {o.value: o.disabled for o in explorer.group_options(sel)}
    assert groups["imd_quintile"] is False and groups["ethnic_group"] is False
    assert groups["learning_disability"] is True and groups["severe_mental_illness"] is True
    assert "Suspected children's cancer" in [o.value for o in explorer.cancer_options("fds_28day")]


def test_compared_rows_have_benchmark_and_comparison(explorer: Explorer) -> None:
    sel = explorer.default_selection().with_(level="icb")
    rows = explorer.compared_rows(sel)
    assert len(rows) == 42
    england = explorer.area_row(sel, "E92000001")["value"]
    assert (rows["benchmark"] == england).all()
    higher = rows[rows["lower_ci"] > england]
    assert (higher["comparison"] == "better").all() and len(higher) > 0
    assert rows["value"].is_monotonic_decreasing


def test_peers_benchmark_is_pooled_within_deprivation_fifth(explorer: Explorer, dataset) -> None:
    table = dataset.indicators

    def icb_rows(indicator: str, **where: str) -> pd.DataFrame:
        mask = (table["indicator_id"] == indicator) & (table["area_level"] == "icb") & (table["group_dimension"] == "all")
        for column, value in where.items():
            mask &= table[column] == value
        return table[mask]

    # Fifths worked out here, not read from the explorer: rank the 42 ICBs by the share of
    # residents in England's most deprived IMD quintile (most deprived first); rank r of 42 is in
    # fifth ceil(5r/42), so fifths hold 8, 8, 9, 8 and 9 ICBs.
    shares = icb_rows("most_deprived_share").sort_values("value", ascending=False, kind="stable")
    assert len(shares) == 42 and shares["value"].is_unique
    fifth_of = {str(code): math.ceil(5 * rank / 42) for rank, code in enumerate(shares["area_code"], start=1)}
    assert [list(fifth_of.values()).count(f) for f in range(1, 6)] == [8, 8, 9, 8, 9]

    sel = explorer.default_selection().with_(level="icb", compare="peers")
    assert (sel.indicator, sel.cancer, sel.period) == ("early_stage", "All cancers", "2022")
    rows = explorer.compared_rows(sel)
    compared = rows.set_index(rows["area_code"].astype(str))
    counts = icb_rows("early_stage", cancer_type=sel.cancer, period=sel.period).set_index("area_code")
    for fifth in range(1, 6):
        members = [code for code, f in fifth_of.items() if f == fifth]
        # The pooled share: the fifth's early-stage cancers over its staged cancers, x 100.
        pooled = counts.loc[members, "numerator"].sum() / counts.loc[members, "denominator"].sum() * 100
        assert compared.loc[members, "benchmark"].tolist() == pytest.approx([pooled] * len(members), abs=1e-9), fifth
    # The most deprived fifth, worked through by hand: these 8 ICBs (most_deprived_share 51.5% down
    # to 29.1%), whose 2022 rows in the NDRS stage file (17 sites each, 136 rows of
    # outcomes/ndrs-stage/NDRS Stage Metrics- Stage at diagnosis by cancer site in England, 2013-2022.csv)
    # sum to 40,276 early-stage of 74,902 staged cancers: 53.77%.
    most_deprived = {
        "E54000055",  # Birmingham and Solihull
        "E54000062",  # Black Country
        "E54000057",  # Greater Manchester
        "E54000061",  # South Yorkshire
        "E54000054",  # West Yorkshire
        "E54000008",  # Cheshire and Merseyside
        "E54000050",  # North East and North Cumbria
        "E54000048",  # Lancashire and South Cumbria
    }
    assert {code for code, f in fifth_of.items() if f == 1} == most_deprived
    assert set(compared.loc[list(most_deprived), "benchmark"].round(4)) == {round(40276 / 74902 * 100, 4)} == {53.7716}
    assert compared["benchmark"].round(6).nunique() == 5


def test_trend_and_groups(explorer: Explorer) -> None:
    sel = explorer.default_selection().with_(level="icb")
    assert list(explorer.trend_rows(sel, "E92000001")["period"]) == [str(y) for y in range(2013, 2023)]
    groups = explorer.group_rows(sel.with_(group="imd_quintile", group_value="2"), "E92000001")
    assert list(groups["group_value"]) == ["1 - most deprived", "2", "3", "4", "5 - least deprived"]


def test_a_huge_link_value_makes_a_short_notice(explorer: Explorer) -> None:
    """An adversarial check sent three 1 MB values and got 3 MB of notices back."""
    huge = "x" * 1_000_000
    sel, notices = decode(f"?indicator=early_stage&cancer={huge}&{huge}=1", explorer)
    assert sel.cancer == "All cancers"  # the default, as for any unknown cancer type
    assert len(notices) == 2 and all(len(n.message) < 300 and len(n.parameter) < 100 for n in notices)
    assert "x" * 60 + "…" in notices[0].message or "x" * 60 + "…" in notices[1].message
