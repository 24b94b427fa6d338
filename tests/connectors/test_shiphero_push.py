"""ShipHero signatures (`x-shiphero-hmac-sha256`), and a ShipHero instance behind
POST /ingest/{id}: verified, deduplicated, and linking a courier's scans by tracking number."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from connectors import SignatureError, Verified
from connectors.shiphero import CONNECTOR, MESSAGE_ID_HEADER, SIGNATURE_HEADER, ShipHeroConfig, sign
from connectors.webhooks import signature_headers
from gateway.events import WebhookSecret
from tests.conftest import (
    SECRETS,
    Clock,
    Gateway,
    cloud_event,
    make_settings,
    placed,
    running_gateway,
)

FIXTURES = Path(__file__).parent.parent / "fixtures" / "shiphero"
SECRET = "shiphero-test-secret-3f9a1c"  # shared_signature_secret of "Shipment Update"
OTHER = "shiphero-test-secret-for-order-allocated"
CONFIG = ShipHeroConfig.model_validate({"webhook_secret": f"{SECRET}, {OTHER}"})
BODY = (FIXTURES / "shipment_update_partial.json").read_bytes()
NOW = datetime(2026, 11, 21, 12, 0, tzinfo=UTC)


def independent_signature(secret: str, body: bytes) -> str:
    """As in ShipHero's own Python sample: base64 of HMAC-SHA256 keyed with the secret."""
    digest = hmac.new(secret.encode(), msg=body, digestmod=hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def verify(headers: dict[str, str], body: bytes = BODY) -> Verified:
    return CONNECTOR.verify(CONFIG, headers, body, NOW)


def refused(headers: dict[str, str], body: bytes = BODY) -> str:
    with pytest.raises(SignatureError) as info:
        verify(headers, body)
    message = str(info.value)
    assert SECRET not in message and OTHER not in message
    return message


def test_a_valid_signature_verifies_under_any_configured_secret() -> None:
    assert sign(SECRET.encode(), BODY) == independent_signature(SECRET, BODY)
    headers = {"X-Shiphero-Hmac-Sha256": independent_signature(SECRET, BODY)}
    assert verify(headers) == Verified(delivery_id=None)  # no message id: body hash dedups
    other = {SIGNATURE_HEADER: independent_signature(OTHER, BODY), "X-Shiphero-Message-ID": "m-1"}
    assert verify(other) == Verified(delivery_id="m-1")


def test_no_timestamp_means_no_replay_window() -> None:
    """Documented property of ShipHero's scheme: an old delivery still verifies; dedup on the
    message id (or body hash) and deterministic event ids are what make replays harmless."""
    headers = {SIGNATURE_HEADER: sign(SECRET.encode(), BODY), MESSAGE_ID_HEADER: "m-1"}
    year_later = CONNECTOR.verify(CONFIG, headers, BODY, NOW + timedelta(days=365))
    assert year_later == Verified(delivery_id="m-1")


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "missing header x-shiphero-hmac-sha256"),
        ({SIGNATURE_HEADER: "not base64!"}, "is not base64"),
        ({SIGNATURE_HEADER: base64.b64encode(b"short").decode()}, "not an HMAC-SHA256 digest"),
        ({SIGNATURE_HEADER: sign(b"someone-else", BODY)}, "does not match the body"),
    ],
)
def test_bad_signatures_are_refused_without_echoing_secrets(
    headers: dict[str, str], message: str
) -> None:
    assert message in refused(headers)


def test_a_tampered_body_or_bad_message_id_is_refused() -> None:
    signature = {SIGNATURE_HEADER: sign(SECRET.encode(), BODY)}
    assert "does not match" in refused(signature, BODY.replace(b"UPS", b"DHL"))
    assert "printable ASCII" in refused(signature | {MESSAGE_ID_HEADER: "m\n1"})
    assert "printable ASCII" in refused(signature | {MESSAGE_ID_HEADER: "m" * 257})


def test_config_keeps_secrets_out_of_repr_and_errors() -> None:
    assert SECRET not in repr(CONFIG) and SECRET not in str(CONFIG.model_dump())
    assert CONFIG.secrets() == [SECRET.encode(), OTHER.encode()]
    with pytest.raises(ValueError, match="non-empty secrets") as info:
        ShipHeroConfig.model_validate({"webhook_secret": f"{SECRET},,"})
    assert SECRET not in str(info.value)


