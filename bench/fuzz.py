"""Recorded-payload fuzzer: hostile requests against a real server; any 5xx or dropped connection fails.

What it measures. How the production server (gunicorn, 2 sync workers, the app's own settings)
answers at least 5,000 hostile requests (issue 14: "every input validated at the edge ... never
a 500"), counted by category and status, and how much its log grows per MB of bad input (the
issue found each bad value logged whole).

1. Starts `gunicorn --config gunicorn.conf.py --workers 2 --bind 127.0.0.1:PORT
   dashboard.wsgi:server` on a free port (bench/live_server.py, as bench/load.py starts it),
   its stderr (gunicorn's error log and the app's own log) captured to a temporary file; or,
   with --url, uses a server that is already running (then the log is measured only if --log
   names its file).
2. Records real callback bodies from that server, as dash-renderer sends them
   (bench/dash_payloads.py over HTTP): the first-visit body
   (`dashboard.web.callbacks.first_visit_request`, with and without a permalink), Cancer type
   changes, a varied walk over every control, a map click, a ranked-chart click and a download.
   Every one must be answered 200 when recorded.
3. Sends --requests (default 5,000) probes, --concurrency at a time, each on its own connection
   over a raw socket (any path, header or body is sent as given; an early answer such as a 413
   is still read). Each probe is made by its own random generator, seeded from --seed, the
   probe's number and its category, so a run is reproducible whatever the order of sending.
   The categories (weights in CATEGORIES) are:
   - replay: recorded bodies unchanged (must be 200);
   - value: any JSON value anywhere in a recorded body (the body itself included) replaced by
     null, [], {}, numbers, huge numbers (up to 5,000 digits, past Python's int limit),
     NaN/Infinity (as tokens and as strings), long strings (up to 100 KB), unicode (lone
     surrogates, RTL marks, NUL), formulae, nested structures, 1,000-deep lists;
   - drop-key, add-key: a key removed or added anywhere;
   - output: `output` unknown, of another callback, of the wrong type or missing; `outputs`
     not matching it;
   - selection: the `selection` store's state not an object, or with non-catalogue indicator,
     level, cancer, period (or any field) values, fields missing or added;
   - search: the URL's `search` input with non-catalogue or malformed parameters, or not a string;
   - control: a control's value input outside the catalogue, or of the wrong type;
   - click: map and ranked-chart click payloads as strings, lists or dicts of the wrong shape;
   - changed: `changedPropIds` unknown, empty or of the wrong type;
   - deep: JSON nested 1,000 to 100,000 levels, as the whole body or inside one value;
   - invalid-json: truncated, empty, random, non-UTF-8, UTF-16, BOM, trailing garbage, ...;
   - content-type: a recorded body sent with the wrong Content-Type (or none);
   - get-path: path traversal (`/_dash-component-suites/dash/../../../../etc/passwd`, encoded
     and double-encoded forms), `/x,=2*3,...`, long paths (to 100,000 characters), raw bytes;
   - get-query: random query strings on `/`;
   - geo: `/geo/<name>.json`, real names and not, with odd If-None-Match headers;
   - board-pack-view: `/board-pack/view?<query>`, valid and not;
   - board-pack-post: `POST /board-pack` with garbage (wrong types, bad pictures, too many views,
     invalid JSON, wrong Content-Type);
   - method: PUT, DELETE, PATCH, OPTIONS, TRACE, ... on the app's routes.
4. Then, one at a time, the big bodies (--big, default 1,1,1,10,10,50 MB; --big "" for none):
   valid recorded bodies carrying one huge value, a huge JSON array, huge garbage.

Printed: a table (category, requests, status counts, 5xx, dropped connections, max latency),
the 5xx grouped by what the probe did (with an example of each), a few example requests that
caused a 5xx (truncated), the exception types in the server's log, the log's growth in bytes
and in bytes per MB of bad input (the main run and the big bodies apart), workers' memory, and
a one-line verdict. Exit 0 when no response is 5xx, no connection dropped and every replayed
recorded body was answered 200 (a server refusing everything has no 5xx either); 1 otherwise;
2 when the fuzzer itself could not run.

Run: .venv/bin/python bench/fuzz.py [--requests 5000] [--seed 14] [--concurrency 4]
     [--big 1,1,1,10,10,50] [--url http://127.0.0.1:8050 [--log FILE]] [--data DIR]
or `make fuzz` (FUZZ_ARGS="--seed 7" to pass options). About 30 s on 2 cores.

The modules: bench/fuzz.py (this one) the command line, the run and the verdict;
bench/fuzz_probes.py the categories and `Fuzzer` (bench/fuzz_bodies.py the callback-body
mutators it builds on, bench/fuzz_values.py the hostile values and JSON plumbing);
bench/fuzz_report.py the tallies, the table and the log accounting.
"""

from __future__ import annotations

import argparse
import random
import sys
import threading
import time
from pathlib import Path
from typing import Any, Callable
from urllib.parse import urlsplit

