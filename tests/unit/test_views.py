"""Pure view functions: headline text, export, table rounding, map properties, state moves."""

from __future__ import annotations

import json
from datetime import datetime, timezone

import pandas as pd
import pytest

from dashboard.data.boundaries import layer_bounds
from dashboard.web.app import map_layers
from dashboard.query.explorer import Explorer
from dashboard.core.selection import Selection
from dashboard.web.callbacks.state import Change, clicked_area, next_state
from dashboard.figures import maps
from dashboard.presenters.download import download_view
from dashboard.presenters.headline import headline_view
from dashboard.presenters.map import map_view
from dashboard.presenters.table import table_view
from dashboard.figures.exports import download_filename
from dashboard.figures.headline import headline
from dashboard.figures.tables import EXPORT_COLUMNS, rounded_rows



@pytest.fixture(scope="module")
def explorer(dataset) -> Explorer:
    return Explorer.from_dataset(dataset)


@pytest.fixture(scope="module")
def early(dataset):
    return dataset.registry["early_stage"]


@pytest.fixture(scope="module")
def geometry(dataset) -> maps.MapGeometry:
    layers = map_layers(dataset)
    return maps.MapGeometry(
        urls={level: f"/geo/{level}.json" for level in ("alliance", "icb", "subicb")},
        outline_url="/geo/outline.json",
        level_codes={name: [f["id"] for f in layer["features"]] for name, layer in layers.items()},
        alliance_codes=[f["id"] for f in layers["outline"]["features"]],
        bounds=layer_bounds(layers["alliance"]),
    )


def test_headline_reads_aloud(early) -> None:
    text = headline(
        indicator=early, cancer="Lung", period="2022", area_name="Lancashire and South Cumbria",
        value=31.14, lower=29.52, upper=32.81, comparison="worse", benchmark_name="England", benchmark=33.9,
        group_label=None, modelled=False,
    )
    assert text == (
        "In 2022, 31.1% of staged lung cancers in Lancashire and South Cumbria were diagnosed at stage 1 or 2 "
        "(95% CI 29.5% to 32.8%), significantly lower than England (33.9%), which is worse."
    )


def test_headline_without_a_value_says_so(early) -> None:
    text = headline(indicator=early, cancer="Lung", period="2022", area_name="X", value=float("nan"),
                    lower=None, upper=None, comparison="not compared", benchmark_name="England", benchmark=None, group_label=None, modelled=False)
    assert text.startswith("In 2022, there is no diagnosed at stage 1 or 2 figure for X")


def test_headline_on_real_data_matches_the_table(explorer: Explorer) -> None:
    sel = explorer.normalise(Selection("early_stage", "Lung", "2022", "icb", area="E54000048"))[0]
    text = headline_view(explorer, sel)
    row = explorer.area_row(sel, "E54000048")
    assert f"{row['value']:.1f}%" in text and "Lancashire and South Cumbria" in text and "England" in text


def test_download_filename_names_indicator_area_period() -> None:
    sel = Selection("fds_28day", "All suspected cancers", "2023-24 Q1", "icb", area="E54000048")
    assert download_filename(sel) == "fds_28day_E54000048_2023-24-Q1.csv"
    assert download_filename(sel.with_(area="")) == "fds_28day_icb-england_2023-24-Q1.csv"


