"""Print what a browser sees of the project and of a plain-Dash baseline, side by side.

Two servers, each on a free port, stopped at the end whatever happens (process groups):
  project   `gunicorn --workers 2 dashboard.wsgi:server`, as production runs it;
  baseline  bench/baseline_app.py (plain Dash, one px.choropleth, dcc.Dropdown).
Each app is measured in a fresh browser context (empty cache) of Debian's chromium, headless,
at 1920x1080, driven by Playwright. Before either, the browser draws one throwaway page
(`warm_up`): the first page a just-launched chromium draws pays for the browser's own start,
which fell on whichever app was measured first (the project). The figures, and how each is taken:

- first load transferred: a CDP session on the page (Network.enable) sums
  `Network.loadingFinished.encodedDataLength` over every request from navigation until the
  network is idle (no request in flight for 500 ms, no DOM mutation for 500 ms) after the map
  is drawn; that is bytes on the wire, headers included, compressed if compressed, and it
  includes the GeoJSON the map fetches.
- first map drawn: a MutationObserver (page.add_init_script, so it exists before any page
  script) notes when the map's `.choroplethlocation` paths first exist; the figure is
  performance.now() (ms since navigation start) in the animation frame after that, i.e. the
  frame that paints them.
- filter change: another MutationObserver on the whole document records, per mutation batch,
  performance.now() in the next animation frame (the frame that paints the batch). Before
  each change the page has settled; t0 is the timestamp of the first input event (capture
  listener on document: pointerdown, mousedown, keydown, input, change, click) after the bench
  arms it. The change is made as a user makes it: Playwright's select_option on the project's
  native <select>; a click to open the baseline's dcc.Dropdown, then (armed) a click on the
  option. The bench then waits until no request is in flight and nothing has mutated or
  finished loading for 400 ms; latency = the paint of the last mutation batch after t0 minus
  t0. Batches that only touch <head> (Dash's "Updating..." title) or add/remove
  dash-renderer's empty `_dash-loading-callback` div (removed after the last output is
  applied, typically one frame after the charts) are not view paints and are left out;
  everything else counts, plotly's own class changes and resize redraws included.
  16 changes, cycling through the options after the current one (wrapping round).
  Nothing here depends on how many callbacks a change triggers: whatever requests and
  re-renders follow, the last paint is the one counted.
- bytes and requests per change: every request whose Network.requestWillBeSent came after
  the bench armed the change, summed as above (encodedDataLength, headers included).
- server time per callback request: time to first byte of each POST /_dash-update-component
  during the changes, from Resource Timing (responseStart - requestStart, loopback); with
  gunicorn's 2 sync workers it includes any queueing behind the change's other callbacks.
- sanity check: for each change, the last counted paint must come after the last callback
  response ended (Resource Timing responseEnd), so the latency covers the last chart redrawn;
  the ids of the components the last batch touched are printed too.

The page-side helpers (the init scripts, CDP byte counting, the settle logic, working the
controls, starting and stopping the servers) are in bench/browser_measure.py.

Targets apply to the project; the baseline is context. Exit status 0 when every figure was
measured (targets met or not), 1 when the bench itself could not run.
Run: make bench   (or .venv/bin/python bench/browser.py)
"""

from __future__ import annotations

import importlib.metadata
import json
import math
import os
import signal
import sys
import time
import traceback
import urllib.parse
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))  # bench/ is scripts, not a package

from browser_measure import (
    ARM,
    COLLECT,
    FIRST_LOAD,
    INIT_SCRIPT,
    POLL_MS,
    STATE,
    AppSpec,
    Network,
    act,
    options_of,
    prepare,
    servers,
    wait_until,
    warm_up,
)

BIN = Path(sys.executable).parent
CHROMIUM = Path(os.environ.get("CHROMIUM", "/usr/bin/chromium"))
# As tests/browser/conftest.py: without the background-networking flags chromium calls Google.
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-dev-shm-usage",
]
VIEWPORT = {"width": 1920, "height": 1080}

CHANGES = 16
MAP_TIMEOUT_S = 30.0
LOAD_QUIET_MS = 500.0
CHANGE_QUIET_MS = 400.0
CHANGE_TIMEOUT_S = 10.0
PREPARE_QUIET_MS = 150.0
TOTAL_BUDGET_S = 170.0  # the whole script stays under 3 minutes
DASH_UPDATE = "_dash-update-component"

