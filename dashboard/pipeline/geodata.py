"""Build the committed boundary products under geodata/ from the ONS sources.

Method (also written into geodata/manifest.json):

1. Read the July 2022 Sub-ICB Location boundaries (ONS, ultra generalised, EPSG:27700).
   They are the finest level and form one coverage of England: ICBs, Cancer Alliances
   and NHS regions all nest in them.
2. Join them to the 2022 Sub-ICB -> ICB -> Cancer Alliance mapping and the July 2022
   Sub-ICB -> ICB -> region lookup. Any sub-ICB without a match, either way, stops
   the build.
3. Simplify the sub-ICB polygons once, as a coverage (shapely.coverage_simplify,
   Visvalingam-Whyatt), in metres, so neighbours keep identical shared edges.
4. Dissolve the simplified coverage upwards (shapely.coverage_union_all) into ICBs,
   alliances, regions and the NDRS "East of England" grouping. Every level therefore
   shares the same vertices along every boundary.
5. Project to EPSG:4326, snap coordinates to a 1e-5 degree grid (about 1 m), orient
   exterior rings clockwise (the spherical convention of d3-geo, which plotly's
   choropleth uses: with RFC 7946's anticlockwise rings it fills the rest of the
   globe instead of the area), and check every polygon is valid and every level is
   still a valid coverage. Anything that fails stops the build; nothing is written.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely
from shapely.geometry import mapping

from dashboard.core.checksums import sha256_bytes
from dashboard.core.errors import InputError
from dashboard.core.geography import (
    ALIASES_FILE,
    ALLIANCE_GROUPINGS_FILE,
    AREAS_FILE,
    BOUNDARY_LEVELS,
    EAST_OF_ENGLAND_CODE,
    EAST_OF_ENGLAND_MEMBERS,
    EAST_OF_ENGLAND_NAME,
    ENGLAND_CODE,
    ENGLAND_NAME,
    EXPECTED_FEATURE_COUNTS,
    MANIFEST_FILE,
    AreaLevel,
    boundary_file,
    normalise_area_name,
)
from dashboard.core.sources import BOUNDARY_ATTRIBUTION
from dashboard.pipeline.io import (
    canonical_json,
    csv_bytes,
    pretty_json,
    read_boundaries,
    read_csv_source,
    replace_directory,
    source_record,
)

SUBICB_BOUNDARIES = "boundaries/SICBL_JUL_2022_EN_BUC.shp"
ALLIANCE_MAPPING = "lookups/Sub-ICB-to-Alliance-mapping-2022_v1.4.csv"
REGION_LOOKUP = "lookups/SICBL_ICB_Region_Jul2022_lookup.csv"
# An independent outline of England (a different product and vintage) to check that
# each derived level still covers the country.
ENGLAND_REFERENCE = "boundaries/NHS_England_Regions_April_2021_EN_BUC_2022.geojson"
ALLIANCE_NAMES_2020 = "lookups/CAL20_EN_NC.csv"
CCG_STP_ALLIANCE_2021 = "lookups/CCG21_STP21_CAL21_EN_LU.csv"

SOURCE_CRS = "EPSG:27700"
OUTPUT_CRS = "EPSG:4326"
COORDINATE_DECIMALS = 5  # 1e-5 degrees is about 1.1 m north-south, 0.7 m east-west in England
DEFAULT_TOLERANCE_M = 200.0
MAX_COVERAGE_SHORTFALL = 0.005

MAPPING_COLUMNS = {
    "Sub-ICB E Code": "subicb_code",
    "SICBL22CDH": "subicb_ods",
    "SICBL22NM": "subicb_name",
    "ICB E code": "icb_code",
    "ICB Code": "icb_ods",
    "ICB": "icb_name",
    "Cancer Alliance Code": "alliance_code",
    "Cancer Alliance": "alliance_name",
}
REGION_COLUMNS = {"SICBL22CD": "subicb_code", "NHSER22CD": "region_code", "NHSER22NM": "region_name"}
LEVEL_KEYS: dict[AreaLevel, tuple[str, str]] = {
    AreaLevel.SUBICB: ("subicb_code", "subicb_name"),
    AreaLevel.ICB: ("icb_code", "icb_name"),
    AreaLevel.ALLIANCE: ("alliance_code", "alliance_name"),
    AreaLevel.REGION: ("region_code", "region_name"),
}


@dataclass(frozen=True)
class GeodataBuild:
    """Everything the build writes: file name -> bytes, plus figures for the report."""

    files: dict[str, bytes]
    manifest: dict[str, Any]


def build_geodata(sources: Path, out: Path, tolerance_m: float = DEFAULT_TOLERANCE_M) -> GeodataBuild:
    """Build every product in memory, check it, then replace `out` in one step."""
    result = make_geodata(sources, tolerance_m)
    replace_directory(out, result.files)
    return result


def make_geodata(sources: Path, tolerance_m: float = DEFAULT_TOLERANCE_M) -> GeodataBuild:
    if tolerance_m <= 0:
        raise InputError(f"--tolerance must be positive metres, got {tolerance_m}")
    subicbs = read_boundaries(sources, SUBICB_BOUNDARIES, expected_crs=SOURCE_CRS, columns=["SICBL22CD", "SICBL22NM"])
    areas = read_area_lookup(sources)
    check_codes_match(subicbs["SICBL22CD"], areas["subicb_code"])
    check_nesting(areas)
    england_area = reference_area_m2(sources)

    subicbs = subicbs.set_index("SICBL22CD").loc[areas["subicb_code"]]
    source_geoms = shapely.make_valid(subicbs.geometry.values)
    check_coverage(source_geoms, areas["subicb_code"].tolist(), SUBICB_BOUNDARIES)
    simplified = shapely.coverage_simplify(source_geoms, tolerance_m)

    layers: dict[str, list[dict[str, Any]]] = {}
    for level in BOUNDARY_LEVELS:
        code_col, name_col = LEVEL_KEYS[level]
        names = areas.groupby(code_col)[name_col].first()
        geoms = dissolve(simplified, areas[code_col].to_numpy())
        layers[boundary_file(level)] = finish_layer(level.value, geoms, names.to_dict(), england_area)
    eoe = dissolve(simplified, np.where(areas["alliance_code"].isin(EAST_OF_ENGLAND_MEMBERS), EAST_OF_ENGLAND_CODE, ""))
    layers[ALLIANCE_GROUPINGS_FILE] = finish_layer(
        "alliance grouping",
        {EAST_OF_ENGLAND_CODE: eoe[EAST_OF_ENGLAND_CODE]},
        {EAST_OF_ENGLAND_CODE: EAST_OF_ENGLAND_NAME},
        england_area=None,
        extra_properties={EAST_OF_ENGLAND_CODE: {"members": ";".join(EAST_OF_ENGLAND_MEMBERS)}},
    )

    files = {name: geojson_bytes(features) for name, features in layers.items()}
    files[AREAS_FILE] = csv_bytes(areas)
    files[ALIASES_FILE] = csv_bytes(build_aliases(sources, areas))
    manifest = make_manifest(sources, files, layers, tolerance_m, england_area)
    files[MANIFEST_FILE] = pretty_json(manifest)
    return GeodataBuild(files=files, manifest=manifest)


def read_area_lookup(sources: Path) -> pd.DataFrame:
    """Sub-ICB -> ICB -> alliance -> region, one row per sub-ICB, sorted by code."""
    mapping_ = read_csv_source(sources, ALLIANCE_MAPPING, columns=MAPPING_COLUMNS).rename(columns=MAPPING_COLUMNS)
    regions = read_csv_source(sources, REGION_LOOKUP, columns=REGION_COLUMNS).rename(columns=REGION_COLUMNS)
    mapping_ = mapping_[list(MAPPING_COLUMNS.values())].apply(lambda col: col.str.strip())
    regions = regions[list(REGION_COLUMNS.values())].apply(lambda col: col.str.strip())
    for frame, name in ((mapping_, ALLIANCE_MAPPING), (regions, REGION_LOOKUP)):
        duplicated = frame.loc[frame["subicb_code"].duplicated(), "subicb_code"].tolist()
        if duplicated:
            raise InputError(f"{sources / name}: sub-ICB code(s) listed twice: {duplicated}")
    only_mapping = sorted(set(mapping_["subicb_code"]) - set(regions["subicb_code"]))
    only_regions = sorted(set(regions["subicb_code"]) - set(mapping_["subicb_code"]))
    if only_mapping or only_regions:
        raise InputError(
            f"{sources / ALLIANCE_MAPPING} and {sources / REGION_LOOKUP} disagree: "
            f"sub-ICB codes only in the alliance mapping {only_mapping}; only in the region lookup {only_regions}"
        )
    areas = mapping_.merge(regions, on="subicb_code", validate="one_to_one")
    return areas.sort_values("subicb_code", ignore_index=True)


def check_codes_match(boundary_codes: pd.Series, lookup_codes: pd.Series) -> None:
    unmatched_boundaries = sorted(set(boundary_codes) - set(lookup_codes))
    unmatched_lookup = sorted(set(lookup_codes) - set(boundary_codes))
    duplicated = sorted(set(boundary_codes[boundary_codes.duplicated()]))
    problems = []
    if unmatched_boundaries:
        problems.append(f"sub-ICB codes in {SUBICB_BOUNDARIES} with no row in {ALLIANCE_MAPPING}: {unmatched_boundaries}")
    if unmatched_lookup:
        problems.append(f"sub-ICB codes in {ALLIANCE_MAPPING} with no polygon in {SUBICB_BOUNDARIES}: {unmatched_lookup}")
    if duplicated:
        problems.append(f"sub-ICB codes with more than one polygon in {SUBICB_BOUNDARIES}: {duplicated}")
    if problems:
        raise InputError("; ".join(problems))


def check_nesting(areas: pd.DataFrame) -> None:
    """Each ICB must sit in exactly one alliance and one region, or dissolving would overlap."""
    for parent in ("alliance_code", "region_code"):
        parents = areas.groupby("icb_code")[parent].nunique()
        split = sorted(parents[parents > 1].index)
        if split:
            raise InputError(f"{ALLIANCE_MAPPING}: ICB(s) {split} are split across more than one {parent[:-5]}")


def check_coverage(geoms: np.ndarray, codes: list[str], source: str) -> None:
    if not all(shapely.get_type_id(geoms) >= 3):
        raise InputError(f"{source}: non-polygon geometry after make_valid")
    if not shapely.coverage_is_valid(geoms):
        edges = shapely.coverage_invalid_edges(geoms)
        bad = [code for code, edge in zip(codes, edges, strict=True) if not edge.is_empty]
        raise InputError(f"{source}: polygons overlap or their shared edges do not match for {bad}")


def reference_area_m2(sources: Path) -> float:
    england = read_boundaries(sources, ENGLAND_REFERENCE, expected_crs=SOURCE_CRS, columns=["NHSER21CD"])
    return float(shapely.union_all(shapely.make_valid(england.geometry.values)).area)


def dissolve(geoms: np.ndarray, keys: np.ndarray) -> dict[str, shapely.Geometry]:
    """Union the coverage's polygons by key, sorted by key (empty keys are dropped)."""
    return {
        str(key): shapely.coverage_union_all(geoms[keys == key])
        for key in sorted(set(keys.tolist()))
        if key
    }


