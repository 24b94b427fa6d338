"""Fan-out of "this order changed" signals to live subscriptions."""

from gateway.pubsub.broker import Broker, Committed
from gateway.pubsub.memory import QUEUE_SIZE, MemoryBroker

__all__ = ["QUEUE_SIZE", "Broker", "Committed", "MemoryBroker"]
