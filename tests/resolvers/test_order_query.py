"""Query.order end to end: shape, pagination, receipts, and constant SQL per request."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from sqlalchemy import event

from gateway.ledger import verify_document
from tests.conftest import START, Gateway, cloud_event, placed, shipment_event

ORDER_QUERY = """
query ($number: String!, $first: Int!) {
  order(number: $number) {
    number status customerRef promisedDate carrierEstimatedDelivery placedAt eventCount
    lines { lineId sku description quantity }
    shipments { id carrier trackingNumber status statusReason
      carrierEstimate { date kind } originalCarrierEstimate { date }
      packages { id trackingNumber weightGrams } lastLocation { city country } }
    sources { source events lastOccurredAt lastReceivedAt }
    timeline(first: $first) {
      totalCount pageInfo { hasNextPage endCursor }
      edges { cursor node { id seq layer milestone title reason occurredAt receivedAt source
        visibility shipmentId raw { code text } location { city }
        receipt { format leafIndex treeSize inclusionProof checkpoint event } } }
    }
  }
}
"""


def scans(order: str, count: int) -> list[dict[str, Any]]:
    return [
        shipment_event(
            "in_transit",
            order,
            time=START + timedelta(hours=1 + i),
            reason="arrived_at_facility",
            data={"location": {"city": "Wuhan", "country": "CN"}},
        )
        for i in range(count)
    ]


async def load_order(gw: Gateway, order: str, extra_scans: int) -> None:
    label = shipment_event(
        "label_created",
        order,
        time=START + timedelta(minutes=30),
        data={
            "packages": [{"id": "PKG-1", "tracking_number": "SF1234567890", "weight_grams": 41000}],
            "edd": {"date": "2026-11-24", "kind": "scheduled"},
        },
    )
    assert (await gw.post_events("erp", [placed(order)])).status_code == 200
    batch = [label, *scans(order, extra_scans)]
    for start in range(0, len(batch), 200):
        response = await gw.post_events("courier", batch[start : start + 200])
        assert response.status_code == 200, response.text


async def test_order_query_returns_the_projection_and_timeline(gateway: Gateway) -> None:
    await load_order(gateway, "SO-000001", 3)
    answer = await gateway.graphql(ORDER_QUERY, {"number": "SO-000001", "first": 50})
    assert "errors" not in answer, answer
    order = answer["data"]["order"]
    assert order["status"] == "SHIPPED"
    assert order["customerRef"] == "CUST-0001"
    assert order["promisedDate"] == "2026-11-25"
    assert order["carrierEstimatedDelivery"] == "2026-11-24"
    assert order["lines"] == [
        {"lineId": "1", "sku": "WM-8KG", "description": "Washing machine 8 kg", "quantity": 1}
    ]
    shipment = order["shipments"][0]
    assert shipment["status"] == "IN_TRANSIT" and shipment["statusReason"] == "ARRIVED_AT_FACILITY"
    assert shipment["packages"] == [
        {"id": "PKG-1", "trackingNumber": "SF1234567890", "weightGrams": 41000}
    ]
    assert shipment["lastLocation"] == {"city": "Wuhan", "country": "CN"}
    assert {s["source"]: s["events"] for s in order["sources"]} == {"courier": 4, "erp": 1}
    edges = order["timeline"]["edges"]
    assert order["timeline"]["totalCount"] == 5 == len(edges)
    assert [e["node"]["title"] for e in edges[:2]] == ["Order placed", "Shipping label created"]
    receipts = [e["node"]["receipt"] for e in edges]
    assert len({r["treeSize"] for r in receipts}) == 1  # one checkpoint per answer
    report = verify_document(answer, gateway.runtime.signer.vkey)
    assert report.ok, report.problems


async def test_pagination_walks_the_whole_timeline(gateway: Gateway) -> None:
    await load_order(gateway, "SO-000001", 8)
    seen: list[int] = []
    after = None
    query = """query ($after: String) { order(number: "SO-000001") {
        timeline(first: 4, after: $after) { pageInfo { hasNextPage endCursor }
        edges { node { seq } } } } }"""
    while True:
        page = (await gateway.graphql(query, {"after": after}))["data"]["order"]["timeline"]
        seen += [e["node"]["seq"] for e in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert seen == list(range(1, 11))


async def test_unknown_order_is_null_and_bad_arguments_are_explained(gateway: Gateway) -> None:
    await load_order(gateway, "SO-000001", 1)
    assert (await gateway.graphql('{ order(number: "SO-404") { number } }'))["data"] == {
        "order": None
    }
    too_many = await gateway.graphql(
        '{ order(number: "SO-000001") { timeline(first: 501) { totalCount } } }'
    )
    assert too_many["errors"][0]["message"] == "first must be between 1 and 500"
    bad_cursor = await gateway.graphql(
        '{ order(number: "SO-000001") { timeline(after: "nope") { totalCount } } }'
    )
    assert "not a cursor" in bad_cursor["errors"][0]["message"]


async def test_sql_statements_per_order_query_do_not_grow_with_events(gateway: Gateway) -> None:
    await load_order(gateway, "SO-000005", 3)  # 5 events
    await load_order(gateway, "SO-000500", 498)  # 500 events

    statements: list[str] = []

    def record(conn: Any, cursor: Any, statement: str, *args: Any) -> None:
        if statement != "BEGIN":  # SQLite's explicit transaction start, not a query
            statements.append(statement)

    engine = gateway.runtime.engine.sync_engine
    counts = {}
    event.listen(engine, "before_cursor_execute", record)
    try:
        for number, size in (("SO-000005", 5), ("SO-000500", 500)):
            await gateway.runtime.cache.clear()
            statements.clear()
            answer = await gateway.graphql(ORDER_QUERY, {"number": number, "first": 500})
            assert "errors" not in answer, answer["errors"]
            assert len(answer["data"]["order"]["timeline"]["edges"]) == size
            counts[size] = len(statements)
    finally:
        event.remove(engine, "before_cursor_execute", record)
    assert counts[5] == counts[500], counts
    # order, shipments, personal data (contacts, deliveries), source freshness, timeline
    # page, checkpoint, Merkle nodes
    assert counts[5] == 8, statements


async def test_verification_bundle_and_log_fields(gateway: Gateway) -> None:
    await load_order(gateway, "SO-000001", 2)
    await gateway.post_events(
        "erp", [cloud_event("order.payment_captured", time=START + timedelta(minutes=5))]
    )
    answer = await gateway.graphql(
        '{ order(number: "SO-000001") { verificationBundle } '
        "log { origin publicKey checkpoint { treeSize rootHash note } } }"
    )
    bundle = answer["data"]["order"]["verificationBundle"]
    log = answer["data"]["log"]
    assert bundle["format"] == "orderlens.timeline/v1"
    assert [e["event"]["data"]["seq"] for e in bundle["events"]] == [1, 2, 3, 4, 5]
    assert log["checkpoint"]["treeSize"] == bundle["tree_size"] == 5
    assert verify_document(bundle, log["publicKey"]).ok


async def test_consistency_proof_between_checkpoints(gateway: Gateway) -> None:
    from gateway.ledger import merkle

    await load_order(gateway, "SO-000001", 1)  # checkpoints at 1 and 3
    await load_order(gateway, "SO-000002", 4)  # checkpoints at 4 and 9
    answer = await gateway.graphql(
        "{ consistencyProof(fromSize: 3, toSize: 9) "
        "{ fromSize toSize proof fromCheckpoint toCheckpoint } }"
    )
    proof = answer["data"]["consistencyProof"]
    import base64

    from gateway.ledger import NoteVerifier, open_checkpoint

    verifier = NoteVerifier.from_vkey(gateway.runtime.signer.vkey)
    old = open_checkpoint(proof["fromCheckpoint"], verifier, gateway.runtime.signer.name)
    new = open_checkpoint(proof["toCheckpoint"], verifier, gateway.runtime.signer.name)
    merkle.verify_consistency(
        3, 9, old.root, new.root, [base64.b64decode(p) for p in proof["proof"]]
    )
    bad = await gateway.graphql("{ consistencyProof(fromSize: 2, toSize: 6) { proof } }")
    assert "toSize 6 is not the size of a signed checkpoint" in bad["errors"][0]["message"]