def finish_layer(
    label: str,
    geoms_27700: dict[str, shapely.Geometry],
    names: dict[str, str],
    england_area: float | None,
    extra_properties: dict[str, dict[str, str]] | None = None,
) -> list[dict[str, Any]]:
    """Project, round, orient and check one level; return its GeoJSON features."""
    codes = list(geoms_27700)
    projected = gpd.GeoSeries(list(geoms_27700.values()), crs=SOURCE_CRS).to_crs(OUTPUT_CRS).values
    # set_precision snaps to the grid and drops parts that collapse (the source has
    # slivers of under 1 m), keeping polygons valid; plain rounding would not.
    rounded = shapely.set_precision(np.asarray(projected), 10.0**-COORDINATE_DECIMALS)
    oriented = shapely.orient_polygons(rounded, exterior_cw=True)  # d3-geo convention, see module docstring
    invalid = [code for code, geom in zip(codes, oriented, strict=True) if not geom.is_valid]
    if invalid:
        raise InputError(f"{label} level: polygons {invalid} are invalid after rounding; try another --tolerance")
    if len(codes) > 1 and not shapely.coverage_is_valid(oriented):
        raise InputError(f"{label} level: neighbouring polygons no longer share their edges after rounding")
    if england_area is not None:
        area = gpd.GeoSeries(oriented, crs=OUTPUT_CRS).to_crs(SOURCE_CRS).area.sum()
        shortfall = abs(1 - area / england_area)
        if shortfall > MAX_COVERAGE_SHORTFALL:
            raise InputError(f"{label} level covers {area / england_area:.2%} of England's area; expected within 0.5%")
    extra = extra_properties or {}
    return [
        {
            "type": "Feature",
            "id": code,
            "properties": {"code": code, "name": names[code], **extra.get(code, {})},
            "geometry": _plain_geometry(geom),
        }
        for code, geom in zip(codes, oriented, strict=True)
    ]


