"""How bench/dash_payloads.py sends its requests: through a Flask test client (no network, so
the time is the server's time) or to a running server. Not a benchmark itself."""

from __future__ import annotations

import gzip
import json
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from typing import Any, Protocol

HEADERS = {"Content-Type": "application/json", "Accept": "application/json", "Accept-Encoding": "gzip"}


@dataclass(frozen=True)
class Reply:
    status: int
    payload: Any  # the parsed JSON, or None
    seconds: float  # request sent -> whole response received (the server's time, for the test client)
    wire_bytes: int  # as received (compressed when the server compressed)


class Transport(Protocol):
    def get_json(self, path: str) -> Any: ...
    def post(self, path: str, body: bytes) -> Reply: ...


def _decode(status: int, data: bytes, encoding: str | None) -> Any:
    try:
        return json.loads(gzip.decompress(data) if encoding == "gzip" else data) if status == 200 and data else None
    except (ValueError, OSError):
        return None


class FlaskTransport:
    """Requests through a Flask test client: no network, so the time is the server's time."""

    def __init__(self, client: Any):
        self.client = client

    def get_json(self, path: str) -> Any:
        response = self.client.get(path)
        assert response.status_code == 200, f"GET {path}: {response.status_code}"
        return response.get_json()

    def post(self, path: str, body: bytes) -> Reply:
        started = time.perf_counter()
        response = self.client.post(path, data=body, headers=HEADERS)
        data = response.get_data()  # a streamed body is produced here: inside the timing
        seconds = time.perf_counter() - started
        return Reply(response.status_code, _decode(response.status_code, data, response.headers.get("Content-Encoding")), seconds, len(data))


class HttpTransport:
    """Requests to a running server (e.g. gunicorn) at `base_url`."""

    def __init__(self, base_url: str, timeout: float = 60.0):
        self.base_url, self.timeout = base_url.rstrip("/"), timeout

    def get_json(self, path: str) -> Any:
        with urllib.request.urlopen(self.base_url + path, timeout=self.timeout) as response:
            return json.loads(response.read())

    def post(self, path: str, body: bytes) -> Reply:
        request = urllib.request.Request(self.base_url + path, data=body, headers=HEADERS, method="POST")
        started = time.perf_counter()
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                status, data, encoding = response.status, response.read(), response.headers.get("Content-Encoding")
        except urllib.error.HTTPError as error:
            status, data, encoding = error.code, error.read(), None
        seconds = time.perf_counter() - started
        return Reply(status, _decode(status, data, encoding), seconds, len(data))
