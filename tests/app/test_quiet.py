"""serving.Quiet: background work waits while a request is being served, and for a moment after."""

from __future__ import annotations

import threading
import time

from dashboard.web.serving import Quiet


def waited(quiet: Quiet) -> float:
    started = time.monotonic()
    quiet.wait()
    return time.monotonic() - started


def test_wait_returns_at_once_when_nothing_has_been_served() -> None:
    assert waited(Quiet(settle_s=0.05)) < 0.02


def test_wait_lasts_until_the_request_ends_and_the_settling_time_passes() -> None:
    quiet = Quiet(settle_s=0.1)
    quiet.started()
    threading.Timer(0.2, quiet.finished).start()
    assert 0.28 <= waited(quiet) < 1.0  # 0.2 s in flight, then 0.1 s quiet


def test_overlapping_requests_all_count() -> None:
    quiet = Quiet(settle_s=0.0)
    quiet.started()
    quiet.started()
    threading.Timer(0.1, quiet.finished).start()
    threading.Timer(0.3, quiet.finished).start()
    assert 0.28 <= waited(quiet) < 1.0


def test_a_request_wrapped_by_flask_counts(tiny_dataset) -> None:
    from dashboard.web.app import QUIET_KEY, create_app

    app = create_app(dataset=tiny_dataset, warm_in_background=False)
    quiet = app.server.extensions[QUIET_KEY]
    seen = []
    app.server.add_url_rule("/probe", "probe", lambda: str(seen.append(quiet._in_flight)))
    app.server.test_client().get("/probe")
    assert seen == [1] and quiet._in_flight == 0
