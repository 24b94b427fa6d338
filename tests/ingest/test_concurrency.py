"""Concurrent ingestion: one writer, gap-free chains, batches signed together."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from gateway.ledger import verify_document
from tests.conftest import START, Gateway, shipment_event


async def test_concurrent_requests_for_one_order_form_one_gap_free_chain(gateway: Gateway) -> None:
    batches = [
        [shipment_event("in_transit", time=START + timedelta(minutes=10 * i + j)) for j in range(3)]
        for i in range(15)
    ]
    responses = await asyncio.gather(*(gateway.post_events("courier", b) for b in batches))
    assert all(r.status_code == 200 for r in responses)
    answer = await gateway.graphql('{ order(number: "SO-000001") { verificationBundle } }')
    bundle = answer["data"]["order"]["verificationBundle"]
    assert [e["event"]["data"]["seq"] for e in bundle["events"]] == list(range(1, 46))
    assert verify_document(bundle, gateway.runtime.signer.vkey).ok
    # Group commit: concurrent requests share checkpoints instead of one per request.
    assert gateway.runtime.sequencer.batches_committed < len(batches)
