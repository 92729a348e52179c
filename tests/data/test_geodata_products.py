"""The committed boundary products: validity, coverage, shared edges, codes, counts, sizes."""

from __future__ import annotations

import json
from pathlib import Path

import geopandas as gpd
import pandas as pd
import pytest
import shapely

from dashboard.core.checksums import sha256_of
from dashboard.core.geography import (
    ALIASES_FILE,
    ALLIANCE_GROUPINGS_FILE,
    AREAS_FILE,
    BOUNDARY_LEVELS,
    CODE_PREFIX,
    EAST_OF_ENGLAND_CODE,
    EAST_OF_ENGLAND_MEMBERS,
    EXPECTED_FEATURE_COUNTS,
    MANIFEST_FILE,
    AreaLevel,
    boundary_file,
)
from dashboard.core.sources import BOUNDARY_ATTRIBUTION
from dashboard.data.boundaries import load_boundaries

BROWSER_BUDGET_BYTES = 300 * 1024  # alliance + ICB layers, as JSON, per the foundation issue


def _frame(geodata_dir: Path, level: AreaLevel) -> gpd.GeoDataFrame:
    return gpd.read_file(geodata_dir / boundary_file(level))


@pytest.fixture(scope="module")
def manifest(geodata_dir: Path) -> dict:
    return json.loads((geodata_dir / MANIFEST_FILE).read_text())


@pytest.mark.parametrize("level", BOUNDARY_LEVELS)
def test_feature_count_and_code_prefix(geodata_dir: Path, level: AreaLevel) -> None:
    frame = _frame(geodata_dir, level)
    assert len(frame) == EXPECTED_FEATURE_COUNTS[level]
    assert frame["code"].is_unique
    assert frame["code"].str.fullmatch(CODE_PREFIX[level] + r"\d{6}").all()
    assert frame["name"].str.len().gt(0).all()


@pytest.mark.parametrize("level", BOUNDARY_LEVELS)
def test_every_polygon_valid_in_wgs84(geodata_dir: Path, level: AreaLevel) -> None:
    frame = _frame(geodata_dir, level)
    assert frame.crs.to_epsg() == 4326
    assert frame.is_valid.all(), frame.loc[~frame.is_valid, "code"].tolist()
    assert set(frame.geom_type) <= {"Polygon", "MultiPolygon"}
    minx, miny, maxx, maxy = frame.total_bounds
    assert -6.5 < minx < maxx < 2.0 and 49.8 < miny < maxy < 56.0  # England


@pytest.mark.parametrize("level", BOUNDARY_LEVELS)
def test_neighbours_share_edges_exactly(geodata_dir: Path, level: AreaLevel) -> None:
    """A valid coverage: no overlaps, and every shared edge has identical vertices."""
    geoms = _frame(geodata_dir, level).geometry.values
    assert shapely.coverage_is_valid(geoms)
    # no gaps inside England either: the union has no holes bigger than 1 km^2
    union = gpd.GeoSeries([shapely.coverage_union_all(geoms)], crs=4326).to_crs(27700).iloc[0]
    parts = getattr(union, "geoms", [union])
    holes = [shapely.Polygon(ring).area for part in parts for ring in part.interiors]
    assert max(holes, default=0) < 1e6


@pytest.mark.parametrize("level", BOUNDARY_LEVELS)
def test_each_level_covers_england(geodata_dir: Path, level: AreaLevel, manifest: dict) -> None:
    area_km2 = _frame(geodata_dir, level).to_crs(27700).area.sum() / 1e6
    reference = manifest["england_reference"]["area_km2"]
    assert abs(area_km2 / reference - 1) <= 0.005


@pytest.mark.parametrize("level", BOUNDARY_LEVELS)
def test_exterior_rings_clockwise_for_d3(geodata_dir: Path, level: AreaLevel) -> None:
    geoms = _frame(geodata_dir, level).geometry.values
    assert shapely.equals_exact(shapely.orient_polygons(geoms, exterior_cw=True), geoms).all()


@pytest.mark.parametrize("level", BOUNDARY_LEVELS)
def test_coordinates_rounded_to_about_one_metre(geodata_dir: Path, level: AreaLevel) -> None:
    coords = shapely.get_coordinates(_frame(geodata_dir, level).geometry.values)
    assert ((coords * 1e5).round() - coords * 1e5).__abs__().max() < 1e-6


