"""Body-HMAC webhook schemes: HMAC-SHA256 over the raw body, sent in one header.

Frappe, ShipHero and EasyPost all sign this way and differ only in the header, the digest's
encoding (base64 or hex), an optional prefix and their wording, so each source declares a
`BodyHmac` in its `signature.py` and this module does the checking: one header reader, one
decoder, one constant-time comparison that tries every configured key with no early exit (the
response time tells neither which key matched nor how many there are).

These schemes sign no timestamp: there is no replay window, and the gateway deduplicates by the
source's delivery id (or the body hash). Messages name the header and what is wrong with it,
never a key, a digest or the body.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum

from connectors.sdk import SignatureError

DIGEST_BYTES = hashlib.sha256().digest_size
_HEX_DIGEST = re.compile(r"^[0-9a-fA-F]{64}$")


class Encoding(StrEnum):
    BASE64 = "base64"  # standard alphabet, padded
    HEX = "hex"


def digest(key: bytes, body: bytes) -> bytes:
    return hmac.new(key, body, hashlib.sha256).digest()


def header(headers: Mapping[str, str], name: str) -> str | None:
    """A header's value, its name matched case-insensitively (plain dicts in tests, too)."""
    value = headers.get(name)
    if value is None:
        lowered = name.lower()
        value = next((v for k, v in headers.items() if k.lower() == lowered), None)
    return value


def signed_by_any(keys: Iterable[bytes], body: bytes, claimed: bytes) -> bool:
    """Whether `claimed` is the body's HMAC under one of `keys`, every key tried."""
    matched = False
    for key in keys:
        matched |= hmac.compare_digest(digest(key, body), claimed)
    return matched


@dataclass(frozen=True, slots=True)
class BodyHmac:
    """One source's scheme. The messages default to plain wording built from the header."""

    header: str  # as the source documents it; matched case-insensitively
    encoding: Encoding = Encoding.BASE64
    prefix: str = ""  # before the digest (EasyPost: "hmac-sha256-hex="), any case
    blank_is_missing: bool = True  # an empty header counts as no header
    missing: str | None = None
    malformed: str | None = None
    wrong_length: str | None = None
    mismatch: str | None = None

    def sign(self, key: bytes, body: bytes) -> str:
        """The header value the source sends for `body` (for tests and simulators)."""
        raw = digest(key, body)
        encoded = raw.hex() if self.encoding is Encoding.HEX else base64.b64encode(raw).decode()
        return self.prefix + encoded

    def check(self, keys: Iterable[bytes], headers: Mapping[str, str], body: bytes) -> None:
        """Raise SignatureError unless the header holds the body's HMAC under one of `keys`."""
        value = header(headers, self.header)
        if value is None or (self.blank_is_missing and not value.strip()):
            raise SignatureError(self.missing or f"missing header {self.header}")
        if not signed_by_any(keys, body, self._claimed(value.strip())):
            raise SignatureError(
                self.mismatch or f"{self.header} does not match the body under any secret"
            )

    def _claimed(self, value: str) -> bytes:
        if self.encoding is Encoding.HEX:
            has_prefix = value.lower().startswith(self.prefix.lower())
            encoded = value[len(self.prefix) :] if has_prefix else ""
            if not _HEX_DIGEST.match(encoded):
                raise SignatureError(
                    self.malformed or f"{self.header} must be {self.prefix}<64 hex digits>"
                )
            return bytes.fromhex(encoded)
        try:
            claimed = base64.b64decode(value.removeprefix(self.prefix), validate=True)
        except (binascii.Error, ValueError):
            raise SignatureError(self.malformed or f"{self.header} is not base64") from None
        if len(claimed) != DIGEST_BYTES:
            raise SignatureError(self.wrong_length or f"{self.header} is not an HMAC-SHA256 digest")
        return claimed
