"""The committed data's MODELLED rows carry no interval at either level, published rows do,
and the registry states the model's assumption (see tests/unit/test_modelled_rows.py for
what every card does with them)."""

from __future__ import annotations

from dashboard.data.schema import DataStatus

MODELLED = DataStatus.MODELLED.value
PUBLISHED = DataStatus.PUBLISHED.value
LIMITS = ["lower_ci", "upper_ci", "lower_ci_998", "upper_ci_998"]


def test_the_committed_data_has_the_modelled_rows_it_describes(dataset) -> None:
    rows = dataset.indicators[dataset.indicators["data_status"] == MODELLED]
    assert set(map(str, rows["indicator_id"].unique())) == {"early_stage"}
    assert set(map(str, rows["group_dimension"].unique())) == {"imd_quintile", "ethnic_group"}
    assert set(map(str, rows["area_level"].unique())) == {"country", "alliance", "icb"}
    assert sorted(map(str, rows["period"].unique())) == [str(y) for y in range(2013, 2023)]
    assert rows["value"].notna().sum() > 10_000  # most are shown, so "no interval" is not "no value"


def test_every_modelled_row_has_no_limits_at_either_level(dataset, table) -> None:
    served = dataset.indicators[dataset.indicators["data_status"] == MODELLED]
    assert served[LIMITS].isna().all().all(), served.loc[served[LIMITS].notna().any(axis=1), ["area_code", "period", "group_value", *LIMITS]].head()
    assert served["ci_method"].astype(str).str.startswith("none: modelled").all()
    # The published format (indicators.parquet, before disclosure control) carries no interval either.
    built = table[table["data_status"].astype(str) == MODELLED]
    assert len(built) == len(served)
    assert built[["lower_ci", "upper_ci"]].isna().all().all()


def test_every_published_early_stage_row_with_a_denominator_has_limits(dataset) -> None:
    rows = dataset.indicators
    published = rows[(rows["indicator_id"] == "early_stage") & (rows["data_status"] == PUBLISHED) & (rows["denominator"] > 0) & (rows["suppression"].astype(str) == "")]
    assert len(published) > 9_000  # 9,988 shown in the embedded data
    assert published[LIMITS].notna().all().all()
    values = published["value"].to_numpy(dtype=float)
    assert (published["lower_ci"] <= values + 1e-9).all() and (values <= published["upper_ci"] + 1e-9).all()
    # 99.8% limits are wider than 95% ones.
    assert (published["lower_ci_998"] <= published["lower_ci"] + 1e-9).all() and (published["upper_ci_998"] >= published["upper_ci"] - 1e-9).all()


def test_the_derivation_gives_modelled_rows_no_998_limits(dataset, table) -> None:
    """derived.parquet is made by `derive`: run again on the early-stage rows, it must leave
    modelled rows without 99.8% limits (from counts alone it could compute Wilson ones) and
    give published rows theirs, as the committed file has them."""
    from dashboard.pipeline.derived import derive

    rows = table[table["indicator_id"].astype(str) == "early_stage"]
    derived = derive(rows, dataset.registry, dataset.boundaries)
    modelled = (rows["data_status"].astype(str) == MODELLED).to_numpy()
    assert modelled.sum() > 10_000
    assert derived.loc[modelled, ["lower_ci_998", "upper_ci_998"]].isna().all().all()
    counted = ~modelled & (rows["denominator"] > 0).to_numpy()
    assert derived.loc[counted, ["lower_ci_998", "upper_ci_998"]].notna().all().all()


def test_the_registry_states_the_assumption(dataset) -> None:
    from dashboard.pipeline.modelled import modelled_statement

    registry = dataset.registry
    text = registry["early_stage"].modelled_statement
    assert text.startswith("MODELLED, not observed:")
    assert "most vs least deprived fifth 0.92" in text and "Black vs White 0.93" in text
    assert text == modelled_statement()  # data/indicator_metadata.json says what the pipeline's model assumes
    # Only the indicator with modelled rows has a statement.
    assert {i for i, ind in registry.items() if ind.modelled_statement} == {"early_stage"}
