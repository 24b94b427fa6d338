"""One native delivery (a webhook body for one system) and how each system signs it.

Each system authenticates its own way, exactly as the gateway's connectors check it: Frappe
and ShipHero sign the body with a shared secret and no timestamp, EasyPost signs the body and
adds an unsigned `X-Timestamp`, the 3PL and the in-house systems use Standard Webhooks.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import format_datetime
from typing import Final

from connectors.easypost import sign as easypost_sign
from connectors.erpnext import HEADER as FRAPPE_HEADER
from connectors.erpnext import sign as frappe_sign
from connectors.shiphero import MESSAGE_ID_HEADER, SIGNATURE_HEADER
from connectors.shiphero import sign as shiphero_sign
from connectors.webhooks import signature_headers
from gateway.demo.script import EASYPOST, ERP, INHOUSE, WMS, WMS_XML
from gateway.events import WebhookSecret

JSON: Final = "application/json"
XML: Final = "application/xml"
CLOUDEVENTS_BATCH: Final = "application/cloudevents-batch+json"


@dataclass(slots=True)
class Delivery:
    system: str  # the connector instance: POST /ingest/<system>
    at: datetime  # when the system sends it
    body: bytes
    content_type: str
    delivery_id: str  # the sender's id for it (message id, webhook-id, Event id), for logs
    steps: int = 1  # planned steps it reports
    late: int = 0  # scans in it that the carrier uploaded late
    duplicate: bool = False  # a re-send of an earlier delivery (same bytes, same ids)
    # Posted only after everything before it, and before anything after it: what later
    # deliveries build on (an order's first save, which later steps' personal data joins).
    barrier: bool = False
    attempts: int = 0

    def again(self) -> Delivery:
        """The same delivery sent once more, as senders retry."""
        return Delivery(
            self.system,
            self.at,
            self.body,
            self.content_type,
            self.delivery_id,
            self.steps,
            duplicate=True,
        )


def signed_headers(delivery: Delivery, secret: str, now: datetime) -> dict[str, str]:
    """The headers `delivery.system` sends, signed with its secret at `now`."""
    headers = {"content-type": delivery.content_type}
    body = delivery.body
    if delivery.system == ERP:
        headers[FRAPPE_HEADER] = frappe_sign(secret, body)
    elif delivery.system == WMS:
        headers[SIGNATURE_HEADER] = shiphero_sign(secret.encode(), body)
        headers[MESSAGE_ID_HEADER] = delivery.delivery_id
    elif delivery.system == EASYPOST:
        headers["X-Hmac-Signature"] = easypost_sign(secret, body)
        headers["X-Timestamp"] = format_datetime(now.astimezone(UTC), usegmt=True)
    elif delivery.system in (WMS_XML, INHOUSE):
        stamp = int(now.timestamp())
        headers |= signature_headers(WebhookSecret(secret), delivery.delivery_id, body, stamp)
    else:
        raise ValueError(f"{delivery.system} is pulled, not pushed")
    return headers
