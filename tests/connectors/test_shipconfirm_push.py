"""Ship confirmations pushed with Standard Webhooks signatures: valid, wrong, replayed outside
the window, and an instance behind POST /ingest/{id} taking XML end to end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from standardwebhooks.webhooks import Webhook

from connectors import SignatureError, Verified
from connectors.shipconfirm_xml import CONNECTOR, ShipConfirmConfig
from connectors.webhooks import signature_headers
from gateway.events import WebhookSecret
from tests.conftest import Clock, Gateway, make_settings, placed, running_gateway

FIXTURES = Path(__file__).parent.parent / "fixtures" / "shipconfirm_xml"
SECRET = "whsec_" + "M3BsLXNoaXBjb25maXJtLXRlc3Qtc2VjcmV0LTAx"
CONFIG = ShipConfirmConfig.model_validate({"secret": SECRET})
BODY = (FIXTURES / "confirm_complete.xml").read_bytes()
NOW = datetime(2026, 11, 21, 8, 0, tzinfo=UTC)


def headers_at(moment: datetime, delivery: str = "msg_1", secret: str = SECRET) -> dict[str, str]:
    return signature_headers(WebhookSecret(secret), delivery, BODY, int(moment.timestamp()))


def refused(headers: dict[str, str], body: bytes = BODY) -> str:
    with pytest.raises(SignatureError) as info:
        CONNECTOR.verify(CONFIG, headers, body, NOW)
    assert SECRET.removeprefix("whsec_") not in str(info.value)
    return str(info.value)


def test_a_valid_signature_gives_the_webhook_id_as_delivery_id() -> None:
    assert CONNECTOR.verify(CONFIG, headers_at(NOW), BODY, NOW) == Verified("msg_1")
    # Signed by an independent Standard Webhooks implementation, too.
    signed = Webhook(SECRET).sign("msg_2", NOW, BODY.decode())
    independent = {
        "webhook-id": "msg_2",
        "webhook-timestamp": str(int(NOW.timestamp())),
        "webhook-signature": signed,
    }
    assert CONNECTOR.verify(CONFIG, independent, BODY, NOW) == Verified("msg_2")


def test_wrong_signatures_and_tampered_bodies_are_refused() -> None:
    other = "whsec_" + "c29tZW9uZS1lbHNlLXNlY3JldC0wMTIzNDU2Nzg5YWI="
    assert "no valid signature" in refused(headers_at(NOW, secret=other))
    assert "no valid signature" in refused(headers_at(NOW), BODY.replace(b"UPSN", b"FDEG"))
    assert "missing header webhook-signature" in refused(
        {"webhook-id": "x", "webhook-timestamp": "1"}
    )


def test_deliveries_outside_the_replay_window_are_refused() -> None:
    assert "too old" in refused(headers_at(NOW - timedelta(seconds=301)))
    assert "too far in the future" in refused(headers_at(NOW + timedelta(seconds=301)))
    roomy = ShipConfirmConfig.model_validate({"secret": SECRET, "tolerance_seconds": 900})
    old = headers_at(NOW - timedelta(minutes=10))
    assert CONNECTOR.verify(roomy, old, BODY, NOW) == Verified("msg_1")


def test_config_refuses_a_malformed_secret_without_echoing_it() -> None:
    with pytest.raises(ValueError, match="whsec_") as info:
        ShipConfirmConfig.model_validate({"secret": "not-a-secret-value"})
    assert "not-a-secret-value" not in str(info.value)
    assert SECRET not in repr(CONFIG)


# -- behind the gateway ------------------------------------------------------------------

TOML = """
[connectors.dc-pudong]
type = "shipconfirm_xml"
secrets = { secret = "DC_SECRET" }
"""


@pytest.fixture
async def gw(sqlite_url: str, tmp_path: Path, clock: Clock) -> AsyncIterator[Gateway]:
    path = tmp_path / "connectors.toml"
    path.write_text(TOML)
    settings = make_settings(sqlite_url, tmp_path, connectors_file=path, env={"DC_SECRET": SECRET})
    async with running_gateway(settings, clock) as gateway:
        yield gateway


async def timeline_size(gw: Gateway, number: str) -> int:
    answer = await gw.graphql(f'{{ order(number: "{number}") {{ eventCount }} }}')
    order = answer["data"]["order"]
    return int(order["eventCount"]) if order else 0


async def push(
    gw: Gateway, body: bytes, delivery: str, *, at: datetime | None = None
) -> httpx.Response:
    moment = at or gw.clock()
    headers = signature_headers(WebhookSecret(SECRET), delivery, body, int(moment.timestamp()))
    headers["content-type"] = "application/xml; charset=utf-8"
    return await gw.client.post("/ingest/dc-pudong", content=body, headers=headers)


async def test_xml_confirmations_are_ingested_deduplicated_and_replays_refused(gw: Gateway) -> None:
    stale = await push(gw, BODY, "msg_old", at=gw.clock() - timedelta(minutes=6))
    assert stale.status_code == 401 and "too old" in stale.text
    first = await push(gw, BODY, "msg_1")
    assert first.status_code == 200, first.text
    # The ERP has not announced this order yet: the warehouse's events wait for it.
    assert first.json()["parked"] == 3  # order.shipped + two labels
    await gw.post_events("erp", [placed("SAL-ORD-2026-00088")])
    for _ in range(50):
        if await timeline_size(gw, "SAL-ORD-2026-00088") == 4:
            break
        await asyncio.sleep(0.02)
    assert await timeline_size(gw, "SAL-ORD-2026-00088") == 4
    again = await push(gw, BODY, "msg_1")
    assert again.headers["orderlens-idempotent-replay"] == "true" and again.text == first.text
    assert (await push(gw, BODY, "msg_2")).json()["duplicate"] == 3
    hostile = (
        (FIXTURES / "confirm_complete.xml")
        .read_bytes()
        .replace(
            b"<ShipmentConfirmation", b'<!DOCTYPE x [<!ENTITY e "e">]>\n<ShipmentConfirmation', 1
        )
    )
    refused_xml = await push(gw, hostile, "msg_3")
    assert refused_xml.status_code == 400 and "XML refused" in refused_xml.json()["error"]
    letters = await gw.dead_letters()
    assert [letter.payload for letter in letters] == [hostile]  # kept, with its reason
