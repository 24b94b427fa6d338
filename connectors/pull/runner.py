"""The pull runner: polls every pull connector on its schedule and hands each page to the gateway.

One task per instance. A *cycle* loads the saved cursor, fetches (token bucket, timeout,
retries with full-jitter backoff), delivers the page, and saves the new cursor only once
`deliver` returned; while `Page.more` it fetches again at once, up to `max_pages` per cycle.
If `deliver` or the cursor store fails, the cursor stays where it was and the next cycle
fetches the same page again (re-delivery is a no-op for the gateway): nothing is lost.

What counts against the circuit breaker is the *source* failing a whole cycle (timeouts, 5xx,
connection errors, anything else `fetch` raises). `RateLimited` does not: a source that says
"slow down" is up, so opening the breaker would only add our own cool-down to its Retry-After.
It is honoured instead: the instance's token bucket is held for `retry_after` seconds (or a
backoff delay when none is given), so no call, in this cycle or a later one, goes out before.
Failures on our side (deliver, cursor store) do not count either: they are not the source's.
"""

from __future__ import annotations

import asyncio
import logging
import random
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

import httpx

from connectors.pull.resilience import (
    DEFAULT_POLICY,
    BreakerState,
    CircuitBreaker,
    Clock,
    PullPolicy,
    Rng,
    Sleep,
    SystemClock,
    TokenBucket,
    describe,
    retry_after_seconds,
)
from connectors.sdk import Instance, Page, PullClient, PullConnector, RateLimited

log = logging.getLogger(__name__)

Deliver = Callable[[Instance, Page], Awaitable[None]]


class CursorStore(Protocol):
    """Where each instance's cursor and its last sync time live (the gateway's database)."""

    async def load(self, instance_id: str) -> str | None: ...

    async def save(self, instance_id: str, cursor: str | None, synced_at: datetime) -> None: ...


class MemoryCursorStore:
    """A `CursorStore` in a dict, for tests and one-off runs."""

    def __init__(self, cursors: Mapping[str, str | None] | None = None) -> None:
        self.cursors: dict[str, str | None] = dict(cursors or {})
        self.synced_at: dict[str, datetime] = {}

    async def load(self, instance_id: str) -> str | None:
        return self.cursors.get(instance_id)

    async def save(self, instance_id: str, cursor: str | None, synced_at: datetime) -> None:
        self.cursors[instance_id] = cursor
        self.synced_at[instance_id] = synced_at


class Outcome(StrEnum):
    SYNCED = "synced"  # every page fetched was delivered and its cursor saved
    SKIPPED = "skipped"  # the breaker is open: the source was not called
    FAILED = "failed"  # the source failed every attempt (counts towards the breaker)
    THROTTLED = "throttled"  # the source rate-limited us (does not count)
    UNDELIVERED = "undelivered"  # deliver or the cursor store failed; retried next cycle


@dataclass(frozen=True, slots=True)
class CycleResult:
    outcome: Outcome
    pages: int = 0  # pages delivered and saved in this cycle


@dataclass(frozen=True, slots=True)
class SourceHealth:
    """Freshness of one pull instance, for `orderlens connectors` and GraphQL."""

    instance_id: str
    pull_every: float
    last_attempt_at: datetime | None
    last_success_at: datetime | None  # lastSyncedAt: the last page delivered and saved
    last_error: str | None  # the current problem, if any (cleared by a success); no secrets
    consecutive_failures: int  # failed cycles in a row (what the breaker counts)
    breaker: BreakerState
    stale: bool  # no success within stale_after x pull_every, or never


@dataclass(eq=False)
class _Source:
    instance: Instance
    every: float
    client: PullClient
    policy: PullPolicy
    breaker: CircuitBreaker
    bucket: TokenBucket
    lock: asyncio.Lock = field(default_factory=asyncio.Lock)
    last_attempt_at: datetime | None = None
    last_success_at: datetime | None = None
    last_error: str | None = None


