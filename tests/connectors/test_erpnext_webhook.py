"""Frappe webhook signatures (X-Frappe-Webhook-Signature) and the instance options."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from pydantic import ValidationError

from connectors import PullConnector, PushConnector, SignatureError, Verified
from connectors.erpnext import CONNECTOR, HEADER, ErpNextConfig

SECRET = "frappe-webhook-secret-Zq81"
CONFIG = ErpNextConfig(webhook_secret=SECRET, timezone="Europe/Berlin")
NOW = datetime(2026, 11, 20, 16, 0, tzinfo=UTC)
FIXTURES = Path(__file__).parent.parent / "fixtures" / "erpnext"


def frappe_delivery(document: dict[str, object], secret: str = SECRET) -> tuple[bytes, str]:
    """What Frappe's webhook.py sends: it signs json.dumps(data) and posts
    json.dumps(data, default=str), which are the same bytes for a JSON document."""
    signature = base64.b64encode(
        hmac.new(
            secret.encode("utf8"), json.dumps(document).encode("utf8"), hashlib.sha256
        ).digest()
    ).decode()
    return json.dumps(document, default=str).encode(), signature


def document() -> dict[str, object]:
    loaded: dict[str, object] = json.loads((FIXTURES / "dn_submitted_webhook.json").read_bytes())
    return loaded


def test_the_connector_is_push_and_pull() -> None:
    assert isinstance(CONNECTOR, PushConnector) and isinstance(CONNECTOR, PullConnector)
    assert CONNECTOR.config_model is ErpNextConfig


def test_a_frappe_signed_delivery_verifies_without_a_delivery_id() -> None:
    body, signature = frappe_delivery(document())
    assert CONNECTOR.verify(CONFIG, {HEADER: signature}, body, NOW) == Verified(None)
    # Header names are case-insensitive (Starlette hands them over lower-cased).
    assert CONNECTOR.verify(CONFIG, {HEADER.lower(): signature}, body, NOW).delivery_id is None


def test_the_same_delivery_twice_verifies_twice_and_translates_identically() -> None:
    """No timestamp, no delivery id: nothing to replay-check here; the gateway answers a
    repeated body from its first delivery (body-hash dedup) and the event ids repeat."""
    body, signature = frappe_delivery(document())
    for _ in range(2):
        CONNECTOR.verify(CONFIG, {HEADER: signature}, body, NOW)
    mapper = CONNECTOR.bind(CONFIG)
    first = mapper.translate(body, content_type="application/json")
    assert mapper.translate(body, content_type="application/json") == first
    later = datetime(2027, 1, 1, tzinfo=UTC)
    assert CONNECTOR.verify(CONFIG, {HEADER: signature}, body, later) == Verified(None)


@pytest.mark.parametrize(
    ("headers", "body", "message"),
    [
        ({}, None, "missing X-Frappe-Webhook-Signature"),
        ({HEADER: "  "}, None, "missing X-Frappe-Webhook-Signature"),
        ({HEADER: "not base64!"}, None, "is not base64"),
        ({HEADER: base64.b64encode(b"x" * 20).decode()}, None, "wrong length"),
        ({HEADER: "wrong-secret"}, None, "does not match"),
        ({HEADER: "signed"}, b'{"doctype": "Delivery Note", "name": "MAT-DN-X"}', "does not match"),
        ({HEADER: "hex"}, None, "wrong length"),  # a hex digest is not Frappe's encoding
    ],
)
def test_bad_signatures_are_refused(
    headers: dict[str, str], body: bytes | None, message: str
) -> None:
    signed_body, signature = frappe_delivery(document())
    if headers.get(HEADER) == "wrong-secret":
        headers = {HEADER: frappe_delivery(document(), secret="another-secret")[1]}
    elif headers.get(HEADER) == "signed":
        headers = {HEADER: signature}  # a valid signature over another body
    elif headers.get(HEADER) == "hex":
        digest = hmac.new(SECRET.encode(), signed_body, hashlib.sha256).hexdigest()
        headers = {HEADER: digest}
    with pytest.raises(SignatureError, match=message) as refused:
        CONNECTOR.verify(CONFIG, headers, body or signed_body, NOW)
    assert SECRET not in str(refused.value)


def test_an_instance_without_a_secret_refuses_every_delivery() -> None:
    body, signature = frappe_delivery(document())
    with pytest.raises(SignatureError, match="no webhook_secret"):
        CONNECTOR.verify(ErpNextConfig(), {HEADER: signature}, body, NOW)


def test_secrets_stay_out_of_repr() -> None:
    config = ErpNextConfig(
        base_url="https://erp.example.com/",
        api_key="0a1b2c3d4e5f",
        api_secret="api-secret-value-9",
        webhook_secret=SECRET,
    )
    assert config.base_url == "https://erp.example.com"
    assert SECRET not in repr(config) and "api-secret-value-9" not in repr(config)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"timezone": "Mars/Olympus"}, "unknown time zone"),
        ({"timezone": "../../etc/passwd"}, "unknown time zone"),
        ({"base_url": "ftp://erp.example.com"}, "http"),
        ({"base_url": "https://user:pw@erp.example.com"}, "credentials"),
        ({"page_size": 0}, "page_size"),
        ({"delivery_note_marks": "delivered"}, "delivery_note_marks"),
        ({"webhook_secret": SECRET, "color": "blue"}, "color"),
    ],
)
def test_invalid_options_are_refused(options: dict[str, object], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        ErpNextConfig.model_validate(options)
