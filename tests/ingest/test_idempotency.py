"""The one idempotency store: a repeated request gets its stored answer, a reused key a
conflict, and any scope (not only a source) can keep its answers in it."""

from __future__ import annotations

from gateway.ingest import IdempotencyStore, KeyReused, StoredAnswer, fingerprint
from tests.conftest import Gateway


async def test_a_stored_answer_comes_back_for_the_same_request_only(gateway: Gateway) -> None:
    store = IdempotencyStore(gateway.runtime.writer)
    request = fingerprint(b'{"slot": "2026-01-05T09:00"}')
    assert await store.recall("services:book", "key-1", request) is None

    answer = StoredAnswer(201, '{"booking":"B-1"}')
    await store.remember("services:book", "key-1", request, answer, gateway.clock())
    assert await store.recall("services:book", "key-1", request) == answer
    other = fingerprint(b'{"slot": "2026-01-05T10:00"}')
    assert await store.recall("services:book", "key-1", other) == KeyReused()
    assert await store.recall("erp", "key-1", request) is None  # keys are per scope


async def test_remembering_twice_keeps_the_first_answer(gateway: Gateway) -> None:
    store = IdempotencyStore(gateway.runtime.writer)
    request = fingerprint(b"body")
    await store.remember("erp", "d-1", request, StoredAnswer(200, "{}"), gateway.clock())
    # A concurrent retry of the same request finishing second: no error, first answer kept.
    await store.remember("erp", "d-1", request, StoredAnswer(207, "[]"), gateway.clock())
    assert await store.recall("erp", "d-1", request) == StoredAnswer(200, "{}")


def test_the_fingerprint_is_the_sha256_of_the_request() -> None:
    assert fingerprint(b"").hex().startswith("e3b0c442")
    assert fingerprint(b"a") != fingerprint(b"b")
