"""The garbage collector runs after a response is sent, at CPython's own cadence (serving.py)."""

from __future__ import annotations

import gc

import pytest
from flask import Flask

from dashboard.web import serving


@pytest.fixture
def thresholds():
    before = gc.get_threshold()
    yield
    gc.set_threshold(*before)


def test_nothing_is_due_just_after_a_collection():
    gc.collect()
    assert serving.collect_if_due() is None


def test_a_young_collection_is_due_after_700_new_objects(thresholds):
    gc.set_threshold(*serving.SAFETY_NET_THRESHOLDS)  # as served: no automatic collection at 700
    gc.collect()
    kept = [[] for _ in range(1_000)]  # 1,000 new containers, still referenced: none is freed
    assert serving.collect_if_due() == 0
    assert gc.get_count()[0] < 700
    assert len(kept) == 1_000


def test_collections_wait_for_the_response_to_be_closed(thresholds, monkeypatch):
    server = Flask(__name__)
    server.add_url_rule("/", "index", lambda: "ok")
    calls: list[str] = []
    monkeypatch.setattr(serving, "collect_if_due", lambda: calls.append("collected"))
    serving.collect_between_requests(server)

    response = server.test_client().get("/")
    assert response.get_data() == b"ok"
    assert calls == []  # made and read: nothing collected while the response was being made
    response.close()  # what a server does once the last byte is sent
    assert calls == ["collected"]
    # Automatic collection is only a safety net for a request making objects by the hundred thousand.
    assert gc.get_threshold() == (100_000, 50, 100)
