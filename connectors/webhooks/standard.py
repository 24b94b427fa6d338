"""Standard Webhooks 1.0 signing and verification (https://www.standardwebhooks.com), `v1` only.

`v1` is HMAC-SHA256 over `{webhook-id}.{webhook-timestamp}.{body}` with a `whsec_<base64>` secret.
The raw body bytes are signed and verified as received: re-serializing JSON would change them.
One gateway serves several sources, each with its own secret, so `verify` also tells which source
signed a delivery. Error messages name what is wrong but never echo a secret, a signature or the
body, so they are safe to return to the caller and to log.

`verify` serves POST /ingest/events (one secret per source, from ORDERLENS_INGEST_SECRETS);
`verify_standard_webhook` is the scheme for a connector instance signed this way (in-house
CloudEvents, the 3PL's XML): one secret per instance, a signed timestamp and its replay window.
The secret type itself, `WebhookSecret`, lives in `gateway.events` (see there why).
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Final

from connectors.sdk import SignatureError, Verified
from gateway.events import WebhookSecret

MAX_WEBHOOK_ID_LENGTH: Final = 256
MAX_SIGNATURES: Final = 32  # more than any key rotation needs; bounds the work per request
DEFAULT_TOLERANCE: Final = 300  # seconds either way, as the reference libraries use

WEBHOOK_ID: Final = "webhook-id"
WEBHOOK_TIMESTAMP: Final = "webhook-timestamp"
WEBHOOK_SIGNATURE: Final = "webhook-signature"

_VERSION: Final = "v1"
_MAX_TIMESTAMP_DIGITS: Final = 15  # unix seconds; far beyond any plausible date


class WebhookVerificationError(ValueError):
    """A delivery failed verification; the message is safe to show to the sender."""


@dataclass(frozen=True, slots=True)
class VerifiedDelivery:
    source: str  # the configured source whose secret signed the delivery
    webhook_id: str  # the sender's idempotency key for this delivery
    timestamp: int


def sign(secret: WebhookSecret, msg_id: str, timestamp: int, body: bytes) -> str:
    """The `v1,<base64>` signature of one delivery."""
    _check_webhook_id(msg_id, error=ValueError)
    return f"{_VERSION},{base64.b64encode(_mac(secret, msg_id, timestamp, body)).decode('ascii')}"


def signature_headers(secret: WebhookSecret, msg_id: str, body: bytes, now: int) -> dict[str, str]:
    """The three headers a sender attaches to a delivery of `body` made at `now`."""
    return {
        WEBHOOK_ID: msg_id,
        WEBHOOK_TIMESTAMP: str(now),
        WEBHOOK_SIGNATURE: sign(secret, msg_id, now, body),
    }


def verify(
    secrets: Mapping[str, WebhookSecret],
    headers: Mapping[str, str],
    body: bytes,
    now: int,
    tolerance: int = DEFAULT_TOLERANCE,
) -> VerifiedDelivery:
    """Check one delivery against every source's secret; raise WebhookVerificationError if bad."""
    lowered = {name.lower(): value for name, value in headers.items()}
    values: dict[str, str] = {}
    for name in (WEBHOOK_ID, WEBHOOK_TIMESTAMP, WEBHOOK_SIGNATURE):
        value = lowered.get(name)
        if value is None:
            raise WebhookVerificationError(f"missing header {name}")
        values[name] = value
    msg_id = values[WEBHOOK_ID]
    _check_webhook_id(msg_id, error=WebhookVerificationError)
    timestamp = _parse_timestamp(values[WEBHOOK_TIMESTAMP])
    if timestamp < now - tolerance:
        raise WebhookVerificationError(
            f"{WEBHOOK_TIMESTAMP} is too old: more than {tolerance} s before the server's clock"
        )
    if timestamp > now + tolerance:
        raise WebhookVerificationError(
            f"{WEBHOOK_TIMESTAMP} is too far in the future: "
            f"more than {tolerance} s after the server's clock"
        )
    candidates, ignored = _parse_signatures(values[WEBHOOK_SIGNATURE])
    # Every source is tried against every candidate with no early exit, so the response time
    # does not reveal which sources exist or which one matched.
    matched: list[str] = []
    for source, secret in secrets.items():
        expected = _mac(secret, msg_id, timestamp, body)
        hit = False
        for candidate in candidates:
            hit |= hmac.compare_digest(expected, candidate)
        if hit:
            matched.append(source)
    if not matched:
        detail = f" ({ignored} unusable token(s) ignored)" if ignored else ""
        raise WebhookVerificationError(f"no valid signature in {WEBHOOK_SIGNATURE}{detail}")
    if len(matched) > 1:
        # Two sources share a secret: the sender cannot be told apart, so refuse to guess.
        raise WebhookVerificationError("signature matches more than one source")
    return VerifiedDelivery(source=matched[0], webhook_id=msg_id, timestamp=timestamp)


def _mac(secret: WebhookSecret, msg_id: str, timestamp: int, body: bytes) -> bytes:
    return secret.digest(f"{msg_id}.{timestamp}.".encode() + body)


def _check_webhook_id(msg_id: str, *, error: type[ValueError]) -> None:
    if not msg_id:
        raise error(f"{WEBHOOK_ID} is empty")
    if len(msg_id) > MAX_WEBHOOK_ID_LENGTH:
        raise error(f"{WEBHOOK_ID} is longer than {MAX_WEBHOOK_ID_LENGTH} characters")
    if "." in msg_id:
        # '.' separates the signed fields, so it would make the signed content ambiguous.
        raise error(f"{WEBHOOK_ID} must not contain '.'")


def _parse_timestamp(raw: str) -> int:
    # Integer unix seconds only: no sign, fraction, exponent or whitespace.
    if not (raw.isascii() and raw.isdigit() and len(raw) <= _MAX_TIMESTAMP_DIGITS):
        raise WebhookVerificationError(f"{WEBHOOK_TIMESTAMP} must be integer unix seconds")
    return int(raw)


def _parse_signatures(header: str) -> tuple[list[bytes], int]:
    """The decoded `v1` signatures in the header, and how many tokens were unusable."""
    tokens = header.split()
    if len(tokens) > MAX_SIGNATURES:
        raise WebhookVerificationError(
            f"{WEBHOOK_SIGNATURE} lists more than {MAX_SIGNATURES} signatures"
        )
    candidates: list[bytes] = []
    ignored = 0
    for token in tokens:
        version, comma, encoded = token.partition(",")
        # Unknown versions (e.g. v1a) are skipped, as the spec asks, so senders can add schemes.
        if not comma or version != _VERSION:
            ignored += 1
            continue
        try:
            candidates.append(base64.b64decode(encoded, validate=True))
        except (binascii.Error, ValueError):
            ignored += 1
    return candidates, ignored


def verify_standard_webhook(
    secret: WebhookSecret,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
    tolerance: int,
) -> Verified:
    """One instance's delivery, as the connector contract wants it: SignatureError if bad."""
    try:
        delivery = verify(
            {"sender": secret}, headers, body, now=int(now.timestamp()), tolerance=tolerance
        )
    except WebhookVerificationError as exc:
        raise SignatureError(str(exc)) from None
    return Verified(delivery.webhook_id)
