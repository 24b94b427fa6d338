"""Standard Webhooks for connectors whose senders sign that way (in-house CloudEvents, the
3PL's XML): one secret per instance, a signed timestamp and its replay window."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from connectors.sdk import SignatureError, Verified
from gateway.ingest.webhooks import WebhookSecret, WebhookVerificationError, verify


def verify_standard_webhook(
    secret: WebhookSecret,
    headers: Mapping[str, str],
    body: bytes,
    now: datetime,
    tolerance: int,
) -> Verified:
    try:
        delivery = verify(
            {"sender": secret}, headers, body, now=int(now.timestamp()), tolerance=tolerance
        )
    except WebhookVerificationError as exc:
        raise SignatureError(str(exc)) from None
    return Verified(delivery.webhook_id)
