"""Standard Webhooks 1.0 `v1`: the spec vector, an independent implementation, every rejection."""

from __future__ import annotations

import json
import pickle
import time
from datetime import UTC, datetime

import pytest
from standardwebhooks.webhooks import Webhook

from connectors.webhooks import (
    VerifiedDelivery,
    WebhookVerificationError,
    sign,
    signature_headers,
    verify,
)
from gateway.events import WebhookSecret

SPEC_SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
SPEC_ID = "msg_p5jXN8AQM9LWM0D4loKWxJek"
SPEC_TIMESTAMP = 1614265330
SPEC_BODY = b'{"test": 2432232314}'
SPEC_SIGNATURE = "v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE="

NOW = 1_700_000_000
BODY = b'[{"specversion": "1.0", "id": "e1"}]'


@pytest.fixture
def erp() -> WebhookSecret:
    return WebhookSecret.generate()


@pytest.fixture
def sources(erp: WebhookSecret) -> dict[str, WebhookSecret]:
    return {"wms": WebhookSecret.generate(), "erp": erp, "courier": WebhookSecret.generate()}


def reject(sources: dict[str, WebhookSecret], headers: dict[str, str], body: bytes = BODY) -> str:
    with pytest.raises(WebhookVerificationError) as info:
        verify(sources, headers, body, now=NOW)
    return str(info.value)


def test_spec_vector() -> None:
    secret = WebhookSecret(SPEC_SECRET)
    assert sign(secret, SPEC_ID, SPEC_TIMESTAMP, SPEC_BODY) == SPEC_SIGNATURE
    headers = {
        "webhook-id": SPEC_ID,
        "webhook-timestamp": str(SPEC_TIMESTAMP),
        "webhook-signature": SPEC_SIGNATURE,
    }
    assert verify({"spec": secret}, headers, SPEC_BODY, now=SPEC_TIMESTAMP) == VerifiedDelivery(
        "spec", SPEC_ID, SPEC_TIMESTAMP
    )


def test_secret_forms() -> None:
    raw = SPEC_SECRET.removeprefix("whsec_")
    assert WebhookSecret(raw) == WebhookSecret(SPEC_SECRET)
    assert WebhookSecret(SPEC_SECRET).encoded == SPEC_SECRET
    fresh = WebhookSecret.generate()
    assert fresh.encoded.startswith("whsec_")
    assert WebhookSecret(fresh.encoded) == fresh
    assert fresh != WebhookSecret.generate()
    # Unpadded base64 is accepted: 32 random bytes encode to 43 characters plus one '='.
    assert WebhookSecret(fresh.encoded.rstrip("=")) == fresh


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("whsec_", "at least 24 bytes, got 0"),
        ("whsec_c2hvcnQ=", "at least 24 bytes, got 5"),
        ("whsec_not*base64!", "followed by base64"),
    ],
)
def test_bad_secrets_are_refused_without_echo(value: str, message: str) -> None:
    with pytest.raises(ValueError, match="webhook secret") as info:
        WebhookSecret(value)
    assert message in str(info.value)
    assert value.removeprefix("whsec_") not in str(info.value) or value == "whsec_"


def test_secret_never_shown() -> None:
    secret = WebhookSecret(SPEC_SECRET)
    key = SPEC_SECRET.removeprefix("whsec_")
    for text in (repr(secret), str(secret), f"{secret}", repr({"erp": secret})):
        assert key not in text
    assert repr(secret) == "WebhookSecret('whsec_***')"
    with pytest.raises(TypeError):
        pickle.dumps(secret)


def test_independent_library_verifies_our_delivery(erp: WebhookSecret) -> None:
    # The reference library checks against the wall clock, so sign at the current time.
    now = int(time.time())
    body = json.dumps({"orders": ["SO-000042"]}).encode()
    headers = signature_headers(erp, "msg_2ZbQ1", body, now)
    assert Webhook(erp.encoded).verify(body, headers) == {"orders": ["SO-000042"]}


def test_we_verify_independent_library_signature(sources: dict[str, WebhookSecret]) -> None:
    now = int(time.time())
    signature = Webhook(sources["courier"].encoded).sign(
        "msg_ext", datetime.fromtimestamp(now, UTC), BODY.decode()
    )
    headers = {
        "webhook-id": "msg_ext",
        "webhook-timestamp": str(now),
        "webhook-signature": signature,
    }
    delivery = verify(sources, headers, BODY, now=now)
    assert delivery == VerifiedDelivery("courier", "msg_ext", now)


def test_signature_identifies_the_source(sources: dict[str, WebhookSecret]) -> None:
    for name, secret in sources.items():
        headers = signature_headers(secret, f"msg_{name}", BODY, NOW)
        assert verify(sources, headers, BODY, now=NOW).source == name


def test_header_names_are_case_insensitive(
    sources: dict[str, WebhookSecret], erp: WebhookSecret
) -> None:
    headers = {k.upper(): v for k, v in signature_headers(erp, "msg_1", BODY, NOW).items()}
    assert verify(sources, headers, BODY, now=NOW).source == "erp"


@pytest.mark.parametrize("missing", ["webhook-id", "webhook-timestamp", "webhook-signature"])
def test_missing_header_is_named(
    sources: dict[str, WebhookSecret], erp: WebhookSecret, missing: str
) -> None:
    headers = signature_headers(erp, "msg_1", BODY, NOW)
    del headers[missing]
    assert reject(sources, headers) == f"missing header {missing}"


@pytest.mark.parametrize("skew", [-299, -300, 0, 299, 300])
def test_timestamp_inside_tolerance_accepted(
    sources: dict[str, WebhookSecret], erp: WebhookSecret, skew: int
) -> None:
    headers = signature_headers(erp, "msg_1", BODY, NOW + skew)
    assert verify(sources, headers, BODY, now=NOW).timestamp == NOW + skew


