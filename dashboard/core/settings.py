"""Run-time settings, from the command line or the environment."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

PRODUCT_NAME = "Cancer Variation Explorer"

PROJECT_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_GEODATA_DIR = PROJECT_ROOT / "geodata"
DEFAULT_DATA_DIR = PROJECT_ROOT / "data"
DEFAULT_SOURCES_DIR = PROJECT_ROOT.parent / "shared" / "data-sources"


def default_store_dir() -> Path | None:
    """Where prepared stores are written (dashboard/data/store.py): DASHBOARD_STORE_DIR ("off":
    none, the table is served from memory), else the user's cache folder (XDG_CACHE_HOME, else ~/.cache)."""
    given = os.environ.get("DASHBOARD_STORE_DIR")
    if given == "off":
        return None
    if given:
        return Path(given)
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return cache / "cancer-variation-explorer" / "stores"


def _env_path(name: str) -> Path | None:
    given = os.environ.get(name, "").strip()
    return Path(given) if given else None


def _env_list(name: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in os.environ.get(name, "").split(",") if part.strip())


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
    # Prepared stores of the table (docs/performance.md, "Growth"): None serves it from memory.
    store_dir: Path | None = field(default_factory=default_store_dir)
    # Partitions of the table held per worker when read from a store (DASHBOARD_TABLE_MEMORY_MB).
    table_memory_mb: float = field(default_factory=lambda: float(os.environ.get("DASHBOARD_TABLE_MEMORY_MB", "64")))
    # The address others open the app at (https://cancer.example.nhs.uk/dashboard), for the links
    # written into a board pack (DASHBOARD_PUBLIC_URL). None: the address the pack was asked at.
    public_url: str | None = field(default_factory=lambda: os.environ.get("DASHBOARD_PUBLIC_URL", "").rstrip("/") or None)
    # Which pages may show the app in a frame (CSP frame-ancestors; DASHBOARD_FRAME_ANCESTORS):
    # "'self'" by default, e.g. "'self' https://intranet.example.nhs.uk" to embed it there.
    frame_ancestors: str = field(default_factory=lambda: os.environ.get("DASHBOARD_FRAME_ANCESTORS", "").strip() or "'self'")
    # Sign-in (docs/security.md), off unless one of these is set; dashboard/web/signin.py checks them.
    # A file of `username:hash` lines, hashes by werkzeug's generate_password_hash (DASHBOARD_USERS_FILE).
    users_file: Path | None = field(default_factory=lambda: _env_path("DASHBOARD_USERS_FILE"))
    # The header an authenticating reverse proxy puts the signed-in user in, e.g. X-Forwarded-User
    # (DASHBOARD_TRUSTED_USER_HEADER), and the addresses it is accepted from (DASHBOARD_TRUSTED_PROXY_ADDRESSES,
    # comma-separated addresses or networks; empty: from any address).
    trusted_user_header: str | None = field(default_factory=lambda: os.environ.get("DASHBOARD_TRUSTED_USER_HEADER", "").strip() or None)
    trusted_proxy_addresses: tuple[str, ...] = field(default_factory=lambda: _env_list("DASHBOARD_TRUSTED_PROXY_ADDRESSES"))

    @classmethod
    def from_env(cls) -> Settings:
        """Settings for the WSGI entry point (gunicorn), where there is no command line."""
        return cls(
            geodata_dir=Path(os.environ.get("DASHBOARD_GEODATA_DIR", DEFAULT_GEODATA_DIR)),
            data_dir=Path(os.environ.get("DASHBOARD_DATA_DIR", DEFAULT_DATA_DIR)),
            compress=os.environ.get("DASHBOARD_COMPRESS", "1") != "0",
            cache_url=os.environ.get("DASHBOARD_CACHE_URL") or None,
            store_dir=default_store_dir(),
        )
