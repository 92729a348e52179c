"""The shared cache (DASHBOARD_CACHE_URL) against a real redis-server, through the app's callback.

Each test builds apps with `create_app(Settings(cache_url=...), dataset=...)`; two apps in one
process stand for two gunicorn workers (each has its own Explorer and memo, nothing else in
common but the Redis server). The filter changes are the callback requests a browser sends,
built here from /_dash-layout and /_dash-dependencies. Whether an app computed the cards is
read from a spy on `cards.contents` (the one function that computes them), never from timing.
"""

from __future__ import annotations

import copy
import dataclasses
import json
import logging
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import redis

from dashboard.core.settings import Settings
from dashboard.web.app import EXPLORER_KEY, create_app
from dashboard.web.callbacks import cards

REDIS_SERVER = Path("/usr/bin/redis-server")
pytestmark = pytest.mark.skipif(
    not REDIS_SERVER.exists(), reason=f"{REDIS_SERVER} is absent (Debian's redis-server; `make test` installs it)"
)
UPDATE = "/_dash-update-component"
HEADERS = {"Content-Type": "application/json", "Accept": "application/json"}
CANCER = "control-cancer"
COLOUR = "control-colour"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclasses.dataclass
class RedisServer:
    process: subprocess.Popen
    port: int
    log: Path

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def client(self) -> redis.Redis:
        return redis.Redis(host="127.0.0.1", port=self.port, socket_timeout=2)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(5)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)
        self.log.unlink(missing_ok=True)


