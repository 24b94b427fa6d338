"""EasyPost webhook signatures, checked exactly as EasyPost's client libraries do
(`validate_webhook` in easypost-python): the header `X-Hmac-Signature: hmac-sha256-hex=<hex>`
is HMAC-SHA256 over the raw request body, keyed with the webhook secret NFKD-normalized and
UTF-8 encoded, compared in constant time.

That signature covers the body only. Newer deliveries also carry `X-Timestamp` (RFC 2822);
when present it must be within `max_skew_seconds` of now, but it is not signed, so it only
catches stale re-sends. What stops a replay is the delivery id: the Event `id` ("evt_..."),
the same on every retry of one event, which the gateway remembers.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from connectors.easypost.config import EasyPostConfig
from connectors.sdk import SignatureError, Verified, safe_json
from connectors.webhooks import BodyHmac, Encoding

SIGNATURE_HEADER = "x-hmac-signature"
TIMESTAMP_HEADER = "x-timestamp"
PREFIX = "hmac-sha256-hex="
SCHEME = BodyHmac(
    "X-Hmac-Signature",
    encoding=Encoding.HEX,
    prefix=PREFIX,
    missing="missing X-Hmac-Signature header (is a webhook_secret set on the EasyPost webhook?)",
    mismatch="X-Hmac-Signature does not match the body and the webhook secret",
)


def _key(secret: str) -> bytes:
    return unicodedata.normalize("NFKD", secret).encode("utf-8")


def sign(secret: str, body: bytes) -> str:
    """The X-Hmac-Signature value EasyPost sends for `body`."""
    return SCHEME.sign(_key(secret), body)


def verify(
    config: EasyPostConfig, headers: Mapping[str, str], body: bytes, now: datetime
) -> Verified:
    secrets = [config.webhook_secret, config.previous_webhook_secret]
    SCHEME.check([_key(s.get_secret_value()) for s in secrets if s is not None], headers, body)
    lowered = {name.lower(): value for name, value in headers.items()}
    stamp = lowered.get(TIMESTAMP_HEADER, "").strip()
    if stamp:
        _fresh(stamp, now, config.max_skew_seconds)
    # EasyPost's retries of one Event may differ in envelope fields (pending_urls, updated_at):
    # the body hash in the delivery id keeps such a retry from being refused as a conflict,
    # while its events still deduplicate by their own ids.
    event_id = _event_id(body)
    if event_id is None:
        return Verified(None)
    return Verified(f"{event_id}:{hashlib.sha256(body).hexdigest()[:16]}")


def _fresh(stamp: str, now: datetime, window: int) -> None:
    moment = _parse_time(stamp)
    if moment is None:
        raise SignatureError("X-Timestamp is not an RFC 2822 or ISO 8601 time")
    now = now if now.tzinfo else now.replace(tzinfo=UTC)
    skew = abs((now - moment).total_seconds())
    if skew > window:
        raise SignatureError(
            f"X-Timestamp is {skew:.0f} s away from now, outside the {window} s window "
            "(a replayed or long-delayed delivery)"
        )


def _parse_time(text: str) -> datetime | None:
    if text.isdigit():
        return datetime.fromtimestamp(int(text), UTC)
    try:
        moment = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError):
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _event_id(body: bytes) -> str | None:
    """The Event id: EasyPost's own id of this delivery, the same on every retry."""
    try:
        document = safe_json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    event_id = document.get("id") if isinstance(document, dict) else None
    return event_id if isinstance(event_id, str) and 0 < len(event_id) <= 200 else None
