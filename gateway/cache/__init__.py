"""The cache: an aiocache backend (memory or Redis) and the keys written into it."""

from gateway.cache import keys
from gateway.cache.backend import NAMESPACE, close_cache, create_cache

__all__ = ["NAMESPACE", "close_cache", "create_cache", "keys"]