def _plain_geometry(geom: shapely.Geometry) -> dict[str, Any]:
    """GeoJSON geometry with lists and Python floats, so JSON output is stable."""

    def lists(value: Any) -> Any:
        if isinstance(value, (tuple, list)):
            return [lists(item) for item in value]
        return float(value)

    plain = mapping(geom)
    return {"type": plain["type"], "coordinates": lists(plain["coordinates"])}


def geojson_bytes(features: list[dict[str, Any]]) -> bytes:
    return canonical_json({"type": "FeatureCollection", "features": features})


# --- names used by publishers -> codes ---------------------------------------------

# Names that no ONS lookup spells, with the reason.
MANUAL_ALIASES: tuple[tuple[AreaLevel, str, str, str], ...] = (
    (AreaLevel.COUNTRY, ENGLAND_NAME, ENGLAND_CODE, "ONS code for England"),
    (
        AreaLevel.ALLIANCE,
        EAST_OF_ENGLAND_NAME,
        EAST_OF_ENGLAND_CODE,
        "NDRS reports East of England North and South as one alliance; project grouping code",
    ),
)


def build_aliases(sources: Path, areas: pd.DataFrame) -> pd.DataFrame:
    """Every spelling of an area name seen in the ONS lookups, mapped to a 2022 code.

    Older lookups (2020, 2021) contribute names only where their code still exists
    in 2022, so a renamed alliance ("South Yorkshire and Bassetlaw") still resolves.
    """
    rows: list[tuple[str, str, str, str]] = []
    for level, (code_col, name_col) in LEVEL_KEYS.items():
        for code, name in areas[[code_col, name_col]].drop_duplicates().itertuples(index=False):
            rows.append((level.value, name, code, ALLIANCE_MAPPING if level != AreaLevel.REGION else REGION_LOOKUP))
    current = {level: set(areas[LEVEL_KEYS[level][0]]) for level in LEVEL_KEYS}
    older = read_csv_source(sources, ALLIANCE_NAMES_2020, columns=["CAL20CD", "CAL20NM"])
    rows += [
        (AreaLevel.ALLIANCE.value, name, code, ALLIANCE_NAMES_2020)
        for code, name in older[["CAL20CD", "CAL20NM"]].itertuples(index=False)
        if code in current[AreaLevel.ALLIANCE]
    ]
    lookup21 = read_csv_source(sources, CCG_STP_ALLIANCE_2021, columns=["STP21CD", "STP21NM", "CAL21CD", "CAL21NM"])
    for level, code_col, name_col in ((AreaLevel.ICB, "STP21CD", "STP21NM"), (AreaLevel.ALLIANCE, "CAL21CD", "CAL21NM")):
        rows += [
            (level.value, name, code, CCG_STP_ALLIANCE_2021)
            for code, name in lookup21[[code_col, name_col]].drop_duplicates().itertuples(index=False)
            if code in current[level]
        ]
    rows += [(level.value, name, code, f"manual: {why}") for level, name, code, why in MANUAL_ALIASES]

    aliases = pd.DataFrame(rows, columns=["area_level", "alias", "area_code", "source"])
    aliases["alias_key"] = aliases["alias"].map(normalise_area_name)
    aliases = aliases.drop_duplicates(["area_level", "alias_key", "area_code"], ignore_index=True)
    clashes = aliases[aliases.duplicated(["area_level", "alias_key"], keep=False)]
    if not clashes.empty:
        detail = clashes[["area_level", "alias", "area_code", "source"]].to_dict("records")
        raise InputError(f"area names that map to more than one code: {detail}")
    columns = ["area_level", "alias_key", "alias", "area_code", "source"]
    return aliases[columns].sort_values(["area_level", "alias_key"], ignore_index=True)


