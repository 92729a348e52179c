"""Shared by bench/fuzz.py and bench/worker_kill.py (a helper module, not a benchmark):

- `start_gunicorn`: the production command (`gunicorn --config gunicorn.conf.py --workers 2
  --bind 127.0.0.1:PORT dashboard.wsgi:server`, as bench/load.py starts it) on a free port, in
  its own process group, its stderr (gunicorn's error log and the app's log) captured to a file;
- `record`: real callback bodies, recorded from that server the way dash-renderer sends them
  (bench/dash_payloads.py over HTTP), each answered 200 when recorded;
- `send`: one HTTP/1.1 request on a fresh connection over a raw socket, so that any path, any
  header and any body can be sent as given (no client-side normalising of `..`, no refusal of
  odd characters), an early answer (e.g. 413 before a 50 MB body is all sent) is still read,
  and a dropped connection is told apart from an answer;
- `tcp_peer_ports`: the client ports of the connections a process (a gunicorn worker) holds
  now, from /proc, to tell which requests were in flight on a worker.
"""

from __future__ import annotations

import gzip
import http.client
import json
import os
import select
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from dash_payloads import Page, cancer_selections, record_selections, varied_walk  # bench/dash_payloads.py
from load import CouldNotRun, die_with_parent, wait_until_ready  # bench/load.py
from servers import children, free_port, stop_group  # bench/servers.py

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
UPDATE = "/_dash-update-component"
JSON_HEADERS = {"Content-Type": "application/json", "Accept": "application/json", "Accept-Encoding": "gzip"}
SEND_CHUNK = 256 * 1024


# --- the server -------------------------------------------------------------------------------

@dataclass
class Gunicorn:
    process: subprocess.Popen
    port: int
    stderr: Path  # gunicorn's error log (errorlog = "-") and whatever the app logs
    stdout: Path
    first_200_s: float = 0.0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def workers(self) -> list[int]:
        return children(self.process.pid)

    def log_bytes(self) -> int:
        return sum(p.stat().st_size for p in (self.stderr, self.stdout) if p.is_file())

    def stop(self) -> None:
        stop_group(self.process, grace=20.0)


def start_gunicorn(work: Path, workers: int = 2, data: Path | None = None) -> Gunicorn:
    """The production command on a free port; returns once / answers 200 and every worker is idle."""
    port = free_port()
    env = {**os.environ, **({"DASHBOARD_DATA_DIR": str(data.resolve())} if data else {})}
    config = ["--config", "gunicorn.conf.py"] if (ROOT / "gunicorn.conf.py").is_file() else []  # as `make serve-gunicorn`
    command = [str(BIN / "gunicorn"), *config, "--workers", str(workers), "--bind", f"127.0.0.1:{port}", "dashboard.wsgi:server"]
    print(f"Starting: gunicorn {' '.join(command[1:])}  (stderr to {work / 'gunicorn.err'})")
    stderr, stdout = work / "gunicorn.err", work / "gunicorn.out"
    with stderr.open("wb") as err, stdout.open("wb") as out:
        process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=out, stderr=err, start_new_session=True,
                                   preexec_fn=die_with_parent)  # noqa: PLW1509 (no threads yet)
    server = Gunicorn(process, port, stderr, stdout)
    try:
        server.first_200_s = wait_until_ready(process, server.base + "/", workers)
    except BaseException:
        server.stop()
        raise
    return server


