"""Resilience policies for pull connectors: backoff, circuit breaker, token bucket, safe errors.

Nothing here reads the real clock or sleeps for real: every policy takes the `Clock` and the
`sleep` the runner was given, so tests drive time by hand.
"""

from __future__ import annotations

import re
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Protocol

import httpx

from connectors.sdk import PayloadError, RateLimited, SourceUnavailable

Sleep = Callable[[float], Awaitable[None]]
MAX_RETRY_AFTER = 86_400.0  # a garbage Retry-After must not park a source for ever


class Clock(Protocol):
    """Monotonic seconds for waiting and scheduling; aware UTC datetimes for reporting."""

    def monotonic(self) -> float: ...

    def now(self) -> datetime: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return datetime.now(UTC)


class Rng(Protocol):
    """What the runner needs from `random.Random`."""

    def uniform(self, a: float, b: float) -> float: ...


@dataclass(frozen=True, slots=True)
class Backoff:
    """Exponential backoff with full jitter: attempt n (0-based) waits U(0, min(cap, base*2^n))."""

    base: float = 1.0
    cap: float = 30.0
    max_attempts: int = 4  # fetch attempts per cycle, the first one included

    def __post_init__(self) -> None:
        if self.base <= 0 or self.cap < self.base or self.max_attempts < 1:
            raise ValueError("backoff: need 0 < base <= cap and max_attempts >= 1")

    def ceiling(self, attempt: int) -> float:
        return min(self.cap, self.base * 2.0 ** min(attempt, 62))

    def delay(self, attempt: int, rng: Rng) -> float:
        return rng.uniform(0.0, self.ceiling(attempt))


@dataclass(frozen=True, slots=True)
class PullPolicy:
    timeout: float = 30.0  # seconds per fetch; a timeout is a failure
    backoff: Backoff = Backoff()  # between failed attempts of one cycle
    failure_threshold: int = 3  # consecutive failed cycles that open the breaker
    cool_down: float = 300.0  # seconds an open breaker waits before one trial call
    rate: float = 2.0  # fetches per second, on average, per instance
    burst: int = 5  # fetches that may go at once
    max_pages: int = 50  # per cycle while Page.more; the rest waits for the next cycle
    jitter: float = 0.1  # the interval is pull_every * (1 +- jitter)
    stale_after: float = 3.0  # stale when no success within this many pull_every

    def __post_init__(self) -> None:
        if self.timeout <= 0 or self.max_pages < 1 or not 0 <= self.jitter < 1:
            raise ValueError("pull policy: need timeout > 0, max_pages >= 1, 0 <= jitter < 1")
        if self.stale_after <= 0:
            raise ValueError("pull policy: need stale_after > 0")

    def breaker(self, clock: Clock) -> CircuitBreaker:
        return CircuitBreaker(
            threshold=self.failure_threshold, cool_down=self.cool_down, clock=clock
        )

    def bucket(self, clock: Clock, sleep: Sleep) -> TokenBucket:
        return TokenBucket(rate=self.rate, burst=self.burst, clock=clock, sleep=sleep)


DEFAULT_POLICY = PullPolicy()


class BreakerState(StrEnum):
    CLOSED = "closed"
    OPEN = "open"
    HALF_OPEN = "half_open"


class CircuitBreaker:
    """Per-instance breaker over *cycles*: `threshold` consecutive failed cycles open it; while
    open nothing is called until `cool_down` seconds have passed; then one trial call is let
    through (half-open), which closes it on success or opens it again on failure."""

    def __init__(self, *, threshold: int, cool_down: float, clock: Clock) -> None:
        if threshold < 1 or cool_down < 0:
            raise ValueError("breaker: need threshold >= 1 and cool_down >= 0")
        self.threshold = threshold
        self.cool_down = cool_down
        self._clock = clock
        self._state = BreakerState.CLOSED
        self._failures = 0
        self._opened_at = 0.0

    @property
    def state(self) -> BreakerState:
        return self._state

    @property
    def consecutive_failures(self) -> int:
        return self._failures

    def retry_in(self) -> float:
        """Seconds until an open breaker lets a trial through (0 when not open)."""
        if self._state is not BreakerState.OPEN:
            return 0.0
        return max(0.0, self._opened_at + self.cool_down - self._clock.monotonic())

    def allow(self) -> bool:
        """May a cycle call the source now? Moves open -> half-open once the cool-down passed."""
        if self._state is BreakerState.OPEN:
            if self.retry_in() > 0:
                return False
            self._state = BreakerState.HALF_OPEN
        return True

    def record_success(self) -> None:
        self._state = BreakerState.CLOSED
        self._failures = 0

    def record_failure(self) -> None:
        self._failures += 1
        if self._state is BreakerState.HALF_OPEN or self._failures >= self.threshold:
            self._state = BreakerState.OPEN
            self._opened_at = self._clock.monotonic()


class TokenBucket:
    """`rate` calls per second on average, up to `burst` at once; `hold(seconds)` stops all
    calls until then (a source's Retry-After), after which one call may go at once."""

    def __init__(self, *, rate: float, burst: int, clock: Clock, sleep: Sleep) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError("token bucket: need rate > 0 and burst >= 1")
        self.rate = rate
        self.burst = burst
        self._clock = clock
        self._sleep = sleep
        self._tokens = float(burst)
        self._updated = clock.monotonic()  # tokens accrue from here (the end of a hold)

    def _refill(self, now: float) -> None:
        if now > self._updated:
            self._tokens = min(float(self.burst), self._tokens + (now - self._updated) * self.rate)
            self._updated = now

    def held_for(self) -> float:
        return max(0.0, self._updated - self._clock.monotonic())

    def hold(self, seconds: float) -> None:
        until = self._clock.monotonic() + max(0.0, seconds)
        if until > self._updated:
            self._updated = until
            self._tokens = 1.0

    async def acquire(self) -> None:
        while True:
            now = self._clock.monotonic()
            if now < self._updated:
                wait = self._updated - now
            else:
                self._refill(now)
                if self._tokens >= 1.0 - 1e-9:
                    self._tokens = max(0.0, self._tokens - 1.0)
                    return
                wait = (1.0 - self._tokens) / self.rate
            await self._sleep(wait)


_URL = re.compile(r"[a-z][a-z0-9+.-]*://\S+", re.IGNORECASE)


def _scrub(message: str) -> str:
    """Drop URLs (they may carry credentials or tokens) and keep the message short."""
    return _URL.sub("<url>", message)[:200]


def describe(exc: BaseException, *, timeout: float | None = None) -> str:
    """A message about a failure that is safe to show and log: never a payload, never a
    secret. Only messages our own code writes are kept; third-party ones give the class."""
    if isinstance(exc, TimeoutError):
        return f"timed out after {timeout:g} s" if timeout is not None else "timed out"
    if isinstance(exc, httpx.HTTPStatusError):
        return f"HTTP {exc.response.status_code}"
    if isinstance(exc, RateLimited):
        return str(exc)
    if isinstance(exc, SourceUnavailable | PayloadError):
        text = _scrub(str(exc))
        return f"{type(exc).__name__}: {text}" if text else type(exc).__name__
    return type(exc).__name__


def retry_after_seconds(value: float | None) -> float | None:
    """A source's Retry-After as a wait we honour: None when absent, negative or NaN."""
    if value is None or not value >= 0:
        return None
    return min(value, MAX_RETRY_AFTER)
