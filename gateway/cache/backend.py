"""aiocache set-up: in memory by default, Redis when ORDERLENS_CACHE_URL says redis://.

Only immutable data is cached today (stored Merkle nodes never change once written), so a
cache shared by several replicas needs no invalidation. Keys are always built explicitly with
a namespace, never from `str(args)`; values are JSON (never pickle: a shared Redis must not be
able to run code in the gateway).
"""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

from aiocache import BaseCache, Cache
from aiocache.serializers import JsonSerializer

NAMESPACE = "orderlens"


def create_cache(url: str) -> BaseCache:
    """`memory://` or `redis://host:port/db`; `?namespace=NAME` keeps gateways (or test runs)
    that share one Redis out of each other's keys."""
    parts = urlsplit(url)
    namespace = parse_qs(parts.query).get("namespace", [NAMESPACE])[0]
    if parts.scheme == "memory":
        return Cache(Cache.MEMORY, namespace=namespace, serializer=JsonSerializer())
    if parts.scheme in {"redis", "rediss"}:
        db = int(parts.path.lstrip("/") or 0)
        return Cache(
            Cache.REDIS,
            endpoint=parts.hostname or "127.0.0.1",
            port=parts.port or 6379,
            db=db,
            password=parts.password,
            namespace=namespace,
            serializer=JsonSerializer(),
        )
    raise ValueError(f"unsupported cache URL scheme {parts.scheme!r}: use memory:// or redis://")


async def close_cache(cache: BaseCache) -> None:
    client = getattr(cache, "client", None)
    if client is not None and hasattr(client, "aclose"):
        # aiocache 0.12 closes its Redis client with the API redis-py deprecated in 5.0.1.
        await client.aclose()
    else:
        await cache.close()
