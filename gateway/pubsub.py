"""Fan-out of "this order changed" signals to subscriptions.

In-process today: the sequencer publishes after each commit and every subscription of an
affected order wakes up, re-authorizes and re-reads. A message carries only an order number,
never data, so a Redis pub/sub broker for several replicas can replace this one unchanged.
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager
from typing import Protocol

QUEUE_SIZE = 16


class Committed(Protocol):
    """All the broker reads of a committed event, so it sits below the timeline it signals."""

    @property
    def order_number(self) -> str: ...


class Broker:
    def __init__(self) -> None:
        self._queues: dict[str, set[asyncio.Queue[str]]] = defaultdict(set)

    def publish_orders(self, order_numbers: Iterable[str]) -> None:
        for number in set(order_numbers):
            for queue in list(self._queues.get(number, ())):
                if queue.full():
                    # A slow subscriber only needs to know that something changed.
                    continue
                queue.put_nowait(number)

    async def on_commit(self, events: Sequence[Committed]) -> None:
        self.publish_orders(event.order_number for event in events)

    @asynccontextmanager
    async def subscribe(self, order_number: str) -> AsyncIterator[asyncio.Queue[str]]:
        queue: asyncio.Queue[str] = asyncio.Queue(QUEUE_SIZE)
        self._queues[order_number].add(queue)
        try:
            yield queue
        finally:
            self._queues[order_number].discard(queue)
            if not self._queues[order_number]:
                del self._queues[order_number]

    def subscribers(self, order_number: str) -> int:
        return len(self._queues.get(order_number, ()))