def start_redis() -> RedisServer:
    """A throwaway redis-server on a free port (no persistence), once it answers PING."""
    port = free_port()
    log = Path(tempfile.gettempdir()) / f"test-shared-cache-redis-{port}.log"
    process = subprocess.Popen(
        [str(REDIS_SERVER), "--port", str(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--logfile", str(log)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    server = RedisServer(process, port, log)
    deadline = time.monotonic() + 10
    with server.client() as probe:
        while True:
            if process.poll() is not None:
                said = log.read_text(errors="replace")[-500:] if log.exists() else ""
                server.stop()
                raise RuntimeError(f"redis-server exited ({process.returncode}): {said}")
            try:
                if probe.ping():
                    return server
            except redis.RedisError:
                pass
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError("redis-server did not answer PING within 10 s")
            time.sleep(0.02)


@pytest.fixture(scope="module")
def redis_server() -> Iterator[RedisServer]:
    server = start_redis()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def store(redis_server: RedisServer) -> Iterator[redis.Redis]:
    """The module's Redis server, emptied before each test."""
    client = redis_server.client()
    client.flushall()
    yield client
    client.close()


@pytest.fixture
def spy(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """Every call of cards.contents (page.py calls it through the module), by its Explorer."""
    calls: list[Any] = []
    real = cards.contents

    def counting(explorer, geometry, sel, names=None):
        calls.append(explorer)
        return real(explorer, geometry, sel, names)

    monkeypatch.setattr(cards, "contents", counting)
    return calls


class Page:
    """The page as the browser holds it, for the one server callback that answers every change."""

    def __init__(self, client: Any) -> None:
        self.client = client
        dependencies = client.get("/_dash-dependencies").get_json()
        self.callback = next(d for d in dependencies if {"id": CANCER, "property": "value"} in d["inputs"])
        self.props = self._props(client.get("/_dash-layout").get_json())
        self.props.setdefault("url", {}).update(pathname="/", search="", href="http://localhost/")  # as dcc.Location fills them
        self.sent: list[bytes] = []  # every request body, in order

    @staticmethod
    def _props(layout: Any) -> dict[str, dict[str, Any]]:
        found: dict[str, dict[str, Any]] = {}
        stack = [layout]
        while stack:
            node = stack.pop()
            if isinstance(node, list):
                stack.extend(node)
            elif isinstance(node, dict):
                props = node.get("props") if "namespace" in node else None
                if isinstance(props, dict):
                    if isinstance(props.get("id"), str):
                        found[props["id"]] = copy.deepcopy(props)
                    stack.extend(props.values())
                else:
                    stack.extend(node.values())
        return found

    def _fill(self, items: list[dict[str, str]]) -> list[dict[str, Any]]:
        out = []
        for item in items:
            entry = {"id": item["id"], "property": item["property"]}
            if item["property"] in self.props.get(item["id"], {}):
                entry["value"] = self.props[item["id"]][item["property"]]
            out.append(entry)
        return out

    def body(self, changed: str) -> bytes:
        output = self.callback["output"]
        parts = output[2:-2].split("...")
        return json.dumps({
            "output": output,
            "outputs": [{"id": p.rsplit(".", 1)[0], "property": p.rsplit(".", 1)[1]} for p in parts],
            "inputs": self._fill(self.callback["inputs"]),
            "state": self._fill(self.callback.get("state", [])),
            "changedPropIds": [changed],
            "parsedChangedPropsIds": [changed],
        }).encode()

    def send(self, body: bytes) -> bytes:
        """POST a callback body; the response (200 required) is applied to the page and returned."""
        self.sent.append(body)
        response = self.client.post(UPDATE, data=body, headers=HEADERS)
        assert response.status_code == 200, response.get_data(as_text=True)[:500]
        for component, values in response.get_json()["response"].items():
            for prop, value in values.items():
                if not (isinstance(value, dict) and "__dash_patch_update" in value):
                    self.props.setdefault(component, {})[prop] = value
        return response.get_data()

    def load(self) -> bytes:
        """The first request of the page (the address bar's search fires it)."""
        return self.send(self.body("url.search"))

    def change(self, control: str, value: str) -> bytes:
        self.props[control]["value"] = value
        return self.send(self.body(f"{control}.value"))

    def other_value(self, control: str) -> str:
        """An enabled option of `control` other than the current one."""
        current = self.props[control]["value"]
        return next(o["value"] for o in self.props[control]["options"] if o["value"] != current and not o.get("disabled"))


def session(app: Any) -> Page:
    return Page(app.server.test_client())


def visit(page: Page) -> list[bytes]:
    """Open the page, change the Cancer type, then the map's colours: three requests, three selections."""
    bodies = [page.load()]
    bodies.append(page.change(CANCER, page.other_value(CANCER)))
    bodies.append(page.change(COLOUR, page.other_value(COLOUR)))
    return bodies


def without_options(answer: bytes) -> dict[str, dict[str, Any]]:
    """A callback answer's props but the controls' option lists."""
    response = json.loads(answer)["response"]
    return {component: {p: v for p, v in props.items() if p != "options"} for component, props in response.items()}


def test_a_second_worker_serves_what_the_first_computed(dataset, store: redis.Redis, redis_server: RedisServer, spy: list) -> None:
    first, second, third = (create_app(Settings(cache_url=redis_server.url), dataset=dataset) for _ in range(3))
    # The first page's cards are made at start-up: by the first worker, then read by the others.
    assert len(spy) == 1 and spy[0] is first.server.extensions[EXPLORER_KEY]
    assert len(store.keys("cve:*")) == 1
    spy.clear()

    page = session(first)
    answers = visit(page)
    assert len(spy) == 2 and len(set(map(id, spy))) == 1  # the first computed the two selections after the first page
    keys = store.keys("cve:*")
    assert len(keys) == 3  # one entry per selection, named after the data
    assert all(dataset.fingerprint[:16].encode() in key for key in keys)
    assert all(store.ttl(key) > 0 for key in keys)  # entries expire
    # Changing the colours changes the map alone: the third answer does not re-send the ranked chart.
    assert "map" in json.loads(answers[2])["response"]
    assert "ranked" in json.loads(answers[1])["response"] and "ranked" not in json.loads(answers[2])["response"]

    spy.clear()
    again = second.server.test_client()
    for body, answer in zip(page.sent, answers, strict=True):  # the same session, on the second worker
        response = again.post(UPDATE, data=body, headers=HEADERS)
        assert response.status_code == 200
        assert response.get_data() == answer  # byte for byte
    assert spy == []  # the second worker computed nothing: every card came from Redis

    # The last change alone, on a worker that saw neither selection: its cards come from Redis,
    # and so does the previous selection's, which tells it the ranked chart is unchanged. (The controls'
    # options it re-sends: which options the page holds is remembered by a worker, not in Redis.)
    response = third.server.test_client().post(UPDATE, data=page.sent[2], headers=HEADERS)
    assert response.status_code == 200
    assert without_options(response.get_data()) == without_options(answers[2])
    assert spy == []
    assert len(store.keys("cve:*")) == 3


def test_no_cache_url_writes_nothing_and_the_app_works(dataset, store: redis.Redis, spy: list) -> None:
    assert Settings().cache_url is None  # off by default
    bodies = visit(session(create_app(Settings(), dataset=dataset)))
    assert all(json.loads(b)["response"] for b in bodies)
    assert len(spy) == 3
    assert store.dbsize() == 0


def test_a_cache_nobody_listens_on_is_a_miss(dataset, caplog: pytest.LogCaptureFixture, spy: list) -> None:
    nowhere = f"redis://127.0.0.1:{free_port()}/0"
    without = visit(session(create_app(Settings(), dataset=dataset)))
    with caplog.at_level(logging.WARNING):
        broken = visit(session(create_app(Settings(cache_url=nowhere), dataset=dataset)))
    assert broken == without
    assert len(spy) == 6  # each app computed its three selections
    warnings = [r for r in caplog.records if r.levelno == logging.WARNING and "shared cache" in r.getMessage()]
    assert len(warnings) == 1  # said once (a minute), not on every request


def test_a_cache_that_dies_mid_session_is_a_miss(dataset, caplog: pytest.LogCaptureFixture, spy: list) -> None:
    server = start_redis()
    try:
        page = session(create_app(Settings(cache_url=server.url), dataset=dataset))
        reference = session(create_app(Settings(), dataset=dataset))
        assert page.load() == reference.load()
        with server.client() as client:
            assert client.dbsize() == 1
        server.stop()
        value = page.other_value(CANCER)
        with caplog.at_level(logging.WARNING):
            assert page.change(CANCER, value) == reference.change(CANCER, value)
        assert any("shared cache" in r.getMessage() for r in caplog.records if r.levelno == logging.WARNING)
        assert len(spy) == 4  # two selections, computed by each app
    finally:
        server.stop()


def test_different_data_never_share_entries(dataset, store: redis.Redis, redis_server: RedisServer, spy: list) -> None:
    other = dataclasses.replace(dataset, fingerprint="f" * 64)  # what a rebuilt data/ would carry
    assert other.fingerprint[:16] != dataset.fingerprint[:16]
    create_app(Settings(cache_url=redis_server.url), dataset=dataset)  # makes and stores the first page's cards
    assert len(spy) == 1 and store.dbsize() == 1
    create_app(Settings(cache_url=redis_server.url), dataset=other)
    assert len(spy) == 2  # the same selection, computed again: the first's entry was not read
    keys = store.keys("*")
    assert len(keys) == 2
    assert sum(dataset.fingerprint[:16].encode() in k for k in keys) == 1
    assert sum(b"f" * 16 in k for k in keys) == 1
