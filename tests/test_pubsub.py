"""The broker reads only the order number of a committed event (its `Committed` port), so it
sits below the timeline: anything with an `order_number` wakes that order's subscribers."""

from __future__ import annotations

from dataclasses import dataclass

from gateway.pubsub import MemoryBroker


@dataclass(frozen=True)
class Committed:
    order_number: str


async def test_a_commit_wakes_the_subscribers_of_its_orders_once_each() -> None:
    broker = MemoryBroker()
    async with broker.subscribe("SO-1") as first, broker.subscribe("SO-2") as other:
        await broker.on_commit([Committed("SO-1"), Committed("SO-1"), Committed("SO-3")])
        assert first.qsize() == 1 and first.get_nowait() == "SO-1"
        assert other.empty()
    assert broker.subscribers("SO-1") == 0
