"""Page-side helpers for bench/browser.py, which imports them; not a benchmark itself
(`make bench` runs only the scripts in the Makefile's BENCHMARKS).

- the JavaScript installed in each page before its own scripts (INIT_SCRIPT) and the snippets
  that arm a change, poll the page's state and collect a change's figures (ARM, STATE, COLLECT);
- byte counting from CDP Network events, per request, attributed to the first load or a change
  (Network);
- the settle logic: poll until neither the network nor the view has moved for a while
  (wait_until);
- how a user works each app's cancer-type control (options_of, prepare, act);
- starting the apps' servers, each in its own process group, and stopping them (servers).
- drawing one throwaway page before measuring (warm_up).
bench/browser.py's docstring says how each figure is taken.
"""

from __future__ import annotations

import base64
import json
import os
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any
from servers import answers, free_port  # noqa: E402  (bench/browser.py puts bench/ on sys.path)

ROOT = Path(__file__).resolve().parents[1]
SERVER_START_TIMEOUT_S = 90.0
POLL_MS = 25

# Installed before any page script runs. window.__bench holds everything the bench reads back.
INIT_SCRIPT = """
(() => {
  const B = window.__bench = {batches: [], lastMut: 0, armedAt: null, t0: null, t0Type: null,
                              mapSelector: %(map_selector)s, mapFound: null, mapDrawn: null};
  try { performance.setResourceTimingBufferSize(100000); } catch (e) {}
  // Not view paints: <head> (Dash's "Updating..." title) and dash-renderer's empty
  // `_dash-loading-callback` div, added while callbacks are pending and removed after.
  const inHead = (node) => document.head !== null && document.head.contains(node);
  const bookkeeping = (node) => node.nodeType === 1 && node.classList.contains('_dash-loading-callback');
  const invisible = (r) => inHead(r.target) || (r.type === 'childList' &&
    [...r.addedNodes, ...r.removedNodes].every(bookkeeping));
  const describe = (records) => {
    const ids = new Set();
    let previous = null;
    for (let i = 0; i < records.length && i < 400 && ids.size < 8; i++) {
      const target = records[i].target;
      if (target === previous) continue;
      previous = target;
      const element = target.nodeType === 1 ? target : target.parentElement;
      const owner = element && element.closest('[id]');
      ids.add(owner ? owner.id : (element ? element.tagName.toLowerCase() : '?'));
    }
    return [...ids];
  };
  new MutationObserver((records) => {
    const now = performance.now();
    const hidden = records.every(invisible);
    const batch = {mut: now, paint: null, n: records.length, hidden: hidden,
                   ids: hidden ? [] : describe(records)};
    if (!hidden) B.lastMut = now;
    B.batches.push(batch);
    requestAnimationFrame(() => { batch.paint = performance.now(); });
  }).observe(document, {subtree: true, childList: true, attributes: true, characterData: true});
  const mapObserver = new MutationObserver(() => {
    if (B.mapFound !== null || !document.querySelector(B.mapSelector)) return;
    B.mapFound = performance.now();
    mapObserver.disconnect();
    requestAnimationFrame(() => { B.mapDrawn = performance.now(); });
  });
  mapObserver.observe(document, {subtree: true, childList: true});
  for (const type of ['pointerdown', 'mousedown', 'keydown', 'input', 'change', 'click']) {
    document.addEventListener(type, (event) => {
      if (B.armedAt === null || B.t0 !== null) return;
      const now = performance.now();
      const stamp = event.timeStamp;
      B.t0 = (stamp >= B.armedAt - 1 && stamp <= now + 1) ? stamp : now;
      B.t0Type = type;
    }, true);
  }
})();
"""

