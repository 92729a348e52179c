"""The optional cache shared by every worker and instance: Flask-Caching over Redis.

Off unless `Settings.cache_url` (DASHBOARD_CACHE_URL) names a Redis server. Keys carry the
data's fingerprint, so instances serving different data never read each other's results.
Values are pickled by Flask-Caching: the Redis server must be one you run and trust.
A cache that fails is a miss: the app computes the answer and says so in the log, never fails.
"""

from __future__ import annotations

import hashlib
import logging
import time
from pathlib import Path
from typing import Any

from flask import Flask
from flask_caching import Cache
from redis.backoff import NoBackoff
from redis.retry import Retry

log = logging.getLogger(__name__)
CACHE_SECONDS = 24 * 3600  # results depend only on the data, which a fingerprint names: a day bounds memory
WARN_EVERY_SECONDS = 60.0
# A miss must cost less than computing (tens of ms): redis-py's defaults are 5 s per socket
# operation and retries, so a silent server would hold every request 10 to 15 s.
CONNECT_SECONDS = 0.2
SOCKET_SECONDS = 1.0
RETRY_AFTER_SECONDS = 10.0  # after an error, no request tries the server again for this long


class SharedCache:
    """get/set over Flask-Caching; any error from the server is logged (once a minute) and is a miss."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache
        self._warned_at = -WARN_EVERY_SECONDS
        self._down_until = -RETRY_AFTER_SECONDS

    def get(self, key: str) -> Any:
        if time.monotonic() < self._down_until:
            return None
        try:
            return self._cache.get(key)
        except Exception as exc:  # redis' errors are many (connection, timeout, response): all are a miss
            self._warn(exc)
            return None

    def set(self, key: str, value: Any) -> bool:
        if time.monotonic() < self._down_until:
            return False
        try:
            return bool(self._cache.set(key, value))
        except Exception as exc:
            self._warn(exc)
            return False

    def _warn(self, exc: Exception) -> None:
        now = time.monotonic()
        self._down_until = now + RETRY_AFTER_SECONDS
        if now - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = now
            log.warning("shared cache unavailable (%s: %s); computing results in this worker", type(exc).__name__, exc)


def shared_cache(server: Flask, url: str | None, fingerprint: str, path_prefix: str = "/") -> SharedCache | None:
    """The shared cache for `url` (redis://host:port/db), or None when no URL is set. Entries
    are named by the data, the code and the app's path prefix (card contents hold URLs)."""
    if not url:
        return None
    if not fingerprint:  # data built in memory: nothing names it, so it must share with no one
        log.warning("shared cache not used: the data have no fingerprint")
        return None
    config = {
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": url,
        "CACHE_KEY_PREFIX": f"cve:{fingerprint[:16]}:{code_version()}:{hashlib.sha256(path_prefix.encode()).hexdigest()[:8]}:",
        "CACHE_DEFAULT_TIMEOUT": CACHE_SECONDS,
        "CACHE_OPTIONS": {
            "socket_connect_timeout": CONNECT_SECONDS,
            "socket_timeout": SOCKET_SECONDS,
            "retry": Retry(NoBackoff(), 0),
        },
    }
    return SharedCache(Cache(server, config=config))


def code_version() -> str:
    """The app's own source, hashed: a release that changes how card contents are made (their
    shape, their text) never reads what an older release stored for the same data."""
    root = Path(__file__).resolve().parents[1]  # dashboard/
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(path.relative_to(root).as_posix().encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]
