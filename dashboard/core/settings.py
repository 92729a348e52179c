"""Run-time settings, from the command line or the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PRODUCT_NAME = "Cancer Variation Explorer"

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_GEODATA_DIR = PROJECT_ROOT / "geodata"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_SOURCES_DIR = PROJECT_ROOT.parent / "shared" / "data-sources"


@dataclass(frozen=True)
class Settings:
    geodata_dir: Path = DEFAULT_GEODATA_DIR
    data_dir: Path = DEFAULT_DATA_DIR
    host: str = "127.0.0.1"
    port: int = 8050
    compress: bool = True  # gzip/brotli every response a browser accepts compressed
    # A Redis server shared by every worker and instance (redis://host:port/db): card contents
    # computed once are served to all. None: each worker remembers only its own.
    cache_url: str | None = None

    @classmethod
    def from_env(cls) -> Settings:
        """Settings for the WSGI entry point (gunicorn), where there is no command line."""
        return cls(
            geodata_dir=Path(os.environ.get("DASHBOARD_GEODATA_DIR", DEFAULT_GEODATA_DIR)),
            data_dir=Path(os.environ.get("DASHBOARD_DATA_DIR", DEFAULT_DATA_DIR)),
            compress=os.environ.get("DASHBOARD_COMPRESS", "1") != "0",
            cache_url=os.environ.get("DASHBOARD_CACHE_URL") or None,
        )
