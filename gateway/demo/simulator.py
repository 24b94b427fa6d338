"""Feeds a repeatable stream of fake orders through the gateway's connectors, each system in
its own native format, signed its own way.

`orderlens demo` uses it: `backfill()` sends a few days of history for many orders, then
`run_live()` keeps advancing them, and adds new ones, every tick until told to stop. ERPNext
posts Sales Orders to /ingest/erp, ShipHero its webhooks to /ingest/wms, the 3PL X12 945 XML
to /ingest/wms-xml, EasyPost tracker Events to /ingest/easypost and in-house systems
CloudEvents batches to /ingest/inhouse; UPS scans go into the fake UPS's records, which the
gateway pulls. All randomness comes from one `random.Random(seed)`, so the same seed and clock
give byte-identical payloads.

Deliberate imperfections exercise the gateway: some deliveries are sent twice (same bytes and
ids, as senders retry), some scans reach their feed after a later scan, and systems batch and
send at their own pace, so events arrive out of order across sources.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
from collections.abc import AsyncIterator, Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Final

import httpx

from gateway.demo.lifecycle import MERCHANT_OFFSET, OrderPlanner
from gateway.demo.native import NativeFeeds, UpsTracking
from gateway.demo.native.delivery import Delivery
from gateway.demo.outbox import Outbox, SimulatorStats
from gateway.demo.script import PUSHED, SYSTEMS, PlannedEvent

logger = logging.getLogger(__name__)

DUPLICATE_RATE: Final = 0.03  # deliveries a sender sends a second time
NEW_ORDER_RATE: Final = 0.1  # chance of a new order per live tick
BACKFILL_TRIES: Final = 3
TRAITS: Final = (  # incidents forced on older orders, so every demo shows them all
    "exception",
    "exception",
    "attempt",
    "attempt",
    "slip",
    "slip",
    "cancel",
    "ups",
    "ups",
    "hold",
    "late",
    "late",
)


@dataclass(frozen=True, slots=True)
class SimulatorConfig:
    base_url: str
    secrets: Mapping[str, str] = field(repr=False)  # per pushed system (PUSHED), as it signs
    seed: int = 7
    orders: int = 60
    live_interval: float = 2.0  # seconds between live ticks
    history_days: int = 6
    batch_size: int = 50  # in-house CloudEvents per batch
    concurrency: int = 8  # deliveries in flight at once (systems send side by side)
    ups: UpsTracking = field(default_factory=UpsTracking, repr=False)  # the fake UPS's records
    first_order: int | None = None  # Sales Order counter to start at (None: from the seed)

    def __post_init__(self) -> None:
        missing = [name for name in PUSHED if name not in self.secrets]
        if missing:
            raise ValueError(f"secrets missing for system(s): {', '.join(missing)}")
        if self.orders < 0 or min(self.history_days, self.batch_size, self.concurrency) < 1:
            raise ValueError("orders must be >= 0; history_days, batch_size, concurrency >= 1")
        if self.live_interval <= 0:
            raise ValueError("live_interval must be positive")


def utc_now() -> datetime:
    return datetime.now(UTC)


class Simulator:
    """Simulated ERP, warehouses, carriers and in-house systems for one gateway."""

    def __init__(
        self,
        config: SimulatorConfig,
        client: httpx.AsyncClient | None = None,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._config = config
        self._client = client
        self._clock = clock
        # A demo continuing on an existing database starts elsewhere in the random stream.
        first = config.first_order
        self._rng = random.Random(config.seed if first is None else f"{config.seed}/{first}")
        self._planner = OrderPlanner(self._rng)
        self._next_order = first if first is not None else 100 + self._rng.randrange(400)
        self._feeds = NativeFeeds(
            random.Random(self._rng.getrandbits(64)),
            config.ups,
            batch_size=config.batch_size,
            webhook_id=self._webhook_id,
        )
        self._outbox = Outbox(config.base_url, config.secrets, clock, config.concurrency)
        self._pending: dict[str, list[PlannedEvent]] = {}  # order -> its future steps, in order
        self._last: dict[str, datetime] = {}  # order -> time of its latest released step
        self._run: str | None = None  # names this run in message ids
        self._messages = 0
        self._orders = 0

    @property
    def stats(self) -> SimulatorStats:
        feeds = self._feeds
        return replace(
            self._outbox.stats,
            orders=self._orders,
            late_scans=feeds.late,
            ups_scans=feeds.ups_scans,
            withheld=feeds.withheld,
        )

    @property
    def ups(self) -> UpsTracking:
        return self._config.ups

    def reported(self) -> list[PlannedEvent]:
        """The planned steps sent so far (in a payload, or to the fake UPS), in order."""
        return list(self._feeds.reported)

    def personal_data(self) -> list[tuple[str, str]]:
        """Every personal value sent so far, as (field, value): for tests that look for it."""
        return list(self._feeds.people)

    async def backfill(self) -> SimulatorStats:
        """Plan `orders` orders over the last `history_days` days and send what happened."""
        now = self._now()
        placements = self._placements(now)
        for placed, traits in zip(placements, self._traits(now, placements), strict=True):
            self._add_order(placed, traits)
        self._queue(self._release(now), now)
        async with self._session() as client:
            for attempt in range(BACKFILL_TRIES):
                if await self._outbox.flush(client):
                    break
                if attempt + 1 < BACKFILL_TRIES:
                    await asyncio.sleep(min(self._config.live_interval, 1.0) * 2**attempt)
            else:
                logger.warning(
                    "demo backfill: %d deliveries not sent yet; live ticks will retry them",
                    len(self._outbox),
                )
        return self.stats

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
        # Real orders take days; the demo hurries a few along by pulling their next step (and
        # whatever happens at the same moment) to now, a little faster than new orders arrive.
        stirred = {event.order for event in due}
        moving = [order for order in self._pending if order not in stirred]
        for order in self._rng.sample(moving, min(len(moving), self._rng.randint(2, 4))):
            steps = self._pending[order]
            together = [step for step in steps if step.at == steps[0].at]
            self._pending[order] = steps[len(together) :]
            if not self._pending[order]:
                del self._pending[order]
            at = max(now, self._last.get(order, now) + timedelta(seconds=1))
            due += [step.restamped(at) for step in together]
            self._last[order] = at
        self._queue(sorted(due, key=lambda step: step.at), now)
        async with self._session() as client:
            return await self._outbox.flush(client)

    def _now(self) -> datetime:
        now = self._clock()
        if now.tzinfo is None:
            raise ValueError("the simulator's clock must return an aware datetime")
        now = now.astimezone(UTC).replace(microsecond=0)
        if self._run is None:
            self._run = f"s{self._config.seed}_{int(now.timestamp())}"
        return now

    def _webhook_id(self) -> str:
        self._messages += 1
        return f"msg_{self._run}_{self._messages:06d}"

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
        picked = self._rng.sample(old, min(len(TRAITS), len(old)))
        for n, trait in enumerate(TRAITS if picked else ()):
            traits[picked[n % len(picked)]].add(trait)
        return [frozenset(t) for t in traits]

    def _add_order(self, placed: datetime, traits: frozenset[str] = frozenset()) -> None:
        # ERPNext's naming series SAL-ORD-.YYYY.-: the year the order was placed (China time).
        year = (placed + timedelta(hours=MERCHANT_OFFSET)).year
        order = f"SAL-ORD-{year}-{self._next_order:05d}"
        self._next_order += self._rng.randint(1, 3)  # other sales channels use the series too
        self._pending[order] = self._planner.plan(order, placed.replace(microsecond=0), traits)
        self._orders += 1

    def _release(self, now: datetime) -> list[PlannedEvent]:
        """Take every planned step that has happened by `now`."""
        due: list[PlannedEvent] = []
        for order in list(self._pending):
            steps = self._pending[order]
            ready = [step for step in steps if step.at <= now]
            if ready:
                due += ready
                self._last[order] = max(self._last.get(order, ready[-1].at), ready[-1].at)
            if len(ready) == len(steps):
                del self._pending[order]
            else:
                self._pending[order] = steps[len(ready) :]
        return sorted(due, key=lambda step: step.at)

    def _queue(self, steps: list[PlannedEvent], now: datetime) -> None:
        """Encode the steps natively; senders re-send a few deliveries a little later."""
        repeats: list[Delivery] = []
        for delivery in self._feeds.encode(steps):
            self._outbox.queue.append(delivery)
            self._outbox.queue.extend(repeats)
            repeats = [delivery.again()] if self._rng.random() < DUPLICATE_RATE else []
        self._outbox.queue.extend(repeats)

    @contextlib.asynccontextmanager
    async def _session(self) -> AsyncIterator[httpx.AsyncClient]:
        """Use the caller's client, or one client for the whole backfill or live run."""
        if self._client is not None:
            yield self._client
            return
        async with httpx.AsyncClient(timeout=10.0) as client:
            self._client = client
            try:
                yield client
            finally:
                self._client = None


__all__ = ["SYSTEMS", "Simulator", "SimulatorConfig", "SimulatorStats"]
