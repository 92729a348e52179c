"""What the server sends besides callbacks: the page template, compression and its cache.

First load (bench/browser.py): the bundles and the map's boundaries are compressed once per
worker and kept (compressing the 1.4 MB plotly.js bundle again for every visitor cost more
than sending it), and the page asks for the first map's boundaries at once, alongside the
scripts, instead of after them.
"""

from __future__ import annotations

import gc
import re
import threading
import time
from collections import OrderedDict
from collections.abc import Sequence
from typing import Any

from dash import Dash
from flask import Flask, Request, Response, request
from werkzeug.serving import WSGIRequestHandler
from werkzeug.wsgi import ClosingIterator

from dashboard.web import signin

GEOJSON_MIMETYPE = "application/geo+json"
# What flask-compress compresses: HTML, CSS, JavaScript, JSON and the map's GeoJSON.
COMPRESSED_MIMETYPES = ["text/html", "text/css", "text/javascript", "application/javascript", "application/json", GEOJSON_MIMETYPE]
# GET responses that are the same for everyone while a worker lives (their URLs carry a version
# or they come from data read once): kept compressed. Nothing a callback answers is kept here.
STATIC_PREFIXES = ("/_dash-component-suites/", "/assets/", "/geo/", "/_dash-layout", "/_dash-dependencies")
STATIC_WARMED = "cancer_variation_explorer_static_warmed"  # in the Flask server's extensions
COMPRESSED_KEPT = 256  # responses (about 1.3 MB of compressed bytes for this app's page)

# Dash's own template, in British English (a div, not Dash's <footer>, holds its scripts: a second
# footer was a second "contentinfo" landmark beside the page's own), with the icon inline (a linked favicon is fetched
# again each time a filter change rewrites the address: 15 KB a change with Dash's default
# icon) and the first map's boundaries requested at once ({preloads}).
FAVICON = (
    "data:image/svg+xml,%3Csvg xmlns='http%3A//www.w3.org/2000/svg' viewBox='0 0 16 16'%3E"
    "%3Crect width='16' height='16' fill='%23005EB8'/%3E%3C/svg%3E"
)
INDEX_TEMPLATE = """<!DOCTYPE html>
<html lang="en-GB">
    <head>
        {{%metas%}}
        <title>{{%title%}}</title>
        <link rel="icon" href="{favicon}">
        {preloads}
        {{%css%}}
    </head>
    <body>
        {{%app_entry%}}
        <div class="dash-scripts">
            {{%config%}}
            {{%scripts%}}
            {{%renderer%}}
        </div>
    </body>
</html>"""


# Scripts Dash adds that this page does without. @babel/polyfill (core-js 2 and regenerator)
# back-fills ES2015-2017 for browsers that lack them; every browser Dash 4 and React 18 run in
# has them, and evaluating it cost 60 to 120 ms of every first load (a CPU profile of the page
# in chromium). The one thing Dash's bundles take from it is the global `regeneratorRuntime`
# (their lazy-component loader), which dash-bootstrap-components' bundle also defines, before
# Dash's: tests/app/test_first_page.py fails if it stops doing so.
# Dash's DataTable bundle comes with every page because Dash imports dash_table; the page has
# no DataTable (its table is an AG Grid, web/grid.py), so it is left out too.
DROPPED_SCRIPTS = re.compile(r'<script src="[^"]*/(?:deps/polyfill@|dash_table/bundle)[^"]*"></script>\s*')


class Page(Dash):
    """Dash, serving its page without DROPPED_SCRIPTS (Dash's documented `interpolate_index` hook),
    and setting itself up once before any request is served."""

    _setup_lock = threading.Lock()

    def _setup_server(self) -> None:
        """Dash sets itself up on its first request (listing the assets' scripts, among other
        things), marking that done before it starts: a request arriving meanwhile was served a
        page without some of its scripts. The warm-up thread's first request and a test's raced
        so in CI, and the page lacked assets/map_boundaries.js; a first visitor's could too. Every
        request now waits here until the set-up is complete (tests/app/test_first_page.py)."""
        with self._setup_lock:
            super()._setup_server()

    def interpolate_index(self, **kwargs: Any) -> str:
        kwargs["scripts"] = DROPPED_SCRIPTS.sub("", kwargs.get("scripts", ""))
        return super().interpolate_index(**kwargs)