def test_export_has_documented_columns_same_rounding_and_header(explorer: Explorer) -> None:
    sel = explorer.normalise(Selection("early_stage", "Lung", "2022", "icb", group="imd_quintile", group_value="2"))[0]
    name, text = download_view(explorer, sel, permalink="http://127.0.0.1:8050/?x", generated=datetime(2026, 1, 2, tzinfo=timezone.utc))
    body = pd.read_csv(pd.io.common.StringIO(text), comment="#")
    assert list(body.columns) == EXPORT_COLUMNS
    assert len(body) == 42
    shown = body["value"].dropna()
    assert (shown == shown.round(1)).all()
    assert (body["value"].isna() == body["suppression"].notna()).all()
    assert (body["data_status"] == "modelled").all()
    comments = [line for line in text.splitlines() if line.startswith("#")]
    assert "# Data status: includes MODELLED rows" in "\n".join(comments)
    assert "# Generated: 2026-01-02T00:00:00Z" in comments
    assert "# Permalink: http://127.0.0.1:8050/?x" in comments
    assert any("Office for National Statistics" in line for line in comments)
    table = table_view(explorer, sel)
    assert [r["value"] for r in table] == [None if pd.isna(v) else v for v in body["value"]]


def test_rounded_rows_keep_half_counts() -> None:
    frame = pd.DataFrame({"numerator": [12.5, 3.0], "denominator": [20.0, 4.0], "value": [62.5, 75.04], "lower_ci": [40.0, 30.0], "upper_ci": [80.0, 95.0], "benchmark": [70.0, 70.0], "period_start": ["2023-04-01"] * 2, "period_end": ["2023-04-30"] * 2})
    out = rounded_rows(frame)
    assert out["numerator"].tolist() == [12.5, 3] and out["value"].tolist() == [62.5, 75.0]


def test_map_updates_carry_no_boundaries(explorer: Explorer, geometry: maps.MapGeometry) -> None:
    sel = explorer.default_selection().with_(level="subicb", indicator="mortality_asr", cancer="Lung")
    sel = explorer.normalise(sel)[0]
    view = map_view(explorer, sel, geometry)
    payload = json.dumps(view.properties)
    assert '"coordinates"' not in payload and '"features"' not in payload
    assert view.properties["traces"][maps.AREAS]["geojson"] == "/geo/subicb.json"
    assert len(payload) < 60_000


def test_map_comparison_mode_uses_category_colours(explorer: Explorer, geometry: maps.MapGeometry) -> None:
    sel = explorer.default_selection().with_(level="icb", colour="comparison")
    view = map_view(explorer, sel, geometry)
    assert view.properties["traces"][maps.AREAS]["showscale"] is False
    assert {key for key, _, _ in view.legend} <= {"better", "similar", "worse", "not compared"}


def test_state_from_url_then_from_a_click(explorer: Explorer) -> None:
    state = next_state(explorer, change=Change.URL, search="?level=icb", values={}, previous=None)
    assert state.selection.level == "icb" and state.notices == []
    clicked = next_state(
        explorer, change=Change.CLICK, search=state.search, values=state.selection.as_dict(), previous=state.selection.as_dict(),
        area="E54000048",
    )
    assert clicked.selection.area == "E54000048" and "area=E54000048" in clicked.search
    again = next_state(explorer, change=Change.CLICK, search=clicked.search, values=clicked.selection.as_dict(), previous=clicked.selection.as_dict(), area="E54000048")
    assert again.selection.area == ""


def test_clicked_area_reads_map_and_chart_points() -> None:
    assert clicked_area({"points": [{"location": "E54000001"}]}) == "E54000001"
    assert clicked_area({"points": [{"customdata": ["E38000006", "x"]}]}) == "E38000006"
    assert clicked_area(None) is None


def test_hover_names_area_value_ci_counts_period_and_comparison(explorer: Explorer) -> None:
    sel = explorer.normalise(Selection("early_stage", "Lung", "2022", "icb"))[0]
    rows = explorer.compared_rows(sel)
    first = maps.hover_text(rows.head(1), unit="%", period="2022", benchmark_name="England")[0]
    row = rows.iloc[0]
    assert first[0] == row["area_name"]
    assert first[1] == f"{row['value']:.1f}%"
    assert first[2] == f"{row['lower_ci']:.1f}% to {row['upper_ci']:.1f}%"
    assert first[3] == f"{int(row['numerator']):,} / {int(row['denominator']):,}"
    assert first[4] == "2022"
    assert first[5].endswith("compared with England")
