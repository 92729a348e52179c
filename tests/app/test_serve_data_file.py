"""`serve --data FILE` (issue 14): a file, not a folder, is checked; an invalid one is refused whole
with every problem and nothing is loaded; a valid one is added to the base data (as derive-data
adds it, disclosure-controlled) in a folder under the user's cache, reused at the next start, and
its indicator is served beside the others, named with its source."""

from __future__ import annotations

import argparse
from pathlib import Path

import pytest
from own_data import FINGERTIPS_EXPORT, FINGERTIPS_INVALID, small_base

from dashboard.cli import main, serving_app
from dashboard.core.selection import Option, Selection
from dashboard.core.settings import DEFAULT_GEODATA_DIR
from dashboard.web.app import EXPLORER_KEY

NAME = "Percentage of cancers in people aged under 25 diagnosed following an emergency presentation (from fingertips_export.csv)"


@pytest.fixture(scope="module")
def base(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return small_base(tmp_path_factory.mktemp("own-data"))


@pytest.fixture
def cache(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    return tmp_path / "cache" / "cancer-variation-explorer" / "derived"


def _args(data: Path, base: Path) -> argparse.Namespace:
    return argparse.Namespace(data=data, base=base, geodata=DEFAULT_GEODATA_DIR, host="127.0.0.1", port=0, unit=None)


def test_a_valid_export_is_served_beside_the_base_data(base: Path, cache: Path, monkeypatch: pytest.MonkeyPatch, capsys) -> None:
    app, settings = serving_app(_args(FINGERTIPS_EXPORT, base))
    assert settings.data_dir.parent == cache and settings.data_dir.name.startswith("fingertips_export-")
    explorer = app.server.extensions[EXPLORER_KEY]
    options = explorer.indicator_options()
    assert Option("fingertips_90999", NAME) in options and "early_stage" in [o.value for o in options]
    sel = Selection("fingertips_90999", "Not applicable", "2022", "icb")
    assert [o.value for o in explorer.level_options(sel) if not o.disabled] == ["icb"]
    assert explorer.area_row(sel, "E54000057")["value"] == 20.0  # 16 of 80
    withheld = explorer.area_row(sel.with_(period="2021"), "E54000048")  # 4 people
    assert str(withheld["suppression"]).startswith("Withheld") and withheld["value"] != withheld["value"]
    assert explorer.registry["fingertips_90999"].source == "fingertips_export.csv (Fingertips export)"
    # The export has ICBs and England, no alliance: Greater Manchester's trend is drawn with
    # England's, and its title names no alliance (a new-user trial: "with its Cancer Alliance").
    from dashboard.presenters.trend import trend_view

    figure, title, _, _ = trend_view(explorer, sel.with_(area="E54000057"))
    assert title == "Greater Manchester over time, with England"
    assert {t.get("name") for t in figure["data"] if t.get("showlegend", True)} == {"Greater Manchester", "England"}
    # Each alliance's download of the export's ICBs is named after it, not England (an adversarial
    # check: two alliances' files had one name); the export has no alliance rows of its own.
    from datetime import datetime, timezone

    from dashboard.presenters.download import download_view

    names = {alliance: download_view(explorer, explorer.normalise(sel.with_(period="2021", alliance=alliance))[0], permalink="",
                                     generated=datetime(2026, 1, 1, tzinfo=timezone.utc))[0] for alliance in ("E56000005", "E56000018")}
    assert names["E56000005"].endswith(" - Cheshire and Merseyside Cancer Alliance - ICBs - 2021.csv"), names
    assert names["E56000018"].endswith(" - Lancashire & South Cumbria Cancer Alliance - ICBs - 2021.csv"), names
    capsys.readouterr()

    # The next start on the same file reuses the folder: nothing is derived again.
    import dashboard.pipeline.derived as derived

    monkeypatch.setattr(derived, "derive_data", lambda *a, **k: pytest.fail("derived again"))
    again, settings_again = serving_app(_args(FINGERTIPS_EXPORT, base))
    assert settings_again.data_dir == settings.data_dir
    assert "derived at an earlier start" in capsys.readouterr().out
    assert Option("fingertips_90999", NAME) in again.server.extensions[EXPLORER_KEY].indicator_options()


def test_an_invalid_export_is_refused_whole_with_every_problem(base: Path, cache: Path, capsys) -> None:
    assert main(["serve", "--data", str(FINGERTIPS_INVALID), "--base", str(base), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert f"error: {FINGERTIPS_INVALID}: row 2, column Area Type" in err
    assert f"error: {FINGERTIPS_INVALID}: row 9, column Value: infinite value (inf): not a number" in err
    assert err.rstrip().endswith("8 problem(s) found; nothing was loaded")
    assert not cache.exists() or not any(cache.iterdir())


def test_a_file_in_the_indicator_format_is_served_too(base: Path, cache: Path, tmp_path: Path) -> None:
    """The documented format: early-stage lung by sex for one ICB (made-up counts)."""
    common = ("early_stage,Diagnosed at stage 1 or 2,icb,E54000048,NHS Lancashire and South Cumbria Integrated Care Board,"
              "E56000018,Lancashire & South Cumbria Cancer Alliance,2022,2022-01-01,2022-12-31,Lung,sex")
    tail = "Wilson score 95%,%,published,Alliance extract (test),calendar_year"
    extract = tmp_path / "extract.csv"
    extract.write_text(
        "indicator_id,indicator_name,area_level,area_code,area_name,alliance_code,alliance_name,period,period_start,period_end,"
        "cancer_type,group_dimension,group_value,numerator,denominator,value,lower_ci,upper_ci,ci_method,unit,data_status,source,period_type\n"
        f"{common},Females,120,400,30,25.7,34.6,{tail}\n{common},Males,3,20,15,5.2,36,{tail}\n"
    )
    app, _ = serving_app(_args(extract, base))
    explorer = app.server.extensions[EXPLORER_KEY]
    sel = Selection("early_stage", "Lung", "2022", "icb", group="sex", group_value="Females")
    assert "sex" in [o.value for o in explorer.group_options(sel)]
    assert explorer.area_row(sel, "E54000048")["numerator"] == 120


def test_an_export_missing_a_column_is_refused_naming_it(base: Path, cache: Path, tmp_path: Path, capsys) -> None:
    """A new-user trial: an export without its Value column ended in "ValueError: Item wrong length"."""
    lines = FINGERTIPS_EXPORT.read_text(encoding="utf-8").splitlines()
    at = lines[0].split(",").index("Value")  # the fixture has no quoted commas
    path = tmp_path / "no value.csv"
    path.write_text("\n".join(",".join(c for i, c in enumerate(line.split(",")) if i != at) for line in lines) + "\n", encoding="utf-8")
    assert main(["serve", "--data", str(path), "--base", str(base), "--port", "0"]) == 2
    err = capsys.readouterr().err
    assert f"error: {path}, column Value: missing column (a Fingertips export needs Indicator ID, Indicator Name, Area Code, " \
           "Area Type, Time period, Value)" in err
    assert err.rstrip().endswith("1 problem(s) found; nothing was loaded") and "Traceback" not in err
    assert not cache.exists() or not any(cache.iterdir())