@pytest.mark.parametrize(("skew", "message"), [(-301, "too old"), (301, "too far in the future")])
def test_timestamp_outside_tolerance_rejected(
    sources: dict[str, WebhookSecret], erp: WebhookSecret, skew: int, message: str
) -> None:
    headers = signature_headers(erp, "msg_1", BODY, NOW + skew)
    error = reject(sources, headers)
    assert message in error
    assert "300 s" in error


@pytest.mark.parametrize("value", ["", "abc", "-1700000000", "1700000000.5", "1e9", " 17", "１７"])
def test_malformed_timestamp_rejected(
    sources: dict[str, WebhookSecret], erp: WebhookSecret, value: str
) -> None:
    headers = signature_headers(erp, "msg_1", BODY, NOW) | {"webhook-timestamp": value}
    assert reject(sources, headers) == "webhook-timestamp must be integer unix seconds"


@pytest.mark.parametrize(
    ("msg_id", "message"),
    [
        ("", "webhook-id is empty"),
        ("m" * 257, "webhook-id is longer than 256 characters"),
        ("msg.1", "webhook-id must not contain '.'"),
    ],
)
def test_bad_webhook_id_rejected(
    sources: dict[str, WebhookSecret], erp: WebhookSecret, msg_id: str, message: str
) -> None:
    headers = signature_headers(erp, "msg_1", BODY, NOW) | {"webhook-id": msg_id}
    assert reject(sources, headers) == message
    with pytest.raises(ValueError, match="webhook-id"):
        sign(erp, msg_id, NOW, BODY)


def test_longest_webhook_id_accepted(sources: dict[str, WebhookSecret], erp: WebhookSecret) -> None:
    headers = signature_headers(erp, "m" * 256, BODY, NOW)
    assert verify(sources, headers, BODY, now=NOW).webhook_id == "m" * 256


@pytest.mark.parametrize(
    ("signature", "message"),
    [
        ("garbage", "no valid signature in webhook-signature (1 unusable token(s) ignored)"),
        (
            "v1a,AAAA v2,BBBB",
            "no valid signature in webhook-signature (2 unusable token(s) ignored)",
        ),
        ("v1,not*base64", "no valid signature in webhook-signature (1 unusable token(s) ignored)"),
        ("v1,AAAA", "no valid signature in webhook-signature"),
        ("", "no valid signature in webhook-signature"),
    ],
)
def test_malformed_or_wrong_signature_rejected(
    sources: dict[str, WebhookSecret], erp: WebhookSecret, signature: str, message: str
) -> None:
    headers = signature_headers(erp, "msg_1", BODY, NOW) | {"webhook-signature": signature}
    assert reject(sources, headers) == message


def test_one_valid_signature_among_several_accepted(
    sources: dict[str, WebhookSecret], erp: WebhookSecret
) -> None:
    headers = signature_headers(erp, "msg_1", BODY, NOW)
    old = sign(WebhookSecret.generate(), "msg_1", NOW, BODY)
    headers["webhook-signature"] = f"garbage v1a,AAAA {old}  {headers['webhook-signature']}"
    assert verify(sources, headers, BODY, now=NOW).source == "erp"


def test_too_many_signatures_rejected(
    sources: dict[str, WebhookSecret], erp: WebhookSecret
) -> None:
    headers = signature_headers(erp, "msg_1", BODY, NOW)
    headers["webhook-signature"] = " ".join([headers["webhook-signature"]] * 33)
    assert "more than 32 signatures" in reject(sources, headers)


def test_reserialized_body_rejected(sources: dict[str, WebhookSecret], erp: WebhookSecret) -> None:
    body = json.dumps({"a": 1, "b": [1, 2]}).encode()
    headers = signature_headers(erp, "msg_1", body, NOW)
    compact = json.dumps(json.loads(body), separators=(",", ":")).encode()
    assert compact != body
    assert reject(sources, headers, compact).startswith("no valid signature")


def test_other_tampering_rejected(sources: dict[str, WebhookSecret], erp: WebhookSecret) -> None:
    headers = signature_headers(erp, "msg_1", BODY, NOW)
    assert reject(sources, headers | {"webhook-id": "msg_2"}).startswith("no valid signature")
    moved = headers | {"webhook-timestamp": str(NOW + 1)}
    assert reject(sources, moved).startswith("no valid signature")
    assert reject({"wms": sources["wms"]}, headers).startswith("no valid signature")
    assert reject({}, headers).startswith("no valid signature")


def test_shared_secret_is_ambiguous(erp: WebhookSecret) -> None:
    headers = signature_headers(erp, "msg_1", BODY, NOW)
    assert reject({"a": erp, "b": erp}, headers) == "signature matches more than one source"


def test_errors_never_echo_secret_signature_or_body(
    sources: dict[str, WebhookSecret], erp: WebhookSecret
) -> None:
    body = b'{"customer_ref": "CUST-SECRETBODY"}'
    headers = signature_headers(erp, "msg_1", body, NOW)
    signature = headers["webhook-signature"]
    cases = [
        (headers | {"webhook-timestamp": str(NOW - 999)}, body),
        (headers, body + b" "),
        (headers | {"webhook-signature": signature + "x"}, body),
        (headers | {"webhook-signature": "v1" + signature}, body),
    ]
    for bad_headers, bad_body in cases:
        message = reject(sources, bad_headers, bad_body)
        for secret in sources.values():
            assert secret.encoded.removeprefix("whsec_") not in message
        assert signature.removeprefix("v1,") not in message
        assert "SECRETBODY" not in message