# -- behind the gateway ------------------------------------------------------------------

COURIER_SECRET = "whsec_" + "Y291cmllci1wdXNoLXRlc3Qtc2VjcmV0LTAxMjM0NQ=="
TOML = """
[connectors.wms]
type = "shiphero"
secrets = { webhook_secret = "SHIPHERO_SECRETS" }

[connectors.courier]
type = "cloudevents"
secrets = { secret = "COURIER_SECRET" }
"""


@pytest.fixture
async def gw(sqlite_url: str, tmp_path: Path, clock: Clock) -> AsyncIterator[Gateway]:
    path = tmp_path / "connectors.toml"
    path.write_text(TOML)
    env = {"SHIPHERO_SECRETS": f"{SECRET},{OTHER}", "COURIER_SECRET": COURIER_SECRET}
    erp_only = {"erp": SECRETS["erp"]}  # wms and courier are connector instances here
    settings = make_settings(
        sqlite_url, tmp_path, connectors_file=path, env=env, ingest_secrets=erp_only
    )
    async with running_gateway(settings, clock) as gateway:
        yield gateway


async def post_shiphero(
    gw: Gateway, body: bytes, message_id: str | None, secret: str = SECRET
) -> httpx.Response:
    headers = {SIGNATURE_HEADER: sign(secret.encode(), body), "content-type": "application/json"}
    if message_id:
        headers[MESSAGE_ID_HEADER] = message_id
    return await gw.client.post("/ingest/wms", content=body, headers=headers)


async def post_scan(gw: Gateway, number: str, delivery: str) -> dict[str, Any]:
    event = cloud_event(
        "shipment.in_transit",
        f"tracking:{number}",
        shipment={"id": number, "carrier": "ups", "tracking_number": number},
        time=gw.clock(),  # scanned after the warehouse printed the label, as couriers do
    )
    raw = json.dumps([event]).encode()
    headers = signature_headers(
        WebhookSecret(COURIER_SECRET), delivery, raw, int(gw.clock().timestamp())
    )
    headers["content-type"] = "application/json"
    response = await gw.client.post("/ingest/courier", content=raw, headers=headers)
    assert response.status_code == 200, response.text
    answer: dict[str, Any] = response.json()
    return answer


async def test_shiphero_deliveries_are_verified_deduplicated_and_link_courier_scans(
    gw: Gateway,
) -> None:
    forged = await post_shiphero(gw, BODY, "m-0", secret="not-the-secret")
    assert forged.status_code == 401 and SECRET not in forged.text
    # A courier scan that arrives before the warehouse names its tracking number waits...
    early = await post_scan(gw, "1Z999AA10123456784", "scan-1")
    assert early["results"][0]["status"] == "parked"
    # The warehouse reports before the ERP announced the order: it waits for the order too.
    first = await post_shiphero(gw, BODY, "m-1")
    assert first.status_code == 200, first.text
    assert first.json()["parked"] == 2
    await gw.post_events("erp", [placed("SAL-ORD-2026-00042")])
    for _ in range(50):
        answer = await gw.graphql('{ order(number: "SAL-ORD-2026-00042") { eventCount } }')
        if answer["data"]["order"]["eventCount"] == 4:  # placed, shipped, label, the scan
            break
        await asyncio.sleep(0.02)
    assert answer["data"]["order"]["eventCount"] == 4
    # ...and a later one joins the order at once.
    late = await post_scan(gw, "1Z999AA10123456784", "scan-2")
    assert late["results"][0]["status"] in {"accepted", "duplicate"}
    again = await post_shiphero(gw, BODY, "m-1")  # the same delivery, re-sent
    assert again.headers["orderlens-idempotent-replay"] == "true" and again.text == first.text
    redelivered = await post_shiphero(gw, BODY, "m-2")  # a new delivery of the same webhook
    assert redelivered.json()["duplicate"] == 2, redelivered.text
    ping = await post_shiphero(gw, (FIXTURES / "test_delivery.json").read_bytes(), "m-3")
    assert ping.status_code == 200 and "test delivery" in ping.json()["ignored"]
    broken = await post_shiphero(gw, b"{not json", "m-4")
    assert broken.status_code == 400 and "not valid JSON" in broken.json()["error"]