def rss_mb(pid: int) -> float:
    """Resident memory of one process in MB (0 if it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0


def tcp_peer_ports(pid: int) -> set[int]:
    """The remote (client) ports of the ESTABLISHED TCP connections `pid` holds now (/proc: its
    socket inodes, matched in /proc/net/tcp and tcp6). For a gunicorn worker on 127.0.0.1 these
    are the local ports of the clients whose requests it is serving."""
    inodes = set()
    try:
        for fd in os.scandir(f"/proc/{pid}/fd"):
            try:
                target = os.readlink(fd.path)
            except OSError:
                continue
            if target.startswith("socket:["):
                inodes.add(target[8:-1])
    except OSError:
        return set()
    ports: set[int] = set()
    for table in ("/proc/net/tcp", "/proc/net/tcp6") if inodes else ():
        try:
            text = Path(table).read_text()  # thousands of TIME_WAIT lines under load: found by inode, not parsed
        except OSError:
            continue
        for inode in inodes:
            at = text.find(f" {inode} ")
            if at < 0:
                continue
            fields = text[text.rfind("\n", 0, at) + 1: text.find("\n", at)].split()
            if len(fields) > 9 and fields[3] == "01" and fields[9] == inode:  # 01: ESTABLISHED
                ports.add(int(fields[2].rsplit(":", 1)[1], 16))
    return ports


# --- one request ------------------------------------------------------------------------------

@dataclass
class Answer:
    status: int | None  # None: no HTTP answer (connection refused, reset or closed, or timed out)
    body: bytes  # decoded (gzip undone)
    started: float  # time.perf_counter()
    ended: float
    client_port: int = 0
    error: str = ""  # why there was no answer
    early: bool = False  # the server answered (or closed) before the whole body was sent
    headers: dict[str, str] = field(default_factory=dict)

    @property
    def seconds(self) -> float:
        return self.ended - self.started


def send(host: str, port: int, method: str, target: bytes | str, headers: dict[str, str] | None = None,
         body: bytes | None = None, timeout: float = 60.0) -> Answer:
    """One request on a new connection (`Connection: close`), sent as given; the answer, decoded."""
    target = target.encode("latin-1") if isinstance(target, str) else target
    started = time.perf_counter()
    client_port, early = 0, False
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except OSError as error:
        return Answer(None, b"", started, time.perf_counter(), error=f"{type(error).__name__}: {error}")
    try:
        client_port = sock.getsockname()[1]
        lines = [method.encode() + b" " + target + b" HTTP/1.1", f"Host: {host}:{port}".encode(), b"Connection: close"]
        if body is not None:
            lines.append(f"Content-Length: {len(body)}".encode())
        lines += [f"{k}: {v}".encode("latin-1", "replace") for k, v in (headers or {}).items()]
        sock.sendall(b"\r\n".join(lines) + b"\r\n\r\n")
        view, sent = memoryview(body or b""), 0
        while sent < len(view):
            readable, writable, _ = select.select([sock], [sock], [], timeout)
            if readable:  # an answer (or a close) before the body is all sent: stop and read it
                early = True
                break
            if not writable:
                raise TimeoutError(f"could not send the body within {timeout:.0f} s")
            try:
                sent += sock.send(view[sent:sent + SEND_CHUNK])
            except (BrokenPipeError, ConnectionResetError):
                early = True
                break
        response = http.client.HTTPResponse(sock, method=method)
        response.begin()
        data = response.read()
        got = {k.lower(): v for k, v in response.getheaders()}
        if got.get("content-encoding") == "gzip":
            data = gzip.decompress(data)
        return Answer(response.status, data, started, time.perf_counter(), client_port, early=early, headers=got)
    except (OSError, http.client.HTTPException, EOFError, ValueError) as error:
        return Answer(None, b"", started, time.perf_counter(), client_port, f"{type(error).__name__}: {error}"[:300], early)
    finally:
        sock.close()


# --- recorded bodies --------------------------------------------------------------------------

@dataclass
class Recorded:
    """Callback bodies the server answered 200, and what the fuzzer needs to know of the page."""

    bodies: list[tuple[str, dict[str, Any]]]  # (label, body)
    selection: dict[str, Any]  # the `selection` store's value, as the server last wrote it
    search: str  # the URL's search the server last wrote
    options: dict[str, list[Any]]  # selection field -> the catalogue's (enabled) values
    geo_names: list[str]  # the /geo/<name>.json layers the page loads
    requests: int = 0  # requests the recording made
    failed: list[str] = field(default_factory=list)  # recorded bodies not answered 200


def first_visit_body(page: Page, search: str) -> dict[str, Any]:
    """The first-visit body (`dashboard.web.callbacks.first_visit_request`); if that cannot be
    imported, the same built from the page's callback (url.search changed, store empty)."""
    try:
        from dashboard.web.callbacks import first_visit_request

        return first_visit_request(search)
    except Exception:  # noqa: BLE001 (the web layer may be mid-edit; the page holds the same)
        callback = next(cb for cb in page.callbacks if ("url", "search") in cb.inputs and not cb.clientside)
        scratch = page.copy()
        scratch.props.setdefault("url", {})["search"] = search
        scratch.props.setdefault("selection", {})["data"] = None
        return scratch.body(callback, {("url", "search")})


