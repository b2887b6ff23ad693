"""A small per-process cache whose entries expire after a fixed time (thread-safe, bounded)."""

from __future__ import annotations

import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Hashable
from typing import Generic, TypeVar

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")


class TtlCache(Generic[K, V]):
    """Keep values for at most `seconds` and at most `size` entries (the oldest insert goes first).

    Another process's change is seen at the latest `seconds` after it commits; a change made in this
    process should also call `discard` (or `clear`) so that it is seen at once.
    """

    def __init__(
        self, seconds: float, size: int = 1024, *, now: Callable[[], float] = time.monotonic
    ) -> None:
        if seconds <= 0 or size < 1:
            raise ValueError("a cache needs a positive lifetime and size")
        self.seconds = seconds
        self.size = size
        # Tests replace it to step past the lifetime without sleeping.
        self.now = now
        self._entries: OrderedDict[K, tuple[float, V]] = OrderedDict()
        self._lock = threading.Lock()

    def get(self, key: K) -> V | None:
        """Return the value stored under key while it is fresh, else None."""
        with self._lock:
            found = self._entries.get(key)
            if found is None:
                return None
            if self.now() >= found[0]:
                del self._entries[key]
                return None
            return found[1]

    def put(self, key: K, value: V) -> None:
        """Store a value for the cache's lifetime from now."""
        with self._lock:
            self._entries.pop(key, None)
            self._entries[key] = (self.now() + self.seconds, value)
            while len(self._entries) > self.size:
                self._entries.popitem(last=False)

    def discard(self, key: K) -> None:
        """Forget one entry."""
        with self._lock:
            self._entries.pop(key, None)

    def clear(self) -> None:
        """Forget every entry."""
        with self._lock:
            self._entries.clear()
