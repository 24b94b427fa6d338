"""POST /ingest/events: every kind of bad delivery gets the right status and nothing is lost."""

from __future__ import annotations

import json
from datetime import timedelta

from sqlalchemy import func, select

from gateway.db.tables import dead_letters, events
from gateway.events import WebhookSecret
from gateway.ledger import verify_document
from tests.conftest import START, Gateway, cloud_event, placed, shipment_event


async def count(gw: Gateway, table: object) -> int:
    async with gw.runtime.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)))  # type: ignore[arg-type]


async def test_accepted_event_comes_back_with_a_verifiable_receipt(gateway: Gateway) -> None:
    response = await gateway.post_events("erp", [placed()])
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["accepted"], body["duplicate"], body["rejected"]) == (1, 0, 0)
    result = body["results"][0]
    assert result["status"] == "accepted" and result["id"].startswith("evt-")
    receipt = result["receipt"]
    assert receipt["event"]["data"]["seq"] == 1 and receipt["event"]["data"]["prev"] is None
    assert receipt["event"]["source"] == "erp"  # the authenticated source, not a claim
    report = verify_document(receipt, gateway.runtime.signer.vkey)
    assert report.ok, report.problems


async def test_redelivered_event_is_a_duplicate_with_the_original_receipt(gateway: Gateway) -> None:
    event = placed(id="erp-42")
    first = (await gateway.post_events("erp", [event])).json()["results"][0]
    again = await gateway.post_events("erp", [event])  # new webhook-id, same event id
    assert again.status_code == 200
    result = again.json()["results"][0]
    assert result["status"] == "duplicate"
    assert result["event_id"] == first["event_id"]
    assert result["receipt"]["leaf_index"] == first["receipt"]["leaf_index"]
    assert await count(gateway, events) == 1


async def test_same_event_id_from_another_source_is_a_different_event(gateway: Gateway) -> None:
    await gateway.post_events("erp", [placed(id="shared-1")])
    response = await gateway.post_events(
        "wms", [cloud_event("order.allocated", id="shared-1", time=START + timedelta(hours=1))]
    )
    assert response.json()["results"][0]["status"] == "accepted"
    assert await count(gateway, events) == 2


async def test_replayed_webhook_id_answers_the_stored_response(gateway: Gateway) -> None:
    body = [placed()]
    first = await gateway.post_events("erp", body, webhook_id="msg_once")
    replay = await gateway.post_events("erp", body, webhook_id="msg_once")
    assert replay.status_code == first.status_code == 200
    assert replay.json() == first.json()
    assert replay.headers["orderlens-idempotent-replay"] == "true"
    assert await count(gateway, events) == 1


async def test_webhook_id_reused_for_another_body_is_a_conflict(gateway: Gateway) -> None:
    await gateway.post_events("erp", [placed()], webhook_id="msg_x")
    response = await gateway.post_events("erp", [placed("SO-000002")], webhook_id="msg_x")
    assert response.status_code == 409
    assert "different body" in response.json()["error"]
    assert await count(gateway, events) == 1


async def test_old_signature_is_refused_as_a_replay(gateway: Gateway) -> None:
    stale = gateway.clock() - timedelta(minutes=6)
    response = await gateway.post_events("erp", [placed()], timestamp=stale)
    assert response.status_code == 401
    assert "timestamp" in response.json()["error"]
    assert await count(gateway, events) == 0


async def test_unsigned_and_wrongly_signed_requests_are_refused(gateway: Gateway) -> None:
    body = json.dumps([placed()]).encode()
    unsigned = await gateway.client.post(
        "/ingest/events", content=body, headers={"content-type": "application/json"}
    )
    assert unsigned.status_code == 401
    assert "webhook-id" in unsigned.json()["error"]
    stranger = WebhookSecret.generate()
    wrong = await gateway.post_events("erp", [placed()], secret=stranger)
    assert wrong.status_code == 401
    assert "signature" in wrong.json()["error"]
    assert stranger.encoded not in wrong.text
    assert await count(gateway, events) == 0


async def test_garbage_signature_header_is_a_clean_401(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/ingest/events",
        content=b"[]",
        headers={
            "content-type": "application/json",
            "webhook-id": "msg_1",
            "webhook-timestamp": str(int(gateway.clock().timestamp())),
            "webhook-signature": "garbage",
        },
    )
    assert response.status_code == 401