# --- manifest ----------------------------------------------------------------------

def make_manifest(
    sources: Path,
    files: dict[str, bytes],
    layers: dict[str, list[dict[str, Any]]],
    tolerance_m: float,
    england_area: float,
) -> dict[str, Any]:
    boundary_sources = source_record(sources, SUBICB_BOUNDARIES)
    lookup_sources = source_record(sources, ALLIANCE_MAPPING) + source_record(sources, REGION_LOOKUP)
    method = (
        f"Sub-ICB polygons of {SUBICB_BOUNDARIES} made valid and simplified once as a coverage "
        f"(shapely.coverage_simplify, Visvalingam-Whyatt, tolerance {tolerance_m:g} m in EPSG:27700), "
        "dissolved by the 2022 lookups with shapely.coverage_union_all, projected to EPSG:4326, "
        f"coordinates snapped to a 1e-{COORDINATE_DECIMALS} degree grid (shapely.set_precision), exterior rings clockwise (d3-geo convention, as plotly draws them; RFC 7946 readers that enforce anticlockwise must reverse them)."
    )
    products: dict[str, Any] = {}
    for name, features in layers.items():
        products[name] = {
            "feature_count": len(features),
            "sources": boundary_sources + lookup_sources,
            "method": method,
        }
    products[AREAS_FILE] = {
        "feature_count": int(files[AREAS_FILE].count(b"\n") - 1),
        "sources": lookup_sources,
        "method": "Join of the 2022 Sub-ICB -> ICB -> Cancer Alliance mapping and the July 2022 "
        "Sub-ICB -> ICB -> NHS region lookup on the sub-ICB code; one row per sub-ICB.",
    }
    products[ALIASES_FILE] = {
        "feature_count": int(files[ALIASES_FILE].count(b"\n") - 1),
        "sources": lookup_sources
        + source_record(sources, ALLIANCE_NAMES_2020)
        + source_record(sources, CCG_STP_ALLIANCE_2021),
        "method": "Every area name in the lookups (older vintages only where the code is current in 2022), "
        "keyed by dashboard.core.geography.normalise_area_name; plus the manual aliases in dashboard/pipeline/geodata.py.",
    }
    for name, product in products.items():
        product["file"] = name
        product["bytes"] = len(files[name])
        product["sha256"] = sha256_bytes(files[name])
        product["attribution"] = BOUNDARY_ATTRIBUTION
    return {
        "builder": "python -m dashboard build-geodata",
        "crs": OUTPUT_CRS,
        "coordinate_decimals": COORDINATE_DECIMALS,
        "simplification_tolerance_m": tolerance_m,
        "expected_feature_counts": {boundary_file(level): EXPECTED_FEATURE_COUNTS[level] for level in BOUNDARY_LEVELS},
        "england_reference": {
            "sources": source_record(sources, ENGLAND_REFERENCE),
            "area_km2": round(england_area / 1e6, 3),
        },
        "attribution": BOUNDARY_ATTRIBUTION,
        "licence": "Open Government Licence v3.0",
        "products": products,
    }
