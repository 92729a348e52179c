"""Every comparison is between figures made the same way: each benchmark (England, the
alliance, peers) recomputed here from the areas' own inputs in the committed table."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from dashboard.core.geography import ENGLAND_CODE
from dashboard.core.selection import Comparator, Selection
from dashboard.core.settings import DEFAULT_GEODATA_DIR
from dashboard.query.explorer import Explorer

# ESP2013 five-year weights summed into NDRS's six bands (0-4: 5,000, 5-9 to 15-19: 5,500,
# 20-24: 6,000 | 25-29: 6,000, 30-34: 6,500, 35-39 to 45-49: 7,000 | 50-54: 7,000, 55-59: 6,500 |
# 60-64: 6,000, 65-69: 5,500 | 70-74: 5,000, 75-79: 4,000 | 80-84: 2,500, 85-89: 1,500, 90+: 1,000).
ESP_BANDS = {"24 and under": 27_500, "25 to 49": 33_500, "50 to 59": 13_500, "60 to 69": 11_500, "70 to 79": 9_000, "80 and over": 5_000}
# Indicators whose areas are summed from their parts, and whether England is the sum of the
# level's areas exactly, or also holds activity no area is attributed to (waiting times: providers
# with no ICB attribution, or patients with no valid sub-ICB code; at most 1%, see data/manifest.json).
ADDITIVE = {
    "early_stage": True, "stage_completeness": True, "incidence_crude": True, "mortality_age_specific": True,
    "fds_28day": False, "cwt_31day": False, "cwt_62day": False,
    "fds_28day_commissioner": False, "cwt_31day_commissioner": False, "cwt_62day_commissioner": False,
}
SCALE = {"%": 100.0, "per 100,000": 100_000.0}


def _published(table: pd.DataFrame, indicator: str) -> pd.DataFrame:
    rows = table[(table["indicator_id"] == indicator) & (table["data_status"] == "published")]
    return rows.assign(**{c: rows[c].astype(str) for c in ("area_level", "area_code", "alliance_code", "period", "cancer_type", "group_dimension", "group_value")})


@pytest.mark.parametrize("indicator", ADDITIVE)
def test_every_value_is_its_own_numerator_over_its_denominator(table, indicator: str) -> None:
    """One method at every level, England included: the share or crude rate of the row's own counts."""
    rows = _published(table, indicator)
    rows = rows[rows["value"].notna()]
    scale = SCALE[str(rows["unit"].iloc[0])]
    np.testing.assert_allclose(rows["value"], rows["numerator"] / rows["denominator"] * scale, rtol=1e-6, atol=1e-4)


@pytest.mark.parametrize(("indicator", "england_exact"), ADDITIVE.items())
def test_alliances_and_england_are_the_sums_of_their_areas(table, indicator: str, england_exact: bool) -> None:
    rows = _published(table, indicator)
    keys = ["period", "cancer_type", "group_dimension", "group_value"]
    base = "subicb" if (rows["area_level"] == "subicb").any() else "icb"
    parts = rows[rows["area_level"] == base]
    alliances = rows[rows["area_level"] == "alliance"].set_index(["area_code", *keys])[["numerator", "denominator"]]
    summed = parts.groupby(["alliance_code", *keys])[["numerator", "denominator"]].sum()
    summed.index = summed.index.set_names(["area_code", *keys])
    joined = alliances.join(summed, how="inner", suffixes=("", "_parts"))
    assert len(joined) == len(alliances)  # every alliance row has its parts
    np.testing.assert_array_equal(joined["denominator"], joined["denominator_parts"])
    np.testing.assert_array_equal(joined["numerator"], joined["numerator_parts"])
    england = rows[rows["area_code"] == ENGLAND_CODE].set_index(keys)[["denominator"]]
    by_area = alliances.groupby(level=keys)[["denominator"]].sum()
    joined = england.join(by_area, how="inner", suffixes=("", "_areas"))
    if england_exact:
        np.testing.assert_array_equal(joined["denominator"], joined["denominator_areas"])
    else:
        share_unattributed = 1 - joined["denominator_areas"].sum() / joined["denominator"].sum()
        assert 0 <= share_unattributed <= 0.01


