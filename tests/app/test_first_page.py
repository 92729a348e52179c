"""create_app on the committed geodata, exercised through Flask's test client."""

from __future__ import annotations

import json

import pytest

from dashboard import PRODUCT_NAME
from dashboard.app import create_app
from dashboard.sources import BOUNDARY_ATTRIBUTION


@pytest.fixture(scope="module")
def client():
    return create_app().server.test_client()


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
    assert PRODUCT_NAME in text
    assert BOUNDARY_ATTRIBUTION in text


def test_map_draws_42_icbs_under_21_alliance_outlines(layout: dict) -> None:
    graph = next(_find(layout, lambda n: n.get("type") == "Graph"))
    traces = graph["props"]["figure"]["data"]
    assert [len(t["locations"]) for t in traces] == [42, 21]
    assert all(t["type"] == "choropleth" for t in traces)
    assert graph["props"]["config"]["topojsonURL"] == "/assets/topojson/"


def test_page_references_nothing_outside_the_server(client, layout: dict) -> None:
    html = client.get("/").get_data(as_text=True)
    assert "http://" not in html.replace("http-equiv", "") and "https://" not in html
    assert client.get("/assets/topojson/world_110m.json").status_code == 200


def test_layout_fits_the_browser_budget(client) -> None:
    # The alliance and ICB layers (plus everything else on the page) as the browser receives them.
    assert len(client.get("/_dash-layout").get_data()) <= 300 * 1024
