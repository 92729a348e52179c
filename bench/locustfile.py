"""Locust users that replay recorded filter changes against the app, as browsers would send them.

Why replay: the bodies were recorded from the app itself (bench/dash_payloads.py: every request
one filter change sends, round by round), so the load matches the page exactly, whatever its
callback structure. Each user sends its changes back to back (no wait time), its requests in
round order (a later round only if the earlier one succeeded, as the renderer would), cycling
through every recorded change from its own starting point, so concurrent users ask for
different selections. FastHttpUser (geventhttpclient) keeps the generator's own CPU low on a
small machine; `Accept-Encoding: gzip` as a browser sends over http://.

A request fails unless it is a 200 whose body is a Dash callback response ({"multi": ...,
"response": ...}); connection errors and timeouts fail too.

Run through bench/load.py (starts gunicorn, records the payloads, reads the results), or:
  BENCH_PAYLOADS=payloads.json locust -f bench/locustfile.py --headless -u 20 -r 20 -t 60s --host URL
"""

from __future__ import annotations

import itertools
import json
import os
import random
from collections.abc import Iterator
from typing import Any

from locust import FastHttpUser, constant, events, task

PATH = "/_dash-update-component"
HEADERS = {"Content-Type": "application/json", "Accept": "application/json", "Accept-Encoding": "gzip"}
Request = tuple[str, bytes]  # (name in the statistics, body)
CHANGES: list[list[list[Request]]] = []  # change -> round -> requests; filled when the test starts


def request_name(round_number: int, body: dict[str, Any]) -> str:
    """Statistics per callback: its round and first output (a few names, not one per body)."""
    output = body["outputs"][0] if isinstance(body["outputs"], list) else body["outputs"]
    extra = f" (+{len(body['outputs']) - 1})" if isinstance(body["outputs"], list) and len(body["outputs"]) > 1 else ""
    return f"round {round_number}: {output['id']}.{output['property']}{extra}"


def load_changes(path: str) -> list[list[list[Request]]]:
    """The recorded changes that were answered (200 + JSON) when recorded, bodies serialised once."""
    with open(path) as handle:
        recorded = json.load(handle)["changes"]
    return [
        [[(request_name(r, body), json.dumps(body).encode()) for body in bodies] for r, bodies in enumerate(change["rounds"])]
        for change in recorded
        if change.get("ok", True) and change["rounds"]
    ]


@events.init.add_listener
def _read_payloads(environment: Any, **_kwargs: Any) -> None:
    path = os.environ.get("BENCH_PAYLOADS", "")
    if not path:
        raise SystemExit("set BENCH_PAYLOADS to a file written by `python bench/dash_payloads.py --out FILE`")
    CHANGES[:] = load_changes(path)
    if not CHANGES:
        raise SystemExit(f"{path}: no recorded filter change to replay")


def is_dash_response(body: bytes | None) -> bool:
    """Cheap: a JSON object naming "response" near its start (Dash writes "multi" then "response")."""
    return bool(body) and body[:1] == b"{" and b'"response"' in body[:200]


class FilterChangeUser(FastHttpUser):
    wait_time = constant(0)
    _numbers = itertools.count()

    def on_start(self) -> None:
        number = next(self._numbers)
        start = random.Random(number).randrange(len(CHANGES))  # fixed per user number: repeatable runs
        self.sequence: Iterator[list[list[Request]]] = itertools.islice(itertools.cycle(CHANGES), start, None)

    @task
    def filter_change(self) -> None:
        for requests in next(self.sequence):
            failed = False
            for name, body in requests:
                with self.client.post(PATH, data=body, headers=HEADERS, name=name, catch_response=True) as response:
                    if response.status_code != 200:
                        response.failure(f"HTTP {response.status_code}")
                        failed = True
                    elif not is_dash_response(response.content):
                        response.failure("200 but not a Dash callback response")
                        failed = True
            if failed:
                return  # the renderer fires the next round only from a complete one
