"""Rebuilding geodata/ from ../shared/data-sources gives byte-identical files."""

from __future__ import annotations

from pathlib import Path

import pytest

from dashboard.pipeline.geodata import build_geodata

pytestmark = pytest.mark.sources


def test_rebuild_matches_committed_products_byte_for_byte(sources_dir: Path, geodata_dir: Path, tmp_path: Path) -> None:
    out = tmp_path / "geodata"
    build_geodata(sources_dir, out)
    committed = {p.name: p.read_bytes() for p in geodata_dir.iterdir()}
    rebuilt = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(rebuilt) == sorted(committed)
    different = [name for name in committed if committed[name] != rebuilt[name]]
    assert different == []


def test_two_builds_are_identical(sources_dir: Path, tmp_path: Path) -> None:
    first, second = build_geodata(sources_dir, tmp_path / "a"), build_geodata(sources_dir, tmp_path / "b")
    assert first.files == second.files