TARGET_FIRST_LOAD_MB = 1.5
TARGET_FIRST_MAP_S = 1.0
TARGET_CHANGE_P95_MS = 120.0
TARGET_CHANGE_KB = 20.0
TARGET_TTFB_P95_MS = 30.0


@dataclass
class ChangeResult:
    latency_ms: float
    t0_event: str  # the input event t0 was read from
    bytes: int
    sent: int
    requests: int
    ttfb_ms: list[float]
    paint_after_last_response: bool
    last_ids: list[str]
    settled: bool
    kinds: list[str]  # "METHOD /path" of each request, to show what a change costs


@dataclass
class AppResult:
    first_load_bytes: int = 0
    first_load_requests: int = 0
    first_map_ms: float | None = None
    changes: list[ChangeResult] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    error: str | None = None


# ---------------------------------------------------------------------------- page driving


def sequence(values: list[str], current: str, count: int) -> list[str]:
    """`count` values cycling through the options after the current one, never re-choosing
    the value just shown (so every step is a real change)."""
    if len(values) < 2:
        raise RuntimeError(f"the cancer-type control offers {len(values)} option(s): nothing to change")
    start = values.index(current) + 1 if current in values else 0
    chosen, shown, i = [], current, start
    while len(chosen) < count:
        value = values[i % len(values)]
        i += 1
        if value != shown:
            chosen.append(value)
            shown = value
    return chosen


def one_change(page: Any, net: Network, spec: AppSpec, index: int, value: str) -> ChangeResult:
    """Make one change and read back its latency, bytes, requests and callback TTFBs."""
    prepare(page, spec, value)
    wait_until(page, net, PREPARE_QUIET_MS, CHANGE_TIMEOUT_S)
    page.evaluate(ARM)
    net.current = index
    act(page, spec, value)
    settled = wait_until(page, net, CHANGE_QUIET_MS, CHANGE_TIMEOUT_S)
    got = page.evaluate(COLLECT, DASH_UPDATE)
    if got["t0"] is None or got["lastPaint"] is None:
        raise RuntimeError(f"{spec.name}: change {index + 1} to {value!r} caused no input event or no repaint")
    requests = net.of(index)
    last_response = max((c["responseEnd"] for c in got["callbacks"]), default=got["t0"])
    return ChangeResult(
        latency_ms=got["lastPaint"] - got["t0"],
        t0_event=got["t0Type"],
        bytes=sum(r.encoded for r in requests),
        sent=sum(r.sent for r in requests),
        requests=len(requests),
        ttfb_ms=[c["responseStart"] - c["requestStart"] for c in got["callbacks"] if c["requestStart"] > 0],
        paint_after_last_response=got["lastPaint"] >= last_response,
        last_ids=got["lastIds"],
        settled=settled,
        kinds=[f"{r.method} {urllib.parse.urlsplit(r.url).path}" for r in requests],
    )


def first_load(page: Any, net: Network, spec: AppSpec, url: str, result: AppResult) -> None:
    """Navigate on an empty cache, wait for the map's paint, then for the network to idle."""
    page.goto(url, wait_until="commit")
    deadline = time.monotonic() + MAP_TIMEOUT_S
    while page.evaluate(STATE)["mapDrawn"] is None:
        if time.monotonic() > deadline:
            raise RuntimeError(f"{spec.name}: no {spec.map_selector} within {MAP_TIMEOUT_S:.0f} s")
        page.wait_for_timeout(POLL_MS)
    result.first_map_ms = page.evaluate(STATE)["mapDrawn"]
    if not wait_until(page, net, LOAD_QUIET_MS, MAP_TIMEOUT_S):
        raise RuntimeError(f"{spec.name}: the page never settled after the first load")
    loaded = net.of(FIRST_LOAD)
    result.first_load_bytes = sum(r.encoded for r in loaded)
    result.first_load_requests = len(loaded)


