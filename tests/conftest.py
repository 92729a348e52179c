"""Fixtures shared by every test folder."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest

from dashboard.core.settings import (
    DEFAULT_GEODATA_DIR,
    DEFAULT_SOURCES_DIR,
    PROJECT_ROOT,
)

SHARED = PROJECT_ROOT.parent / "shared"
REFERENCE_VALUES = SHARED / "reference-values"


@pytest.fixture(scope="session", autouse=True)
def prepared_stores(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """Apps the tests start write their prepared stores (dashboard/data/store.py) in a temporary
    folder, not the user's cache; servers the tests start inherit it."""
    folder = tmp_path_factory.mktemp("prepared-stores")
    before = os.environ.get("DASHBOARD_STORE_DIR")
    os.environ["DASHBOARD_STORE_DIR"] = str(folder)
    yield folder
    if before is None:
        os.environ.pop("DASHBOARD_STORE_DIR", None)
    else:
        os.environ["DASHBOARD_STORE_DIR"] = before


@pytest.fixture(scope="session")
def sources_dir() -> Path:
    """The raw published sources; tests that rebuild from them skip when they are absent."""
    if not DEFAULT_SOURCES_DIR.is_dir():
        pytest.skip(f"raw sources not present at {DEFAULT_SOURCES_DIR}")
    return DEFAULT_SOURCES_DIR


@pytest.fixture(scope="session")
def geodata_dir() -> Path:
    return DEFAULT_GEODATA_DIR


@pytest.fixture(scope="session")
def reference_values() -> Path:
    """Peer implementations' own test values (PHEindicatormethods, NHSRplotthedots)."""
    if not REFERENCE_VALUES.is_dir():
        pytest.skip(f"reference values not present at {REFERENCE_VALUES}")
    return REFERENCE_VALUES


@pytest.fixture(scope="session")
def dataset():
    """The committed data/ and geodata/, loaded and validated as the app does."""
    from dashboard.core.settings import DEFAULT_DATA_DIR
    from dashboard.data.loading import load_dataset

    return load_dataset(DEFAULT_DATA_DIR, DEFAULT_GEODATA_DIR)


@pytest.fixture(scope="session")
def table():
    """The committed indicator table as built (the published columns, before disclosure control)."""
    from dashboard.core.settings import DEFAULT_DATA_DIR
    from dashboard.data.loading import read_table
    from dashboard.data.schema import INDICATORS_FILE
    from dashboard.data.validation import coerce_types

    typed, problems = coerce_types(read_table(DEFAULT_DATA_DIR / INDICATORS_FILE), INDICATORS_FILE)
    assert problems == []
    return typed