ARM = "() => { const B = window.__bench; B.batches = []; B.t0 = null; B.t0Type = null; B.armedAt = performance.now(); }"
STATE = "() => ({now: performance.now(), lastMut: window.__bench.lastMut, t0: window.__bench.t0, mapDrawn: window.__bench.mapDrawn})"
COLLECT = """(marker) => {
  const B = window.__bench;
  const after = B.batches.filter((b) => b.mut >= B.t0 && !b.hidden);
  const last = after.length ? after[after.length - 1] : null;
  const callbacks = performance.getEntriesByType('resource')
    .filter((e) => e.name.includes(marker) && e.startTime >= B.t0)
    .map((e) => ({start: e.startTime, requestStart: e.requestStart, responseStart: e.responseStart,
                  responseEnd: e.responseEnd}));
  return {t0: B.t0, t0Type: B.t0Type, batches: after.length, lastPaint: last ? last.paint : null,
          lastMut: last ? last.mut : null, lastIds: last ? last.ids : [], callbacks: callbacks};
}"""


@dataclass(frozen=True)
class AppSpec:
    """One app to measure: how to start it, where its map is, how a user changes cancer type."""

    name: str
    command: Callable[[int], list[str]]
    map_selector: str
    control: str  # CSS selector of the cancer-type control
    kind: str  # "select": a native <select>; "dropdown": Dash 4's dcc.Dropdown


@dataclass
class Request:
    """One request of the page, as CDP reported it."""

    url: str
    method: str
    change: int  # FIRST_LOAD, or the index of the change that caused it
    sent: int = 0  # request body bytes (what a callback POSTs)
    encoded: int = 0
    done: bool = False


FIRST_LOAD = -1


def body_size(request: dict) -> int:
    """Bytes of a request's body as CDP reports it (postDataEntries, else postData)."""
    entries = request.get("postDataEntries")
    if entries:
        return sum(len(base64.b64decode(entry.get("bytes", ""))) for entry in entries)
    return len(request.get("postData", "").encode())


@dataclass
class Network:
    """Every request of one page, from CDP events, attributed to the first load or a change."""

    requests: dict[str, Request] = field(default_factory=dict)
    current: int = FIRST_LOAD
    last_event: float = field(default_factory=time.monotonic)

    def attach(self, cdp: Any) -> None:
        """Listen before navigation so nothing is missed."""
        cdp.on("Network.requestWillBeSent", self._sent)
        cdp.on("Network.loadingFinished", self._finished)
        cdp.on("Network.loadingFailed", self._failed)
        cdp.send("Network.enable")

    def _sent(self, event: dict) -> None:
        self.last_event = time.monotonic()
        if event["requestId"] in self.requests:  # a redirect keeps its id
            return
        request = event["request"]
        self.requests[event["requestId"]] = Request(request["url"], request["method"], self.current, body_size(request))

    def _finished(self, event: dict) -> None:
        self.last_event = time.monotonic()
        request = self.requests.get(event["requestId"])
        if request is not None:
            request.encoded = int(event.get("encodedDataLength", 0))
            request.done = True

    def _failed(self, event: dict) -> None:
        self.last_event = time.monotonic()
        request = self.requests.get(event["requestId"])
        if request is not None:
            request.done = True

    def pending(self) -> int:
        """Requests still in flight (data: and blob: URLs never finish on the network)."""
        return sum(not r.done for r in self.requests.values() if not r.url.startswith(("data:", "blob:")))

    def of(self, change: int) -> list[Request]:
        """The requests of the first load (FIRST_LOAD) or of one change."""
        return [r for r in self.requests.values() if r.change == change]


# ---------------------------------------------------------------------------- servers