def measure(browser: Any, spec: AppSpec, url: str, deadline: float) -> AppResult:
    """All figures for one app, in its own fresh context (empty cache)."""
    result = AppResult()
    context = browser.new_context(viewport=VIEWPORT)
    try:
        context.add_init_script(INIT_SCRIPT % {"map_selector": json.dumps(spec.map_selector)})
        page = context.new_page()
        page.on("pageerror", lambda exc: result.page_errors.append(str(exc)))
        net = Network()
        net.attach(context.new_cdp_session(page))
        first_load(page, net, spec, url, result)
        values, current = options_of(page, spec)
        wait_until(page, net, LOAD_QUIET_MS, MAP_TIMEOUT_S)
        for index, value in enumerate(sequence(values, current, CHANGES)):
            if time.monotonic() > deadline:
                raise RuntimeError(f"{spec.name}: out of time after {index} changes")
            result.changes.append(one_change(page, net, spec, index, value))
    except Exception as exc:  # noqa: BLE001 -- a bench reports what it measured, and why the rest was not
        result.error = f"{type(exc).__name__}: {exc}"
        traceback.print_exc(file=sys.stderr)
    finally:
        context.close()
    return result


# ---------------------------------------------------------------------------- report


def percentile(values: list[float], q: float) -> float:
    """Linear interpolation between closest ranks (numpy's default)."""
    ordered = sorted(values)
    position = (len(ordered) - 1) * q
    low, high = math.floor(position), math.ceil(position)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def figures(result: AppResult) -> dict[str, float | None]:
    """The table's numbers for one app (None where not measured)."""
    changes = result.changes
    latencies = [c.latency_ms for c in changes]
    ttfb = [t for c in changes for t in c.ttfb_ms]
    per = (lambda f: sum(f(c) for c in changes) / len(changes)) if changes else (lambda f: None)
    return {
        "load_mb": result.first_load_bytes / 1e6 if result.first_load_requests else None,
        "load_requests": result.first_load_requests or None,
        "map_s": result.first_map_ms / 1000 if result.first_map_ms is not None else None,
        "p50": percentile(latencies, 0.5) if latencies else None,
        "p95": percentile(latencies, 0.95) if latencies else None,
        "kb": per(lambda c: c.bytes / 1024),
        "kb_max": max(c.bytes for c in changes) / 1024 if changes else None,
        "kb_sent": per(lambda c: c.sent / 1024),
        "requests": per(lambda c: c.requests),
        "ttfb50": percentile(ttfb, 0.5) if ttfb else None,
        "ttfb95": percentile(ttfb, 0.95) if ttfb else None,
    }


ROWS = [  # key, label, format, target, (the target's text)
    ("load_mb", "first load transferred (MB)", "{:.2f}", TARGET_FIRST_LOAD_MB, "<= 1.5"),
    ("load_requests", "first load requests", "{:.0f}", None, ""),
    ("map_s", "first map drawn (s)", "{:.2f}", TARGET_FIRST_MAP_S, "<= 1.0"),
    ("p50", "filter change p50 (ms)", "{:.0f}", None, ""),
    ("p95", "filter change p95 (ms)", "{:.0f}", TARGET_CHANGE_P95_MS, "<= 120"),
    ("kb", "bytes per change, mean (KB)", "{:.1f}", TARGET_CHANGE_KB, "<= 20"),
    ("kb_max", "bytes per change, max (KB)", "{:.1f}", None, ""),
    ("kb_sent", "request bodies sent per change (KB)", "{:.1f}", None, ""),
    ("requests", "requests per change, mean", "{:.1f}", None, ""),
    ("ttfb50", "callback TTFB p50 (ms)", "{:.1f}", None, ""),
    ("ttfb95", "callback TTFB p95 (ms)", "{:.1f}", TARGET_TTFB_P95_MS, "<= 30"),
]


def cell(value: float | None, fmt: str) -> str:
    return "n/a" if value is None else fmt.format(value)


def print_table(project: AppResult, baseline: AppResult) -> None:
    mine, base = figures(project), figures(baseline)
    print(f"  {'figure':36} {'project':>9} {'baseline':>9} {'target':>8}")
    for key, label, fmt, target, text in ROWS:
        verdict = ""
        if target is not None:
            verdict = "n/a" if mine[key] is None else ("PASS" if mine[key] <= target else "MISS")
        print(f"  {label:36} {cell(mine[key], fmt):>9} {cell(base[key], fmt):>9} {text:>8} {verdict}")


