"""Requests per minute per API key, and failed authentications per client address: sliding
windows kept in this API process.

With several API processes behind a balancer each enforces the limit on its own share of
traffic; the database stays out of the hot path.
"""

from __future__ import annotations

import threading
import time
from collections import deque

from polydoc.errors import RateLimited

_MAX_KEYS = 10_000  # keys remembered before the idle ones are forgotten


class SlidingWindow:
    def __init__(
        self, limit: int, window: float = 60.0, *, what: str = "requests a minute with this key"
    ) -> None:
        self.limit, self.window, self.what = limit, window, what
        self._hits: dict[str, deque[float]] = {}
        self._lock = threading.Lock()

    def _recent(self, key: str, now: float) -> deque[float]:
        if len(self._hits) > _MAX_KEYS:  # many addresses or keys: forget those with no recent hit
            self._hits = {k: h for k, h in self._hits.items() if h and h[-1] > now - self.window}
        hits = self._hits.setdefault(key, deque())
        while hits and hits[0] <= now - self.window:
            hits.popleft()
        return hits

    def _refuse(self, hits: deque[float], now: float) -> None:
        if len(hits) >= self.limit:
            retry = max(1, int(hits[0] + self.window - now) + 1)
            raise RateLimited(
                f"More than {self.limit} {self.what}; try again in {retry} s", retry_after=retry
            )

    def hit(self, key: str) -> None:
        """Count one request for `key`; RateLimited (429) when it is over the limit."""
        now = time.monotonic()
        with self._lock:
            hits = self._recent(key, now)
            self._refuse(hits, now)
            hits.append(now)

    def check(self, key: str) -> None:
        """RateLimited when `key` is already over the limit; counts nothing."""
        now = time.monotonic()
        with self._lock:
            self._refuse(self._recent(key, now), now)

    def record(self, key: str) -> None:
        """Count one event (a failed authentication) without refusing it."""
        now = time.monotonic()
        with self._lock:
            self._recent(key, now).append(now)
