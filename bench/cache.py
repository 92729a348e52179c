"""What the shared Redis cache (DASHBOARD_CACHE_URL) saves a filter change, measured over HTTP.

Method. The same CHANGES filter changes (a user's walk over several Cancer types, levels,
periods and indicators, each selection distinct; the exact callback bodies, recorded once
in-process by bench/dash_payloads.py) are replayed, in order, to gunicorn exactly as
production runs it (`gunicorn --config gunicorn.conf.py --workers 2`), each pass timing
every request from send to last byte over a fresh connection with Accept-Encoding: gzip:

  with Redis (a throwaway redis-server, FLUSHALL first):
    cold           Redis and both workers' memos empty: every answer is computed
    fresh workers  gunicorn restarted (new workers, empty memos), Redis still warm: every
                   card can only come from Redis. With 2 sync workers the client cannot choose
                   the worker, so a restart is what guarantees "another worker computed it"
    same workers   the pass again, no restart: memo hits where the same worker answers,
                   Redis hits where the other one does
  without Redis (no DASHBOARD_CACHE_URL, the default):
    cold; same workers (memo hits only where the request lands on the worker that computed
    it); fresh workers (after a restart: everything is computed again; this last row, a
    cold pass again for symmetry with Redis's, is skipped if the run is already slow).

Why: the cache's claim is that a selection computed by any worker is cheap for every other
worker and survives restarts; timing the real server (WSGI, compression, two processes on two
cores) shows what that is worth per request against computing, and against a worker's memo.
Each server start waits for both workers to finish booting and warming their look-ups (their
CPU time stops growing), so that no pass times start-up. Redis's memory and key count are
read after the cold pass (the one that fills it). gunicorn and redis-server run in their own process groups
and are always stopped, on error too. Bounded: about a minute on 2 cores.
Run: .venv/bin/python bench/cache.py [--changes 30]
Exit 0 when measured; 1 when it could not run (or an answer was not 200 with a JSON response).
"""

from __future__ import annotations

import argparse
import gzip
import http.client
import json
import math
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
sys.path.insert(0, str(ROOT))
from servers import free_port, stop_group  # noqa: E402

REDIS_SERVER = Path("/usr/bin/redis-server")
GUNICORN = Path(sys.executable).parent / "gunicorn"
UPDATE = "/_dash-update-component"
HEADERS = {"Content-Type": "application/json", "Accept": "application/json", "Accept-Encoding": "gzip"}
CANCERS = 6  # Cancer types first in the walk; then levels, periods and indicators
READY_SECONDS = 60.0  # gunicorn's workers load the data (a few seconds each)
IDLE_CPU_SECONDS = 0.05  # both workers used less CPU than this over IDLE_WINDOW: booted and warmed
IDLE_WINDOW = 0.5
OPTIONAL_AFTER_SECONDS = 80.0  # the last server start is skipped past this, so the run stays near a minute


@dataclass(frozen=True)
class Answer:
    status: int
    ms: float
    wire_bytes: int
    ok: bool  # 200 with a JSON {"response": ...}


@dataclass(frozen=True)
class PassResult:
    name: str
    answers: list[Answer]

    @property
    def ms(self) -> list[float]:
        return [a.ms for a in self.answers]

    @property
    def failures(self) -> int:
        return sum(not a.ok for a in self.answers)






def log_tail(path: Path, chars: int = 1500) -> str:
    return path.read_text(errors="replace")[-chars:] if path.exists() else ""


