"""How start-up, memory and callback time grow with the data: 1x (data/), 5x and 20x SYNTHETIC.

Why: the embedded table is small; an alliance adding years and groups must know which target
breaks first. For each size:
  - rows, and the time to build the SYNTHETIC folder (bench/synthetic.py; cached in a temp
    folder keyed by the source data's checksums, so the build time shown may be a past one);
  - the first start on a folder: a fresh interpreter reads and checks the whole table and
    prepares its store (dashboard/data/store.py; in a temporary folder, removed after); its
    time, peak memory and the store's size;
  - start-up: a fresh interpreter, spawn -> create_app() returned, from the prepared store, as
    every later start and every worker starts; median of 3;
  - RSS of that process right after start-up (VmRSS, /proc/self/status), median of 3; also
    after the app's background warm-up threads end and after the callbacks (last run);
  - server time per callback request, p50/p95: in the last start-up's process, after its
    background threads end, a walk of CHANGES filter changes over varied selections
    (bench/dash_payloads.py), each request POSTed once through the Flask test client with
    Accept-Encoding: gzip, each selection asked once (cold for it; shared look-ups warm up
    along the walk, as in a real worker).
Targets: start-up <= 3 s, RSS <= 400 MB per worker, callback p95 <= 30 ms.

Run: .venv/bin/python bench/growth.py [--scales 1,5,20] [--changes 40] [--repeats 3]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
STARTUP_TARGET_S = 3.0
RSS_TARGET_MB = 400.0
P95_TARGET_MS = 30.0
CHILD_TIMEOUT_S = 1200.0
SETTLE_TIMEOUT_S = 120.0


def status_mb(key: str) -> float:
    """VmRSS / VmHWM of this process, in MB."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return float("nan")


def settle(timeout: float) -> float:
    """Wait until the app's background work (warm-up threads) is done: no other thread left, or
    this process idle (under 2% of a CPU for half a second); the seconds waited."""
    started = time.perf_counter()
    while threading.active_count() > 1 and time.perf_counter() - started < timeout:
        cpu = time.process_time()
        time.sleep(0.5)
        if time.process_time() - cpu < 0.01:
            break
    return time.perf_counter() - started


