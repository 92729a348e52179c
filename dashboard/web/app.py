"""The app factory. Loading happens here, once, never at import time."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

from dash import Dash
from flask import Response, abort, request

from dashboard.core.geography import AreaLevel
from dashboard.core.settings import PRODUCT_NAME, PROJECT_ROOT, Settings
from dashboard.data.boundaries import layer_bounds
from dashboard.data.loading import Dataset, load_dataset
from dashboard.figures import maps
from dashboard.presenters.map import map_view
from dashboard.query.explorer import Explorer
from dashboard.web import callbacks
from dashboard.web.callbacks.state import control_options
from dashboard.web.layout import page

ASSETS_DIR = PROJECT_ROOT / "assets"
GEO_ROUTE = "/geo/<name>.json"
GEO_CACHE_SECONDS = 24 * 3600


def map_layers(dataset: Dataset) -> dict[str, dict]:
    """The GeoJSON layers the map fetches, by URL name.

    The alliance layer also holds NDRS's East of England grouping: the map only draws
    features named in its `locations`, so the grouping and its two members never show
    together.
    """
    layers = dataset.boundaries.layers
    alliance = {
        "type": "FeatureCollection",
        "features": layers[AreaLevel.ALLIANCE]["features"] + dataset.boundaries.groupings["features"],
    }
    return {
        AreaLevel.ALLIANCE.value: alliance,
        AreaLevel.ICB.value: layers[AreaLevel.ICB],
        AreaLevel.SUBICB.value: layers[AreaLevel.SUBICB],
        "outline": layers[AreaLevel.ALLIANCE],
    }


def map_geometry(layers: dict[str, dict], path: Callable[[str], str] = lambda p: p) -> maps.MapGeometry:
    """What the map needs to know of the layers `map_layers` serves; `path` makes a URL path
    relative to the app (Dash's `get_relative_path`)."""
    return maps.MapGeometry(
        urls={level: path(f"/geo/{level}.json") for level in (AreaLevel.ALLIANCE.value, AreaLevel.ICB.value, AreaLevel.SUBICB.value)},
        outline_url=path("/geo/outline.json"),
        level_codes={name: [f["id"] for f in layer["features"]] for name, layer in layers.items()},
        alliance_codes=[f["id"] for f in layers["outline"]["features"]],
        bounds=layer_bounds(layers[AreaLevel.ALLIANCE.value]),
    )


def create_app(settings: Settings | None = None, dataset: Dataset | None = None) -> Dash:
    """Build the app. Data are read and validated here, once; bad data stop it starting."""
    settings = settings or Settings()
    dataset = dataset or load_dataset(settings.data_dir, settings.geodata_dir)
    explorer = Explorer.from_dataset(dataset)
    app = Dash(
        __name__,
        title=PRODUCT_NAME,
        assets_folder=str(ASSETS_DIR),
        serve_locally=True,
        update_title=None,
    )
    layers = map_layers(dataset)
    payloads = {name: json.dumps(layer, separators=(",", ":")).encode() for name, layer in layers.items()}
    etags = {name: hashlib.sha256(body).hexdigest()[:16] for name, body in payloads.items()}

    @app.server.route(GEO_ROUTE)
    def geojson(name: str) -> Response:
        if name not in payloads:
            abort(404)
        if request.if_none_match.contains(etags[name]):
            return Response(status=304)
        response = Response(payloads[name], mimetype="application/geo+json")
        response.set_etag(etags[name])
        response.cache_control.public = True
        response.cache_control.max_age = GEO_CACHE_SECONDS
        return response

    geometry = map_geometry(layers, app.get_relative_path)
    selection = explorer.default_selection()
    initial = map_view(explorer, selection, geometry)
    app.layout = page(
        selection=selection.as_dict(),
        options=control_options(explorer, selection),
        map_figure=maps.map_figure(initial.properties, geometry),
        topojson_url=app.get_asset_url("topojson/"),
    )
    callbacks.register(app, explorer, geometry)
    return app
