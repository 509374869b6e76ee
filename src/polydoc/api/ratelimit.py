"""Requests per minute per API key: a sliding window kept in this API process.

With several API processes behind a balancer each enforces the limit on its own share of
traffic; the database stays out of the hot path.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from polydoc.errors import RateLimited


class SlidingWindow:
    def __init__(self, limit: int, window: float = 60.0) -> None:
        self.limit, self.window = limit, window
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def hit(self, key: str) -> None:
        now = time.monotonic()
        with self._lock:
            hits = self._hits.setdefault(key, deque())
            while hits and hits[0] <= now - self.window:
                hits.popleft()
            if len(hits) >= self.limit:
                retry = max(1, int(hits[0] + self.window - now) + 1)
                raise RateLimited(
                    f"More than {self.limit} requests a minute with this key; try again in {retry} s",
                    retry_after=retry,
                )
            hits.append(now)
