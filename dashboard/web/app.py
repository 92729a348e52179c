"""The app factory. Loading happens here, once, never at import time."""

from __future__ import annotations

import hashlib
import json
import os
import threading
from pathlib import Path
from collections.abc import Callable

import dash
from dash import Dash
from flask import Response, abort, request

from dashboard.core.geography import AreaLevel
from dashboard.core.settings import PRODUCT_NAME, PROJECT_ROOT, Settings
from dashboard.data.boundaries import layer_bounds
from dashboard.data.loading import Dataset, open_dataset
from dashboard.figures import maps
from dashboard.query.explorer import Explorer
from dashboard.web import board_pack, callbacks, edge, serving, signin
from dashboard.web.cache import shared_cache
from dashboard.web.callbacks.state import control_options
from dashboard.web.grid import serve_grid_on_request
from dashboard.web.layout import page, with_initial
from dashboard.web.urlstate import encode

ASSETS_DIR = PROJECT_ROOT / "assets"
# dcc.Graph's code, a chunk the page loads only once the layout is built: preloaded with the page.
DCC_DIR = Path(dash.__file__).parent / "dcc"
GRAPH_CHUNK = "async-graph.js"
GEO_ROUTE = "/geo/<name>.json"
GEO_CACHE_SECONDS = 24 * 3600
EXPLORER_KEY = "cancer_variation_explorer"  # the app's Explorer, in the Flask server's extensions
QUIET_KEY = "cancer_variation_explorer_quiet"  # its serving.Quiet: whether a request is in flight


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
    dataset = dataset or open_dataset(settings.data_dir, settings.geodata_dir, settings.store_dir, settings.table_memory_mb)
    explorer = Explorer.from_dataset(dataset)
    serve_grid_on_request()  # before Dash lists the page's scripts
    app = serving.Page(
        __name__,
        server=serving.flask_server(),
        title=PRODUCT_NAME,
        assets_folder=str(ASSETS_DIR),
        serve_locally=True,
        update_title=None,
        compress=settings.compress,
    )
    if settings.compress:
        serving.register_unstream(app.server)
    edge.secure(app, settings.frame_ancestors)
    signin.require_sign_in(app.server, settings)
    edge.guard(app)
    edge.truncate_logs(app.server)
    quiet = serving.Quiet()
    quiet.watch(app.server)
    app.server.extensions[QUIET_KEY] = quiet
    layers = map_layers(dataset)
    payloads = {name: json.dumps(layer, separators=(",", ":")).encode() for name, layer in layers.items()}
    etags = {name: hashlib.sha256(body).hexdigest()[:16] for name, body in payloads.items()}

    @app.server.route(GEO_ROUTE)
    def geojson(name: str) -> Response:
        if name not in payloads:
            abort(404)
        if request.if_none_match.contains(etags[name]):
            return Response(status=304)
        response = Response(payloads[name], mimetype=serving.GEOJSON_MIMETYPE)
        response.set_etag(etags[name])
        response.cache_control.public = True
        response.cache_control.max_age = GEO_CACHE_SECONDS
        return response

    geometry = map_geometry(layers, app.get_relative_path)
    selection = explorer.default_selection()
    topojson_url = app.get_asset_url("topojson/")
    app.index_string = serving.index_string(
        [geometry.urls[selection.level], geometry.outline_url], {"world_110m": f"{topojson_url}world_110m.json"},
        [app.get_relative_path(f"/_dash-component-suites/dash/dcc/{GRAPH_CHUNK}")] if (DCC_DIR / GRAPH_CHUNK).is_file() else [],
    )
    # Card contents hold URLs relative to the app (the boundaries'): an instance under another
    # path prefix must not read them, so the prefix is part of the cache's namespace too.
    cache = shared_cache(app.server, settings.cache_url, dataset.fingerprint, path_prefix=app.get_relative_path("/"))
    first = callbacks.page.card_contents(explorer, geometry, selection, cache, callbacks.page.FIRST_VIEW_CARDS)
    app.layout = with_initial(
        page(
            selection=selection.as_dict(),
            options=control_options(explorer, selection),
            map_figure=maps.map_figure(first["map"][0], geometry),
            topojson_url=topojson_url,
        ),
        callbacks.page.initial_outputs(first),
    )
    callbacks.register(app, explorer, geometry, cache, public_url=settings.public_url)
    board_pack.register(app, explorer, geometry, cache, data_version=dataset.fingerprint, public_url=settings.public_url)
    # The first page's answer, made now: every visitor's first request is then a look-up.
    callbacks.page.update(explorer, geometry, trigger=None, search="", values={}, map_click=None, ranked_click=None, previous=None)
    app.server.extensions[EXPLORER_KEY] = explorer
    if warm_in_background:
        warm_lookups(app)
    return app


def _lowest_priority() -> None:
    """This thread yields the CPU to everything else (Linux: a thread has its own niceness): the
    warm-up reads a store that fits whole (0.8 s of CPU on the embedded data) while the first
    visitors' requests, and their browsers on the same machine, are being served."""
    try:
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), 19)
    except (AttributeError, OSError):
        pass


def prime_worker(app: Dash) -> int:
    """Answer first visits' requests (a view other than the first, and one of each indicator) in
    this process, before it serves anyone; returns the worst status. Under gunicorn each worker
    does this once forked (gunicorn.conf.py): a worker's first request touched thousands of
    objects it shares with the master, each page of them copied as it was first touched, about
    14 ms more than its second request (bench/browser.py counted it in the callback p95).
    Priming in the master instead does not help: the copies are made after the fork."""
    explorer: Explorer = app.server.extensions[EXPLORER_KEY]
    first = explorer.default_selection()
    other = next((o.value for o in explorer.cancer_options(first.indicator) if o.value != first.cancer and not o.disabled), first.cancer)
    # One view of every indicator too: each indicator's rows and look-ups are shared pages the
    # worker would otherwise copy during some visitor's first change to it (about 0.2 s in all).
    searches = [encode(first.with_(cancer=other))]
    searches += [encode(explorer.normalise(first.with_(indicator=i, cancer="", period="", level=AreaLevel.ICB.value))[0]) for i in explorer.order]
    client = app.server.test_client()
    client.environ_base.update(signin.internal_request_environ())  # let through when sign-in is on
    status = 200
    for search in searches:
        response = client.post(
            f"{app.config.routes_pathname_prefix}_dash-update-component", data=json.dumps(callbacks.first_visit_request(search)),
            headers={"Content-Type": "application/json", "Accept-Encoding": "br"},
        )
        response.close()
        status = max(status, response.status_code)
    return status


def warm_lookups(app: Dash) -> threading.Thread:
    """Build the look-ups for every other indicator, and the compressed copies of the page's
    files, in a background thread: no one's first change to another indicator, and no first
    visitor, waits for them (about 0.8 s and 0.2 s of CPU on the embedded data).

    For the development server (`python -m dashboard serve`). Under gunicorn the master does both
    before it forks (dashboard/wsgi.py), and the workers start warm. Not a daemon: a process
    that ends while it reads the store (Arrow's C++) would abort; it waits for it instead
    (about a second at most).
    """
    def warm() -> None:
        _lowest_priority()
        serving.warm_static(app.server)  # done already under gunicorn (dashboard/wsgi.py)
        app.server.extensions[EXPLORER_KEY].warm(pause=app.server.extensions[QUIET_KEY].wait)

    thread = threading.Thread(target=warm, name="warm-lookups", daemon=False)
    thread.start()
    return thread
