"""The signing secret a source shares with the gateway (Standard Webhooks `v1`, `whsec_...`).

A pure value type at the bottom of the layers, so that both the settings (which read
ORDERLENS_INGEST_SECRETS) and the connectors (which verify with it) can use it without either
importing the other: settings sit below connectors, and connectors import only gateway.events.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from secrets import token_bytes
from typing import Final, final

SECRET_PREFIX: Final = "whsec_"  # noqa: S105  (the format marker, not a secret)
MIN_SECRET_BYTES: Final = 24  # "at least 24 bytes" (spec)
GENERATED_SECRET_BYTES: Final = 32


@final
class WebhookSecret:
    """A `v1` signing secret. Its repr and str never show the key."""

    __slots__ = ("_key",)

    def __init__(self, value: str) -> None:
        encoded = value.removeprefix(SECRET_PREFIX).strip()
        # Unpadded base64 is common in the wild (the reference library adds padding too).
        padded = encoded + "=" * (-len(encoded) % 4)
        try:
            key = base64.b64decode(padded, validate=True)
        except (binascii.Error, ValueError):
            raise ValueError(
                f"webhook secret must be '{SECRET_PREFIX}' followed by base64"
            ) from None
        if len(key) < MIN_SECRET_BYTES:
            raise ValueError(
                f"webhook secret must decode to at least {MIN_SECRET_BYTES} bytes, got {len(key)}"
            )
        self._key = key

    @classmethod
    def generate(cls) -> WebhookSecret:
        """A fresh random secret, e.g. for a new source or the demo."""
        return cls(base64.b64encode(token_bytes(GENERATED_SECRET_BYTES)).decode("ascii"))

    @property
    def encoded(self) -> str:
        """The `whsec_...` form to hand to the sending system."""
        return SECRET_PREFIX + base64.b64encode(self._key).decode("ascii")

    def digest(self, content: bytes) -> bytes:
        return hmac.new(self._key, content, hashlib.sha256).digest()

    def __repr__(self) -> str:
        return f"WebhookSecret('{SECRET_PREFIX}***')"

    __str__ = __repr__

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, WebhookSecret):
            return NotImplemented
        return hmac.compare_digest(self._key, other._key)

    def __hash__(self) -> int:
        return hash(hashlib.sha256(self._key).digest())

    # Immutable, so copies can share it; pickling would write the key out in the clear.
    def __copy__(self) -> WebhookSecret:
        return self

    def __deepcopy__(self, memo: object) -> WebhookSecret:
        return self

    def __reduce__(self) -> tuple[object, ...]:
        raise TypeError("WebhookSecret cannot be pickled")