def child(data_dir: Path, changes: int) -> dict:
    """Inside the fresh interpreter: build the app, measure, optionally walk filter changes."""
    spawned = float(os.environ["BENCH_SPAWNED_AT"])
    from dashboard.core.settings import Settings
    from dashboard.web.app import create_app
    from dashboard.web.serving import freeze_startup_objects

    app = create_app(Settings(data_dir=data_dir))
    freeze_startup_objects()  # as dashboard/wsgi.py and `serve` do
    result: dict = {"startup": time.time() - spawned, "rss": status_mb("VmRSS"), "hwm": status_mb("VmHWM")}
    if changes:
        from dash_payloads import Page, varied_walk

        result["settle"] = settle(SETTLE_TIMEOUT_S)
        result["rss_settled"] = status_mb("VmRSS")
        walk = varied_walk(Page.load(app.server.test_client()), changes, cancers=changes // 4)
        result["request_ms"] = [1000 * s for c in walk for s in c.seconds]
        result["change_ms"] = [1000 * sum(c.seconds) for c in walk]
        result["changes"], result["failed"] = len(walk), sum(not c.ok for c in walk)
        result["statuses"] = sorted({s for c in walk for s in c.statuses})
        result["rss_after"], result["hwm_after"] = status_mb("VmRSS"), status_mb("VmHWM")
    return result


def spawn(data_dir: Path, changes: int, store: Path) -> dict:
    """One fresh interpreter running `child`, with its prepared stores under `store`; its result,
    or {"error": ...}."""
    env = {**os.environ, "BENCH_SPAWNED_AT": repr(time.time()), "DASHBOARD_STORE_DIR": str(store)}
    command = [sys.executable, __file__, "--child", str(data_dir), "--changes", str(changes)]
    try:
        done = subprocess.run(command, cwd=ROOT, env=env, capture_output=True, text=True, timeout=CHILD_TIMEOUT_S, check=False)
    except subprocess.TimeoutExpired:
        return {"error": f"timed out after {CHILD_TIMEOUT_S:.0f} s"}
    if done.returncode != 0:
        return {"error": f"exit {done.returncode}: {done.stderr.strip()[-1500:]}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def pct(values: list[float], q: float) -> float:
    return sorted(values)[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def measure(scale: int, changes: int, repeats: int) -> dict:
    """Build (or reuse) the folder for `scale`, then `repeats` start-ups, the last with callbacks."""
    import pyarrow.parquet as pq

    from dashboard.core.settings import DEFAULT_DATA_DIR

    if scale == 1:
        folder, build = DEFAULT_DATA_DIR, "-"
    else:
        import synthetic

        made = synthetic.ensure(scale)
        folder, build = made.path, f"{made.build_seconds:.1f} s" + (" (cached)" if made.cached else "")
    rows = pq.read_metadata(folder / "indicators.parquet").num_rows
    row = {"rows": rows, "source_rows": made.source_rows if scale != 1 else rows, "build": build, "folder": str(folder)}
    # The first start on these files reads and checks the whole table and prepares the store;
    # every later start (and every worker) opens the store (dashboard/data/store.py).
    store = Path(tempfile.mkdtemp(prefix=f"bench-growth-store-{scale}x-"))
    try:
        first = spawn(folder, 0, store)
        runs = [spawn(folder, changes if i == repeats - 1 else 0, store) for i in range(repeats)]
        row["store_mb"] = sum(f.stat().st_size for f in store.rglob("*") if f.is_file()) / 1e6
    finally:
        shutil.rmtree(store, ignore_errors=True)
    if "error" not in first:
        row["first_startup"], row["first_hwm"] = first["startup"], first["hwm"]
    errors = [r["error"] for r in [first, *runs] if "error" in r]
    good = [r for r in runs if "error" not in r]
    row["errors"] = errors
    if good:
        row["startup"] = statistics.median(r["startup"] for r in good)
        row["startup_runs"] = [r["startup"] for r in good]
        row["rss"] = statistics.median(r["rss"] for r in good)
        row["hwm"] = statistics.median(r["hwm"] for r in good)
    last = runs[-1]
    if "request_ms" in last:
        row.update({key: last[key] for key in ("settle", "rss_settled", "rss_after", "changes", "failed", "statuses")})
        row["p50"], row["p95"] = pct(last["request_ms"], 0.5), pct(last["request_ms"], 0.95)
        row["requests"] = len(last["request_ms"])
        row["change_p50"], row["change_p95"] = pct(last["change_ms"], 0.5), pct(last["change_ms"], 0.95)
    return row


def mark(value: float | None, target: float) -> str:
    return "" if value is None else ("ok" if value <= target else "MISS")


def table(rows: dict[int, dict], repeats: int, changes: int) -> None:
    """One line per measure, one column per size, the target and each size's verdict."""
    scales = list(rows)
    print(f"\n{'measure':44}" + "".join(f"{f'{s}x':>16}" for s in scales) + f"  {'target':>10}")

    def line(label: str, cell, target: str = "", key: str | None = None, limit: float | None = None) -> None:
        cells = []
        for s in scales:
            text = cell(rows[s]) if all(k in rows[s] for k in ([key] if key else [])) else "n/a"
            verdict = mark(rows[s].get(key), limit) if key and limit is not None and key in rows[s] else ""
            cells.append(f"{text} {verdict}".strip())
        print(f"{label:44}" + "".join(f"{c:>16}" for c in cells) + f"  {target:>10}")

    line("rows", lambda r: f"{r['rows']:,}")
    line("rows / rows of data/", lambda r: f"{r['rows'] / r['source_rows']:.2f}x")
    line("build of the SYNTHETIC folder", lambda r: r["build"])
    line("first start: check the table, prepare the store", lambda r: f"{r['first_startup']:.2f} s", key="first_startup")
    line("  its peak RSS (VmHWM)", lambda r: f"{r['first_hwm']:.0f} MB", key="first_hwm")
    line("  the prepared store on disk", lambda r: f"{r['store_mb']:.0f} MB", key="store_mb")
    line(f"start-up, spawn -> create_app() (median/{repeats})", lambda r: f"{r['startup']:.2f} s", f"<= {STARTUP_TARGET_S:g} s", "startup", STARTUP_TARGET_S)
    line("RSS after start-up (VmRSS, median)", lambda r: f"{r['rss']:.0f} MB", f"<= {RSS_TARGET_MB:g} MB", "rss", RSS_TARGET_MB)
    line("peak RSS during start-up (VmHWM)", lambda r: f"{r['hwm']:.0f} MB", key="hwm")
    line("background warm-up after start-up", lambda r: f"{r['settle']:.1f} s", key="settle")
    line("RSS after warm-up", lambda r: f"{r['rss_settled']:.0f} MB", f"<= {RSS_TARGET_MB:g} MB", "rss_settled", RSS_TARGET_MB)
    line(f"RSS after {changes} filter changes", lambda r: f"{r['rss_after']:.0f} MB", f"<= {RSS_TARGET_MB:g} MB", "rss_after", RSS_TARGET_MB)
    line("callback requests (changes)", lambda r: f"{r['requests']} ({r['changes']})", key="requests")
    line("callback request p50 (server)", lambda r: f"{r['p50']:.1f} ms", key="p50")
    line("callback request p95 (server)", lambda r: f"{r['p95']:.1f} ms", f"<= {P95_TARGET_MS:g} ms", "p95", P95_TARGET_MS)
    line("whole filter change p50 / p95", lambda r: f"{r['change_p50']:.0f}/{r['change_p95']:.0f} ms", key="change_p50")
    line("failed changes (non-200 / not Dash)", lambda r: f"{r['failed']} {r['statuses']}", "0", "failed", 0)
    for s in scales:
        for error in rows[s]["errors"]:
            print(f"  {s}x: a run FAILED: {error}")
        print(f"  {s}x data: {rows[s]['folder']}" + (f"; start-ups {', '.join(f'{t:.2f}' for t in rows[s].get('startup_runs', []))} s" if rows[s].get("startup_runs") else ""))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Start-up, memory and callback time at 1x, 5x and 20x the data.")
    parser.add_argument("--scales", default=os.environ.get("BENCH_SCALES", "1,5,20"))
    parser.add_argument("--changes", type=int, default=int(os.environ.get("BENCH_CHANGES", "40")))
    parser.add_argument("--repeats", type=int, default=int(os.environ.get("BENCH_REPEATS", "3")))
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        print(json.dumps(child(args.child, args.changes)))
        return 0
    print(f"machine: {os.cpu_count()} CPUs, load average {os.getloadavg()[0]:.2f} at start")
    rows = {}
    for scale in (int(s) for s in args.scales.split(",")):
        started = time.perf_counter()
        rows[scale] = measure(scale, args.changes, args.repeats)
        print(f"  {scale}x measured in {time.perf_counter() - started:.0f} s")
    table(rows, args.repeats, args.changes)
    print(f"machine load average {os.getloadavg()[0]:.2f} at the end (other processes slow every figure above)")
    return 1 if any(r["errors"] for r in rows.values()) else 0


if __name__ == "__main__":
    sys.exit(main())