def index_string(geojson_urls: list[str], topojson: dict[str, str], scripts: Sequence[str] = ()) -> str:
    """The page template, asking at once for the first map's boundaries: the GeoJSON layers at
    `geojson_urls` (as the figure names them) and the topojson files `topojson` (name -> URL).

    assets/map_boundaries.js hands them to plotly.js before the map is mounted, so plotly.js
    draws the map as the page is built, instead of fetching them then and drawing only when
    they arrive (after the first answer's chart had been drawn: about 150 ms of the first
    map's time on a 2-core machine). `scripts` are script chunks the page will load once it
    is built (dcc.Graph's code), fetched with the rest instead.
    """
    links = [f'<link rel="preload" href="{url}" as="fetch" crossorigin="anonymous" data-plotly-geojson>' for url in dict.fromkeys(geojson_urls)]
    links += [f'<link rel="preload" href="{url}" as="fetch" crossorigin="anonymous" data-plotly-topojson="{name}">' for name, url in topojson.items()]
    links += [f'<link rel="preload" href="{url}" as="script">' for url in scripts]
    return INDEX_TEMPLATE.format(favicon=FAVICON, preloads="\n        ".join(links))


class CompressedKept:
    """flask-compress's cache backend: compressed static responses, least recently used dropped.
    Keys for anything else end in ';' (see `static_key`) and are never stored."""

    def __init__(self, size: int = COMPRESSED_KEPT) -> None:
        self._size = size
        self._values: OrderedDict[str, bytes] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: str) -> bytes | None:
        if key.endswith(";"):
            return None
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
            return self._values.get(key)

    def set(self, key: str, value: bytes) -> None:
        if key.endswith(";"):
            return
        with self._lock:
            self._values[key] = value
            while len(self._values) > self._size:
                self._values.popitem(last=False)


def static_key(req: Request) -> str:
    """The cache key of a static GET, or '' for anything else. The path alone: a query never
    changes what these paths serve (Dash's `?m=` only defeats browsers' caches), and keyed by
    it, anyone could fill the cache with copies of the 1.4 MB plotly.js (an adversarial check:
    600 requests with made-up queries took each worker from 288 to 420 MB)."""
    if req.method == "GET" and req.path.startswith(STATIC_PREFIXES):
        return req.path
    return ""


def unstream_static(response: Response) -> Response:
    """A static file is sent as a stream, which flask-compress compresses chunk by chunk on
    every request; read into memory (they are at most 1.4 MB), it is compressed once and kept."""
    if request.method == "GET" and response.status_code == 200 and request.path.startswith(STATIC_PREFIXES) and response.is_streamed:
        response.direct_passthrough = False
        response.set_data(response.get_data())
    return response


def flask_server() -> Flask:
    """The Flask server, configured before Dash adds compression to it (flask-compress reads its
    settings once): brotli for browsers, gzip for other clients, static responses kept compressed."""
    server = Flask(__name__)
    settings: dict[str, Any] = {
        "COMPRESS_ALGORITHM": ["br", "gzip"],
        "COMPRESS_BR_LEVEL": 5,
        "COMPRESS_LEVEL": 6,
        "COMPRESS_MIMETYPES": COMPRESSED_MIMETYPES,
        "COMPRESS_CACHE_BACKEND": CompressedKept,
        "COMPRESS_CACHE_KEY": static_key,
    }
    server.config.update(settings)
    return server


def register_unstream(server: Flask) -> None:
    """Make static streams plain responses before flask-compress sees them. Flask runs
    after-request hooks in reverse order of registration, so this is registered after
    flask-compress's (Dash registers that when it is built)."""
    server.after_request(unstream_static)


class Quiet:
    """Whether this worker is serving a request: background work (the warm-up) waits between
    its steps until no request has been in flight for a moment, so a visitor's first requests,
    made while a worker is still warming up, are not queued behind it for the interpreter."""

    def __init__(self, settle_s: float = 0.05) -> None:
        self._settle_s = settle_s
        self._in_flight = 0
        self._last_done = 0.0
        self._lock = threading.Lock()
        self._idle = threading.Event()
        self._idle.set()

    def started(self) -> None:
        with self._lock:
            self._in_flight += 1
            self._idle.clear()

    def finished(self, _error: BaseException | None = None) -> None:
        with self._lock:
            self._in_flight = max(0, self._in_flight - 1)
            self._last_done = time.monotonic()
            if self._in_flight == 0:
                self._idle.set()

    def wait(self) -> None:
        """Return once no request is in flight and none has ended within `settle_s`."""
        while True:
            self._idle.wait()
            with self._lock:
                left = self._last_done + self._settle_s - time.monotonic()
                if self._in_flight == 0 and left <= 0:
                    return
            time.sleep(max(left, 0.001))

    def watch(self, server: Flask) -> None:
        server.before_request(self.started)
        server.teardown_request(self.finished)


