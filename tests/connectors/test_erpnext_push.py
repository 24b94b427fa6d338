"""ERPNext webhooks through the real gateway: Frappe-signed documents in, one timeline out,
with a courier's scans linked to the order through the delivery note's lr_no."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors.erpnext import HEADER
from connectors.webhooks import signature_headers
from gateway.events import WebhookSecret
from privacy import Role
from tests.conftest import Clock, Gateway, cloud_event, make_settings, running_gateway

FIXTURES = Path(__file__).parent.parent / "fixtures" / "erpnext"
FRAPPE_SECRET = "frappe-webhook-secret-Zq81"
COURIER_SECRET = "whsec_" + "Y291cmllci1pbmhvdXNlLXNlY3JldC0wMTIzNDU2Nzg="
CONFIG = """
[connectors.erp]
type = "erpnext"
options = { timezone = "Europe/Berlin" }
secrets = { webhook_secret = "ERP_WEBHOOK_SECRET" }

[connectors.courier]
type = "cloudevents"
secrets = { secret = "COURIER_SECRET" }
"""
ORDER = "SAL-ORD-2026-00042"
TRACKING = "00340434161094042557"


@pytest.fixture
async def gw(sqlite_url: str, tmp_path: Path, clock: Clock) -> AsyncIterator[Gateway]:
    path = tmp_path / "connectors.toml"
    path.write_text(CONFIG)
    env = {"ERP_WEBHOOK_SECRET": FRAPPE_SECRET, "COURIER_SECRET": COURIER_SECRET}
    settings = make_settings(sqlite_url, tmp_path, connectors_file=path, env=env, ingest_secrets={})
    async with running_gateway(settings, clock) as gateway:
        yield gateway


async def frappe_post(gw: Gateway, body: bytes, secret: str = FRAPPE_SECRET) -> httpx.Response:
    """As Frappe posts: no content type of its own, the signature in its header."""
    digest = hmac.new(secret.encode(), body, hashlib.sha256).digest()
    headers = {HEADER: base64.b64encode(digest).decode()}
    return await gw.client.post("/ingest/erp", content=body, headers=headers)


def fixture(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


async def test_frappe_webhooks_build_one_timeline(gw: Gateway) -> None:
    first = await frappe_post(gw, fixture("so_partly_delivered_webhook.json"))
    assert first.status_code == 200, first.text
    assert first.json()["accepted"] == 2
    replay = await frappe_post(gw, fixture("so_partly_delivered_webhook.json"))
    assert replay.headers["orderlens-idempotent-replay"] == "true"
    forged = await frappe_post(gw, fixture("so_fully_delivered_webhook.json"), secret="guess")
    assert forged.status_code == 401 and "does not match" in forged.text

    note = await frappe_post(gw, fixture("dn_submitted_webhook.json"))
    assert note.json()["accepted"] == 1
    later = await frappe_post(gw, fixture("so_fully_delivered_webhook.json"))
    assert [r["status"] for r in later.json()["results"]] == ["duplicate", "accepted"]
    draft = await frappe_post(gw, fixture("so_draft_webhook.json"))
    assert draft.status_code == 200 and "draft" in draft.json()["ignored"]

    scan = cloud_event(
        "shipment.picked_up",
        f"tracking:{TRACKING}",
        time=datetime(2026, 11, 20, 17, 5, tzinfo=UTC),  # the note was posted at 15:40 UTC
        shipment={"id": TRACKING, "carrier": "dhl", "tracking_number": TRACKING},
    )
    raw = json.dumps([scan]).encode()
    headers = signature_headers(
        WebhookSecret(COURIER_SECRET), "c1", raw, int(gw.clock().timestamp())
    )
    courier = await gw.client.post(
        "/ingest/courier", content=raw, headers={**headers, "content-type": "application/json"}
    )
    assert courier.json()["accepted"] == 1  # linked at once through the note's lr_no

    query = """query ($n: String!) { order(number: $n) { status customerRef promisedDate
        lines { sku quantity } deliveryAddress { city country postalCode }
        shipments { id status carrier trackingNumber }
        timeline { edges { node { milestone source } } } } }"""
    order: dict[str, Any] = (await gw.graphql(query, {"n": ORDER}))["data"]["order"]
    assert order["status"] == "SHIPPED" and order["customerRef"] == "CUST-00017"
    assert order["promisedDate"] == "2026-11-24"
    assert [line["sku"] for line in order["lines"]] == ["WM-8KG", "SVC-INSTALL", "EXT-WARR-3Y"]
    assert order["deliveryAddress"]["city"] == "Berlin"
    # The note's shipment, now moved on by the courier (whose later scan names the carrier).
    assert order["shipments"] == [
        {
            "id": "MAT-DN-2026-00017",
            "status": "PICKED_UP",
            "carrier": "dhl",
            "trackingNumber": TRACKING,
        }
    ]
    nodes = [e["node"] for e in order["timeline"]["edges"]]
    assert [(n["milestone"], n["source"]) for n in nodes] == [
        ("placed", "erp"),
        ("label_created", "erp"),
        ("partially_shipped", "erp"),
        ("picked_up", "courier"),
        ("shipped", "erp"),
    ]


async def test_unreadable_bodies_are_dead_lettered(gw: Gateway) -> None:
    answer = await frappe_post(gw, b"name=SAL-ORD-2026-00042&status=Completed")
    assert answer.status_code == 400 and "Request Structure 'JSON'" in answer.json()["error"]
    problems = await frappe_post(gw, fixture("so_problems_webhook.json"))
    assert problems.status_code == 207 and "dead_letter_id" in problems.json()
    letters = await gw.dead_letters()
    assert len(letters) == 2 and {letter.source for letter in letters} == {"erp"}


async def test_the_address_county_is_the_district_customers_and_agents_see(gw: Gateway) -> None:
    doc = json.loads(fixture("so_partly_delivered_webhook.json"))
    doc["shipping_address"] = "Torstraße 12<br>Mitte<br>10117 Berlin<br>Germany<br>"
    doc["custom_shipping_county"] = "Mitte"  # Fetch From shipping_address_name.county
    assert (await frappe_post(gw, json.dumps(doc).encode())).json()["accepted"] == 2
    query = """query ($n: String!) {
        order(number: $n) { deliveryAddress { city district street postalCode } } }"""
    customer = await gw.graphql(query, {"n": ORDER}, as_=Role.CUSTOMER, customer_ref="CUST-00017")
    assert customer["data"]["order"]["deliveryAddress"] == {
        "city": "Berlin",
        "district": "Mitte",
        "street": "Torstraße 12",
        "postalCode": "10117",
    }
    agent = await gw.graphql(query, {"n": ORDER}, as_=Role.AGENT)
    assert agent["data"]["order"]["deliveryAddress"]["district"] == "Mitte"  # policy: clear
    assert agent["data"]["order"]["deliveryAddress"]["street"] is None  # policy: deny
