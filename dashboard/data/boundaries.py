"""Load the committed boundary products (geodata/) once, checking them against the manifest."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any, Mapping

import numpy as np
import pandas as pd

from dashboard.core.checksums import sha256_of
from dashboard.core.errors import InputError
from dashboard.core.geography import (
    ALIASES_FILE,
    ALLIANCE_GROUPINGS_FILE,
    AREAS_FILE,
    BOUNDARY_LEVELS,
    EAST_OF_ENGLAND_CODE,
    ENGLAND_CODE,
    MANIFEST_FILE,
    AreaLevel,
    boundary_file,
)


@dataclass(frozen=True)
class Boundaries:
    """Read-only boundary layers (GeoJSON dicts by level), the area lookup and aliases."""

    layers: Mapping[AreaLevel, dict[str, Any]]
    groupings: dict[str, Any]
    areas: pd.DataFrame
    aliases: pd.DataFrame
    manifest: Mapping[str, Any]

    def names(self, level: AreaLevel) -> dict[str, str]:
        return {f["id"]: f["properties"]["name"] for f in self.layers[level]["features"]}

    def parents(self) -> dict[str, str]:
        """Each area's parent in the hierarchy whose figures add up: sub-ICB -> ICB -> alliance -> England."""
        areas = self.areas
        parents = dict(zip(areas["subicb_code"], areas["icb_code"], strict=True))
        parents.update(dict(zip(areas["icb_code"], areas["alliance_code"], strict=False)))
        parents.update({code: ENGLAND_CODE for code in [*areas["alliance_code"].unique(), EAST_OF_ENGLAND_CODE]})
        return parents


def load_boundaries(folder: Path) -> Boundaries:
    manifest_path = folder / MANIFEST_FILE
    if not manifest_path.is_file():
        raise InputError(f"no {MANIFEST_FILE} in {folder}: run `python -m dashboard build-geodata` first")
    manifest = _read_json(manifest_path)
    try:
        products = {name: str(product["sha256"]) for name, product in manifest["products"].items()}
    except (KeyError, TypeError, AttributeError) as exc:
        raise InputError(f"{manifest_path}: not a geodata manifest (no products with their SHA-256: {exc!r}); rebuild with build-geodata") from exc
    for name, sha256 in products.items():
        path = folder / name
        if not path.is_file():
            raise InputError(f"{path}: listed in {manifest_path} but missing")
        if sha256_of(path) != sha256:
            raise InputError(f"{path}: contents differ from {manifest_path} (SHA-256); rebuild with build-geodata")
    layers = {level: _read_json(folder / boundary_file(level)) for level in BOUNDARY_LEVELS}
    return Boundaries(
        layers=MappingProxyType(layers),
        groupings=_read_json(folder / ALLIANCE_GROUPINGS_FILE),
        areas=_read_csv(folder / AREAS_FILE),
        aliases=_read_csv(folder / ALIASES_FILE),
        manifest=MappingProxyType(manifest),
    )


def _read_csv(path: Path) -> pd.DataFrame:
    try:
        return pd.read_csv(path, dtype=str)
    except (OSError, ValueError) as exc:  # pandas' ParserError and EmptyDataError, UnicodeDecodeError are ValueErrors
        raise InputError(f"cannot read {path}: {exc}") from exc


def _read_json(path: Path) -> dict[str, Any]:
    try:
        document = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:  # json.JSONDecodeError and UnicodeDecodeError are ValueErrors
        raise InputError(f"cannot read {path}: {exc}") from exc
    if not isinstance(document, dict):
        raise InputError(f"{path}: not a JSON object")
    return document


Box = tuple[float, float, float, float]  # min lon, min lat, max lon, max lat


def _coordinates(geometry: dict[str, Any]) -> np.ndarray:
    """Every vertex of a GeoJSON Polygon or MultiPolygon, as an (n, 2) array."""
    rings = geometry["coordinates"] if geometry["type"] == "Polygon" else [r for p in geometry["coordinates"] for r in p]
    return np.concatenate([np.asarray(ring, dtype=float) for ring in rings])


def layer_bounds(layer: dict[str, Any]) -> dict[str, Box]:
    """Each feature's bounding box by code, and England's (all features) under "".

    Read straight from the GeoJSON coordinates, so the running app needs no geometry library.
    """
    bounds: dict[str, Box] = {}
    for feature in layer["features"]:
        points = _coordinates(feature["geometry"])
        low, high = points.min(axis=0), points.max(axis=0)
        bounds[feature["id"]] = (float(low[0]), float(low[1]), float(high[0]), float(high[1]))
    boxes = np.array(list(bounds.values()))
    bounds[""] = (float(boxes[:, 0].min()), float(boxes[:, 1].min()), float(boxes[:, 2].max()), float(boxes[:, 3].max()))
    return bounds
