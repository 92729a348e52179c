"""build-geodata stops with one clear message and leaves geodata/ untouched on bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import geopandas as gpd
import pytest

from dashboard.cli import main
from dashboard.core.errors import InputError
from dashboard.pipeline.geodata import (
    ALLIANCE_MAPPING,
    REGION_LOOKUP,
    SUBICB_BOUNDARIES,
    build_geodata,
)

pytestmark = pytest.mark.sources


@pytest.fixture()
def sources_copy(sources_dir: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "sources"
    for folder in ("boundaries", "lookups"):
        shutil.copytree(sources_dir / folder, copy / folder, ignore=shutil.ignore_patterns("*.xlsx"))
    return copy


@pytest.fixture()
def existing_out(tmp_path: Path) -> Path:
    out = tmp_path / "geodata"
    out.mkdir()
    (out / "alliance.geojson").write_text("previous build")
    return out


def _assert_untouched(out: Path) -> None:
    assert [p.name for p in out.iterdir()] == ["alliance.geojson"]
    assert (out / "alliance.geojson").read_text() == "previous build"
    assert not [p for p in out.parent.iterdir() if p.name.startswith(".geodata")]


def _fails(sources: Path, out: Path, *fragments: str) -> None:
    with pytest.raises(InputError) as caught:
        build_geodata(sources, out)
    message = str(caught.value)
    for fragment in fragments:
        assert fragment in message
    assert "\n" not in message
    _assert_untouched(out)


def test_missing_source_file(sources_copy: Path, existing_out: Path) -> None:
    (sources_copy / ALLIANCE_MAPPING).unlink()
    _fails(sources_copy, existing_out, "missing source file", "Sub-ICB-to-Alliance-mapping-2022_v1.4.csv")


def test_missing_shapefile_part(sources_copy: Path, existing_out: Path) -> None:
    (sources_copy / SUBICB_BOUNDARIES.replace(".shp", ".dbf")).unlink()
    _fails(sources_copy, existing_out, "missing source file", "SICBL_JUL_2022_EN_BUC.dbf")


def test_corrupt_boundary_file(sources_copy: Path, existing_out: Path) -> None:
    (sources_copy / SUBICB_BOUNDARIES).write_bytes(b"this is not a shapefile" * 10)
    _fails(sources_copy, existing_out, "cannot read boundary file", "SICBL_JUL_2022_EN_BUC.shp")


def test_boundaries_in_unexpected_crs(sources_copy: Path, existing_out: Path) -> None:
    path = sources_copy / SUBICB_BOUNDARIES
    gpd.read_file(path).to_crs(4326).to_file(path)
    _fails(sources_copy, existing_out, "SICBL_JUL_2022_EN_BUC.shp", "EPSG:4326", "expected EPSG:27700")


def test_lookup_leaving_an_area_unmatched(sources_copy: Path, existing_out: Path) -> None:
    for relative in (ALLIANCE_MAPPING, REGION_LOOKUP):
        path = sources_copy / relative
        lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
        path.write_text("".join(line for line in lines if "E38000007" not in line), encoding="utf-8")
    _fails(sources_copy, existing_out, "E38000007", "no row in", "Sub-ICB-to-Alliance-mapping-2022_v1.4.csv")


def test_lookups_that_disagree_name_both_files_and_the_code(sources_copy: Path, existing_out: Path) -> None:
    path = sources_copy / REGION_LOOKUP
    lines = path.read_text(encoding="utf-8-sig").splitlines(keepends=True)
    path.write_text("".join(line for line in lines if "E38000008" not in line), encoding="utf-8")
    _fails(sources_copy, existing_out, "E38000008", "SICBL_ICB_Region_Jul2022_lookup.csv")


def test_cli_prints_one_line_and_exits_2(sources_copy: Path, existing_out: Path, capsys) -> None:
    (sources_copy / SUBICB_BOUNDARIES).unlink()
    status = main(["build-geodata", "--sources", str(sources_copy), "--out", str(existing_out)])
    err = capsys.readouterr().err
    assert status == 2
    assert err.startswith("error: missing source file") and err.count("\n") == 1
    _assert_untouched(existing_out)


def test_cli_rejects_a_missing_sources_folder(tmp_path: Path, capsys) -> None:
    assert main(["build-geodata", "--sources", str(tmp_path / "nowhere"), "--out", str(tmp_path / "g")]) == 2
    assert "--sources" in capsys.readouterr().err
