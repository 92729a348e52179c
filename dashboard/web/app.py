"""The app factory. Loading happens here, once, never at import time."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable

import threading

from dash import Dash
from flask import Flask, Response, abort, request

from dashboard.core.geography import AreaLevel
from dashboard.core.settings import PRODUCT_NAME, PROJECT_ROOT, Settings
from dashboard.data.boundaries import layer_bounds
from dashboard.data.loading import Dataset, load_dataset
from dashboard.figures import maps
from dashboard.presenters.map import map_view
from dashboard.query.explorer import Explorer
from dashboard.web import callbacks
from dashboard.web.cache import shared_cache
from dashboard.web.callbacks.state import control_options
from dashboard.web.layout import page

ASSETS_DIR = PROJECT_ROOT / "assets"
# The page: Dash's own template, in British English, with the icon inline. A linked favicon
# is fetched again each time a filter change rewrites the address (15 KB a change with
# Dash's default icon, measured by bench/browser.py); an inline one costs nothing.
FAVICON = (
    "data:image/svg+xml,%3Csvg xmlns='http%3A//www.w3.org/2000/svg' viewBox='0 0 16 16'%3E"
    "%3Crect width='16' height='16' fill='%23005EB8'/%3E%3C/svg%3E"
)
INDEX_STRING = f"""<!DOCTYPE html>
<html lang="en-GB">
    <head>
        {{%metas%}}
        <title>{{%title%}}</title>
        <link rel="icon" href="{FAVICON}">
        {{%css%}}
    </head>
    <body>
        {{%app_entry%}}
        <footer>
            {{%config%}}
            {{%scripts%}}
            {{%renderer%}}
        </footer>
    </body>
</html>"""
# What flask-compress compresses: its defaults (HTML, CSS, JavaScript, JSON) and the map's GeoJSON.
GEOJSON_MIMETYPE = "application/geo+json"
DEFAULT_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json"]
GEO_ROUTE = "/geo/<name>.json"
GEO_CACHE_SECONDS = 24 * 3600
EXPLORER_KEY = "cancer_variation_explorer"  # the app's Explorer, in the Flask server's extensions


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


def create_app(settings: Settings | None = None, dataset: Dataset | None = None, *, warm_in_background: bool = True) -> Dash:
    """Build the app. Data are read and validated here, once; bad data stop it starting."""
    settings = settings or Settings()
    dataset = dataset or load_dataset(settings.data_dir, settings.geodata_dir)
    explorer = Explorer.from_dataset(dataset)
    explorer.warm([explorer.first_indicator])  # the first page's look-ups; the rest below, in the background
    app = Dash(
        __name__,
        server=_server(settings),
        title=PRODUCT_NAME,
        assets_folder=str(ASSETS_DIR),
        serve_locally=True,
        update_title=None,
        compress=settings.compress,
    )
    app.index_string = INDEX_STRING
    layers = map_layers(dataset)
    payloads = {name: json.dumps(layer, separators=(",", ":")).encode() for name, layer in layers.items()}
    etags = {name: hashlib.sha256(body).hexdigest()[:16] for name, body in payloads.items()}

    @app.server.route(GEO_ROUTE)
    def geojson(name: str) -> Response:
        if name not in payloads:
            abort(404)
        if request.if_none_match.contains(etags[name]):
            return Response(status=304)
        response = Response(payloads[name], mimetype=GEOJSON_MIMETYPE)
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
    callbacks.register(app, explorer, geometry, shared_cache(app.server, settings.cache_url, dataset.fingerprint))
    app.server.extensions[EXPLORER_KEY] = explorer
    if warm_in_background:
        warm_lookups(app)
    return app


def warm_lookups(app: Dash) -> threading.Thread:
    """Build the look-ups for every other indicator in a background thread, so that no one's
    first change to another indicator waits for them (about 0.3 s of CPU on the embedded data).

    Under gunicorn with --preload this runs in each worker after the fork (gunicorn.conf.py):
    a thread started before a fork would leave its locks held in the children.
    """
    thread = threading.Thread(target=app.server.extensions[EXPLORER_KEY].warm, name="warm-lookups", daemon=True)
    thread.start()
    return thread


def _server(_settings: Settings) -> Flask:
    """The Flask server, configured before Dash adds compression to it (flask-compress reads
    its settings once): brotli for browsers, gzip for other clients, and GeoJSON compressed too."""
    server = Flask(__name__)
    server.config.update(
        COMPRESS_ALGORITHM=["br", "gzip"],
        COMPRESS_ALGORITHM_STREAMING=["br", "deflate"],
        COMPRESS_BR_LEVEL=5,
        COMPRESS_LEVEL=6,
        COMPRESS_MIMETYPES=[*DEFAULT_MIMETYPES, GEOJSON_MIMETYPE],
    )
    return server
