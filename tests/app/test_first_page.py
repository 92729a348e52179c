"""create_app on the committed data, exercised through Flask's test client."""

from __future__ import annotations

import json
import time
import re

import pytest

from dashboard.core.settings import PRODUCT_NAME
from dashboard.core.sources import BOUNDARY_ATTRIBUTION
from dashboard.web.app import ASSETS_DIR, create_app


@pytest.fixture(scope="module")
def client(dataset):
    return create_app(dataset=dataset).server.test_client()


@pytest.fixture(scope="module")
def layout(client) -> dict:
    response = client.get("/_dash-layout")
    assert response.status_code == 200
    return response.get_json()


def _find(node, predicate):
    if isinstance(node, dict):
        if predicate(node):
            yield node
        for value in node.values():
            yield from _find(value, predicate)
    elif isinstance(node, list):
        for value in node:
            yield from _find(value, predicate)


def test_page_is_served(client) -> None:
    response = client.get("/")
    assert response.status_code == 200
    assert f"<title>{PRODUCT_NAME}</title>" in response.get_data(as_text=True)


def test_layout_names_the_product_and_carries_the_attribution(layout: dict) -> None:
    text = json.dumps(layout, ensure_ascii=False)
    assert PRODUCT_NAME in text and BOUNDARY_ATTRIBUTION in text


def test_map_fetches_boundaries_by_url_from_this_server(layout: dict) -> None:
    graph = next(_find(layout, lambda n: n.get("type") == "Graph" and n.get("props", {}).get("id") == "map"))
    traces = graph["props"]["figure"]["data"]
    assert [t["geojson"] for t in traces] == ["/geo/alliance.json", "/geo/alliance.json", "/geo/outline.json", "/geo/alliance.json"]
    # At the alliance level the areas are the alliances: no outline is drawn over them until one is
    # chosen, and no area is selected on a first visit.
    assert traces[2]["locations"] == [] and traces[3]["locations"] == []
    assert graph["props"]["config"]["topojsonURL"] == "/assets/topojson/"


def test_geojson_route_serves_cached_layers(client) -> None:
    response = client.get("/geo/icb.json")
    assert response.status_code == 200
    assert len(response.get_json()["features"]) == 42
    assert response.cache_control.max_age == 86400 and response.headers["ETag"]
    assert client.get("/geo/icb.json", headers={"If-None-Match": response.headers["ETag"]}).status_code == 304
    assert client.get("/geo/nothing.json").status_code == 404
    sizes = {name: len(client.get(f"/geo/{name}.json").get_data()) for name in ("alliance", "icb")}
    assert sum(sizes.values()) <= 300 * 1024


def test_page_references_nothing_outside_the_server(client) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "https://" not in html and "http://" not in html.replace("http-equiv", "")
    assert client.get("/assets/topojson/world_110m.json").status_code == 200


def test_layout_is_small(client) -> None:
    assert len(client.get("/_dash-layout").get_data()) <= 60 * 1024


def test_the_page_asks_for_the_first_maps_boundaries_with_itself(client, layout: dict) -> None:
    """assets/map_boundaries.js hands plotly.js what these links fetch (docs/performance.md): every
    GeoJSON layer the first map's traces name, and the world topojson, under the names plotly.js
    looks them up by."""
    page = client.get("/").get_data(as_text=True)
    geojson = re.findall(r'<link rel="preload" href="([^"]+)" as="fetch" crossorigin="anonymous" data-plotly-geojson>', page)
    topojson = re.findall(r'<link rel="preload" href="([^"]+)" as="fetch" crossorigin="anonymous" data-plotly-topojson="([^"]+)">', page)
    graph = next(_find(layout, lambda n: n.get("type") == "Graph" and n.get("props", {}).get("id") == "map"))
    assert sorted(geojson) == sorted({t["geojson"] for t in graph["props"]["figure"]["data"]})
    assert topojson == [("/assets/topojson/world_110m.json", "world_110m")]
    for url in geojson + [url for url, _ in topojson]:
        assert client.get(url).status_code == 200, url
    assert '<script src="/assets/map_boundaries.js' in page


def test_the_page_leaves_out_the_babel_polyfill_and_keeps_what_dash_takes_from_it(client) -> None:
    """Dash's lazy components call the global `regeneratorRuntime`, which the dropped polyfill
    defined; dash-bootstrap-components' bundle, loaded before Dash's, defines it too."""
    page = client.get("/").get_data(as_text=True)
    scripts = re.findall(r'<script src="([^"]+)"', page)
    assert not [s for s in scripts if "polyfill" in s or "dash_table" in s]  # nor the DataTable the page does not use
    assert "DataTable" not in client.get("/_dash-layout").get_data(as_text=True)
    dbc = next(s for s in scripts if "dash_bootstrap_components" in s)
    renderer = next(s for s in scripts if "dash_renderer" in s)
    assert scripts.index(dbc) < scripts.index(renderer)
    bundle = client.get(dbc).get_data(as_text=True)
    assert re.search(r"regeneratorRuntime\s*=", bundle), (
        "dash-bootstrap-components no longer defines regeneratorRuntime: serve Dash's polyfill again "
        "(DROPPED_SCRIPTS in dashboard/web/serving.py)"
    )


def test_hidden_charts_are_not_in_the_first_page(layout: dict) -> None:
    """Only the map and the ranked chart are graphs at first; the others are made in their slots."""
    graphs = [n["props"]["id"] for n in _find(layout, lambda n: n.get("type") == "Graph")]
    assert graphs == ["map", "ranked"]


def test_made_up_queries_do_not_add_compressed_copies() -> None:
    """The compressed-file cache is keyed by path: a query never changes what a static path
    serves, and keyed by it, made-up queries filled memory with copies of plotly.js."""
    from flask import Flask, request

    from dashboard.web.serving import static_key

    app = Flask(__name__)
    keys = set()
    for n in range(5):
        with app.test_request_context(f"/assets/vendor/plotly-geo-4.1.1.min.js?made-up={n}"):
            keys.add(static_key(request))
    assert keys == {"/assets/vendor/plotly-geo-4.1.1.min.js"}
    with app.test_request_context("/_dash-update-component", method="POST"):
        assert static_key(request) == ""  # callbacks are never kept


def test_the_first_page_lists_every_asset_script_while_the_warm_up_runs(dataset, monkeypatch) -> None:
    """Dash lists the assets on its first request and marks that done before it starts; the
    warm-up thread's first request and a visitor's then raced, and the visitor's page lacked
    some scripts (CI). Dash's listing is slowed here so that the race, if any, is lost."""
    from dash import Dash

    walk = Dash._walk_assets_directory

    def slow_walk(self) -> None:
        time.sleep(0.5)
        walk(self)

    monkeypatch.setattr(Dash, "_walk_assets_directory", slow_walk)
    page = create_app(dataset=dataset).server.test_client().get("/").get_data(as_text=True)
    expected = sorted(p.name for p in ASSETS_DIR.glob("*.js"))
    listed = sorted(set(re.findall(r'<script src="/assets/([^"/?]+\.js)', page)))
    assert listed == expected
