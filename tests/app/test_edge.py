"""Input checked at the edge (issue 14, "Every input validated at the edge"): each callback body
the probe found answered 500 is answered 400 with its reason; paths outside the app's files and
unknown paths are 404; bodies are capped; every response carries the security headers."""

from __future__ import annotations

import json
import logging

import pytest

from dashboard.web.app import create_app
from dashboard.web.callbacks import first_visit_request

UPDATE = "/_dash-update-component"
JSON = {"Content-Type": "application/json"}


@pytest.fixture(scope="module")
def app(tiny_dataset):
    return create_app(dataset=tiny_dataset, warm_in_background=False)


@pytest.fixture()
def client(app):
    return app.server.test_client()


def first_visit(**changes) -> dict:
    return {**first_visit_request("?indicator=early_stage&level=icb"), **changes}


def with_value(body: dict, part: str, component: str, value) -> dict:
    items = [{**item, "value": value} if item["id"] == component else item for item in body[part]]
    return {**body, part: items}


def post(client, body) -> tuple[int, str]:
    raw = body if isinstance(body, (bytes, str)) else json.dumps(body)
    response = client.post(UPDATE, data=raw, headers=JSON)
    return response.status_code, response.get_data(as_text=True)


DOWNLOAD = {
    "output": "download.data", "outputs": {"id": "download", "property": "data"},
    "inputs": [{"id": "download-button", "property": "n_clicks", "value": 1}],
    "state": [{"id": "selection", "property": "data", "value": {"indicator": "early_stage", "cancer": "Lung", "period": "2022", "level": "icb"}}],
    "changedPropIds": ["download-button.n_clicks"],
}

BAD_BODIES = {
    "null": (None, "the body must be a JSON object, not NoneType"),
    "a list": ([], "the body must be a JSON object, not list"),
    "a string": ('"x"', "the body must be a JSON object, not str"),
    "no output": ({k: v for k, v in first_visit().items() if k != "output"}, "'output' None names no callback"),
    "an output that is a number": (first_visit(output=3), "'output' 3 names no callback"),
    "an unknown output": (first_visit(output="zz.children"), "'output' 'zz.children' names no callback"),
    "a client-side callback's output": (first_visit(output="story-shown.data"), "'output' 'story-shown.data' names no callback"),
    "inputs null": (first_visit(inputs=None), "'inputs' must be a list of this callback's 18 inputs"),
    "an input missing": (first_visit(inputs=first_visit()["inputs"][1:]), "'inputs' must be a list of this callback's 18 inputs"),
    "inputs out of order": (first_visit(inputs=first_visit()["inputs"][::-1]), "'inputs'[0] must be url.search"),
    "the store as a string": (with_value(first_visit(), "state", "selection", "x"), "selection.data must be dict or null, not str"),
    "the search as a number": (with_value(first_visit(), "inputs", "url", 5), "url.search must be str or null, not int"),
    "a click as a string": (with_value(first_visit(), "inputs", "map", "x"), "map.clickData must be dict or null, not str"),
    "a click as a list": (with_value(first_visit(), "inputs", "map", [1]), "map.clickData must be dict or null, not list"),
    "a control's value as a list": (with_value(first_visit(), "inputs", "control-cancer", ["Lung"]), "control-cancer.value must be str or null, not list"),
    "clicks as true": (with_value(first_visit(), "inputs", "present-toggle", True), "present-toggle.n_clicks must be int or null, not bool"),
    "changedPropIds a string": (first_visit(changedPropIds="url.search"), "'changedPropIds' must list some of this callback's inputs"),
    "changedPropIds a number": (first_visit(changedPropIds=[3]), "'changedPropIds' must list some of this callback's inputs"),
    "changedPropIds another component": (first_visit(changedPropIds=["zz.value"]), "'changedPropIds' must list some of this callback's inputs"),
    "outputs cut short": (first_visit(outputs=first_visit()["outputs"][:3]), "'outputs' are not this callback's outputs"),
    "outputs null": (first_visit(outputs=None), "'outputs' must be a list for this callback"),
    "nested 20 deep": (with_value(first_visit(), "state", "selection", json.loads("{\"a\":" * 20 + "1" + "}" * 20)), "nests deeper than 16"),
    "a text of 20,000 characters": (with_value(first_visit(), "inputs", "url", "?" + "x" * 20_000), "longer than 10000 characters"),
    "nested 100,000 deep": ("[" * 100_000 + "]" * 100_000, "nests too deep to read"),
    "one output sent as a list": (DOWNLOAD | {"outputs": [DOWNLOAD["outputs"]]}, "'outputs' must be an object for this callback"),
    "several outputs sent as an object": (first_visit(outputs=first_visit()["outputs"][0]), "'outputs' must be a list for this callback"),
    "the store holding a long list": (with_value(first_visit(), "state", "selection", {"indicator": ["early_stage"] + [0] * 1000}),
                                      "selection.data['indicator'] must be a text of at most 200 characters, or null"),
    "the store holding a long text": (with_value(first_visit(), "state", "selection", {"cancer": "x" * 201}), "selection.data['cancer'] must be a text"),
    "the store holding many entries": (with_value(first_visit(), "state", "selection", {str(i): "" for i in range(41)}), "selection.data holds more than 40 entries"),
    "not JSON": ("{", "the body is not JSON"),
}


@pytest.mark.parametrize("name", BAD_BODIES)
def test_a_bad_callback_body_is_refused_with_its_reason(client, name: str) -> None:
    body, reason = BAD_BODIES[name]
    status, text = post(client, body)
    assert status == 400
    assert text.startswith("Bad callback request: ") and reason in text


