"""One order assembled from an ERP (ERPNext webhook), a WMS (ShipHero webhook) and a courier
(UPS Track API, pulled by the gateway's own runner from a local server speaking UPS): one
coherent timeline, each event naming its source, the courier's scans on the WMS's shipment."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.erpnext import sign as frappe_sign
from connectors.shiphero import sign as shiphero_sign
from tests.conftest import Clock, Gateway, make_settings, running_gateway
from tests.connectors.test_ups_client import CLIENT_ID, CLIENT_SECRET, FakeUps, Reply

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
TRACKING = "1Z999AA10123456795"
CONFIG = """
[connectors.erp]
type = "erpnext"
options = {{ timezone = "Asia/Shanghai" }}
secrets = {{ webhook_secret = "ERP_SECRET" }}

[connectors.wms]
type = "shiphero"
secrets = {{ webhook_secret = "WMS_SECRET" }}

[connectors.ups]
type = "ups"
pull_every = 5
options = {{ base_url = "{base_url}", client_id = "{client_id}" }}
secrets = {{ client_secret = "UPS_SECRET" }}
"""
ENV = {"ERP_SECRET": "frappe-secret", "WMS_SECRET": "shiphero-secret", "UPS_SECRET": CLIENT_SECRET}


def fixture(source: str, name: str) -> Any:
    return json.loads((FIXTURES / source / f"{name}.json").read_text())


def sales_order() -> dict[str, Any]:
    """A submitted Sales Order, two days before the parcel left (times in Shanghai)."""
    document: dict[str, Any] = fixture("erpnext", "so_submitted_rest")["data"]
    document.update(creation="2025-06-11 09:00:00", modified="2025-06-11 09:00:05")
    document.update(transaction_date="2025-06-11", delivery_date="2025-06-16")
    return document


def shipment_update(order: str) -> dict[str, Any]:
    """ShipHero's Shipment Update for that order: one UPS parcel."""
    update: dict[str, Any] = fixture("shiphero", "shipment_update_last_package")
    fulfillment = update["fulfillment"]
    fulfillment.update(partner_order_id=order, created_at="2025-06-13 08:00:00")
    fulfillment.update(shipping_carrier="UPS", tracking_number=TRACKING)
    fulfillment.update(package_number=1, total_packages=1)
    update["total_packages"] = 1
    package = update["packages"][0]
    package.update(tracking_number=TRACKING, shipping_carrier="UPS")
    update["packages"] = [package]
    return update


@pytest.fixture
async def ups() -> AsyncIterator[FakeUps]:
    server = FakeUps()
    server.tracks = {
        TRACKING: Reply(200, (FIXTURES / "ups" / "delivered_signed.json").read_bytes())
    }
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def gw(
    database_url: str, tmp_path: Path, clock: Clock, ups: FakeUps
) -> AsyncIterator[Gateway]:
    path = tmp_path / "connectors.toml"
    path.write_text(CONFIG.format(base_url=ups.base_url, client_id=CLIENT_ID))
    settings = make_settings(
        database_url, tmp_path, connectors_file=path, env=ENV, ingest_secrets={}
    )
    async with running_gateway(settings, clock) as gateway:
        yield gateway


async def post(gw: Gateway, path: str, body: bytes, headers: dict[str, str]) -> httpx.Response:
    response = await gw.client.post(
        path, content=body, headers={"content-type": "application/json", **headers}
    )
    assert response.status_code == 200, response.text
    return response


TIMELINE = """query($n: String!) { order(number: $n) {
  status
  sources { source lastSyncedAt stale }
  shipments { id carrier trackingNumber status proofOfDelivery { signerName } }
  timeline { edges { node { layer milestone source shipmentId occurredAt raw { code } } } }
  verificationBundle } }"""


async def test_one_order_from_erp_wms_and_courier_reads_as_one_timeline(
    gw: Gateway, ups: FakeUps
) -> None:
    order = sales_order()
    number = order["name"]
    erp_body = json.dumps(order).encode()
    await post(
        gw,
        "/ingest/erp",
        erp_body,
        {"X-Frappe-Webhook-Signature": frappe_sign("frappe-secret", erp_body)},
    )
    wms_body = json.dumps(shipment_update(number)).encode()
    wms_headers = {"x-shiphero-hmac-sha256": shiphero_sign(b"shiphero-secret", wms_body)}
    await post(gw, "/ingest/wms", wms_body, {**wms_headers, "x-shiphero-message-id": "m-1"})

    # The runner learns the open UPS number from the WMS's shipment and pulls its scans.
    answer: dict[str, Any] = {}
    for _ in range(150):
        answer = (await gw.graphql(TIMELINE, {"n": number}))["data"]["order"]
        if answer["status"] == "DELIVERED":
            break
        await asyncio.sleep(0.05)
    assert answer["status"] == "DELIVERED", answer["status"]
    assert ups.track_calls(), "the gateway never pulled UPS"

    nodes = [edge["node"] for edge in answer["timeline"]["edges"]]
    sources = [n["source"] for n in nodes]
    assert sources[0] == "erp" and {"erp", "wms", "ups"} == set(sources)
    times = [n["occurredAt"] for n in nodes]
    assert times == sorted(times)  # one chronology across the three systems
    [shipment] = answer["shipments"]
    assert shipment["trackingNumber"] == TRACKING and shipment["carrier"] == "ups"
    assert {n["shipmentId"] for n in nodes if n["layer"] == "SHIPMENT"} == {shipment["id"]}
    assert all(n["raw"] and n["raw"]["code"] for n in nodes if n["source"] == "ups")
    assert shipment["proofOfDelivery"]["signerName"]  # sealed on arrival, shown masked
    assert {s["source"] for s in answer["sources"]} == {"erp", "wms", "ups"}
    assert all(s["lastSyncedAt"] and not s["stale"] for s in answer["sources"])

    health = await gw.graphql("{ sources { id mode breaker lastError consecutiveFailures } }")
    by_id = {h["id"]: h for h in health["data"]["sources"]}
    assert by_id["ups"]["mode"] == "pull every 5 s" and by_id["ups"]["breaker"] == "closed"
    assert by_id["ups"]["lastError"] is None and by_id["ups"]["consecutiveFailures"] == 0
    assert by_id["erp"]["breaker"] is None  # pushed: no runner state

    bundle = answer["verificationBundle"]
    from gateway.ledger import verify_document

    assert verify_document(bundle, gw.runtime.signer.vkey).ok
