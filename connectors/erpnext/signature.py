"""Frappe's webhook signature.

With "Enable Security" and a Webhook Secret, Frappe sends `X-Frappe-Webhook-Signature:
base64(HMAC-SHA256(secret, body))`, standard base64 with padding, where body is
`json.dumps(data)`: the bytes it posts (`WEBHOOK_SECRET_HEADER` and `get_webhook_headers` in
frappe/frappe `frappe/integrations/doctype/webhook/webhook.py`). The scheme has no timestamp
and no delivery id: there is no replay window to check, and the gateway deduplicates
deliveries by body hash (a replayed body is answered from its first delivery).
"""

from __future__ import annotations

from collections.abc import Mapping

from connectors.sdk import SignatureError, Verified
from connectors.webhooks import BodyHmac

HEADER = "X-Frappe-Webhook-Signature"
SCHEME = BodyHmac(
    HEADER,
    missing=f"missing {HEADER} header",
    wrong_length=f"{HEADER} is not an HMAC-SHA256 (wrong length)",
    mismatch=f"{HEADER} does not match the body",
)


def sign(secret: str, body: bytes) -> str:
    """The header value Frappe would send for `body` (also what the tests sign with)."""
    return SCHEME.sign(secret.encode("utf-8"), body)


def verify_signature(secret: str | None, headers: Mapping[str, str], body: bytes) -> Verified:
    if not secret:
        raise SignatureError(
            "this instance has no webhook_secret: unsigned deliveries are refused "
            "(enable security on the Frappe Webhook and configure the same secret here)"
        )
    SCHEME.check([secret.encode("utf-8")], headers, body)
    return Verified(delivery_id=None)
