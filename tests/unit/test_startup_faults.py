"""Start-up faults (issue 14): a missing or corrupt data or geodata file given to `python -m dashboard
serve` or to gunicorn ends the start with one line naming the file and exit status 2, not a traceback
(and not a server left running: each run here has a timeout)."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from dashboard.core.settings import DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR, PROJECT_ROOT

TIMEOUT = 120


def _truncate(path: Path) -> None:
    path.write_bytes(path.read_bytes()[:1000])


def _first_name_a_number(data: Path) -> None:
    document = json.loads((data / "indicator_metadata.json").read_text())
    document["indicators"][0]["name"] = 5
    (data / "indicator_metadata.json").write_text(json.dumps(document))


FAULTS: dict[str, tuple[str, Callable[[Path], None], str]] = {
    # name: (folder broken, how, what the one line must say about the file)
    "derived.parquet truncated": ("data", lambda d: _truncate(d / "derived.parquet"), "{data}/derived.parquet: not a readable Parquet file"),
    "derived.parquet deleted": ("data", lambda d: (d / "derived.parquet").unlink(), "no such file: {data}/derived.parquet"),
    "indicators.parquet truncated": ("data", lambda d: _truncate(d / "indicators.parquet"), "{data}/indicators.parquet: not a readable Parquet file"),
    "indicators.parquet deleted": ("data", lambda d: (d / "indicators.parquet").unlink(), "no such file: {data}/indicators.parquet"),
    "metadata not JSON": ("data", lambda d: (d / "indicator_metadata.json").write_text('{"indicators": ['), "{data}/indicator_metadata.json: not an indicator metadata file"),
    "metadata name a number": ("data", _first_name_a_number,
                                "{data}/indicator_metadata.json: indicator 1 (early_stage): name is int '5', not text"),
    "metadata nested 100,000 deep": ("data", lambda d: (d / "indicator_metadata.json").write_text("[" * 100_000 + "]" * 100_000),
                                     "{data}/indicator_metadata.json: not an indicator metadata file (nested too deeply to read)"),
    "geodata manifest not JSON": ("geodata", lambda g: (g / "manifest.json").write_text("{not json"), "cannot read {geodata}/manifest.json"),
    "geodata manifest without products": ("geodata", lambda g: (g / "manifest.json").write_text("[]"), "{geodata}/manifest.json: not a JSON object"),
    "boundary file corrupt": ("geodata", lambda g: (g / "icb.geojson").write_text('{"type": "FeatureCollection", "features": ['),
                              "{geodata}/icb.geojson: contents differ from {geodata}/manifest.json"),
}


@pytest.fixture
def copies(tmp_path: Path) -> tuple[Path, Path]:
    data, geodata = tmp_path / "data", tmp_path / "geodata"
    data.mkdir()
    for name in ("indicators.parquet", "derived.parquet", "indicator_metadata.json", "manifest.json"):
        shutil.copy(DEFAULT_DATA_DIR / name, data / name)
    shutil.copytree(DEFAULT_GEODATA_DIR, geodata)
    return data, geodata


def _run(command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=PROJECT_ROOT, env={**os.environ, **env}, capture_output=True, text=True, timeout=TIMEOUT)


def _broken(fault: str, copies: tuple[Path, Path]) -> tuple[Path, Path, str]:
    folder, breaks, expected = FAULTS[fault]
    data, geodata = copies
    breaks(data if folder == "data" else geodata)
    return data, geodata, expected.format(data=data, geodata=geodata)


def _one_line(result: subprocess.CompletedProcess[str], expected: str) -> None:
    lines = result.stderr.strip().splitlines()
    assert result.returncode == 2, result.stderr
    assert len(lines) == 1 and "Traceback" not in result.stderr, result.stderr
    assert lines[0].startswith("error: ") and expected in lines[0]


@pytest.mark.parametrize("fault", list(FAULTS))
def test_serve_on_a_broken_file_gives_one_line_and_exit_2(fault: str, copies: tuple[Path, Path]) -> None:
    data, geodata, expected = _broken(fault, copies)
    result = _run([sys.executable, "-m", "dashboard", "serve", "--data", str(data), "--geodata", str(geodata), "--port", "0"], {})
    _one_line(result, expected)


@pytest.mark.parametrize("fault", ["derived.parquet truncated", "indicators.parquet deleted", "geodata manifest not JSON",
                                   "metadata name a number", "metadata nested 100,000 deep"])
def test_gunicorn_on_a_broken_file_gives_one_line_and_exit_2(fault: str, copies: tuple[Path, Path]) -> None:
    """Under --preload (gunicorn.conf.py) the master builds the app: dashboard/wsgi.py prints the
    line and raises SystemExit(2), which ends the master with that status before any worker starts."""
    data, geodata, expected = _broken(fault, copies)
    command = [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--bind", "127.0.0.1:0", "dashboard.wsgi:server"]
    result = _run(command, {"DASHBOARD_DATA_DIR": str(data), "DASHBOARD_GEODATA_DIR": str(geodata)})
    _one_line(result, expected)


@pytest.mark.parametrize("text", ["{bad", "[1, 2]", "\udcff"])
def test_derive_data_names_a_corrupt_manifest(tmp_path, text: str) -> None:
    from dashboard.core.errors import InputError
    from dashboard.pipeline.derived import _manifest

    (tmp_path / "manifest.json").write_bytes(text.encode("utf-8", "surrogateescape"))
    with pytest.raises(InputError, match=r"manifest\.json: not a (readable )?manifest"):
        _manifest(tmp_path, {}, [])
