"""Print how long one worker takes to start on the committed data, and how much memory it holds.

1. A fresh interpreter, 3 times: time from spawning it to create_app() returned, the
   import of dashboard.web.app alone, and VmRSS / VmHWM (/proc/self/status) after start-up.
   Medians beside the targets: start-up <= 3 s, RSS <= 400 MB per worker.
2. The production command (`gunicorn --config gunicorn.conf.py --workers 2 dashboard.wsgi:server`) on a free port: time to the first
   200 for GET /, and each worker's RSS (the master's children, from /proc), then stopped.

Run: make bench   (or .venv/bin/python bench/startup.py)
"""

from __future__ import annotations

import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
from servers import answers, children, free_port  # noqa: E402  (bench/ is on sys.path: it holds the script)
BIN = Path(sys.executable).parent
REPEATS = 3
STARTUP_TARGET_S = 3.0  # issue 11
RSS_TARGET_MB = 400.0  # issue 11, per worker
GUNICORN_TIMEOUT_S = 120.0

CHILD = """
import json, os, sys, time
spawned = float(os.environ["BENCH_SPAWNED_AT"])
started = time.time()
from dashboard.web.app import create_app
imported = time.time()
create_app()
built = time.time()

def status_mb(key):
    for line in open("/proc/self/status"):
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
print(json.dumps({
    "interpreter": started - spawned,
    "import": imported - started,
    "create_app": built - imported,
    "startup": built - spawned,
    "rss": status_mb("VmRSS"),
    "hwm": status_mb("VmHWM"),
}))
"""


def one_start() -> dict[str, float]:
    env = {**os.environ, "BENCH_SPAWNED_AT": repr(time.time())}
    result = subprocess.run([sys.executable, "-c", CHILD], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        raise SystemExit(f"start-up failed:\n{result.stderr}")
    return json.loads(result.stdout.strip().splitlines()[-1])






def memory_mb(pid: int) -> tuple[float, float]:
    fields = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        key, _, value = line.partition(":")
        if key in ("VmRSS", "VmHWM"):
            fields[key] = int(value.split()[0]) / 1024
    return fields["VmRSS"], fields["VmHWM"]




def gunicorn_run() -> dict:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    with tempfile.TemporaryFile("w+") as log:
        started = time.perf_counter()
        master = subprocess.Popen(
            [str(BIN / "gunicorn"), "--config", "gunicorn.conf.py", "--workers", "2", "--bind", f"127.0.0.1:{port}", "dashboard.wsgi:server"],
            cwd=ROOT, stdout=log, stderr=subprocess.STDOUT,
        )
        try:
            while not answers(url):
                if master.poll() is not None or time.perf_counter() - started > GUNICORN_TIMEOUT_S:
                    log.seek(0)
                    raise SystemExit(f"gunicorn never answered {url}:\n{log.read()}")
                time.sleep(0.05)
            first_200 = time.perf_counter() - started
            # Without --preload each worker builds the app itself: wait until both have
            # settled (RSS steady for a second) before reading their memory.
            previous: dict[int, float] = {}
            while time.perf_counter() - started < GUNICORN_TIMEOUT_S:
                time.sleep(1.0)
                current = {pid: memory_mb(pid)[0] for pid in children(master.pid)}
                if len(current) == 2 and current.keys() == previous.keys() and all(abs(current[p] - previous[p]) < 1 for p in current):
                    break
                previous = current
            workers = {pid: memory_mb(pid) for pid in children(master.pid)}
            return {"first_200": first_200, "master": memory_mb(master.pid), "workers": workers}
        finally:
            master.send_signal(signal.SIGTERM)
            try:
                master.wait(timeout=30)
            except subprocess.TimeoutExpired:
                master.kill()
                master.wait()


def verdict(value: float, target: float) -> str:
    return "PASS" if value <= target else "MISS"


def row(label: str, value: str, detail: str = "", target: str = "", mark: str = "") -> None:
    print(f"  {label:42} {value:>9} {detail:>22} {target:>10} {mark}")


def main() -> None:
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start; "
          f"PYTHONDONTWRITEBYTECODE={os.environ.get('PYTHONDONTWRITEBYTECODE', '(unset)')}")
    runs = [one_start() for _ in range(REPEATS)]
    median = {key: statistics.median(run[key] for run in runs) for key in runs[0]}
    print()
    print(f"One worker on the committed data (fresh interpreter, median of {REPEATS})")
    row("measure", "median", "runs", "target")
    for label, key, unit, target in [
        ("interpreter start (spawn to first line)", "interpreter", "s", None),
        ("import dashboard.web.app", "import", "s", None),
        ("create_app() (load, validate, build)", "create_app", "s", None),
        ("start-up: spawn to create_app() returned", "startup", "s", STARTUP_TARGET_S),
        ("VmRSS after start-up", "rss", "MB", RSS_TARGET_MB),
        ("VmHWM (peak RSS) after start-up", "hwm", "MB", RSS_TARGET_MB),
    ]:
        fmt = "{:.2f}" if unit == "s" else "{:.0f}"
        row(label, f"{fmt.format(median[key])} {unit}", ", ".join(fmt.format(run[key]) for run in runs),
            f"<= {target:g} {unit}" if target else "", verdict(median[key], target) if target else "")

    print()
    print("gunicorn --config gunicorn.conf.py --workers 2 dashboard.wsgi:server (the master builds the app and its look-ups, then forks)")
    run = gunicorn_run()
    row("time to first 200 for GET /", f"{run['first_200']:.2f} s", "", f"<= {STARTUP_TARGET_S:g} s", verdict(run["first_200"], STARTUP_TARGET_S))
    rss, hwm = run["master"]
    row("master: VmRSS", f"{rss:.0f} MB", f"peak {hwm:.0f} MB")
    for number, (pid, (rss, hwm)) in enumerate(sorted(run["workers"].items()), 1):
        row(f"worker {number} (pid {pid}): VmRSS", f"{rss:.0f} MB", f"peak {hwm:.0f} MB", f"<= {RSS_TARGET_MB:g} MB", verdict(rss, RSS_TARGET_MB))
    if len(run["workers"]) != 2:
        print(f"  (expected 2 workers, found {len(run['workers'])})")


if __name__ == "__main__":
    main()
