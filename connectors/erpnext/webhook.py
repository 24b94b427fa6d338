"""Frappe's webhook signature.

With "Enable Security" and a Webhook Secret, Frappe sends `X-Frappe-Webhook-Signature:
base64(HMAC-SHA256(secret, body))`, standard base64 with padding, where body is
`json.dumps(data)`: the bytes it posts (`WEBHOOK_SECRET_HEADER` and `get_webhook_headers` in
frappe/frappe `frappe/integrations/doctype/webhook/webhook.py`). The scheme has no timestamp
and no delivery id: there is no replay window to check, and the gateway deduplicates
deliveries by body hash (a replayed body is answered from its first delivery).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

from connectors.sdk import SignatureError, Verified

HEADER = "X-Frappe-Webhook-Signature"


def _header(headers: Mapping[str, str], name: str) -> str | None:
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def sign(secret: str, body: bytes) -> str:
    """The header value Frappe would send for `body` (also what the tests sign with)."""
    digest = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode("ascii")


def verify_signature(secret: str | None, headers: Mapping[str, str], body: bytes) -> Verified:
    if not secret:
        raise SignatureError(
            "this instance has no webhook_secret: unsigned deliveries are refused "
            "(enable security on the Frappe Webhook and configure the same secret here)"
        )
    given = _header(headers, HEADER)
    if given is None or not given.strip():
        raise SignatureError(f"missing {HEADER} header")
    try:
        claimed = base64.b64decode(given.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError(f"{HEADER} is not base64") from None
    if len(claimed) != hashlib.sha256().digest_size:
        raise SignatureError(f"{HEADER} is not an HMAC-SHA256 (wrong length)")
    expected = hmac.new(secret.encode("utf-8"), body, hashlib.sha256).digest()
    if not hmac.compare_digest(expected, claimed):
        raise SignatureError(f"{HEADER} does not match the body")
    return Verified(delivery_id=None)