def test_the_refusal_is_one_short_line_in_the_log(client, caplog) -> None:
    caplog.set_level(logging.INFO, logger="dashboard.web.edge")
    post(client, with_value(first_visit(), "inputs", "url", 7))
    post(client, first_visit(output="z" * 5_000))
    lines = [r.getMessage() for r in caplog.records if r.name == "dashboard.web.edge"]
    assert len(lines) == 2
    assert all(len(line) < 400 for line in lines)


def test_a_value_not_in_the_catalogue_gives_the_default_view_not_an_error(client) -> None:
    # The probe's reproducer: the store says indicator "zzz" and level "q" (right types, no such values).
    body = with_value(first_visit(changedPropIds=["control-chart.value"]), "state", "selection", {"indicator": "zzz", "level": "q"})
    status, text = post(client, body)
    assert status == 200
    store = json.loads(text)["response"]["selection"]["data"]
    assert (store["indicator"], store["level"]) == ("early_stage", "alliance")  # the first view's, not "zzz" or "q"


def test_a_download_with_a_store_that_is_not_a_view_sends_nothing(client) -> None:
    body = {
        "output": "download.data", "outputs": {"id": "download", "property": "data"},
        "inputs": [{"id": "download-button", "property": "n_clicks", "value": 1}],
        "state": [{"id": "selection", "property": "data", "value": {"indicator": "=1+1", "cancer": "5"}}],
        "changedPropIds": ["download-button.n_clicks"],
    }
    status, text = post(client, body)
    assert (status, json.loads(text)["response"]) == (200, {})  # Dash's answer for no_update: nothing to change


def test_a_body_over_a_megabyte_is_refused_unread(client) -> None:
    response = client.post(UPDATE, data=b"{" + b" " * 1_100_000 + b"}", headers=JSON)
    assert response.status_code == 413


@pytest.mark.parametrize("path", [
    "/_dash-component-suites/dash/../../../../etc/passwd",
    "/_dash-component-suites/dash/..%2f..%2f..%2fetc%2fpasswd",
    "/_dash-component-suites/nothing/x.js",
    "/x,=2*3,@SUM(1+1),+1+1",
    "/admin",
    "/geo/nothing.json",
])
def test_a_path_the_app_does_not_serve_is_not_found(client, path: str) -> None:
    assert client.get(path).status_code == 404


def test_the_page_is_served_at_its_own_path(client) -> None:
    assert client.get("/").status_code == 200
    assert client.get("/?indicator=early_stage").status_code == 200


def test_every_response_carries_the_security_headers(client) -> None:
    for path in ["/", "/assets/app_links.js", "/geo/icb.json", "/nothing", "/_dash-layout", "/board-pack/view?level=icb"]:
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff", path
        assert headers["Referrer-Policy"] == "same-origin", path
        policy = dict(d.strip().split(" ", 1) for d in headers["Content-Security-Policy"].split(";"))
        assert policy["default-src"] == "'self'"
        assert policy["script-src"].split()[0] == "'self'"
        assert all(source.startswith("'sha256-") for source in policy["script-src"].split()[1:])
        assert "'unsafe-eval'" not in policy["script-src"] and "'unsafe-inline'" not in policy["script-src"]
        assert policy["connect-src"] == "'self'" and policy["object-src"] == "'none'"
        assert policy["frame-ancestors"] == "'self'"
    assert "Server" not in client.get("/").headers  # the server adds its own: below


def test_the_inline_script_the_page_holds_is_the_one_the_policy_allows(client) -> None:
    import base64
    import hashlib
    import re

    page = client.get("/").get_data(as_text=True)
    scripts = re.findall(r"<script(?![^>]*\bsrc=)(?![^>]*application/json)[^>]*>(.*?)</script>", page, re.S)
    assert scripts, "the page has Dash's inline renderer line"
    allowed = client.get("/").headers["Content-Security-Policy"]
    for script in scripts:
        digest = base64.b64encode(hashlib.sha256(script.encode()).digest()).decode()
        assert f"'sha256-{digest}'" in allowed


def test_the_development_server_names_no_version(app) -> None:
    import threading
    import urllib.request

    from werkzeug.serving import make_server

    from dashboard.web.serving import PlainServerHeader

    server = make_server("127.0.0.1", 0, app.server, request_handler=PlainServerHeader)  # as `serve` runs it (cli._serve)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{server.server_port}/", timeout=30) as response:
            assert response.headers["Server"] == "cancer-variation-explorer"
    finally:
        server.shutdown()


class ChunkMissingTerminator(Exception):
    """As gunicorn's, raised while reading a chunked body whose chunk has no CRLF after it."""


class Unreadable:
    """A request body the server cannot read (gunicorn raises so for a malformed chunk)."""

    def read(self, *_args) -> bytes:
        raise ChunkMissingTerminator("b'X'")

    readline = read


def test_a_body_the_server_cannot_read_is_refused(client) -> None:
    # As gunicorn passes a chunked body: no length, the stream its own end (werkzeug reads it as it is).
    chunked = {"wsgi.input": Unreadable(), "wsgi.input_terminated": True, "CONTENT_LENGTH": "", "HTTP_TRANSFER_ENCODING": "chunked"}
    response = client.post(UPDATE, headers=JSON, environ_overrides=chunked)
    assert response.status_code == 400
    assert response.get_data(as_text=True) == "Bad callback request: the body could not be read (ChunkMissingTerminator)."