class PullRunner:
    def __init__(
        self,
        instances: Iterable[Instance],
        *,
        http: httpx.AsyncClient,
        deliver: Deliver,
        cursors: CursorStore,
        policy: PullPolicy = DEFAULT_POLICY,
        overrides: Mapping[str, PullPolicy] | None = None,  # by instance id or connector name
        clock: Clock | None = None,
        sleep: Sleep = asyncio.sleep,
        rng: Rng | None = None,
    ) -> None:
        self._deliver = deliver
        self._cursors = cursors
        self._clock: Clock = clock or SystemClock()
        self._sleep = sleep
        self._rng: Rng = rng or random.SystemRandom()
        self._sources: dict[str, _Source] = {}
        self._tasks: list[asyncio.Task[None]] = []
        overrides = overrides or {}
        for instance in instances:
            connector = instance.connector
            if not isinstance(connector, PullConnector):
                raise ValueError(f"instance {instance.id!r}: {connector.name} cannot pull")
            if instance.pull_every is None or not instance.pull_every > 0:
                raise ValueError(f"instance {instance.id!r}: pull_every must be > 0 seconds")
            if instance.id in self._sources:
                raise ValueError(f"instance {instance.id!r} is configured twice")
            chosen = overrides.get(instance.id) or overrides.get(connector.name) or policy
            self._sources[instance.id] = _Source(
                instance=instance,
                every=instance.pull_every,
                client=connector.client(instance.config, http),
                policy=chosen,
                breaker=chosen.breaker(self._clock),
                bucket=chosen.bucket(self._clock, sleep),
            )

    # -- lifecycle ------------------------------------------------------------------------

    @property
    def running(self) -> bool:
        return bool(self._tasks)

    async def start(self) -> None:
        if self._tasks:
            raise RuntimeError("the pull runner is already running")
        self._tasks = [
            asyncio.create_task(self._loop(source), name=f"orderlens-pull:{instance_id}")
            for instance_id, source in self._sources.items()
        ]

    async def stop(self) -> None:
        """Cancel every instance's task (mid-fetch is fine: nothing is saved) and await them."""
        tasks, self._tasks = self._tasks, []
        for task in tasks:
            task.cancel()
        for task, result in zip(
            tasks, await asyncio.gather(*tasks, return_exceptions=True), strict=True
        ):
            if isinstance(result, Exception):
                log.error("pull task %s ended with %s", task.get_name(), type(result).__name__)

    async def __aenter__(self) -> PullRunner:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    # -- health ---------------------------------------------------------------------------

    def health(self) -> dict[str, SourceHealth]:
        now = self._clock.now()
        return {instance_id: self._health(s, now) for instance_id, s in self._sources.items()}

    def _health(self, source: _Source, now: datetime) -> SourceHealth:
        fresh_for = timedelta(seconds=source.policy.stale_after * source.every)
        last = source.last_success_at
        return SourceHealth(
            instance_id=source.instance.id,
            pull_every=source.every,
            last_attempt_at=source.last_attempt_at,
            last_success_at=last,
            last_error=source.last_error,
            consecutive_failures=source.breaker.consecutive_failures,
            breaker=source.breaker.state,
            stale=last is None or now - last > fresh_for,
        )

    # -- scheduling -----------------------------------------------------------------------

    async def _loop(self, source: _Source) -> None:
        # Spread the first polls so that instances started together do not pull together.
        delay = self._rng.uniform(0.0, source.every * source.policy.jitter)
        while True:
            await self._sleep(delay)
            try:
                await self.poll(source.instance.id)
            except Exception as exc:  # a bug in one cycle must not end the schedule
                log.error("pull %s: cycle crashed (%s)", source.instance.id, type(exc).__name__)
            jitter = source.policy.jitter
            delay = source.every * (1.0 + self._rng.uniform(-jitter, jitter))
            delay = max(delay, source.breaker.retry_in())

    async def poll(self, instance_id: str) -> CycleResult:
        """Run one cycle for one instance now (the schedule does the same)."""
        source = self._sources[instance_id]
        async with source.lock:
            return await self._cycle(source)

    async def _cycle(self, source: _Source) -> CycleResult:
        instance_id, policy, breaker = source.instance.id, source.policy, source.breaker
        if not breaker.allow():
            return CycleResult(Outcome.SKIPPED)
        attempts = 1 if breaker.state is BreakerState.HALF_OPEN else policy.backoff.max_attempts
        source.last_attempt_at = self._clock.now()
        pages = 0
        try:
            cursor = await self._cursors.load(instance_id)
        except Exception as exc:
            self._failed(source, "cursor load", exc)
            return CycleResult(Outcome.UNDELIVERED)
        while True:
            fetched = await self._fetch(source, cursor, attempts)
            if isinstance(fetched, Outcome):
                return CycleResult(fetched, pages)
            if breaker.state is not BreakerState.CLOSED:
                log.info("pull %s: source answered, breaker closed", instance_id)
            breaker.record_success()
            try:
                await self._deliver(source.instance, fetched)
            except Exception as exc:
                self._failed(source, "deliver", exc)
                return CycleResult(Outcome.UNDELIVERED, pages)
            # A page without a cursor leaves the position where it was (never rewinds it).
            next_cursor = cursor if fetched.cursor is None else fetched.cursor
            synced_at = self._clock.now()
            try:
                await self._cursors.save(instance_id, next_cursor, synced_at)
            except Exception as exc:
                self._failed(source, "cursor save", exc)
                return CycleResult(Outcome.UNDELIVERED, pages)
            cursor, pages = next_cursor, pages + 1
            source.last_success_at, source.last_error = synced_at, None
            if not fetched.more:
                return CycleResult(Outcome.SYNCED, pages)
            if pages >= policy.max_pages:
                log.info("pull %s: %d pages this cycle, the rest next cycle", instance_id, pages)
                return CycleResult(Outcome.SYNCED, pages)
            attempts = policy.backoff.max_attempts

    async def _fetch(self, source: _Source, cursor: str | None, attempts: int) -> Page | Outcome:
        policy = source.policy
        throttled = False
        for attempt in range(attempts):
            await source.bucket.acquire()
            try:
                async with asyncio.timeout(policy.timeout):
                    page = await source.client.fetch(cursor)
            except RateLimited as exc:
                throttled = True
                wait = retry_after_seconds(exc.retry_after)
                if wait is None:
                    wait = policy.backoff.delay(attempt, self._rng)
                source.bucket.hold(wait)
                self._failed(source, "fetch", exc, attempt, attempts)
                if wait > policy.backoff.cap:
                    break  # longer than we would back off: leave it to the next cycle
            except Exception as exc:
                throttled = False
                self._failed(source, "fetch", exc, attempt, attempts, timeout=policy.timeout)
                if attempt + 1 < attempts:
                    await self._sleep(policy.backoff.delay(attempt, self._rng))
            else:
                return page
        if throttled:
            return Outcome.THROTTLED
        source.breaker.record_failure()
        if source.breaker.state is BreakerState.OPEN:
            log.warning(
                "pull %s: breaker open after %d failed cycles, next trial in %g s",
                source.instance.id,
                source.breaker.consecutive_failures,
                source.breaker.retry_in(),
            )
        return Outcome.FAILED

    def _failed(
        self,
        source: _Source,
        stage: str,
        exc: Exception,
        attempt: int = 0,
        attempts: int = 1,
        *,
        timeout: float | None = None,
    ) -> None:
        message = describe(exc, timeout=timeout)
        source.last_error = message if stage == "fetch" else f"{stage} failed: {message}"
        name, tries = type(exc).__name__, f"{attempt + 1}/{attempts}"
        log.warning(
            "pull %s: %s failed, %s (%s), attempt %s",
            source.instance.id,
            stage,
            name,
            message,
            tries,
        )
