"""The in-process broker: one bounded queue per subscription, in this process only."""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Sequence
from contextlib import asynccontextmanager

from gateway.pubsub.broker import Committed

QUEUE_SIZE = 16


class MemoryBroker:
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
