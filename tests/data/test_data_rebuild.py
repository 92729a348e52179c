"""build-data: byte-for-byte reproducible, and clear about bad input."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from dashboard.core.errors import InputError
from dashboard.core.settings import DEFAULT_DATA_DIR
from dashboard.pipeline.data import build_data
from dashboard.pipeline.stage import STAGE_FILE

pytestmark = pytest.mark.sources


def test_rebuild_matches_committed_data_byte_for_byte(sources_dir: Path, geodata_dir: Path, tmp_path: Path) -> None:
    # Built over a copy of the committed folder, so the disclosure decision (an hour or more to
    # prove; bound to its table by SHA-256) is reused only if the rebuilt table is byte-identical.
    out = tmp_path / "data"
    shutil.copytree(DEFAULT_DATA_DIR, out)
    build_data(sources_dir, geodata_dir, out)
    committed = {p.name: p.read_bytes() for p in DEFAULT_DATA_DIR.iterdir()}
    rebuilt = {p.name: p.read_bytes() for p in out.iterdir()}
    assert sorted(rebuilt) == sorted(committed)
    assert [name for name in committed if committed[name] != rebuilt[name]] == []


@pytest.fixture()
def stage_only_sources(sources_dir: Path, tmp_path: Path) -> Path:
    """A copy of the sources where only the (small) stage file can be altered."""
    copy = tmp_path / "sources"
    for item in sources_dir.rglob("*"):
        if item.is_file():
            target = copy / item.relative_to(sources_dir)
            target.parent.mkdir(parents=True, exist_ok=True)
            if item.name == Path(STAGE_FILE).name:
                shutil.copyfile(item, target)
            else:
                target.symlink_to(item)
    return copy


def test_unmapped_area_name_stops_the_build(stage_only_sources: Path, geodata_dir: Path, tmp_path: Path) -> None:
    path = stage_only_sources / STAGE_FILE
    path.write_text(path.read_text().replace('"Cancer Alliance","Wessex"', '"Cancer Alliance","Wessex Vale"'))
    out = tmp_path / "out"
    with pytest.raises(InputError, match=r"alliance name\(s\) \['Wessex Vale'\] do not map"):
        build_data(stage_only_sources, geodata_dir, out)
    assert not out.exists()


def test_missing_source_names_the_file(stage_only_sources: Path, geodata_dir: Path, tmp_path: Path) -> None:
    (stage_only_sources / STAGE_FILE).unlink()
    with pytest.raises(InputError, match="missing source file: .*Stage at diagnosis"):
        build_data(stage_only_sources, geodata_dir, tmp_path / "out")


def test_non_numeric_count_names_row_and_column(stage_only_sources: Path, geodata_dir: Path, tmp_path: Path) -> None:
    path = stage_only_sources / STAGE_FILE
    lines = path.read_text().splitlines(keepends=True)
    lines[3] = lines[3].replace(",10,", ",ten,", 1) if ",10," in lines[3] else lines[3].rsplit(",", 2)[0] + ",x,62.5\n"
    path.write_text("".join(lines))
    with pytest.raises(InputError, match=r"row 3, column"):
        build_data(stage_only_sources, geodata_dir, tmp_path / "out")