def test_age_standardised_rates_are_made_from_their_areas_age_bands(table) -> None:
    """mortality_asr persons 2020, every ICB, alliance and England: the DSR of its sub-ICBs' deaths and
    populations by band (mortality_age_specific rows), with the ESP2013 band weights above."""
    bands = _published(table, "mortality_age_specific")
    bands = bands[(bands["area_level"] == "subicb") & bands["denominator"].notna()]
    asr = _published(table, "mortality_asr")
    asr = asr[(asr["period"] == "2020") & (asr["group_dimension"] == "all") & asr["value"].notna()]
    parents = {"icb": {}, "alliance": {}}
    areas = pd.read_csv(DEFAULT_GEODATA_DIR / "areas.csv", dtype=str)
    parents["icb"] = dict(zip(areas["subicb_code"], areas["icb_code"], strict=True))
    parents["alliance"] = dict(zip(areas["subicb_code"], areas["alliance_code"], strict=True))
    checked = 0
    for level in ("icb", "alliance", "country"):
        owner = bands["area_code"].map(parents[level]) if level != "country" else pd.Series(ENGLAND_CODE, index=bands.index)
        pooled = bands.assign(owner=owner).groupby(["owner", "cancer_type", "group_value"])[["numerator", "denominator"]].sum().reset_index()
        # DSR per 100,000 = sum over bands of (deaths / population) x weight, the weights summing to 100,000.
        pooled["weighted"] = pooled["numerator"] / pooled["denominator"] * pooled["group_value"].map(ESP_BANDS)
        dsr = pooled.groupby(["owner", "cancer_type"])["weighted"].sum() * 100_000 / sum(ESP_BANDS.values())
        ours = asr[asr["area_level"] == level].set_index(["area_code", "cancer_type"])["value"]
        joined = ours.to_frame().join(dsr.rename("recomputed").rename_axis(["area_code", "cancer_type"]), how="inner")
        np.testing.assert_allclose(joined["value"], joined["recomputed"], atol=5e-5)  # stored to 4 decimal places
        checked += len(joined)
    assert checked > 1000


@pytest.fixture(scope="module")
def explorer(dataset) -> Explorer:
    return Explorer.from_dataset(dataset)


@pytest.mark.parametrize(("indicator", "cancer", "period"), [("early_stage", "Lung", "2022"), ("incidence_crude", "Breast", "2019"), ("cwt_62day", "All cancers", "2023-06")])
def test_peer_benchmark_pools_the_peers_counts(explorer: Explorer, indicator: str, cancer: str, period: str) -> None:
    sel = explorer.normalise(Selection(indicator, cancer, period, "icb", compare=Comparator.PEERS.value))[0]
    assert sel.compare == Comparator.PEERS.value
    rows = explorer.compared_rows(sel)
    shares = explorer.tables["most_deprived_share"]
    shares = shares[(shares["area_level"] == "icb")].sort_values("value", ascending=False).reset_index(drop=True)
    fifth = {str(code): int(np.ceil((rank + 1) / len(shares) * 5)) for rank, code in enumerate(shares["area_code"])}
    scale = SCALE[explorer.indicator(sel).unit.value]
    for group in range(1, 6):
        members = rows[rows["area_code"].astype(str).map(fifth) == group]
        if members["numerator"].isna().any():  # a withheld peer: pooling the rest would give it away
            assert members["benchmark"].isna().all()
            continue
        expected = members["numerator"].sum() / members["denominator"].sum() * scale
        np.testing.assert_allclose(members["benchmark"], expected, rtol=1e-9)


def test_no_peer_benchmark_for_an_age_standardised_rate(explorer: Explorer) -> None:
    sel, notices = explorer.normalise(Selection("mortality_asr", "Lung", "2020", "icb", compare=Comparator.PEERS.value))
    assert sel.compare == Comparator.ENGLAND.value
    assert [n.parameter for n in notices] == ["compare"]


def test_no_opportunity_against_peers_when_a_peer_is_withheld(explorer: Explorer) -> None:
    """South West London, cervix 2022: a peer in its fifth (E54000043) is withheld, so there is no
    peer benchmark, and the headline does not measure it against 'the top quarter of its peers' either."""
    from dashboard.presenters.headline import headline_view

    sel = explorer.normalise(Selection("early_stage", "Cervix", "2022", "icb", compare=Comparator.PEERS.value, area="E54000031"))[0]
    rows = explorer.compared_rows(sel)
    assert np.isnan(rows.loc[rows["area_code"] == "E54000031", "benchmark"]).all()
    sentence = headline_view(explorer, sel)
    assert "top quarter of its peers" not in sentence and "than peers" not in sentence
    assert sentence.endswith("Not compared with peers: an area among its peers has a withheld figure, so they are not pooled.")
