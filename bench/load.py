"""Load test: 20 concurrent clients changing filters for 60 s against production-style serving.

1. Records realistic filter changes (bench/dash_payloads.py, in its own process through the
   Flask test client, so the server under test starts cold): every Cancer type of the first
   indicator from the first page, then a varied walk over every indicator and control.
2. Starts the documented production command, `gunicorn --workers 2 --bind 127.0.0.1:PORT
   dashboard.wsgi:server` (the app's own settings: compression as configured, debug off), in
   its own process group on a free port; waits for 200 on / and for both workers to go idle
   (each builds the app itself, then warms its look-ups in the background).
3. Runs locust headless (bench/locustfile.py): USERS users, no wait time, replaying the
   recorded changes for DURATION seconds; a hard timeout bounds it.
4. Stops gunicorn (SIGTERM to its process group, SIGKILL after 20 s), always.
Prints requests/s, total, failures (any non-200), p50/p95/p99 beside the targets (>= 300
callback requests/s from 20 clients for 60 s, 0 errors), and the CPU each side used: on a
2-core machine the load generator takes CPU from the server, so the figure is a lower bound.
Exit 0 whether or not the targets are met (MISS is printed); 2 if the test could not run.

Run: .venv/bin/python bench/load.py [--users 20] [--duration 60] [--changes 150] [--data DIR]
(or BENCH_USERS, BENCH_DURATION, BENCH_CHANGES, BENCH_DATA).
"""

from __future__ import annotations

import argparse
import csv
import gzip
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
from servers import answers, children, free_port, stop_group  # noqa: E402  (bench/ is on sys.path: it holds the script)
BENCH = ROOT / "bench"
BIN = Path(sys.executable).parent
TARGET_RPS = 300.0
TARGET_ERRORS = 0
START_TIMEOUT_S = 180.0
RECORD_TIMEOUT_S = 900.0


class CouldNotRun(Exception):
    """The benchmark itself failed (not the app missing its targets)."""


def die_with_parent() -> None:
    """In the child before exec: SIGTERM when load.py dies, even by SIGKILL (Linux prctl)."""
    import ctypes

    ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG




def record(changes: int, data: Path | None, out: Path) -> list[dict]:
    """Record the filter changes in a separate process (so gunicorn's workers start cold)."""
    command = [sys.executable, str(BENCH / "dash_payloads.py"), "--changes", str(changes), "--out", str(out)]
    command += ["--data", str(data)] if data else []
    result = subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=RECORD_TIMEOUT_S, check=False)
    print("  " + result.stdout.strip().replace("\n", "\n  "))
    if not out.is_file():
        raise CouldNotRun(f"recording failed (exit {result.returncode}):\n{result.stderr[-3000:]}")
    recorded = json.loads(out.read_text())["changes"]
    if not any(c["ok"] for c in recorded):
        raise CouldNotRun("no recorded filter change was answered with 200")
    return recorded


