"""Merkle nodes cached in memory or Redis: receipts stay correct, even with a poisoned cache."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway.ledger import verify_document
from tests.conftest import REDIS_URL, Clock, Gateway, make_settings, require_server, running_gateway
from tests.resolvers.test_order_query import load_order

RECEIPTS = """{ order(number: "SO-000001") { timeline(first: 100) { edges { node {
    receipt { format leafIndex treeSize inclusionProof checkpoint event } } } } } }"""


@pytest.fixture(params=["memory", "redis"])
async def cached_gateway(
    request: pytest.FixtureRequest, sqlite_url: str, tmp_path: Path, clock: Clock
) -> AsyncIterator[Gateway]:
    cache_url = "memory://"
    if request.param == "redis":
        require_server("Redis", "127.0.0.1", 6379)
        cache_url = REDIS_URL
    settings = make_settings(sqlite_url, tmp_path, cache_url=cache_url)
    async with running_gateway(settings, clock) as gw:
        await gw.runtime.cache.clear()
        yield gw
        await gw.runtime.cache.clear()


async def test_cached_nodes_serve_the_same_verifiable_receipts(cached_gateway: Gateway) -> None:
    await load_order(cached_gateway, "SO-000001", 20)
    cold = await cached_gateway.graphql(RECEIPTS)
    warm = await cached_gateway.graphql(RECEIPTS)
    assert cold == warm
    assert verify_document(warm, cached_gateway.runtime.signer.vkey).ok
    # The cache really holds the nodes now.
    assert await cached_gateway.runtime.cache.get("log-node:0:0") is not None


async def test_a_poisoned_cache_never_reaches_a_receipt(cached_gateway: Gateway) -> None:
    await load_order(cached_gateway, "SO-000001", 20)
    await cached_gateway.graphql(RECEIPTS)  # fill the cache
    cache = cached_gateway.runtime.cache
    for level in range(6):
        for index in range(40):
            if await cache.get(f"log-node:{level}:{index}") is not None:
                await cache.set(f"log-node:{level}:{index}", "00" * 32)
    answer = await cached_gateway.graphql(RECEIPTS)
    assert "errors" not in answer
    report = verify_document(answer, cached_gateway.runtime.signer.vkey)
    assert report.ok, report.problems
