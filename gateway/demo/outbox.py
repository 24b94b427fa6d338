"""Posting native deliveries to the gateway's connector endpoints, in order, with retries.

Systems send side by side, so deliveries go out in small concurrent windows (which also lets
the gateway group-commit them); a window ends at a barrier delivery, which everything after it
waits for. A failure that may heal (gateway down, 5xx, 408/425/429) stops the flush, so
deliveries keep their order and are retried later under the same ids, as senders retry; one
that will not (401, 400, 422...) drops just that delivery.
"""

from __future__ import annotations

import asyncio
import logging
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Final

import httpx

from gateway.demo.native.delivery import Delivery, signed_headers

logger = logging.getLogger("gateway.demo.simulator")

MAX_ATTEMPTS: Final = 5  # a delivery that keeps failing is dropped after this many tries
RETRY_STATUSES: Final = frozenset({408, 425, 429})  # plus any 5xx; other errors will not heal
REPLAY_HEADER: Final = "orderlens-idempotent-replay"


@dataclass(frozen=True, slots=True)
class SimulatorStats:
    orders: int = 0  # orders planned so far
    deliveries: int = 0  # deliveries the gateway answered 200/207 (re-sends included)
    by_system: Mapping[str, int] = field(default_factory=dict)  # ... per connector instance
    duplicates_sent: int = 0  # deliberate re-sends of a delivery (same bytes, same ids)
    replayed: int = 0  # answers the gateway gave from an earlier delivery
    late_scans: int = 0  # scans that reached a feed after a later scan of the same parcel
    ups_scans: int = 0  # scans recorded for the fake UPS (the gateway pulls them)
    withheld: int = 0  # ShipHero webhooks without a time, not sent once outdated
    rejected: int = 0  # events the gateway rejected (listed in a 207 answer)
    problems: int = 0  # deliveries a connector could only partly read (dead-lettered)
    failures: int = 0  # POSTs that failed (transport error or another status)
    dropped: int = 0  # deliveries given up on


class Outbox:
    """Deliveries waiting to be posted, and what the gateway said about those posted."""

    def __init__(
        self,
        base_url: str,
        secrets: Mapping[str, str],
        clock: Callable[[], datetime],
        concurrency: int = 1,
    ) -> None:
        self._base = base_url.rstrip("/")
        self._secrets = secrets
        self._clock = clock
        self._concurrency = concurrency
        self.queue: deque[Delivery] = deque()
        self.stats = SimulatorStats()

    def __len__(self) -> int:
        return len(self.queue)

    async def flush(self, client: httpx.AsyncClient) -> bool:
        """Post queued deliveries in order. True if every POST succeeded."""
        ok = True
        while self.queue:
            window = self._window()
            answers = await asyncio.gather(*(self._post(client, d) for d in window))
            for _ in window:
                self.queue.popleft()
            held: list[Delivery] = []
            for delivery, retry in zip(window, answers, strict=True):
                if retry is None:
                    continue
                ok = False
                delivery.attempts += 1
                if retry and delivery.attempts < MAX_ATTEMPTS:
                    held.append(delivery)
                    continue
                self._count(dropped=1)
                logger.warning("demo %s delivery %s dropped", delivery.system, delivery.delivery_id)
            if held:
                self.queue.extendleft(reversed(held))
                return False
        return ok

    def _window(self) -> list[Delivery]:
        """The next deliveries that may go out together: up to a barrier, no two alike."""
        window: list[Delivery] = []
        for delivery in self.queue:
            alike = any(d.body == delivery.body for d in window)
            if len(window) >= self._concurrency or alike or (delivery.barrier and window):
                break
            window.append(delivery)
            if delivery.barrier:
                break
        return window

    async def _post(self, client: httpx.AsyncClient, delivery: Delivery) -> bool | None:
        """None when delivered; else whether a retry could help."""
        headers = signed_headers(delivery, self._secrets[delivery.system], self._clock())
        url = f"{self._base}/ingest/{delivery.system}"
        try:
            response = await client.post(url, content=delivery.body, headers=headers)
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
        rejected, problems = _trouble(answer)
        if rejected or problems:
            logger.warning(
                "demo %s delivery %s: %d events rejected, problems: %.300s",
                delivery.system,
                delivery.delivery_id,
                len(rejected),
                "; ".join(problems + rejected),
            )
        by_system = dict(self.stats.by_system)
        by_system[delivery.system] = by_system.get(delivery.system, 0) + 1
        self._count(
            deliveries=1,
            duplicates_sent=int(delivery.duplicate),
            replayed=int(response.headers.get(REPLAY_HEADER) == "true"),
            rejected=len(rejected),
            problems=int(bool(problems)),
        )
        self.stats = replace(self.stats, by_system=by_system)
        return None

    def _failed(self, delivery: Delivery, reason: str, *, retry: bool) -> bool:
        self._count(failures=1)
        logger.warning(
            "demo %s delivery %s failed (attempt %d): %s",
            delivery.system,
            delivery.delivery_id,
            delivery.attempts + 1,
            reason,
        )
        return retry

    def _count(self, **increments: int) -> None:
        current = self.stats
        self.stats = replace(
            current, **{name: getattr(current, name) + n for name, n in increments.items()}
        )


def _trouble(answer: object) -> tuple[list[str], list[str]]:
    """(why each rejected event was rejected, the connector's problems with the payload)."""
    if not isinstance(answer, dict):
        return [], []
    results = answer.get("results")
    rejected = [
        str(r.get("errors"))
        for r in (results if isinstance(results, list) else [])
        if isinstance(r, dict) and r.get("status") == "rejected"
    ]
    problems = answer.get("problems")
    return rejected, [str(p) for p in problems] if isinstance(problems, list) else []
