"""ShipHero webhook signatures.

ShipHero sends `x-shiphero-hmac-sha256: base64(HMAC-SHA256(shared_signature_secret, raw body))`
(developer.shiphero.com/webhooks, HMAC verification; the secret is returned once per webhook by
the `webhook_create` mutation) and a per-delivery `x-shiphero-message-id`.

The scheme signs no timestamp, so there is **no replay window**: a captured delivery can be
re-sent at any time and still verifies. What bounds the damage is dedup: the gateway remembers
each `x-shiphero-message-id` (or, without one, the body hash) and answers a re-sent delivery
with the stored answer, and every event id is derived from ShipHero's own ids, so a replayed
body never adds an event twice.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Mapping

from connectors.sdk import SignatureError, Verified
from connectors.shiphero.config import ShipHeroConfig

SIGNATURE_HEADER = "x-shiphero-hmac-sha256"
MESSAGE_ID_HEADER = "x-shiphero-message-id"
MAX_MESSAGE_ID = 256
_DIGEST_BYTES = hashlib.sha256().digest_size


def sign(secret: bytes, body: bytes) -> str:
    """The header value ShipHero sends for `body` (for tests and simulators)."""
    return base64.b64encode(hmac.new(secret, body, hashlib.sha256).digest()).decode("ascii")


def verify(config: ShipHeroConfig, headers: Mapping[str, str], body: bytes) -> Verified:
    lowered = {name.lower(): value for name, value in headers.items()}
    header = lowered.get(SIGNATURE_HEADER)
    if header is None:
        raise SignatureError(f"missing header {SIGNATURE_HEADER}")
    try:
        claimed = base64.b64decode(header.strip(), validate=True)
    except (binascii.Error, ValueError):
        raise SignatureError(f"{SIGNATURE_HEADER} is not base64") from None
    if len(claimed) != _DIGEST_BYTES:
        raise SignatureError(f"{SIGNATURE_HEADER} is not an HMAC-SHA256 digest")
    # Every configured secret is tried, with no early exit, so timing does not tell which
    # webhook's secret matched or how many there are.
    matched = False
    for secret in config.secrets():
        matched |= hmac.compare_digest(hmac.new(secret, body, hashlib.sha256).digest(), claimed)
    if not matched:
        raise SignatureError(f"{SIGNATURE_HEADER} does not match the body under any secret")
    return Verified(delivery_id=_message_id(lowered.get(MESSAGE_ID_HEADER)))


def _message_id(value: str | None) -> str | None:
    if value is None or not value.strip():
        return None
    value = value.strip()
    if len(value) > MAX_MESSAGE_ID or not (value.isascii() and value.isprintable()):
        raise SignatureError(
            f"{MESSAGE_ID_HEADER} must be printable ASCII, at most {MAX_MESSAGE_ID} characters"
        )
    return value