def warm_static(server: Flask, encodings: tuple[str, ...] = ("br", "gzip")) -> int:
    """Ask the server for every file the page loads, once per encoding, so that the compressed
    copies are kept before the first visitor comes (about 0.5 s of CPU). Under gunicorn the
    master does this before it forks the workers (gunicorn.conf.py, `when_ready`): a visitor's
    first page, asked for as soon as a worker answers, was otherwise compressed as it was sent
    while the worker was also warming its look-ups. Done once per server; returns the number
    of files asked for (0 if already done)."""
    if server.extensions.get(STATIC_WARMED):
        return 0
    server.extensions[STATIC_WARMED] = True
    client = server.test_client()
    client.environ_base.update(signin.internal_request_environ())  # let through when sign-in is on
    page = client.get("/").get_data(as_text=True)
    urls = set(re.findall(r'(?:src|href)="(/[^"]+)"', page)) | {"/_dash-layout", "/_dash-dependencies"}
    for url in sorted(urls):
        for encoding in encodings:
            client.get(url, headers={"Accept-Encoding": encoding})
    return len(urls)


# CPython's own cadence (a young collection per 700 new objects, a middle one per 10 young ones,
# a full one per 10 middle ones), run after each response is sent instead of inside a request: a
# full collection took 34 ms, landing on one change in about 120 (bench/filter_change.py), and a
# middle one up to 5 ms. Automatic collection stays on, its thresholds raised, as a safety net for
# a request that makes objects by the hundred thousand.
YOUNG_DUE, MIDDLE_DUE, FULL_DUE = 700, 10, 10
SAFETY_NET_THRESHOLDS = (100_000, 50, 100)


def collect_between_requests(server: Flask) -> None:
    """Run the garbage collector after each response has been sent, never while one is made
    (the server calls the response's `close` once its last byte is written)."""
    gc.set_threshold(*SAFETY_NET_THRESHOLDS)
    inner = server.wsgi_app

    def wsgi_app(environ: dict[str, Any], start_response: Any) -> Any:
        return ClosingIterator(inner(environ, start_response), [collect_if_due])

    server.wsgi_app = wsgi_app  # type: ignore[method-assign]


def collect_if_due() -> int | None:
    """One collection, of the oldest generation due by CPython's cadence; the generation, or None."""
    young, young_collections, middle_collections = gc.get_count()
    due = 2 if middle_collections >= FULL_DUE else 1 if young_collections >= MIDDLE_DUE else 0 if young >= YOUNG_DUE else None
    if due is not None:
        gc.collect(due)
    return due


def freeze_startup_objects() -> None:
    """Move everything built at start-up (the data, the look-ups) out of the garbage
    collector's sight: a full collection walked them all, pausing a request 170 to 340 ms
    (bench/filter_change.py); frozen, it takes 30 to 50 ms. Under gunicorn --preload this
    runs in the master before the fork, so the workers also share those pages longer."""
    gc.collect()
    gc.freeze()


# A Host header that is a host name or address, with an optional port: what a link may be built on.
PLAIN_HOST = re.compile(r"(?:[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*|\[[0-9A-Fa-f:.]+\])(?::[0-9]{1,5})?")


def link_base(public_url: str | None, prefix: str) -> str:
    """Where the links written into a file (a download's permalink, a board pack's) start:
    `public_url` when configured (Settings, DASHBOARD_PUBLIC_URL); else the address this request
    was made to, with the app's path `prefix`, if its Host is a plain host name or address; else
    `prefix` alone, a link relative to wherever the file is opened from. Never the request's path,
    and never a Host of "evil.example/phish?x=" or "=HYPERLINK(…)" (an adversarial check)."""
    if public_url:
        return public_url
    if PLAIN_HOST.fullmatch(request.host or ""):
        try:
            return request.host_url.rstrip("/") + prefix
        except ValueError:  # "[1:2]": brackets round what is not an IPv6 address
            pass
    return prefix


class PlainServerHeader(WSGIRequestHandler):
    """The development server's request handler, naming no version in its `Server` header
    (Werkzeug's says "Werkzeug/3.1.9 Python/3.11.2": an attacker's list of known flaws)."""

    def version_string(self) -> str:
        return SERVER_NAME


SERVER_NAME = "cancer-variation-explorer"
