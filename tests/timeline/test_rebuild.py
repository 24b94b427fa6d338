"""`orderlens rebuild` replays the log and reproduces the projections exactly."""

from __future__ import annotations

import random
from datetime import timedelta
from typing import Any

from sqlalchemy import select, update

from gateway.db.tables import events, orders
from gateway.timeline.rebuild import rebuild
from tests.conftest import START, Gateway, cloud_event, placed, shipment_event


def order_story(number: str, rng: random.Random) -> list[tuple[str, dict[str, Any]]]:
    t = START + timedelta(hours=rng.randint(0, 48))
    steps: list[tuple[str, dict[str, Any]]] = [
        ("erp", placed(number, time=t)),
        ("erp", cloud_event("order.payment_captured", number, time=t + timedelta(minutes=3))),
        ("wms", cloud_event("order.packed", number, time=t + timedelta(hours=2))),
        (
            "wms",
            shipment_event(
                "label_created",
                number,
                time=t + timedelta(hours=3),
                data={"edd": {"date": "2026-11-26", "kind": "scheduled"}},
            ),
        ),
    ]
    for hour in range(rng.randint(0, 4)):
        steps.append(
            ("courier", shipment_event("in_transit", number, time=t + timedelta(hours=5 + hour)))
        )
    if rng.random() < 0.5:
        steps.append(("courier", shipment_event("delivered", number, time=t + timedelta(days=2))))
    return steps


async def test_rebuild_reproduces_projections_after_shuffled_delivery(gateway: Gateway) -> None:
    rng = random.Random(11)
    deliveries = [step for n in range(12) for step in order_story(f"SO-{n:06d}", rng)]
    rng.shuffle(deliveries)  # events arrive out of order, across sources
    for source, event in deliveries:
        response = await gateway.post_events(source, [event])
        assert response.status_code == 200, response.text

    report = await rebuild(gateway.runtime.engine)
    assert report.identical, report.differences + report.chain_problems
    assert (report.orders, report.events) == (12, len(deliveries))


async def test_rebuild_reports_a_tampered_projection_and_fixes_it(gateway: Gateway) -> None:
    await gateway.post_events("erp", [placed("SO-000001")])
    async with gateway.runtime.engine.begin() as conn:
        await conn.execute(update(orders).values(status="delivered"))
    first = await rebuild(gateway.runtime.engine)
    assert first.differences == ["order SO-000001: differs in status"]
    second = await rebuild(gateway.runtime.engine)
    assert second.identical


async def test_rebuild_detects_a_tampered_event_document(gateway: Gateway) -> None:
    await gateway.post_events("erp", [placed("SO-000001")])
    await gateway.post_events(
        "wms", [cloud_event("order.packed", "SO-000001", time=START + timedelta(hours=1))]
    )
    async with gateway.runtime.engine.begin() as conn:
        document = await conn.scalar(select(events.c.document).where(events.c.seq == 2))
        assert document is not None
        await conn.execute(
            update(events)
            .where(events.c.seq == 2)
            .values(document=document.replace("packed", "picked"))
        )
    report = await rebuild(gateway.runtime.engine)
    assert "order SO-000001 seq 2: document does not match its leaf hash" in report.chain_problems
