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

from collections.abc import Mapping

from connectors.sdk import SignatureError, Verified
from connectors.shiphero.config import ShipHeroConfig
from connectors.webhooks import BodyHmac

SIGNATURE_HEADER = "x-shiphero-hmac-sha256"
MESSAGE_ID_HEADER = "x-shiphero-message-id"
MAX_MESSAGE_ID = 256
# An empty header decodes to an empty digest: "not an HMAC-SHA256 digest", as it always said.
SCHEME = BodyHmac(SIGNATURE_HEADER, blank_is_missing=False)


def sign(secret: bytes, body: bytes) -> str:
    """The header value ShipHero sends for `body` (for tests and simulators)."""
    return SCHEME.sign(secret, body)


def verify(config: ShipHeroConfig, headers: Mapping[str, str], body: bytes) -> Verified:
    # Every configured secret is tried, so timing does not tell which webhook's secret matched.
    SCHEME.check(config.secrets(), headers, body)
    lowered = {name.lower(): value for name, value in headers.items()}
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
