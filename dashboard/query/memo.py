"""A small bounded memo, one per explorer (so one per worker): never module-wide state."""

from __future__ import annotations

import threading
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import TypeVar

T = TypeVar("T")
MEMO_SIZE = 256  # remembered results per worker: a few filter changes' worth of every card


class Memo:
    """Results of pure, costly calls, the least recently used forgotten first. Thread-safe."""

    def __init__(self, size: int = MEMO_SIZE) -> None:
        self._size = size
        self._values: OrderedDict[Hashable, object] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: Hashable, compute: Callable[[], T]) -> T:
        """`compute()`, remembered under `key` (computed outside the lock: a slow call blocks no one)."""
        with self._lock:
            if key in self._values:
                self._values.move_to_end(key)
                return self._values[key]  # type: ignore[return-value]
        value = compute()
        with self._lock:
            self._values[key] = value
            while len(self._values) > self._size:
                self._values.popitem(last=False)
        return value

    def peek(self, key: Hashable) -> object | None:
        """The value remembered under `key`, or None; never computes."""
        with self._lock:
            return self._values.get(key)

    def clear(self) -> None:
        with self._lock:
            self._values.clear()