def test_alliance_and_icb_layers_fit_the_browser_budget(geodata_dir: Path) -> None:
    size = sum((geodata_dir / boundary_file(level)).stat().st_size for level in (AreaLevel.ALLIANCE, AreaLevel.ICB))
    assert size <= BROWSER_BUDGET_BYTES


def test_levels_nest_exactly(geodata_dir: Path) -> None:
    """Each alliance is exactly the union of its ICBs (same vertices, no slivers)."""
    areas = pd.read_csv(geodata_dir / AREAS_FILE, dtype=str)
    icbs = _frame(geodata_dir, AreaLevel.ICB).set_index("code").to_crs(27700)
    alliances = _frame(geodata_dir, AreaLevel.ALLIANCE).set_index("code").to_crs(27700)
    for alliance, members in areas.groupby("alliance_code")["icb_code"]:
        union = shapely.union_all(icbs.loc[sorted(set(members))].geometry.values)
        assert union.symmetric_difference(alliances.loc[alliance].geometry).area < 1.0, alliance


def test_area_lookup_is_a_strict_hierarchy(geodata_dir: Path) -> None:
    areas = pd.read_csv(geodata_dir / AREAS_FILE, dtype=str)
    assert len(areas) == 106 and areas["subicb_code"].is_unique
    assert areas["icb_code"].nunique() == 42
    assert areas["alliance_code"].nunique() == 21
    assert areas["region_code"].nunique() == 7
    assert areas.groupby("icb_code")["alliance_code"].nunique().max() == 1
    assert areas.groupby("icb_code")["region_code"].nunique().max() == 1
    layer_codes = {level: set(_frame(geodata_dir, level)["code"]) for level in BOUNDARY_LEVELS}
    assert set(areas["subicb_code"]) == layer_codes[AreaLevel.SUBICB]
    assert set(areas["icb_code"]) == layer_codes[AreaLevel.ICB]
    assert set(areas["alliance_code"]) == layer_codes[AreaLevel.ALLIANCE]


def test_east_of_england_grouping_is_north_plus_south(geodata_dir: Path) -> None:
    grouping = gpd.read_file(geodata_dir / ALLIANCE_GROUPINGS_FILE).set_index("code").to_crs(27700)
    alliances = _frame(geodata_dir, AreaLevel.ALLIANCE).set_index("code").to_crs(27700)
    union = shapely.union_all(alliances.loc[list(EAST_OF_ENGLAND_MEMBERS)].geometry.values)
    assert grouping.loc[EAST_OF_ENGLAND_CODE].geometry.symmetric_difference(union).area < 1.0


@pytest.mark.parametrize(
    ("level", "alias", "code"),
    [
        ("alliance", "East of England", EAST_OF_ENGLAND_CODE),
        ("alliance", "Thames Valley", "E56000013"),
        ("alliance", "South Yorkshire and Bassetlaw", "E56000025"),
        ("alliance", "Lancashire & South Cumbria Cancer Alliance", "E56000018"),
        ("icb", "NHS Frimley Integrated Care Board", "E54000034"),
        ("country", "England", "E92000001"),
        ("region", "East of England", "E40000007"),
    ],
)
def test_alias_table_resolves_published_names(geodata_dir: Path, level: str, alias: str, code: str) -> None:
    from dashboard.core.geography import normalise_area_name

    aliases = pd.read_csv(geodata_dir / ALIASES_FILE, dtype=str)
    hits = aliases[(aliases["area_level"] == level) & (aliases["alias_key"] == normalise_area_name(alias))]
    assert hits["area_code"].tolist() == [code]


def test_manifest_records_every_product(geodata_dir: Path, manifest: dict) -> None:
    files = {p.name for p in geodata_dir.iterdir()} - {MANIFEST_FILE}
    assert set(manifest["products"]) == files
    for name, product in manifest["products"].items():
        assert product["sha256"] == sha256_of(geodata_dir / name)
        assert product["bytes"] == (geodata_dir / name).stat().st_size
        assert product["attribution"] == BOUNDARY_ATTRIBUTION
        assert product["sources"] and all(len(s["sha256"]) == 64 for s in product["sources"])
        assert product["method"]
    for level in BOUNDARY_LEVELS:
        assert manifest["products"][boundary_file(level)]["feature_count"] == EXPECTED_FEATURE_COUNTS[level]
    assert manifest["simplification_tolerance_m"] > 0


def test_loader_reads_and_verifies(geodata_dir: Path) -> None:
    boundaries = load_boundaries(geodata_dir)
    assert len(boundaries.names(AreaLevel.ALLIANCE)) == 21
