"""What the audit operations need of the running process, and nothing more."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Protocol

from gateway.db import Writer
from gateway.pubsub import Broker
from gateway.sequencer import Sequencer


class ErasureHandles(Protocol):
    """Erasing a customer: shred in one write transaction, record through the sequencer, wake
    the live subscriptions of the orders it touched."""

    @property
    def clock(self) -> Callable[[], datetime]: ...
    @property
    def writer(self) -> Writer: ...
    @property
    def sequencer(self) -> Sequencer: ...
    @property
    def broker(self) -> Broker: ...
