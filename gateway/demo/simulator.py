"""Pushes a repeatable stream of fake order events through the gateway's real ingestion endpoint.

`orderlens demo` uses it: `backfill()` posts a few days of history for many orders, then
`run_live()` keeps advancing them, and adds new ones, every tick until told to stop. ERP, WMS
and courier each post only their own events, in CloudEvents batches signed with their own
Standard Webhooks secret. All randomness comes from one `random.Random(seed)`, so the same seed
and clock give byte-identical events.

Deliberate imperfections exercise the gateway: some courier events are sent twice (same
CloudEvent id) and some later scans are posted before earlier ones.

Fake customers (`people.py`) send their contact and delivery address with order.placed (a few
re-send a corrected contact with order.confirmed), and couriers send a proof of delivery with
shipment.delivered: the only keys the gateway accepts personal data in, and seals.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import random
from collections import deque
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Final

import httpx

from gateway.demo.lifecycle import MERCHANT_OFFSET, OrderPlanner
from gateway.demo.script import PlannedEvent
from gateway.ingest.webhooks import WebhookSecret, signature_headers

logger = logging.getLogger(__name__)

SOURCES: Final = ("erp", "wms", "courier")
INGEST_PATH: Final = "/ingest/events"
BATCH_CONTENT_TYPE: Final = "application/cloudevents-batch+json"
DUPLICATE_RATE: Final = 0.03  # courier events sent a second time, as carriers' webhooks do
REORDER_RATE: Final = 0.04  # courier scans posted before the scan that preceded them
NEW_ORDER_RATE: Final = 0.1  # chance of a new order per live tick (~25 events each)
MAX_ATTEMPTS: Final = 5  # a live batch that keeps failing is dropped after this many tries
BACKFILL_TRIES: Final = 3
RETRY_STATUSES: Final = frozenset({408, 425, 429})  # plus any 5xx; other errors will not heal


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    base_url: str
    secrets: Mapping[str, WebhookSecret]  # "erp", "wms" and "courier"
    seed: int = 7
    orders: int = 60
    live_interval: float = 2.0  # seconds between live ticks
    history_days: int = 6
    batch_size: int = 50

    def __post_init__(self) -> None:
        missing = [name for name in SOURCES if name not in self.secrets]
        if missing:
            raise ValueError(f"secrets missing for source(s): {', '.join(missing)}")
        if self.orders < 0 or self.history_days < 1 or self.batch_size < 1:
            raise ValueError("orders must be >= 0, history_days and batch_size >= 1")
        if self.live_interval <= 0:
            raise ValueError("live_interval must be positive")


@dataclass(frozen=True, slots=True)
class SimulatorStats:
    orders: int = 0  # orders planned so far
    events_sent: int = 0  # events in batches the gateway answered 200/207 (duplicates included)
    batches: int = 0  # batches the gateway answered 200/207
    duplicates_sent: int = 0  # deliberate re-sends of an already sent CloudEvent id
    reordered_sent: int = 0  # scans deliberately posted before the scan that preceded them
    rejected: int = 0  # events the gateway answered as rejected inside a 207
    failures: int = 0  # POSTs that failed (transport error or another status)
    dropped: int = 0  # batches given up on


@dataclass(slots=True)
class _Delivery:
    source: str
    webhook_id: str
    body: bytes
    events: int
    duplicates: int
    reordered: int
    attempts: int = 0


def utc_now() -> datetime:
    return datetime.now(UTC)


class Simulator:
    """Simulated ERP, WMS and courier feeds for one gateway."""

    def __init__(
        self,
        config: SimulatorConfig,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._config = config
        self._client = client
        self._clock = clock
        self._url = config.base_url.rstrip("/") + INGEST_PATH
        self._rng = random.Random(config.seed)
        self._planner = OrderPlanner(self._rng)
        self._next_order = 100_000 + self._rng.randrange(400_000)
        self._pending: dict[str, list[PlannedEvent]] = {}  # order -> its future events, in order
        self._last: dict[str, datetime] = {}  # order -> time of its latest released event
        self._outbox: deque[_Delivery] = deque()
        self._run: str | None = None  # names this run in webhook ids
        self._deliveries = 0
        self._stats = SimulatorStats()

    @property
    def stats(self) -> SimulatorStats:
        return self._stats

    async def backfill(self) -> SimulatorStats:
        """Plan `orders` orders over the last `history_days` days and post what already happened."""
        now = self._now()
        placements = self._placements(now)
        for placed, traits in zip(placements, self._traits(now, placements), strict=True):
            self._add_order(placed, traits)
        self._queue(self._release(now))
        async with self._session():
            for attempt in range(BACKFILL_TRIES):
                if await self._flush():
                    break
                if attempt + 1 < BACKFILL_TRIES:
                    await asyncio.sleep(min(self._config.live_interval, 1.0) * 2**attempt)
            else:
                logger.warning(
                    "demo backfill: %d batches not delivered yet; live ticks will retry them",
                    len(self._outbox),
                )
        return self._stats

    async def run_live(self, stop: asyncio.Event) -> None:
        """Tick until `stop` is set; a failing gateway slows the ticks down but never ends them."""
        failed = 0
        async with self._session():
            while not stop.is_set():
                failed = 0 if await self.tick() else failed + 1
                delay = self._config.live_interval * 2 ** min(failed, 5)
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=min(delay, 60.0))

    async def tick(self) -> bool:
        """One live step: maybe a new order, then a few orders move on. False if a POST failed."""
        now = self._now()
        if not self._pending or self._rng.random() < NEW_ORDER_RATE:
            self._add_order(now)
        due = self._release(now)
        # Real orders take days; the demo hurries a few along by pulling their next step to now
        # (about three steps per tick, a little more than new orders add, so the backlog drains).
        stirred = {event.order for event in due}
        moving = [order for order in self._pending if order not in stirred]
        for order in self._rng.sample(moving, min(len(moving), self._rng.randint(2, 4))):
            event = self._pending[order].pop(0)
            if not self._pending[order]:
                del self._pending[order]
            at = max(now, self._last.get(order, now) + timedelta(seconds=1))
            due.append(event.restamped(at))
            self._last[order] = at
        self._queue(due)
        async with self._session():
            return await self._flush()

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the simulator's clock must return an aware datetime")
        now = now.astimezone(UTC).replace(microsecond=0)
        if self._run is None:
            self._run = f"s{self._config.seed}_{int(now.timestamp())}"
        return now

    def _placements(self, now: datetime) -> list[datetime]:
        rng, count = self._rng, self._config.orders
        span = timedelta(days=self._config.history_days).total_seconds()
        # A few orders were placed minutes ago, so the warehouse has not touched them yet.
        recent = [now - timedelta(minutes=rng.uniform(1, 30)) for _ in range(min(count, 3))]
        placements: list[datetime] = []
        while len(placements) < count - len(recent):
            placed = now - timedelta(seconds=rng.uniform(0, span))
            # Few people order between midnight and 07:00.
            if (placed + timedelta(hours=MERCHANT_OFFSET)).hour >= 7 or rng.random() < 0.25:
                placements.append(placed)
        return sorted(placements + recent)

    def _traits(self, now: datetime, placements: list[datetime]) -> list[frozenset[str]]:
        """Force each kind of incident on a few older orders, so every demo shows them all."""
        old = [i for i, placed in enumerate(placements) if now - placed > timedelta(days=4)]
        old = old or list(range(len(placements) // 2))
        traits: list[set[str]] = [set() for _ in placements]
        # Each on its own order while there are enough (a cancelled order would hide the rest).
        wanted = ["exception", "exception", "attempt", "attempt", "slip", "slip", "cancel"]
        picked = self._rng.sample(old, min(len(wanted), len(old)))
        for n, trait in enumerate(wanted if picked else []):
            traits[picked[n % len(picked)]].add(trait)
        return [frozenset(t) for t in traits]

    def _add_order(self, placed: datetime, traits: frozenset[str] = frozenset()) -> None:
        order = f"SO-{self._next_order:06d}"
        self._next_order += self._rng.randint(1, 9)
        self._pending[order] = self._planner.plan(order, placed.replace(microsecond=0), traits)
        self._stats = replace(self._stats, orders=self._stats.orders + 1)

    def _release(self, now: datetime) -> list[PlannedEvent]:
        """Take every planned event that has happened by `now`."""
        due: list[PlannedEvent] = []
        for order in list(self._pending):
            events = self._pending[order]
            ready = [event for event in events if event.at <= now]
            if ready:
                due += ready
                self._last[order] = max(self._last.get(order, ready[-1].at), ready[-1].at)
            if len(ready) == len(events):
                del self._pending[order]
            else:
                self._pending[order] = events[len(ready) :]
        return due

    def _queue(self, events: list[PlannedEvent]) -> None:
        """Cut each source's events into batches, queued in the order things happened."""
        batches: list[tuple[datetime, int, _Delivery]] = []
        size = self._config.batch_size
        for source in SOURCES:
            stream = sorted((e for e in events if e.source == source), key=lambda e: e.at)
            moved = self._disorder(stream) if source == "courier" else set()
            repeats: list[PlannedEvent] = []
            start = 0
            while start < len(stream):
                # Re-sent events count toward batch_size (the gateway caps batches too).
                repeats, resent = repeats[:size], repeats[size:]
                chunk = stream[start : start + size - len(repeats)]
                start += len(chunk)
                delivery = self._delivery(source, repeats + chunk, len(repeats), moved)
                batches.append(((chunk or repeats)[0].at, len(batches), delivery))
                # A carrier retries some deliveries: they reach us again in its next batch.
                repeats = resent + [e for e in chunk if self._duplicate(source)]
            for first in range(0, len(repeats), size):
                again = repeats[first : first + size]
                batches.append(
                    (stream[-1].at, len(batches), self._delivery(source, again, len(again)))
                )
        self._outbox.extend(delivery for *_, delivery in sorted(batches, key=lambda b: b[:2]))

    def _duplicate(self, source: str) -> bool:
        return source == "courier" and self._rng.random() < DUPLICATE_RATE

    def _disorder(self, stream: list[PlannedEvent]) -> set[str]:
        """Swap a few scans with the previous scan of the same shipment; returns the moved ids."""
        moved: set[str] = set()
        touched: set[str] = set()
        for i in range(1, len(stream)):
            event = stream[i]
            if event.event_id in touched or self._rng.random() >= REORDER_RATE:
                continue
            for j in range(i - 1, max(-1, i - 40), -1):
                earlier = stream[j]
                if earlier.shipment == event.shipment and earlier.event_id not in touched:
                    stream[i], stream[j] = earlier, event
                    moved.add(event.event_id)
                    touched |= {event.event_id, earlier.event_id}
                    break
        return moved

    def _delivery(
        self,
        source: str,
        events: list[PlannedEvent],
        duplicates: int,
        moved: set[str] | None = None,
    ) -> _Delivery:
        body = json.dumps([event.cloudevent() for event in events], separators=(",", ":"))
        self._deliveries += 1
        webhook_id = f"msg_{self._run}_{self._deliveries:06d}"
        reordered = sum(event.event_id in (moved or set()) for event in events[duplicates:])
        return _Delivery(source, webhook_id, body.encode(), len(events), duplicates, reordered)

    async def _flush(self) -> bool:
        """Post queued batches in order. True if every POST succeeded.

        A failure that may heal (gateway down, 5xx) stops the flush, so batches keep their order
        and are retried later; one that will not (e.g. 422) drops just that batch.
        """
        ok = True
        while self._outbox:
            delivery = self._outbox[0]
            retry = await self._post(delivery)
            if retry is None:
                self._outbox.popleft()
                continue
            ok = False
            delivery.attempts += 1
            if retry and delivery.attempts < MAX_ATTEMPTS:
                return False
            self._outbox.popleft()
            self._stats = replace(self._stats, dropped=self._stats.dropped + 1)
            logger.warning("demo %s batch %s dropped", delivery.source, delivery.webhook_id)
        return ok

    async def _post(self, delivery: _Delivery) -> bool | None:
        """None when delivered; else whether a retry could help."""
        secret = self._config.secrets[delivery.source]
        now = int(self._clock().timestamp())
        headers = signature_headers(secret, delivery.webhook_id, delivery.body, now)
        headers["content-type"] = BATCH_CONTENT_TYPE
        assert self._client is not None, "posts happen inside _session()"
        try:
            response = await self._client.post(self._url, content=delivery.body, headers=headers)
        except httpx.HTTPError as exc:
            return self._failed(delivery, f"{type(exc).__name__}: {exc}", retry=True)
        status = response.status_code
        if status not in (200, 207):
            retry = status >= 500 or status in RETRY_STATUSES
            return self._failed(delivery, f"HTTP {status} {response.text[:300]!r}", retry=retry)
        try:
            answer = response.json()
        except ValueError:
            return self._failed(delivery, f"HTTP {status} with a body that is not JSON", retry=True)
        rejected = _rejected(answer)
        if rejected:
            logger.warning(
                "demo %s batch %s: the gateway rejected %d of %d events, e.g. %.300s",
                delivery.source,
                delivery.webhook_id,
                len(rejected),
                delivery.events,
                rejected[0],
            )
        self._stats = replace(
            self._stats,
            events_sent=self._stats.events_sent + delivery.events,
            batches=self._stats.batches + 1,
            duplicates_sent=self._stats.duplicates_sent + delivery.duplicates,
            reordered_sent=self._stats.reordered_sent + delivery.reordered,
            rejected=self._stats.rejected + len(rejected),
        )
        return None

    def _failed(self, delivery: _Delivery, reason: str, *, retry: bool) -> bool:
        self._stats = replace(self._stats, failures=self._stats.failures + 1)
        logger.warning(
            "demo %s batch %s failed (attempt %d): %s",
            delivery.source,
            delivery.webhook_id,
            delivery.attempts + 1,
            reason,
        )
        return retry

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[None]:
        """Use the caller's client, or one client for the whole backfill or live run."""
        if self._client is not None:
            yield
            return
        async with httpx.AsyncClient(timeout=10.0) as client:
            self._client = client
            try:
                yield
            finally:
                self._client = None


def _rejected(answer: object) -> list[str]:
    """What the gateway said about each rejected event (the 207 answer lists them)."""
    if not isinstance(answer, dict):
        return []
    results = answer.get("results")
    if isinstance(results, list):
        return [
            str(r.get("errors"))
            for r in results
            if isinstance(r, dict) and r.get("status") == "rejected"
        ]
    count = answer.get("rejected")
    return ["(no detail)"] * count if isinstance(count, int) else []