@contextmanager
def redis_server(workdir: Path) -> Iterator[int]:
    """A redis-server on a free port, no persistence; its port, once it answers PING."""
    import redis

    port = free_port()
    log = workdir / f"redis-{port}.log"
    process = subprocess.Popen(
        [str(REDIS_SERVER), "--port", str(port), "--save", "", "--appendonly", "no", "--bind", "127.0.0.1", "--logfile", str(log)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 10
        with redis.Redis(port=port, socket_timeout=1) as client:
            while True:
                if process.poll() is not None:
                    raise RuntimeError(f"redis-server exited ({process.returncode}): {log_tail(log)}")
                try:
                    if client.ping():
                        break
                except redis.RedisError:
                    if time.monotonic() > deadline:
                        raise RuntimeError("redis-server did not answer PING within 10 s") from None
                time.sleep(0.05)
        yield port
    finally:
        stop_group(process)


def redis_figures(port: int) -> tuple[str, int, float]:
    """(used_memory_human, keys, mean bytes per key as MEMORY USAGE counts them)."""
    import redis

    with redis.Redis(port=port, socket_timeout=5) as client:
        memory = client.info("memory")["used_memory_human"]
        keys = list(client.scan_iter(count=1000))
        sizes = [client.memory_usage(k) or 0 for k in keys]
    return memory, len(keys), statistics.mean(sizes) if sizes else 0.0


def flushall(port: int) -> None:
    import redis

    with redis.Redis(port=port, socket_timeout=5) as client:
        client.flushall()


def worker_cpu_seconds(master: int) -> float:
    """The CPU time (user + system) used so far by the master's children (the workers)."""
    ticks = os.sysconf("SC_CLK_TCK")
    try:
        children = Path(f"/proc/{master}/task/{master}/children").read_text().split()
    except OSError:
        return 0.0
    total = 0
    for pid in children:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            total += int(fields[11]) + int(fields[12])  # utime, stime (fields 14 and 15 of stat)
        except (OSError, IndexError, ValueError):
            continue
    return total / ticks


def get(port: int, path: str, timeout: float = 5.0) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


@contextmanager
def gunicorn(workdir: Path, cache_url: str | None) -> Iterator[int]:
    """`make serve-gunicorn` with 2 workers on a free port; its port once / answers 200 and both
    workers are idle (data loaded, look-ups warmed)."""
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DASHBOARD_CACHE_URL"}
    if cache_url:
        env["DASHBOARD_CACHE_URL"] = cache_url
    log = workdir / f"gunicorn-{port}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [str(GUNICORN), "--config", "gunicorn.conf.py", "--workers", "2", "--bind", f"127.0.0.1:{port}", "dashboard.wsgi:server"],
            cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
        )
    try:
        deadline = time.monotonic() + READY_SECONDS
        while True:
            if process.poll() is not None:
                raise RuntimeError(f"gunicorn exited ({process.returncode}): {log_tail(log)}")
            try:
                if get(port, "/") == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError(f"gunicorn did not answer / within {READY_SECONDS:.0f} s: {log_tail(log)}")
            time.sleep(0.2)
        while time.monotonic() < deadline:  # the other worker may still be loading; both warm in the background
            before = worker_cpu_seconds(process.pid)
            time.sleep(IDLE_WINDOW)
            if worker_cpu_seconds(process.pid) - before < IDLE_CPU_SECONDS:
                break
        yield port
    finally:
        stop_group(process)


def post(port: int, body: bytes, timeout: float = 60.0) -> Answer:
    """One callback request on a new connection (sync workers close it after each answer)."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        started = time.perf_counter()
        connection.request("POST", UPDATE, body=body, headers=HEADERS)
        response = connection.getresponse()
        data = response.read()
        ms = 1000 * (time.perf_counter() - started)
        encoding = response.getheader("Content-Encoding")
    finally:
        connection.close()
    ok = False
    if response.status == 200:
        try:
            ok = "response" in json.loads(gzip.decompress(data) if encoding == "gzip" else data)
        except (ValueError, OSError):
            ok = False
    return Answer(response.status, ms, len(data), ok)


def replay(name: str, port: int, bodies: Sequence[bytes]) -> PassResult:
    return PassResult(name, [post(port, body) for body in bodies])


def record_bodies(changes: int) -> tuple[list[bytes], list[str]]:
    """The walk's callback bodies, as a browser would send them (answered by an in-process app,
    no cache), and each change's label."""
    import dash_payloads

    from dashboard.web.app import create_app

    page = dash_payloads.Page.load(create_app().server.test_client())
    walk = dash_payloads.varied_walk(page, changes, cancers=min(CANCERS, changes))
    bad = [c.label for c in walk if not c.ok]
    if bad:
        raise RuntimeError(f"recording the walk: not answered: {bad}")
    bodies = [json.dumps(body).encode() for change in walk for requests in change.rounds for body in requests]
    return bodies, [c.label for c in walk]