from fuzz_probes import BIG, CATEGORIES, Fuzzer  # bench/
from fuzz_report import LogWatch, Results, Tally, log_figures, print_failures, print_table, statuses_text  # bench/
from fuzz_values import MB, Probe  # bench/
from live_server import Gunicorn, record, rss_mb, run_started, send  # bench/

DEFAULT_REQUESTS = 5000
DEFAULT_BIG = "1,1,1,10,10,50"


def plan(requests: int, seed: int) -> list[tuple[str, int]]:
    """(category, index) for every probe: each category's share of `requests` (largest
    remainder), in a seeded random order."""
    weights = {name: weight for name, (weight, _) in CATEGORIES.items()}
    total = sum(weights.values())
    exact = {name: requests * weight / total for name, weight in weights.items()}
    counts = {name: int(value) for name, value in exact.items()}
    for name in sorted(exact, key=lambda n: exact[n] - counts[n], reverse=True)[: requests - sum(counts.values())]:
        counts[name] += 1
    order = [(name, index) for name, count in counts.items() for index in range(count)]
    random.Random(seed).shuffle(order)
    return order


def run_probes(items: list[Any], make: Callable[[Any], Probe], host: str, port: int, concurrency: int, timeout: float,
               results: Results, keep: int) -> None:
    """Make and send a probe for each item, `concurrency` at a time (each thread makes its next
    probe when it is free: a few in memory at once); a progress line every 1,000."""
    started, done, count = time.perf_counter(), 0, len(items)
    lock = threading.Lock()
    pending = iter(items)

    def work() -> None:
        nonlocal done
        while True:
            with lock:
                item = next(pending, None)
            if item is None:
                return
            try:
                probe = make(item)
            except Exception as error:  # noqa: BLE001 (a bug in the fuzzer: said, and the run cannot pass)
                with lock:
                    results.fuzzer_errors.append(f"{item}: {type(error).__name__}: {error}"[:300])
                continue
            answer = send(host, port, probe.method, probe.target, probe.headers, probe.body, timeout)
            results.add(probe, answer, keep)
            with lock:
                done += 1
                if done % 1000 == 0:
                    bad = results.total()
                    print(f"  {done:,}/{count:,} requests, {time.perf_counter() - started:.0f} s; 5xx so far {bad.server_errors}, drops {bad.dropped}", flush=True)

    threads = [threading.Thread(target=work, daemon=True) for _ in range(max(1, concurrency))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Recorded-payload fuzzer (issue 14): hostile callback bodies, paths and queries against gunicorn --workers 2 "
                    "(or --url); a table of statuses by category; exit 1 if any response is 5xx or a connection drops.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        epilog="categories (share of --requests):\n"
               + "\n".join(f"  {name:16} {weight / sum(w for w, _ in CATEGORIES.values()):4.0%}  {what}" for name, (weight, what) in CATEGORIES.items())
               + f"\n  {BIG:16}       --big sizes in MB, one at a time after the main run"
               + "\n\nexit status: 0 no 5xx, no dropped connection, every replay 200; 1 otherwise; 2 the fuzzer could not run."
               + "\nexample: .venv/bin/python bench/fuzz.py --requests 5000 --seed 14   (or: make fuzz FUZZ_ARGS='--seed 7')")
    parser.add_argument("--requests", type=int, default=DEFAULT_REQUESTS, help=f"probes in the main run (default {DEFAULT_REQUESTS:,}; the big bodies come on top)")
    parser.add_argument("--seed", type=int, default=14, help="seed of every probe: the same seed sends the same requests (default 14)")
    parser.add_argument("--concurrency", type=int, default=4, help="requests in flight at once (default 4)")
    parser.add_argument("--big", default=DEFAULT_BIG, help=f"sizes in MB of the big bodies, sent one at a time after the main run (default {DEFAULT_BIG}; '' for none)")
    parser.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for an answer before counting the request as dropped (default 60)")
    parser.add_argument("--examples", type=int, default=3, help="example requests printed per category with a 5xx (default 3)")
    parser.add_argument("--url", help="fuzz a server already running at this URL instead of starting gunicorn (e.g. http://127.0.0.1:8050)")
    parser.add_argument("--log", type=Path, action="append", default=[], help="with --url: the server's error log file, to measure its growth (repeatable)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn workers when the fuzzer starts the server (default 2)")
    parser.add_argument("--data", type=Path, help="data folder for the server it starts (default: data/)")
    parser.add_argument("--walk", type=int, default=12, help="filter changes recorded in the varied walk (default 12)")
    args = parser.parse_args(argv)
    big_sizes = [float(s) for s in args.big.split(",") if s.strip()]
    clock = time.perf_counter()

    def run(work: Path, start: Callable[..., Gunicorn]) -> int:
        server: Gunicorn | None = None
        if args.url:
            parts = urlsplit(args.url)
            host, port = parts.hostname or "127.0.0.1", parts.port or 80
            base = f"http://{host}:{port}"
            log = LogWatch(args.log)
        else:
            server = start(work, args.workers, args.data)
            host, port, base = "127.0.0.1", server.port, server.base
            log = LogWatch([server.stderr, server.stdout])
            print(f"  first 200 on / after {server.first_200_s:.1f} s; workers {server.workers()} idle")
        recorded = record(base, walk=args.walk)
        print(f"Recorded {len(recorded.bodies)} callback bodies from the server ({recorded.requests} requests; every one answered 200"
              + (f"; NOT answered 200: {recorded.failed[:5]}" if recorded.failed else "") + ")")
        fuzzer = Fuzzer(recorded, args.seed)
        workers_before = server.workers() if server else []
        rss_before = {pid: rss_mb(pid) for pid in workers_before}
        results = Results()
        log_start = log.size()
        order = plan(args.requests, args.seed)
        print(f"Main run: {len(order):,} probes in {len(CATEGORIES)} categories, {args.concurrency} at a time")
        main_clock = time.perf_counter()
        run_probes(order, lambda item: fuzzer.probe(*item), host, port, args.concurrency, args.timeout, results, args.examples)
        main_seconds = time.perf_counter() - main_clock
        time.sleep(0.5)  # the workers' last log lines
        log_main = log.size()
        bad_main = results.total().bad_input_bytes
        big_bytes, log_big = 0, log_main
        if big_sizes:
            print(f"Big bodies, one at a time: {', '.join(f'{s:g} MB' for s in big_sizes)}")
            for index, megabytes in enumerate(big_sizes):
                probe = fuzzer.big(index, megabytes)
                big_bytes += probe.size
                run_probes([probe], lambda made: made, host, port, 1, max(args.timeout, 120.0), results, args.examples)
            time.sleep(0.5)
            log_big = log.size()
        rss_after = {pid: rss_mb(pid) for pid in (server.workers() if server else [])}
        print_table(results)
        total = results.total()
        print_failures(results, args.examples)
        print(f"\nServer log ({', '.join(str(p) for p in log.paths) or 'not measured: give --log with --url'}):")
        if log.paths:
            lines, tracebacks, exceptions = log_figures(log.since(log_start))
            print(f"  lines written during the run: {lines:,}; tracebacks: {tracebacks:,} (a chained exception counts twice)")
            if exceptions:
                print("  exception types: " + ", ".join(f"{name} {count}" for name, count in exceptions.most_common(10)))
            if order:
                per_mb = (log_main - log_start) / max(bad_main / MB, 1e-9)
                print(f"  main run: log grew {log_main - log_start:,} bytes for {bad_main / MB:.1f} MB of bad input (paths + bodies, replays excluded): "
                      f"{per_mb:,.0f} bytes of log per MB")
            if big_sizes:
                print(f"  big bodies: log grew {log_big - log_main:,} bytes for {big_bytes / MB:.1f} MB sent: "
                      f"{(log_big - log_main) / max(big_bytes / MB, 1e-9):,.0f} bytes of log per MB")
        if server:
            replaced = sorted(set(workers_before) ^ set(rss_after))
            print(f"  workers' memory: {', '.join(f'{rss_before[p]:.0f}' for p in workers_before)} MB before the run, "
                  f"{', '.join(f'{rss_after[p]:.0f}' for p in rss_after)} MB after"
                  + (f"; workers replaced during the run (crashed or killed): {replaced}" if replaced else "; no worker replaced"))
        seconds = time.perf_counter() - clock
        print(f"\nRequests: {total.requests:,} ({len(order):,} in the main run in {main_seconds:.0f} s, {len(big_sizes)} big bodies); whole run {seconds:.0f} s")
        grown = f"log +{log_big - log_start:,} bytes ({(log_big - log_start) / max((bad_main + big_bytes) / MB, 1e-9):,.0f} per MB of bad input)" if log.paths else "log not measured"
        failing = [name for name, tally in results.by_category.items() if tally.server_errors or tally.dropped]
        if results.fuzzer_errors:
            print(f"COULD NOT RUN: the fuzzer failed to make {len(results.fuzzer_errors)} probes, e.g. {results.fuzzer_errors[:3]}", file=sys.stderr)
            return 2
        replay = results.by_category.get("replay", Tally())
        refused = replay.requests - replay.statuses.get(200, 0)  # a server that refused everything would have no 5xx either
        if refused:
            print(f"{refused} recorded (valid) bodies were NOT answered 200: {statuses_text(replay.statuses)}")
        ok = total.server_errors == 0 and total.dropped == 0 and refused == 0
        if ok:
            print(f"VERDICT: PASS - 0 responses of 5xx and 0 dropped connections in {total.requests:,} hostile requests (seed {args.seed}); {grown}")
        else:
            print(f"VERDICT: FAIL - {total.server_errors:,} responses of 5xx and {total.dropped:,} dropped connections in {total.requests:,} hostile requests "
                  f"(seed {args.seed}; in {', '.join(failing) or 'none'})" + (f", {refused} valid replays refused" if refused else "") + f"; {grown}")
        return 0 if ok else 1
    return run_started("bench-fuzz-", f"; seed {args.seed}", run)


if __name__ == "__main__":
    sys.exit(main())
