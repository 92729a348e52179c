"""Faults under gunicorn (issue 14, "Faults"): new data that fail their checks never replace the
data being served.

New data are loaded the way gunicorn upgrades a running server (docs/security.md, "New data
and faults"): `kill -USR2` on the master starts a second master beside it, which reads and
checks the data folder before it serves; if they fail, it exits and the first goes on serving
what it had; if they pass, `kill -QUIT` on the first leaves the new one serving. Here on a copy
of data/, with a real gunicorn of 1 worker (about 10 s in all).
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from dashboard.core.settings import DEFAULT_DATA_DIR, PROJECT_ROOT

GUNICORN = Path(sys.executable).with_name("gunicorn")
pytestmark = pytest.mark.skipif(not GUNICORN.is_file(), reason="gunicorn is not installed beside this Python")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def status(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            return response.status
    except OSError:
        return 0


def wait_for(condition, seconds: float = 60.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def masters(pid_file: Path) -> set[int]:
    """gunicorn's masters: the one in the pid file, and a new one started beside it (`.2`) until
    the old one leaves and it is promoted."""
    found = set()
    for path in (pid_file, pid_file.with_name(pid_file.name + ".2")):
        if path.is_file() and path.read_text().strip():
            found.add(int(path.read_text().strip()))
    return found


@pytest.fixture()
def served(tmp_path: Path):
    data = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, data)
    port, pid_file, log = free_port(), tmp_path / "gunicorn.pid", (tmp_path / "gunicorn.log").open("wb")
    env = {**os.environ, "DASHBOARD_DATA_DIR": str(data), "DASHBOARD_STORE_DIR": str(tmp_path / "store")}
    process = subprocess.Popen(
        [str(GUNICORN), "--config", "gunicorn.conf.py", "--workers", "1", "--bind", f"127.0.0.1:{port}", "--pid", str(pid_file), "dashboard.wsgi:server"],
        cwd=PROJECT_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}/"
    try:
        assert wait_for(lambda: status(url) == 200), (tmp_path / "gunicorn.log").read_text()[-2000:]
        yield data, pid_file, url, tmp_path / "gunicorn.log"
    finally:
        for pid in masters(pid_file) | {process.pid}:
            try:
                os.kill(pid, signal.SIGTERM)
            except ProcessLookupError:
                pass
        process.wait(timeout=30)
        log.close()


def test_new_data_that_fail_their_checks_leave_the_old_data_served(served) -> None:
    data, pid_file, url, log = served
    first = masters(pid_file)
    (data / "indicators.parquet").write_bytes(b"PAR1 not a table")  # corrupt, as a failed copy leaves it
    os.kill(next(iter(first)), signal.SIGUSR2)
    # The new master reads the folder, says why it cannot serve it, and exits before it serves.
    assert wait_for(lambda: "indicators.parquet" in log.read_text(errors="replace"))
    time.sleep(1)
    assert masters(pid_file) == first
    assert status(url) == 200
    assert status(url + "geo/icb.json") == 200
    said = [line for line in log.read_text(errors="replace").splitlines() if "indicators.parquet" in line]
    assert any("not a readable Parquet file" in line for line in said), said


def test_new_data_that_pass_replace_the_old_without_a_gap(served) -> None:
    _data, pid_file, url, _log = served
    (old,) = masters(pid_file)
    os.kill(old, signal.SIGUSR2)
    assert wait_for(lambda: len(masters(pid_file)) == 2)  # the new master has started beside the old
    new = next(iter(masters(pid_file) - {old}))
    assert wait_for(lambda: len([p for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(p) == new]) >= 1)
    os.kill(old, signal.SIGQUIT)
    assert wait_for(lambda: masters(pid_file) == {new})
    assert status(url) == 200


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return None