def stop(process: subprocess.Popen) -> None:
    """Stop the server and everything it started (gunicorn's workers): its whole process
    group, politely first, then whatever is left (a stuck leader, orphaned workers)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        pass
    time.sleep(0.2)
    with suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


@contextmanager
def servers(specs: list[AppSpec]) -> Iterator[dict[str, str]]:
    """Start every app at once (each in its own process group), wait for a 200 from each,
    yield their URLs, and stop them all on the way out, error or not."""
    with ExitStack() as stack:
        started: list[tuple[AppSpec, subprocess.Popen, IO[str], str]] = []
        for spec in specs:
            port = free_port()
            log = stack.enter_context(tempfile.TemporaryFile("w+"))
            process = subprocess.Popen(
                spec.command(port), cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, start_new_session=True
            )
            stack.callback(stop, process)  # runs before its log closes (reverse order)
            started.append((spec, process, log, f"http://127.0.0.1:{port}/"))
        deadline = time.monotonic() + SERVER_START_TIMEOUT_S
        for spec, process, log, url in started:
            while not answers(url):
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    raise RuntimeError(f"{spec.name} never answered {url}:\n{log.read()[-3000:]}")
                time.sleep(0.1)
        yield {spec.name: url for spec, _, _, url in started}


# ---------------------------------------------------------------------------- page driving


def wait_until(page: Any, net: Network, quiet_ms: float, timeout_s: float) -> bool:
    """Poll until nothing is in flight and neither the view (mutations that are not
    bookkeeping), the network, nor an armed input has moved for `quiet_ms`. False on
    timeout. The short page waits let Playwright dispatch the CDP events meanwhile."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        page.wait_for_timeout(POLL_MS)
        state = page.evaluate(STATE)
        moved = max(state["lastMut"], state["t0"] or 0.0)
        network_quiet_ms = (time.monotonic() - net.last_event) * 1000
        if net.pending() == 0 and state["now"] - moved >= quiet_ms and network_quiet_ms >= quiet_ms:
            return True
    return False


def options_of(page: Any, spec: AppSpec) -> tuple[list[str], str]:
    """The control's enabled option values and its current value."""
    if spec.kind == "select":
        return page.eval_on_selector(
            spec.control,
            "s => [Array.from(s.options).filter(o => !o.disabled).map(o => o.value), s.value]",
        )
    page.click(spec.control)
    page.wait_for_selector("[role=option]")
    values = page.eval_on_selector_all("[role=option] input", "els => els.map(e => e.value)")
    current = page.eval_on_selector("[role=option][aria-selected=true] input", "e => e.value")
    page.keyboard.press("Escape")
    page.wait_for_selector("[role=option]", state="detached")
    return values, current


def prepare(page: Any, spec: AppSpec, value: str) -> None:
    """What a user does before the input that changes the value: open the dropdown and
    bring the option into view (not timed)."""
    if spec.kind == "dropdown":
        page.click(spec.control)
        option = page.locator("[role=option]", has=page.locator(f"input[value={json.dumps(value)}]"))
        option.scroll_into_view_if_needed()


def act(page: Any, spec: AppSpec, value: str) -> None:
    """The timed input: select the value."""
    if spec.kind == "select":
        page.select_option(spec.control, value)
        return
    page.locator("[role=option]", has=page.locator(f"input[value={json.dumps(value)}]")).click()
    # Park the mouse on the page heading: chromium re-sends a mousemove under a still cursor
    # after layout changes, and a cursor left over the map would add plotly hover redraws.
    page.mouse.move(1, 1)


# A page with script, SVG and a layout to do, served by neither app.
WARM_UP_PAGE = (
    "data:text/html,<html lang=en><body><svg width=400 height=300><path d='M0 0L400 300'/></svg>"
    "<script>for (let i = 0; i < 2000; i++) document.body.append(document.createElement('p'));</script></body></html>"
)


def warm_up(browser: Any, viewport: dict[str, int]) -> None:
    """Open and close one page in a throwaway context before measuring anything: the first page
    a just-launched chromium draws pays for the browser's own start (its processes, fonts, the
    compositor), and it would fall on whichever app was measured first (the project)."""
    context = browser.new_context(viewport=viewport)
    try:
        page = context.new_page()
        page.goto(WARM_UP_PAGE)
        page.wait_for_timeout(300)
    finally:
        context.close()