def cpu_seconds(pid: int) -> float:
    """utime + stime of one process, from /proc (0 if it is gone)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def machine_busy_seconds() -> float:
    """CPU-seconds every process on the machine has used (all CPUs, /proc/stat), not idle or iowait."""
    values = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:]]
    return (sum(values[:8]) - values[3] - values[4]) / os.sysconf("SC_CLK_TCK")






def wait_until_ready(master: subprocess.Popen, url: str, workers: int) -> float:
    """Seconds to the first 200 on /; then until `workers` workers use no CPU for a second."""
    started = time.perf_counter()
    while not answers(url):
        if master.poll() is not None:
            raise CouldNotRun(f"gunicorn exited with {master.returncode}")
        if time.perf_counter() - started > START_TIMEOUT_S:
            raise CouldNotRun(f"no 200 from {url} within {START_TIMEOUT_S:.0f} s")
        time.sleep(0.1)
    first_200 = time.perf_counter() - started
    previous: dict[int, float] = {}
    while time.perf_counter() - started < START_TIMEOUT_S:
        time.sleep(1.0)
        current = {pid: cpu_seconds(pid) for pid in children(master.pid)}
        if len(current) >= workers and current.keys() == previous.keys() and all(current[p] - previous[p] < 0.02 for p in current):
            return first_200
        previous = current
    raise CouldNotRun("gunicorn's workers never went idle")


def preflight(base: str, body: dict) -> str:
    """One recorded request by hand: it must be answered, and says whether responses are compressed."""
    request = urllib.request.Request(base + "/_dash-update-component", data=json.dumps(body).encode(), method="POST",
                                     headers={"Content-Type": "application/json", "Accept-Encoding": "gzip"})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            wire, encoding = response.read(), response.headers.get("Content-Encoding")
    except urllib.error.URLError as error:
        raise CouldNotRun(f"a recorded request was refused: {error}") from error
    plain = gzip.decompress(wire) if encoding == "gzip" else wire
    return f"Content-Encoding {encoding or 'none (uncompressed)'}: {len(plain):,} bytes sent as {len(wire):,}"


def run_locust(host: str, payloads: Path, users: int, duration: int, prefix: Path, log: Path) -> tuple[dict[str, str], float]:
    """Locust headless in its own process group; the aggregated CSV row and its CPU seconds."""
    command = [str(BIN / "locust"), "-f", str(BENCH / "locustfile.py"), "--headless", "-u", str(users), "-r", str(users),
               "-t", f"{duration}s", "--host", host, "--only-summary", "--csv", str(prefix), "--stop-timeout", "5",
               "--loglevel", "WARNING"]
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=ROOT, env={**os.environ, "BENCH_PAYLOADS": str(payloads)},
                                   stdout=out, stderr=subprocess.STDOUT, start_new_session=True,
                                   preexec_fn=die_with_parent)  # noqa: PLW1509 (no threads here)
        try:
            process.wait(timeout=duration + 90)
        except subprocess.TimeoutExpired:
            stop_group(process, grace=20.0)
            raise CouldNotRun(f"locust overran its hard timeout ({duration + 90} s); log: {log}") from None
        finally:
            stop_group(process, grace=20.0)
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    stats = Path(f"{prefix}_stats.csv")
    rows = list(csv.DictReader(stats.open())) if stats.is_file() else []
    aggregated = next((r for r in rows if r["Name"] == "Aggregated"), None)
    if aggregated is None or int(aggregated["Request Count"]) == 0:
        raise CouldNotRun(f"locust made no requests (exit {process.returncode}); log:\n{log.read_text()[-3000:]}")
    return aggregated, (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)




def failures(prefix: Path) -> list[str]:
    path = Path(f"{prefix}_failures.csv")
    return [f"{r['Occurrences']} x {r['Name']}: {r['Error']}" for r in csv.DictReader(path.open())] if path.is_file() else []


def verdict(ok: bool) -> str:
    return "ok" if ok else "MISS"


def report(stats: dict[str, str], users: int, duration: int, requests_per_change: float, distinct: int, cpu: dict[str, float], prefix: Path) -> None:
    total, failed = int(stats["Request Count"]), int(stats["Failure Count"])
    rps = float(stats["Requests/s"])
    print(f"\nResults ({users} users, {duration} s, no wait time)")
    print(f"  {'requests/s':34} {rps:10.1f}   target >= {TARGET_RPS:.0f}  {verdict(rps >= TARGET_RPS)}")
    print(f"  {'filter changes/s (approx.)':34} {rps / requests_per_change:10.1f}   ({requests_per_change:.1f} requests per change)")
    print(f"  {'total requests':34} {total:10,}   ({total / max(1, distinct):.1f} per distinct recorded request)")
    print(f"  {'failures (non-200 or not Dash)':34} {failed:10,}   target = {TARGET_ERRORS}  {verdict(failed <= TARGET_ERRORS)}")
    for label, key in (("p50", "50%"), ("p95", "95%"), ("p99", "99%")):
        print(f"  {'latency ' + label:34} {float(stats[key]):8.0f} ms")
    print(f"  {'response size (decoded, mean)':34} {float(stats['Average Content Size']):10,.0f} bytes")
    print(f"  CPU-s used: gunicorn workers {cpu['server']:.1f}, locust {cpu['locust']:.1f}, other processes {max(0.0, cpu['others']):.1f}, "
          f"of {cpu['available']:.0f} available (other processes' share lowers what the server could do)")
    per_request = cpu["server"] / max(1, total)
    print(f"  server CPU per request {1000 * per_request:.1f} ms: at most ~{(os.cpu_count() or 1) / per_request:.0f} requests/s "
          f"on {os.cpu_count()} CPUs with nothing else running")
    for line in failures(prefix)[:10]:
        print(f"  failure: {line}")
    print(f"  locust CSV: {prefix}_stats.csv")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Load test of filter changes against gunicorn --workers 2.")
    parser.add_argument("--users", type=int, default=int(os.environ.get("BENCH_USERS", "20")))
    parser.add_argument("--duration", type=int, default=int(os.environ.get("BENCH_DURATION", "60")), help="seconds")
    parser.add_argument("--changes", type=int, default=int(os.environ.get("BENCH_CHANGES", "150")), help="length of the recorded walk")
    parser.add_argument("--data", type=Path, default=os.environ.get("BENCH_DATA") or None, help="data folder (default: data/)")
    args = parser.parse_args(argv)
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # run the finally below when killed
    work = Path(tempfile.mkdtemp(prefix="bench-load-"))
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f}; work folder {work}")
    master = None
    try:
        print("Recording filter changes through the Flask test client:")
        recorded = record(args.changes, args.data, work / "payloads.json")
        answered = [c for c in recorded if c["ok"]]
        distinct = sum(len(bodies) for c in answered for bodies in c["rounds"])
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        env = {**os.environ, **({"DASHBOARD_DATA_DIR": str(args.data.resolve())} if args.data else {})}
        config = ["--config", "gunicorn.conf.py"] if (ROOT / "gunicorn.conf.py").is_file() else []  # as `make serve-gunicorn`
        command = [str(BIN / "gunicorn"), *config, "--workers", "2", "--bind", f"127.0.0.1:{port}", "dashboard.wsgi:server"]
        print(f"Starting: gunicorn {' '.join(command[1:])}")
        with (work / "gunicorn.log").open("w") as log:
            master = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
                                      preexec_fn=die_with_parent)  # noqa: PLW1509 (no threads here)
        first_200 = wait_until_ready(master, base + "/", workers=2)
        workers = children(master.pid)
        print(f"  first 200 on / after {first_200:.1f} s; workers {workers} idle")
        checked = preflight(base, answered[0]["rounds"][0][0])
        print(f"  preflight: {checked}" + ("" if "gzip" in checked else "  (NOT compressed: production compresses)"))
        print(f"Replaying {len(answered)} recorded changes ({distinct} requests) "
              f"with locust: {args.users} users for {args.duration} s")
        server_before, busy_before, clock = sum(cpu_seconds(p) for p in workers), machine_busy_seconds(), time.perf_counter()
        stats, locust_cpu = run_locust(base, work / "payloads.json", args.users, args.duration, work / "locust", work / "locust.log")
        server = sum(cpu_seconds(p) for p in workers) - server_before
        cpu = {"server": server, "locust": locust_cpu, "others": machine_busy_seconds() - busy_before - server - locust_cpu,
               "available": (os.cpu_count() or 1) * (time.perf_counter() - clock)}
        report(stats, args.users, args.duration, distinct / len(answered), distinct, cpu, work / "locust")
        if master.poll() is not None:
            print(f"  gunicorn exited during the test (code {master.returncode}); log: {work / 'gunicorn.log'}")
        elif children(master.pid) != workers:
            print(f"  a worker was replaced during the test (crashed or timed out; CPU figure incomplete); log: {work / 'gunicorn.log'}")
        return 0
    except (CouldNotRun, subprocess.TimeoutExpired, OSError) as error:
        print(f"COULD NOT RUN: {error}", file=sys.stderr)
        return 2
    finally:
        if master is not None:
            stop_group(master, grace=20.0)


if __name__ == "__main__":
    sys.exit(main())
