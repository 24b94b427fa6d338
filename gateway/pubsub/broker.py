"""What a broker of "this order changed" signals does, whatever carries them.

The sequencer publishes after each commit and every subscription of an affected order wakes
up, re-authorizes and re-reads. A message carries only an order number, never data, so a
broker across replicas (Redis pub/sub) fits behind the same Protocol.
"""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from contextlib import AbstractAsyncContextManager
from typing import Protocol


class Committed(Protocol):
    """All the broker reads of a committed event, so it sits below the timeline it signals."""

    @property
    def order_number(self) -> str: ...


class Broker(Protocol):
    def publish_orders(self, order_numbers: Iterable[str]) -> None: ...

    async def on_commit(self, events: Sequence[Committed]) -> None: ...

    def subscribe(self, order_number: str) -> AbstractAsyncContextManager[asyncio.Queue[str]]: ...

    def subscribers(self, order_number: str) -> int: ...
