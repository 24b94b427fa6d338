"""Blind indexes: find a customer by phone or email without deterministic encryption.

The index is a truncated HMAC of the normalized value under a key derived for one table,
column and version. It narrows a lookup to a bucket of candidates; the caller decrypts those
and compares exactly. Sealed values stay randomized, and the index key can be rotated (a new
VERSION) without touching them.
"""

from __future__ import annotations

import unicodedata
from typing import ClassVar

import phonenumbers
from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

__all__ = ["BlindIndex", "normalize_email", "normalize_phone"]


def normalize_phone(raw: str, default_region: str = "CN") -> str:
    """E.164 form ("+8613812345678"); ValueError (without the input) if not a valid number."""
    try:
        number = phonenumbers.parse(raw, default_region)
    except phonenumbers.NumberParseException:
        raise ValueError("not a valid phone number") from None
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


def normalize_email(raw: str) -> str:
    """NFKC, trimmed, lowercased, IDNA domain; ValueError (without the input) if malformed."""
    # Lowercasing the local part too: RFC 5321 lets it be case-sensitive, but major
    # providers treat it case-insensitively, and customers type it both ways.
    text = unicodedata.normalize("NFKC", raw).strip().lower()
    if text.count("@") != 1 or any(c.isspace() or not c.isprintable() for c in text):
        raise ValueError("not a valid email address")
    local, domain = text.split("@")
    labels = domain.split(".")
    if not local or len(labels) < 2 or not all(labels):
        raise ValueError("not a valid email address")
    try:
        ascii_domain = domain.encode("idna").decode("ascii")
    except UnicodeError:
        raise ValueError("not a valid email address") from None
    return f"{local}@{ascii_domain}"


class BlindIndex:
    """Index values for customers' phone and email, derived from the index root key."""

    VERSION: ClassVar[int] = 1
    # 16 bits = 65,536 buckets, so about N / 65,536 customers share a bucket: ~15 candidates
    # per lookup at a million customers, each decrypted and compared exactly. A full-width
    # index would reveal which rows are equal across the whole column, and whose number it is
    # to anyone who can brute-force the ~10^10 mobile numbers with the key.
    BITS: ClassVar[int] = 16
    PHONE: ClassVar[tuple[str, str]] = ("customers", "phone")
    EMAIL: ClassVar[tuple[str, str]] = ("customers", "email")

    def __init__(self, root: bytes) -> None:
        if len(root) != 32:
            raise ValueError("the blind-index root key must be 32 bytes")
        self._phone_key = self._derive(root, *self.PHONE)
        self._email_key = self._derive(root, *self.EMAIL)

    @classmethod
    def _derive(cls, root: bytes, table: str, column: str) -> bytes:
        info = f"bidx|{table}|{column}|v{cls.VERSION}".encode()
        return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=info).derive(root)

    def _bucket(self, key: bytes, normalized: str) -> int:
        mac = hmac.HMAC(key, hashes.SHA256())
        mac.update(normalized.encode("utf-8"))
        return int.from_bytes(mac.finalize()[:4], "big") >> (32 - self.BITS)

    def phone(self, value: str) -> int:
        return self._bucket(self._phone_key, normalize_phone(value))

    def email(self, value: str) -> int:
        return self._bucket(self._email_key, normalize_email(value))

    def __repr__(self) -> str:
        return f"BlindIndex(v{self.VERSION}, {self.BITS} bits)"
