"""A gunicorn worker killed (SIGKILL) under load: what fails, how long capacity is reduced, and
whether any answer is wrong (issue 14, "Faults": only the requests in flight on that worker may
fail; "no wrong data").

1. Starts the production command, `gunicorn --config gunicorn.conf.py --workers 2 --bind
   127.0.0.1:PORT dashboard.wsgi:server` (bench/live_server.py, as bench/load.py starts it),
   and records filter changes from it as dash-renderer sends them (bench/dash_payloads.py over
   HTTP: Cancer type changes and a varied walk over every control); each change's answer gives
   the permalink of the view it lands on.
2. The requests replayed are the first-visit bodies of those views
   (`dashboard.web.callbacks.first_visit_request(search)`: what the browser sends when a
   permalink is opened), one per distinct view: each makes the server compute that view whole.
   Why not the filter-change bodies themselves: their answer depends, by design, on the worker
   that serves it (a worker that remembers the previous view sends only what changed, another
   sends it whole; both right for the page, not equal), so they cannot be checked byte for byte.
   Reference answers: each body is sent twice before the load; a body whose two answers differ
   (after parsing) would be left out, and each kept body's answer is its reference.
3. Load: --clients threads (default 20) for --duration seconds (default 40), no wait time, each
   replaying the kept bodies from its own starting point, each request on a new connection over
   a raw socket (bench/live_server.py `send`; `Connection: close`). Keep-alive is off because it
   would change nothing here: gunicorn's sync workers close every connection after its response.
4. At --kill-at seconds (default 15) one worker is chosen (one serving a request, if either is
   within 1 s), stopped with SIGSTOP so that it can neither finish nor take a request while
   its TCP connections are read from /proc (the client ports of the requests it is serving: its
   requests in flight), then killed with SIGKILL. The master forks a replacement; the script
   watches for its PID, for the first client connection it holds, and for the first request it
   answers.
5. Every answer is checked: a 200 whose body is not the reference answer of the same request
   (byte-equal after decompression, else equal after JSON parsing) is WRONG DATA. A failure is
   any connection error or non-200; each is placed as in flight on the killed worker (its client
   port among the killed worker's connections at the kill) or not.

What to expect: a sync worker serves one connection at a time, so at most one request is in
flight on it; connections waiting to be accepted sit in the listening socket's backlog, which
the master and the other worker share (gunicorn.conf.py: backlog 512), so they are not lost with
the worker: the other worker, then the replacement, accept them. So: failures <= requests in
flight on the killed worker (<= 1), no wrong data.

Printed: requests, failures (and where), wrong answers, throughput before the kill, in the
seconds after it and after recovery, a per-second timeline, the seconds until the replacement
was forked, held its first connection and answered, the master's log lines about the kill, and
a one-line verdict. Exit 0 when the verdict is PASS, 1 when FAIL, 2 when the test could not run.

Run: .venv/bin/python bench/worker_kill.py [--clients 20] [--duration 40] [--kill-at 15] [--seed 14]
     [--walk 30] [--data DIR]     (about a minute on 2 cores; not in `make bench`: it exits 1 on FAIL)
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from load import cpu_seconds  # bench/load.py
from live_server import JSON_HEADERS, UPDATE, CouldNotRun, Gunicorn, Recorded, record, run_started, send, tcp_peer_ports  # bench/

from dashboard.web.callbacks import first_visit_request

BUSY_WAIT_S = 1.0  # how long to look for a worker that is serving a request, to kill it mid-request
RECOVERED_SHARE = 0.8  # capacity counts as restored at the first second whose rate is this share of the rate before the kill


@dataclass
class Done:
    client: int
    body: int  # index into the kept bodies
    started: float
    ended: float
    status: int | None
    error: str
    port: int
    wrong: bool = False


@dataclass
class Kill:
    at: float = 0.0  # perf_counter of the SIGKILL
    pid: int = 0
    in_flight_ports: set[int] = field(default_factory=set)
    others: list[int] = field(default_factory=list)
    replacement: int = 0
    forked_s: float | None = None  # kill -> the replacement's PID seen
    first_connection_s: float | None = None  # kill -> the replacement seen holding a client connection
    seen: list[tuple[float, int]] = field(default_factory=list)  # (perf_counter, client port) seen on the replacement


def reference_answers(server: Gunicorn, bodies: list[bytes]) -> tuple[list[bytes], list[tuple[bytes, object]], list[int]]:
    """Each body sent twice: the bodies kept, their reference answers (decoded bytes, parsed), and
    the indices of those left out because their two answers differed."""
    kept, answers, dropped = [], [], []
    for index, body in enumerate(bodies):
        first, second = (send("127.0.0.1", server.port, "POST", UPDATE, JSON_HEADERS, body) for _ in range(2))
        if first.status != 200 or second.status != 200:
            raise CouldNotRun(f"a recorded body was answered {first.status or first.error} / {second.status or second.error}")
        parsed = json.loads(first.body)
        if parsed != json.loads(second.body):
            dropped.append(index)
            continue
        kept.append(body)
        answers.append((first.body, parsed))
    return kept, answers, dropped


def permalinks(server: Gunicorn, recorded: Recorded) -> list[str]:
    """The distinct views (URL searches) the recorded page bodies land on, from their answers."""
    found = [recorded.search] if recorded.search else []
    for _, body in recorded.bodies:
        if not str(body.get("output", "")).startswith(".."):
            continue  # not the page's callback (the download's)
        answer = send("127.0.0.1", server.port, "POST", UPDATE, JSON_HEADERS, json.dumps(body).encode())
        try:
            search = json.loads(answer.body)["response"]["url"]["search"]
        except (ValueError, KeyError, TypeError):
            continue
        if isinstance(search, str) and search and search not in found:
            found.append(search)
    return found


def kill_one(server: Gunicorn, kill: Kill, rng: random.Random) -> None:
    """SIGSTOP a worker (one serving a request, if either is within BUSY_WAIT_S), read its client
    connections, SIGKILL it; then watch for the replacement and its first connection."""
    workers = server.workers()
    if not workers:
        raise CouldNotRun("no worker to kill")
    deadline, victim = time.perf_counter() + BUSY_WAIT_S, None
    while victim is None and time.perf_counter() < deadline:
        busy = [pid for pid in workers if tcp_peer_ports(pid)]
        victim = rng.choice(busy) if busy else None
    victim = victim or rng.choice(workers)
    os.kill(victim, signal.SIGSTOP)
    kill.in_flight_ports = tcp_peer_ports(victim)
    os.kill(victim, signal.SIGKILL)
    kill.at, kill.pid, kill.others = time.perf_counter(), victim, [p for p in workers if p != victim]
    while time.perf_counter() - kill.at < 30:
        new = [p for p in server.workers() if p not in workers]
        if new:
            kill.replacement, kill.forked_s = new[0], time.perf_counter() - kill.at
            break
        time.sleep(0.002)
    if not kill.replacement:
        return
    while time.perf_counter() - kill.at < 30 and len(kill.seen) < 50:  # the first connections it holds
        now = time.perf_counter()
        for port in tcp_peer_ports(kill.replacement):
            kill.seen.append((now, port))
            if kill.first_connection_s is None:
                kill.first_connection_s = now - kill.at
        time.sleep(0.002)


def rate(done: list[Done], start: float, end: float) -> float:
    return sum(1 for d in done if d.status == 200 and start <= d.ended < end) / max(end - start, 1e-9)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Load test against gunicorn --workers 2 that SIGKILLs one worker mid-run: failures (and whether they were the "
                    "killed worker's requests in flight), wrong answers, throughput before/after, time until the replacement answers.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="The requests are the first-visit bodies of the views a recorded walk lands on, each answer checked against its\n"
               "reference (sent twice before the load). The killed worker is stopped (SIGSTOP) to read its client connections from\n"
               "/proc, then SIGKILLed. PASS: failures <= the requests in flight on the killed worker (a sync worker serves one at a\n"
               "time; the listen backlog is shared, so queued connections survive), none elsewhere, no wrong data, and the\n"
               "replacement answers.\n\n"
               "exit status: 0 PASS; 1 FAIL; 2 the test could not run.\n"
               "example: .venv/bin/python bench/worker_kill.py --clients 20 --duration 40 --kill-at 15")
    parser.add_argument("--clients", type=int, default=20, help="concurrent clients, no wait time (default 20)")
    parser.add_argument("--duration", type=float, default=40.0, help="seconds of load (default 40)")
    parser.add_argument("--kill-at", type=float, default=15.0, help="seconds into the load when a worker is killed (default 15)")
    parser.add_argument("--seed", type=int, default=14, help="the clients' starting points and the choice of worker (default 14)")
    parser.add_argument("--walk", type=int, default=30, help="filter changes recorded in the varied walk (default 30)")
    parser.add_argument("--timeout", type=float, default=30.0, help="seconds before a request counts as failed (default 30)")
    parser.add_argument("--data", type=Path, help="data folder for the server (default: data/)")
    args = parser.parse_args(argv)
    if not 0 < args.kill_at < args.duration:
        parser.error("--kill-at must fall within --duration")
    clock = time.perf_counter()

    def run(work: Path, start: Callable[..., Gunicorn]) -> int:
        server = start(work, 2, args.data)
        print(f"  first 200 on / after {server.first_200_s:.1f} s; workers {server.workers()} idle")
        recorded = record(server.base, walk=args.walk)
        views = permalinks(server, recorded)
        bodies = [json.dumps(first_visit_request(search)).encode() for search in views]
        kept, answers, dropped = reference_answers(server, bodies)
        labels = [search for index, search in enumerate(views) if index not in dropped]
        print(f"Recorded {len(recorded.bodies)} callback bodies, landing on {len(views)} distinct views; their first-visit bodies: "
              f"{len(kept)} answered the same twice (the reference answers)"
              + (f"; {len(dropped)} left out, their answers differ from one request to the next: {[views[i] for i in dropped]}" if dropped else ""))
        if not kept:
            raise CouldNotRun("no recorded body has a repeatable answer")
        log_mark = server.stderr.stat().st_size
        done: list[Done] = []
        lock = threading.Lock()
        kill = Kill()
        rng = random.Random(args.seed)
        starts = [rng.randrange(len(kept)) for _ in range(args.clients)]
        began = time.perf_counter()
        stop_at = began + args.duration

        def client(number: int) -> None:
            index = starts[number]
            while time.perf_counter() < stop_at:
                answer = send("127.0.0.1", server.port, "POST", UPDATE, JSON_HEADERS, kept[index], args.timeout)
                wrong = False
                if answer.status == 200:
                    reference_bytes, reference = answers[index]
                    if answer.body != reference_bytes:
                        try:
                            wrong = json.loads(answer.body) != reference
                        except ValueError:
                            wrong = True
                with lock:
                    done.append(Done(number, index, answer.started, answer.ended, answer.status, answer.error, answer.client_port, wrong))
                index = (index + 1) % len(kept)

        threads = [threading.Thread(target=client, args=(n,), daemon=True) for n in range(args.clients)]
        print(f"Load: {args.clients} clients for {args.duration:.0f} s, no wait, a new connection per request; "
              f"one worker SIGKILLed at {args.kill_at:.0f} s")
        cpu_before = {pid: cpu_seconds(pid) for pid in server.workers()}
        for thread in threads:
            thread.start()
        time.sleep(max(0.0, began + args.kill_at - time.perf_counter()))
        cpu_at_kill = {pid: cpu_seconds(pid) for pid in server.workers()}  # the killed worker's CPU is lost with it: read it now
        kill_one(server, kill, random.Random(args.seed))
        for thread in threads:
            thread.join(timeout=args.duration + args.timeout + 30)
        cpu_after = {pid: cpu_seconds(pid) for pid in server.workers()}
        server_cpu = (sum(cpu_at_kill.get(p, 0.0) - cpu_before.get(p, 0.0) for p in cpu_at_kill)
                      + sum(cpu_after[p] - cpu_at_kill.get(p, 0.0) for p in cpu_after))
        time.sleep(0.3)
        log_lines = server.stderr.read_bytes()[log_mark:].decode("utf-8", "replace").splitlines()

        # --- figures -------------------------------------------------------------------------
        end = max(d.ended for d in done)
        failed = [d for d in done if d.status != 200]
        wrong = [d for d in done if d.wrong]
        on_killed = [d for d in failed if d.port in kill.in_flight_ports and d.started <= kill.at <= d.ended + 0.001]
        across_kill = [d for d in failed if d.started <= kill.at <= d.ended]
        elsewhere = [d for d in failed if d not in on_killed]
        before = rate(done, began + 2, kill.at)  # the first 2 s left out: every client starting at once
        first_second = rate(done, kill.at, kill.at + 1)
        seconds = [rate(done, began + s, began + s + 1) for s in range(int(args.duration))]
        kill_second = int(kill.at - began)
        recovered = next((s for s in range(kill_second, len(seconds)) if seconds[s] >= RECOVERED_SHARE * before and s > kill_second), None)
        reduced_s = (began + recovered - kill.at) if recovered is not None else None
        after_from = began + (recovered if recovered is not None else kill_second + 5)
        after = rate(done, after_from, end)
        answered_by_new = sorted(d.ended - kill.at for d in done if d.status == 200 and any(
            port == d.port and d.started <= at <= d.ended for at, port in kill.seen))

        total = len(done)
        print(f"\nResults ({args.clients} clients, {end - began:.1f} s, {len(kept)} distinct requests replayed: first visits of {len(kept)} views)")
        print(f"  {'requests':44} {total:10,}")
        kinds = sorted({str(d.status) if d.status is not None else d.error.split(":")[0] for d in failed})
        print(f"  {'failures (connection error or non-200)':44} {len(failed):10,}" + (f"   ({', '.join(kinds)})" if failed else ""))
        print(f"  {'  of them in flight on the killed worker':44} {len(on_killed):10,}   (its client connections at the kill: {len(kill.in_flight_ports)})")
        print(f"  {'  of them in flight across the kill':44} {len(across_kill):10,}")
        print(f"  {'  of them elsewhere':44} {len(elsewhere):10,}")
        print(f"  {'200s with wrong data (vs the reference)':44} {len(wrong):10,}   ({total - len(failed):,} answers of 200 checked)")
        print(f"  {'server CPU (both workers and the replacement)':44} {server_cpu:10.1f} CPU-s in {end - began:.0f} s "
              f"({server_cpu / max(end - began, 1e-9) / (os.cpu_count() or 1):.0%} of the machine; the Python client takes much of the rest)")
        print(f"  {'throughput before the kill':44} {before:10.1f} requests/s   (from 2 s to the kill)")
        print(f"  {'throughput in the second after the kill':44} {first_second:10.1f} requests/s")
        print(f"  {'throughput after recovery':44} {after:10.1f} requests/s   (from {after_from - began:.0f} s to the end)")
        print(f"  {'reduced capacity':44} " + (f"{reduced_s:10.1f} s   (until the first second at >= {RECOVERED_SHARE:.0%} of the rate before)"
                                                if reduced_s is not None else "   not recovered within the run"))
        print(f"  killed worker {kill.pid} at {kill.at - began:.2f} s (the other: {kill.others}); replacement {kill.replacement or 'none'}:")
        print(f"  {'  forked (its PID seen) after':44} " + (f"{kill.forked_s:10.3f} s" if kill.forked_s is not None else "   never"))
        print(f"  {'  first held a client connection after':44} " + (f"{kill.first_connection_s:10.3f} s" if kill.first_connection_s is not None else "   never seen"))
        print(f"  {'  first answered (a 200 it served) after':44} " + (f"{answered_by_new[0]:10.3f} s" if answered_by_new else "   never seen"))
        print("  requests answered per second: " + " ".join(f"{'|' if s == kill_second else ''}{v:.0f}" for s, v in enumerate(seconds))
              + f"   ('|' marks the second of the kill)")
        for d in failed[:5]:
            where = "in flight on the killed worker" if d in on_killed else "elsewhere"
            print(f"  failure: client {d.client}, request sent at {d.started - began:.3f} s, ended {d.ended - began:.3f} s: "
                  f"{d.status or d.error} ({where})")
        for d in wrong[:3]:
            print(f"  WRONG DATA: client {d.client}, request sent at {d.started - began:.3f} s, the first visit of {labels[d.body]}")
        kill_lines = [line for line in log_lines if str(kill.pid) in line or "Booting worker" in line or "SIGKILL" in line]
        print(f"  gunicorn's log during the load: {len(log_lines)} lines; about the kill: ")
        for line in kill_lines[:6]:
            print(f"    {line[:160]}")
        ok = len(failed) <= len(kill.in_flight_ports) and not elsewhere and not wrong and bool(answered_by_new or kill.first_connection_s is not None)
        print(f"\nWhole run {time.perf_counter() - clock:.0f} s")
        print(("VERDICT: PASS" if ok else "VERDICT: FAIL") +
              f" - {len(failed)} failed of {total:,} requests (in flight on the killed worker: {len(kill.in_flight_ports)}; "
              f"failures elsewhere: {len(elsewhere)}), {len(wrong)} wrong answers, replacement answered after "
              + (f"{answered_by_new[0]:.2f} s" if answered_by_new else "?") + ", capacity reduced for "
              + (f"{reduced_s:.1f} s" if reduced_s is not None else "the rest of the run"))
        return 0 if ok else 1
    return run_started("bench-worker-kill-", "", run)


if __name__ == "__main__":
    sys.exit(main())
