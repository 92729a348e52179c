"""The optional cache shared by every worker and instance: Flask-Caching over Redis.

Off unless `Settings.cache_url` (DASHBOARD_CACHE_URL) names a Redis server. Keys carry the
data's fingerprint, so instances serving different data never read each other's results.
Values are pickled by Flask-Caching: the Redis server must be one you run and trust.
A cache that fails is a miss: the app computes the answer and says so in the log, never fails.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from flask import Flask
from flask_caching import Cache

log = logging.getLogger(__name__)
CACHE_SECONDS = 24 * 3600  # results depend only on the data, which a fingerprint names: a day bounds memory
WARN_EVERY_SECONDS = 60.0


class SharedCache:
    """get/set over Flask-Caching; any error from the server is logged (once a minute) and is a miss."""

    def __init__(self, cache: Cache) -> None:
        self._cache = cache
        self._warned_at = -WARN_EVERY_SECONDS

    def get(self, key: str) -> Any:
        try:
            return self._cache.get(key)
        except Exception as exc:  # redis' errors are many (connection, timeout, response): all are a miss
            self._warn(exc)
            return None

    def set(self, key: str, value: Any) -> bool:
        try:
            return bool(self._cache.set(key, value))
        except Exception as exc:
            self._warn(exc)
            return False

    def _warn(self, exc: Exception) -> None:
        now = time.monotonic()
        if now - self._warned_at >= WARN_EVERY_SECONDS:
            self._warned_at = now
            log.warning("shared cache unavailable (%s: %s); computing results in this worker", type(exc).__name__, exc)


def shared_cache(server: Flask, url: str | None, fingerprint: str) -> SharedCache | None:
    """The shared cache for `url` (redis://host:port/db), or None when no URL is set."""
    if not url:
        return None
    config = {
        "CACHE_TYPE": "RedisCache",
        "CACHE_REDIS_URL": url,
        "CACHE_KEY_PREFIX": f"cve:{fingerprint[:16]}:",
        "CACHE_DEFAULT_TIMEOUT": CACHE_SECONDS,
    }
    return SharedCache(Cache(server, config=config))