async def test_malformed_json_is_kept_as_a_dead_letter(gateway: Gateway) -> None:
    response = await gateway.post_events("erp", b'[{"specversion": "1.0",')
    assert response.status_code == 400
    body = response.json()
    assert "not valid JSON" in body["error"]
    async with gateway.runtime.engine.connect() as conn:
        letter = (await conn.execute(select(dead_letters))).one()
    assert letter.id == body["dead_letter_id"]
    assert b"specversion" not in letter.payload.data  # sealed at rest
    [kept] = await gateway.dead_letters()
    assert kept.payload == b'[{"specversion": "1.0",'
    assert letter.source == "erp" and letter.status == "pending"


async def test_invalid_event_names_the_field_and_is_dead_lettered(gateway: Gateway) -> None:
    bad = placed()
    bad["data"]["customer_name"] = "Zhang Wei"
    response = await gateway.post_events("erp", [bad])
    assert response.status_code == 422
    result = response.json()["results"][0]
    assert result["status"] == "rejected"
    assert any(e.startswith("data.customer_name: unknown field") for e in result["errors"])
    assert await count(gateway, events) == 0
    assert await count(gateway, dead_letters) == 1


async def test_mixed_batch_is_207_with_per_event_results(gateway: Gateway) -> None:
    missing_lines = cloud_event("order.placed", "SO-000009", customer_ref="C-1")
    wrong_type = cloud_event("order.teleported")
    response = await gateway.post_events("erp", [placed(), missing_lines, wrong_type])
    assert response.status_code == 207
    results = response.json()["results"]
    assert [r["status"] for r in results] == ["accepted", "rejected", "rejected"]
    assert "data.lines: required on order.placed" in results[1]["errors"]
    assert "unknown order milestone 'teleported'" in results[2]["errors"][0]
    assert await count(gateway, dead_letters) == 2


async def test_out_of_order_events_are_all_kept_and_slot_into_place(gateway: Gateway) -> None:
    await gateway.post_events("erp", [placed()])
    late = START + timedelta(days=2)
    delivered = shipment_event("delivered", time=late, reason="delivered_signed")
    in_transit = shipment_event("in_transit", time=late - timedelta(days=1))
    assert (await gateway.post_events("courier", [delivered])).status_code == 200
    assert (await gateway.post_events("courier", [in_transit])).status_code == 200
    answer = await gateway.graphql(
        '{ order(number: "SO-000001") { status shipments { status } '
        "timeline { edges { node { seq milestone } } } } }"
    )
    order = answer["data"]["order"]
    assert order["status"] == "DELIVERED"
    assert order["shipments"][0]["status"] == "DELIVERED"
    timeline = [(e["node"]["milestone"], e["node"]["seq"]) for e in order["timeline"]["edges"]]
    assert timeline == [("placed", 1), ("in_transit", 3), ("delivered", 2)]


async def test_backwards_milestone_without_exception_is_rejected(gateway: Gateway) -> None:
    await gateway.post_events("courier", [shipment_event("delivered", time=START)])
    regress = shipment_event("in_transit", time=START + timedelta(hours=3))
    response = await gateway.post_events("courier", [regress])
    assert response.status_code == 422
    error = response.json()["results"][0]["errors"][0]
    assert "delivered is final" in error or "backwards" in error
    assert await count(gateway, dead_letters) == 1


async def test_exception_edge_allows_going_back(gateway: Gateway) -> None:
    steps = [
        "out_for_delivery",
        "delivery_attempted",
        "in_transit",
        "out_for_delivery",
        "delivered",
    ]
    batch = [shipment_event(m, time=START + timedelta(hours=i)) for i, m in enumerate(steps)]
    response = await gateway.post_events("courier", batch)
    assert response.status_code == 200, response.json()
    assert [r["status"] for r in response.json()["results"]] == ["accepted"] * 5


async def test_wrong_media_type_and_oversized_body(gateway: Gateway) -> None:
    wrong = await gateway.post_events("erp", [placed()], content_type="text/plain")
    assert wrong.status_code == 415
    huge = b"[" + b" " * (1024 * 1024 + 1) + b"]"
    big = await gateway.post_events("erp", huge)
    assert big.status_code == 413
    assert await count(gateway, events) == 0


async def test_duplicate_inside_one_batch_is_logged_once(gateway: Gateway) -> None:
    event = placed(id="dup-in-batch")
    response = await gateway.post_events("erp", [event, event])
    statuses = [r["status"] for r in response.json()["results"]]
    assert statuses == ["accepted", "duplicate"]
    assert await count(gateway, events) == 1