def record(base: str, walk: int = 12, cancers: int = 4) -> Recorded:
    """Bodies as dash-renderer sends them, answered by the server at `base`: first visits, Cancer
    type changes, a varied walk, a map click, a ranked-chart click, a download."""
    from dashboard.web import ids

    page = Page.load(base)
    host, port = base.split("//", 1)[1].rsplit(":", 1)
    bodies: list[tuple[str, dict[str, Any]]] = []
    failed: list[str] = []
    requests = 0

    def check(label: str, body: dict[str, Any]) -> None:
        nonlocal requests
        requests += 1
        answer = send(host, int(port), "POST", UPDATE, JSON_HEADERS, json.dumps(body).encode())
        if answer.status == 200 and answer.body[:1] == b"{":
            bodies.append((label, body))
        else:
            failed.append(f"{label}: {answer.status or answer.error}")

    changes = record_selections(page, cancer_selections(page)[:cancers])
    walked = page.copy()
    changes += varied_walk(walked, walk, cancers=1)
    for change in changes:
        requests += len(change.statuses)
        for number, bodies_of_round in enumerate(change.rounds):
            for body in bodies_of_round:
                if change.ok:
                    bodies.append((f"{change.label} (round {number})", body))
                else:
                    failed.append(f"{change.label}: {change.statuses}")
    selection = dict((walked.props.get(ids.SELECTION) or {}).get("data") or {})
    search = str((walked.props.get(ids.URL) or {}).get("search") or "")
    check("first visit", first_visit_body(page, ""))
    check("first visit, permalink", first_visit_body(page, search))
    area_options = [v for v in walked.options(ids.AREA) if isinstance(v, str) and v.startswith("E")]
    callback = next(cb for cb in page.callbacks if (ids.MAP, "clickData") in cb.inputs and not cb.clientside)
    for graph in (ids.MAP, ids.RANKED):
        if area_options:
            clicked = walked.copy()
            clicked.props.setdefault(graph, {})["clickData"] = {"points": [{"location": area_options[0], "customdata": [area_options[0]]}]}
            check(f"{graph} click", clicked.body(callback, {(graph, "clickData")}))
    download = next((cb for cb in page.callbacks if cb.output == f"{ids.DOWNLOAD}.data"), None)
    if download is not None:
        clicked = walked.copy()
        clicked.props.setdefault(ids.DOWNLOAD_BUTTON, {})["n_clicks"] = 1
        check("download", clicked.body(download, {(ids.DOWNLOAD_BUTTON, "n_clicks")}))
    options = {f: walked.options(c) for f, c in ids.CONTROLS.items() if c in walked.props}
    geo_names = sorted({part.split("/geo/", 1)[1].split(".json", 1)[0] for part in _index_urls(host, int(port)) if "/geo/" in part})
    if not bodies:
        raise CouldNotRun(f"no recorded body was answered 200: {failed[:5]}")
    return Recorded(bodies, selection, search, options, geo_names or ["alliance", "icb", "subicb"], requests, failed)


def _index_urls(host: str, port: int) -> list[str]:
    """Every quoted string in the index page that names a /geo/ layer."""
    page = send(host, port, "GET", "/").body.decode("utf-8", "replace")
    return [piece for piece in page.replace("'", '"').split('"') if "/geo/" in piece and piece.endswith(".json")]


def run_started(prefix: str, note: str, run: Callable[[Path, Callable[..., Gunicorn]], int]) -> int:
    """What each benchmark here does around its `run`: a work folder (named from `prefix`), the
    machine's line (and `note`), and every gunicorn `run` starts, through the `start` it is given
    (`start_gunicorn`'s arguments), stopped at the end, even when the benchmark is killed.
    CouldNotRun or OSError: one line and exit status 2."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally below when killed
    work = Path(tempfile.mkdtemp(prefix=prefix))
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; work folder {work}{note}")
    started: list[Gunicorn] = []

    def start(*args: Any, **kwargs: Any) -> Gunicorn:
        started.append(start_gunicorn(*args, **kwargs))
        return started[-1]

    try:
        return run(work, start)
    except (CouldNotRun, OSError) as error:
        print(f"COULD NOT RUN: {error}", file=sys.stderr)
        return 2
    finally:
        for server in started:
            server.stop()
