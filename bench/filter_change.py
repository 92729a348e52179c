"""Print the server's time and the bytes of one filter change: the one callback per change.

Method: the exact requests a browser sends (bench/dash_payloads.py, read from the app) for
(a) the issue's scenario, changing "Cancer type" through all its options, and (b) a varied
walk of 120 changes over every indicator, level, period, group and comparison, each landing
on a selection not seen before. They are replayed in a fresh app served as production serves it, from
the prepared store of the table (its options built first, as a worker does in the background
after start-up; each partition read from the store when first asked) through Flask's test client: the time is
the whole request in the server process (Dash's dispatch, the cards, JSON, compression).
"cold" is each selection's first request, as a user meets it; "again" replays the same
requests (the worker's remembered answers). Objects built at start-up are frozen out of the
garbage collector's sight, and collections run after each response is sent, as dashboard/wsgi.py
does: the time is to the response, the collection due after it is not counted. Bytes are the response body as sent (gzip) and
decoded. Targets (issue 11): each callback answered within 30 ms p95; at most 20 KB a change.
Run: .venv/bin/python bench/filter_change.py
"""

from __future__ import annotations

import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from dash_payloads import FilterChange, Page, cancer_selections, record_selections, varied_walk  # noqa: E402

from dashboard.core.settings import DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR  # noqa: E402
from dashboard.data.loading import open_dataset  # noqa: E402
from dashboard.web.app import EXPLORER_KEY, create_app  # noqa: E402
from dashboard.web.serving import collect_between_requests, freeze_startup_objects  # noqa: E402

SERVER_TARGET_MS = 30.0
BYTES_TARGET_KB = 20.0
WALK_CHANGES = 120
HEADERS = {"Content-Type": "application/json", "Accept-Encoding": "gzip"}


def bodies_of(changes: list[FilterChange]) -> list[bytes]:
    return [json.dumps(body).encode() for change in changes for round_ in change.rounds for body in round_]


def replay(client, bodies: list[bytes]) -> tuple[list[float], list[int], list[int]]:
    """(ms per request, bytes as sent, bytes decoded) for each body, in order."""
    times, sent, decoded = [], [], []
    for body in bodies:
        started = time.perf_counter()
        response = client.post("/_dash-update-component", data=body, headers=HEADERS)
        times.append((time.perf_counter() - started) * 1000)
        response.close()  # as a server does once the response is sent: the garbage collection due runs here
        if response.status_code != 200:
            raise SystemExit(f"a recorded request was answered {response.status_code}")
        sent.append(len(response.get_data()))
        decoded.append(len(json.dumps(_decode(response))))
    return times, sent, decoded


def _decode(response) -> object:
    import gzip

    data = response.get_data()
    return json.loads(gzip.decompress(data) if response.headers.get("Content-Encoding") == "gzip" else data)


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def fresh_client(dataset):
    app = create_app(dataset=dataset, warm_in_background=False)
    app.server.extensions[EXPLORER_KEY].warm()  # what each worker does in the background after start-up
    freeze_startup_objects()  # as dashboard/wsgi.py does
    collect_between_requests(app.server)  # and this
    return app.server.test_client()


def row(label: str, times: list[float], sent: list[int], decoded: list[int]) -> None:
    verdict = "PASS" if p95(times) <= SERVER_TARGET_MS else "MISS"
    size = "PASS" if max(sent) / 1024 <= BYTES_TARGET_KB else "MISS"
    print(f"  {label:44} {len(times):4} {statistics.median(times):7.1f} {p95(times):7.1f} {max(times):7.1f}  {verdict:4}"
          f"  {statistics.mean(sent) / 1024:6.1f} {max(sent) / 1024:6.1f} {statistics.mean(decoded) / 1024:7.1f}  {size}")


def main() -> None:
    # As production serves: from the prepared store (prepared here once, in a temporary folder);
    # each fresh app opens it and reads each partition when first asked.
    store = Path(tempfile.mkdtemp(prefix="bench-filter-change-store-"))
    try:
        measure(lambda: open_dataset(DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR, store))
    finally:
        shutil.rmtree(store, ignore_errors=True)


def measure(served) -> None:
    dataset = served()
    recorder = Page.load(create_app(dataset=dataset, warm_in_background=False).server.test_client())
    cancers = bodies_of(record_selections(recorder, cancer_selections(recorder)))
    walk = bodies_of(varied_walk(recorder.copy(), WALK_CHANGES))
    print(f"machine: 2 CPUs expected, {len(cancers)} Cancer-type changes and a walk of {len(walk)} changes; "
          f"load average {__import__('os').getloadavg()[0]:.2f}")
    print(f"  {'requests':44} {'n':>4} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7}  {'<=30':4}  {'KB sent':>6} {'max':>6} {'decoded':>7}  <=20KB")
    for label, bodies in (("Cancer type, every option (the issue's check)", cancers), ("varied walk over every control", walk)):
        client = fresh_client(served())
        row(f"{label}: cold", *replay(client, bodies))
        row(f"{label}: again", *replay(client, bodies))


if __name__ == "__main__":
    main()