def pct(values: Sequence[float], q: float) -> float:
    """The q-quantile, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, math.ceil(q * len(ordered)) - 1))] if ordered else math.nan


def table(rows: Sequence[tuple[str, PassResult]]) -> str:
    lines = [f"{'':<13} {'pass':<50} {'p50 ms':>7} {'p95 ms':>7} {'mean ms':>8} {'max ms':>7} {'KB/answer':>9}"]
    for run, result in rows:
        ms = result.ms
        kb = statistics.mean(a.wire_bytes for a in result.answers) / 1024
        lines.append(
            f"{run:<13} {result.name:<50} {pct(ms, .5):>7.1f} {pct(ms, .95):>7.1f} {statistics.mean(ms):>8.1f} {max(ms):>7.1f} {kb:>9.1f}"
        )
    return "\n".join(lines)


def measure(bodies: Sequence[bytes], workdir: Path, started: float) -> tuple[list[tuple[str, PassResult]], list[str]]:
    """Every pass, with Redis then without; the rows of the table and the notes under it."""
    rows: list[tuple[str, PassResult]] = []
    notes: list[str] = []
    with redis_server(workdir) as redis_port:
        url = f"redis://127.0.0.1:{redis_port}/0"
        flushall(redis_port)
        with gunicorn(workdir, url) as port:
            rows.append(("with Redis", replay("cold (Redis empty, memos empty)", port, bodies)))
        memory, keys, mean_bytes = redis_figures(redis_port)
        notes.append(
            f"Redis after the cold pass: used_memory_human {memory}, keys {keys} "
            f"(one per selection; mean {mean_bytes / 1024:.1f} KB each by MEMORY USAGE)"
        )
        with gunicorn(workdir, url) as port:
            rows.append(("with Redis", replay("fresh workers, Redis warm (every card from Redis)", port, bodies)))
            rows.append(("with Redis", replay("same workers again (memo or Redis)", port, bodies)))
    with gunicorn(workdir, None) as port:
        rows.append(("no Redis", replay("cold (memos empty)", port, bodies)))
        rows.append(("no Redis", replay("same workers again (memo, if the same worker)", port, bodies)))
    if time.monotonic() - started < OPTIONAL_AFTER_SECONDS:  # the restart row without Redis is a cold pass again
        with gunicorn(workdir, None) as port:
            rows.append(("no Redis", replay("fresh workers (restart: computed again)", port, bodies)))
    else:
        notes.append(f"skipped 'no Redis, fresh workers' (a cold pass again): over {OPTIONAL_AFTER_SECONDS:.0f} s already")
    return rows, notes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Time filter changes over HTTP with and without the shared Redis cache.")
    parser.add_argument("--changes", type=int, default=30, help="distinct selections in the walk")
    args = parser.parse_args(argv)
    for needed in (REDIS_SERVER, GUNICORN):
        if not needed.exists():
            print(f"cannot run: {needed} is absent", file=sys.stderr)
            return 1
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))  # so that `finally` stops the servers
    started = time.monotonic()
    try:
        bodies, labels = record_bodies(args.changes)
        print(f"{len(bodies)} filter changes recorded in {time.monotonic() - started:.1f} s: {', '.join(labels)}")
        with tempfile.TemporaryDirectory(prefix="bench-cache-") as workdir:
            rows, notes = measure(bodies, Path(workdir), started)
    except (RuntimeError, OSError, ImportError) as error:
        print(f"cannot run: {error}", file=sys.stderr)
        return 1
    print(f"gunicorn --workers 2 (sync), {len(bodies)} requests per pass, one at a time, gzip; time = send to last byte")
    print(table(rows))
    print("\n".join(notes))
    failures = sum(result.failures for _, result in rows)
    print(f"total {time.monotonic() - started:.0f} s; " + ("every answer 200 with a JSON response" if not failures else f"{failures} answers FAILED"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