def print_checks(name: str, result: AppResult) -> None:
    """The sanity checks behind the latency figure, per app."""
    changes = result.changes
    if changes:
        covered = sum(c.paint_after_last_response for c in changes)
        unsettled = sum(not c.settled for c in changes)
        last = Counter(" ".join(sorted(c.last_ids)) for c in changes).most_common(4)
        print(f"  {name}: last paint after last callback response in {covered}/{len(changes)} changes; "
              f"last batch touched {', '.join(f'[{ids}] x{n}' for ids, n in last)}"
              + (f"; {unsettled} change(s) hit the {CHANGE_TIMEOUT_S:.0f} s cap" if unsettled else ""))
        events = Counter(c.t0_event for c in changes)
        print(f"  {name}: latencies (ms) " + " ".join(f"{c.latency_ms:.0f}" for c in changes)
              + f"  (t0 from: {', '.join(f'{e} x{n}' for e, n in events.items())})")
        print(f"  {name}: callback TTFB (ms) " + " ".join(f"{t:.0f}" for c in changes for t in c.ttfb_ms))
        kinds = Counter(kind for c in changes for kind in c.kinds)
        print(f"  {name}: requests per change: " + ", ".join(f"{kind} x{n / len(changes):.2g}" for kind, n in kinds.most_common()))
    if result.page_errors:
        print(f"  {name}: {len(result.page_errors)} page error(s), first: {result.page_errors[0][:200]}")
    if result.error:
        print(f"  {name}: NOT MEASURED IN FULL: {result.error}")


def specs() -> list[AppSpec]:
    return [
        AppSpec(
            name="project",
            command=lambda port: [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{port}", "dashboard.wsgi:server"],
            map_selector="#map .choroplethlocation",
            control="#control-cancer",  # dashboard.web.ids.CANCER, a native <select>
            kind="select",
        ),
        AppSpec(
            name="baseline",
            command=lambda port: [sys.executable, str(ROOT / "bench" / "baseline_app.py"), "--port", str(port)],
            map_selector="#map .choroplethlocation",
            control="#cancer",
            kind="dropdown",
        ),
    ]


def raise_on_sigterm() -> None:
    """A terminated bench still stops its servers (the `finally` blocks run)."""
    def handler(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)


def run(apps: list[AppSpec], started: float) -> tuple[str, dict[str, AppResult]]:
    """Start the servers, measure every app in one browser, stop everything."""
    from playwright.sync_api import sync_playwright

    results: dict[str, AppResult] = {}
    with servers(apps) as urls, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True)
        try:
            warm_up(browser, VIEWPORT)
            for spec in apps:
                results[spec.name] = measure(browser, spec, urls[spec.name], started + TOTAL_BUDGET_S)
            return browser.version, results
        finally:
            browser.close()


def main() -> int:
    from dashboard.web import ids

    started = time.monotonic()
    load_before = os.getloadavg()[0]
    raise_on_sigterm()
    apps = specs()
    if apps[0].control != f"#{ids.CANCER}":
        print(f"could not run: the project's cancer-type control is #{ids.CANCER} now; update specs()")
        return 1
    if not CHROMIUM.exists():
        print(f"could not run: {CHROMIUM} not found (`make test` installs Debian's chromium)")
        return 1
    try:
        version, results = run(apps, started)
    except Exception as exc:  # noqa: BLE001 -- servers that never answered, a browser that never started
        traceback.print_exc(file=sys.stderr)
        print(f"could not run: {type(exc).__name__}: {exc}")
        return 1
    print(f"chromium {version}, playwright {importlib.metadata.version('playwright')}, "
          f"{VIEWPORT['width']}x{VIEWPORT['height']}, {CHANGES} changes of cancer type per app, "
          f"{os.cpu_count()} CPUs; project on gunicorn --workers 2, baseline on Dash's dev server")
    print_table(results["project"], results["baseline"])
    for name, result in results.items():
        print_checks(name, result)
    print(f"  ({time.monotonic() - started:.0f} s; load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after: "
          "other work on the machine slows the browser figures)")
    return 1 if any(r.error for r in results.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
