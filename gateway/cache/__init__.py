"""The cache: an aiocache backend (memory or Redis) and the keys written into it."""

from gateway.cache import keys
from gateway.cache.backend import NAMESPACE, close_cache, create_cache
from gateway.cache.counters import Counters, MemoryCounters

__all__ = [
    "NAMESPACE",
    "Counters",
    "MemoryCounters",
    "close_cache",
    "create_cache",
    "keys",
]
