"""Counters in fixed time windows, for limits on attempts (the tracker's verification today).

In memory, on the runtime's injected clock; a Redis-backed store for several replicas fits the
same two methods (INCR + EXPIRE per window key).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Protocol

MAX_KEYS = 100_000  # a flood of distinct keys cannot grow memory without bound


class Counters(Protocol):
    def add(self, key: str, window: timedelta) -> int: ...

    def count(self, key: str, window: timedelta) -> int: ...


class MemoryCounters:
    def __init__(self, clock: Callable[[], datetime]) -> None:
        self._clock = clock
        self._counts: dict[tuple[str, int], int] = {}

    def _slot(self, key: str, window: timedelta) -> tuple[str, int]:
        return key, int(self._clock().timestamp() // window.total_seconds())

    def add(self, key: str, window: timedelta) -> int:
        slot = self._slot(key, window)
        if slot not in self._counts and len(self._counts) >= MAX_KEYS:
            self._forget_old(slot[1])
        self._counts[slot] = self._counts.get(slot, 0) + 1
        return self._counts[slot]

    def count(self, key: str, window: timedelta) -> int:
        return self._counts.get(self._slot(key, window), 0)

    def _forget_old(self, current: int) -> None:
        for slot in [s for s in self._counts if s[1] != current]:
            del self._counts[slot]
        if len(self._counts) >= MAX_KEYS:
            self._counts.clear()
