"""Webhook signature schemes, in one place: Standard Webhooks v1 and the body-HMAC schemes.

A push connector's `signature.py` declares which scheme its source uses; the checking (and the
one constant-time comparison) lives here.
"""

from connectors.webhooks.hmac import BodyHmac, Encoding, signed_by_any
from connectors.webhooks.standard import (
    DEFAULT_TOLERANCE,
    MAX_SIGNATURES,
    MAX_WEBHOOK_ID_LENGTH,
    WEBHOOK_ID,
    WEBHOOK_SIGNATURE,
    WEBHOOK_TIMESTAMP,
    VerifiedDelivery,
    WebhookVerificationError,
    sign,
    signature_headers,
    verify,
    verify_standard_webhook,
)

__all__ = [
    "DEFAULT_TOLERANCE",
    "MAX_SIGNATURES",
    "MAX_WEBHOOK_ID_LENGTH",
    "WEBHOOK_ID",
    "WEBHOOK_SIGNATURE",
    "WEBHOOK_TIMESTAMP",
    "BodyHmac",
    "Encoding",
    "VerifiedDelivery",
    "WebhookVerificationError",
    "sign",
    "signature_headers",
    "signed_by_any",
    "verify",
    "verify_standard_webhook",
]
