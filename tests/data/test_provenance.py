"""Every file or folder that the metadata, the Help panel, a download's header or a row's
source names exists: in the repository, or among the raw sources (when they are present)."""

from __future__ import annotations

import json
import re
from datetime import datetime, timezone

import pytest

from dashboard.core.selection import Selection
from dashboard.core.settings import DEFAULT_DATA_DIR, DEFAULT_SOURCES_DIR, PROJECT_ROOT
from dashboard.presenters.download import download_view
from dashboard.query.explorer import Explorer
from dashboard.web.help import help_text

REPO_PATH = re.compile(r"\b(?:dashboard|data|geodata|docs|bench|tests|assets)/[\w./-]*[\w/]")
SOURCE_FOLDERS = ("ndrs-stage", "ndrs-mortality-2020", "cwt-fds-monthly", "cwt-extracts-2023", "gdo-sarcoma", "population", "lookups", "boundaries")
SOURCE_PATH = re.compile(r"\b(?:" + "|".join(SOURCE_FOLDERS) + r")/(?:[^;()]*?\.(?:csv|xlsx|ods|parquet|geojson|shp)\b)?")


def _strings(value: object) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [s for v in value.values() for s in _strings(v)]
    if isinstance(value, list | tuple):
        return [s for v in value for s in _strings(v)]
    children = getattr(value, "children", None)  # a Dash component
    return _strings(children) if children is not None else []


@pytest.fixture(scope="module")
def texts(dataset, table) -> dict[str, str]:
    explorer = Explorer.from_dataset(dataset)
    downloads = {}
    for sel in (
        Selection("early_stage", "Lung", "2022", "icb", group="imd_quintile", group_value="1 - most deprived"),
        Selection("cwt_62day", "All cancers", "2023-06", "icb"),
        Selection("incidence_crude", "Lung", "2019", "alliance"),
        Selection("mortality_asr", "Lung", "2020", "subicb"),
    ):
        sel = explorer.normalise(sel)[0]
        _, text = download_view(explorer, sel, permalink="http://127.0.0.1:8050/", generated=datetime(2026, 1, 1, tzinfo=timezone.utc))
        downloads[f"download {sel.indicator}"] = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    metadata = json.loads((DEFAULT_DATA_DIR / "indicator_metadata.json").read_text())
    return {
        "indicator_metadata.json": "\n".join(_strings(metadata)),
        "Help": "\n".join(_strings(help_text())),
        "source column": "\n".join(sorted(set(table["source"].astype(str)))),
        **downloads,
    }


def test_every_repository_path_named_exists(texts: dict[str, str]) -> None:
    named = {(where, path.rstrip(".")) for where, text in texts.items() for path in REPO_PATH.findall(text)}
    assert len(named) >= 3  # the metadata and downloads do name project files: a test that finds none proves nothing
    missing = sorted((where, path) for where, path in named if not (PROJECT_ROOT / path).exists())
    assert missing == []


def test_every_source_file_named_exists(texts: dict[str, str]) -> None:
    if not DEFAULT_SOURCES_DIR.is_dir():
        pytest.skip(f"raw sources not present at {DEFAULT_SOURCES_DIR}")
    named = {(where, path.strip()) for where, text in texts.items() for path in SOURCE_PATH.findall(text)}
    assert len(named) >= 8
    roots = (DEFAULT_SOURCES_DIR, DEFAULT_SOURCES_DIR / "outcomes")
    missing = sorted((where, path) for where, path in named if not any((root / path).exists() for root in roots))
    assert missing == []


def test_the_finder_would_notice_a_wrong_path() -> None:
    assert REPO_PATH.findall("see data/provider_attribution.csv.") == ["data/provider_attribution.csv"]
    assert not (PROJECT_ROOT / "data/provider_attribution.csv").exists()
    assert SOURCE_PATH.findall("ndrs-stage/NDRS Stage Metrics- Stage at diagnosis, 2013-2022.csv (recomputed)") == [
        "ndrs-stage/NDRS Stage Metrics- Stage at diagnosis, 2013-2022.csv"
    ]
