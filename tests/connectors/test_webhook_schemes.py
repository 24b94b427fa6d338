"""The body-HMAC schemes in one place (`connectors.webhooks.BodyHmac`): what each source's
`signature.py` declares is checked by the same reader, decoder and constant-time comparison."""

from __future__ import annotations

import base64
import hashlib
import hmac

import pytest

from connectors import SignatureError
from connectors.webhooks import BodyHmac, Encoding, signed_by_any
from gateway.events import WebhookSecret

BODY = b'{"id": "evt_1"}'
KEY = b"key-one"
OTHER = b"key-two"
BASE64 = BodyHmac("X-Body-Signature")
HEX = BodyHmac("X-Hex-Signature", encoding=Encoding.HEX, prefix="sha256=")


def test_sign_matches_an_independent_hmac_in_either_encoding() -> None:
    digest = hmac.new(KEY, BODY, hashlib.sha256).digest()
    assert BASE64.sign(KEY, BODY) == base64.b64encode(digest).decode()
    assert HEX.sign(KEY, BODY) == "sha256=" + digest.hex()


def test_any_configured_key_verifies_and_header_names_are_case_insensitive() -> None:
    BASE64.check([OTHER, KEY], {"x-body-signature": BASE64.sign(KEY, BODY)}, BODY)
    HEX.check(
        [KEY], {"X-HEX-SIGNATURE": HEX.sign(KEY, BODY).upper().replace("SHA256", "sha256")}, BODY
    )
    claimed = hmac.new(OTHER, BODY, hashlib.sha256).digest()
    assert signed_by_any([KEY, OTHER], BODY, claimed)
    assert not signed_by_any([KEY], BODY, claimed)
    assert not signed_by_any([], BODY, claimed)


@pytest.mark.parametrize(
    ("scheme", "headers", "message"),
    [
        (BASE64, {}, "missing header X-Body-Signature"),
        (BASE64, {"X-Body-Signature": " "}, "missing header X-Body-Signature"),
        (BASE64, {"X-Body-Signature": "not base64!"}, "X-Body-Signature is not base64"),
        (BASE64, {"X-Body-Signature": "c2hvcnQ="}, "is not an HMAC-SHA256 digest"),
        (BASE64, {"X-Body-Signature": BASE64.sign(b"else", BODY)}, "under any secret"),
        (HEX, {"X-Hex-Signature": "md5=" + "0" * 64}, "must be sha256=<64 hex digits>"),
        (HEX, {"X-Hex-Signature": "sha256=abc"}, "must be sha256=<64 hex digits>"),
        (HEX, {"X-Hex-Signature": HEX.sign(b"else", BODY)}, "does not match the body"),
    ],
)
def test_refusals_name_the_header_and_never_a_key(
    scheme: BodyHmac, headers: dict[str, str], message: str
) -> None:
    with pytest.raises(SignatureError, match=message) as refused:
        scheme.check([KEY], headers, BODY)
    assert "key-one" not in str(refused.value)


def test_a_source_may_keep_its_own_wording() -> None:
    blank_is_a_digest = BodyHmac("X-Sig", blank_is_missing=False, wrong_length="too short")
    with pytest.raises(SignatureError, match="^too short$"):
        blank_is_a_digest.check([KEY], {"X-Sig": ""}, BODY)
    with pytest.raises(SignatureError, match="^missing header X-Sig$"):
        blank_is_a_digest.check([KEY], {}, BODY)


def test_the_standard_webhooks_secret_lives_below_settings_and_connectors() -> None:
    secret = WebhookSecret.generate()
    assert secret.encoded.startswith("whsec_") and "whsec_***" in repr(secret)
    assert WebhookSecret(secret.encoded) == secret
