"""Sealed fields: personal data encrypted under its subject's data key, bound to its cell.

Format v1, byte-compatible with Google Tink's AES-GCM output with a TINK prefix:
``0x01 | data key id (4) | nonce (12) | ciphertext | tag (16)``. The AAD is
``b"pii/v1" | header (5) | table | 0x00 | column | 0x00 | row id (16) | subject id (16)``:
unlike Tink's prefix the key id is authenticated, and a value moved to another row, column,
table or subject no longer decrypts.
"""

from __future__ import annotations

import os
import uuid

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from gateway.db import (
    FORMAT_BYTE,
    HEADER_SIZE,
    NONCE_SIZE,
    OVERHEAD,
    PlaintextRefused,
    Sealed,
    SealedBytes,
)
from privacy.keys import DataKey, DecryptionFailed

__all__ = [
    "OVERHEAD",
    "PlaintextRefused",
    "Sealed",
    "SealedBytes",
    "seal",
    "stale_key",
    "unseal",
    "unseal_text",
]

_AAD_PREFIX = b"pii/v1"


def _aad(header: bytes, table: str, column: str, row_id: uuid.UUID, subject_id: uuid.UUID) -> bytes:
    # NUL separates the names, so ("ab", "c") and ("a", "bc") cannot produce the same AAD.
    if not table or not column or "\x00" in table or "\x00" in column:
        raise ValueError("table and column must be non-empty and contain no NUL")
    if not isinstance(row_id, uuid.UUID) or not isinstance(subject_id, uuid.UUID):
        raise TypeError("row_id and subject_id must be uuid.UUID")
    names = table.encode() + b"\x00" + column.encode() + b"\x00"
    return _AAD_PREFIX + header + names + row_id.bytes + subject_id.bytes


def seal(
    dk: DataKey,
    value: str | bytes,
    *,
    table: str,
    column: str,
    row_id: uuid.UUID,
    subject_id: uuid.UUID,
) -> Sealed:
    """Encrypt one value for one cell. A fresh random nonce each call: never deterministic."""
    if isinstance(value, str):
        plaintext = value.encode("utf-8")
    elif isinstance(value, bytes):
        plaintext = value
    else:
        raise TypeError(f"can only seal str or bytes, not {type(value).__name__}")
    header = bytes([FORMAT_BYTE]) + dk.key_id
    nonce = os.urandom(NONCE_SIZE)
    aad = _aad(header, table, column, row_id, subject_id)
    return Sealed(header + nonce + AESGCM(dk.key).encrypt(nonce, plaintext, aad))


def unseal(
    dk: DataKey,
    sealed: Sealed | bytes,
    *,
    table: str,
    column: str,
    row_id: uuid.UUID,
    subject_id: uuid.UUID,
) -> bytes:
    """Decrypt one cell. The key id must match `dk`: no trial decryption across keys."""
    if not isinstance(sealed, Sealed):
        sealed = Sealed(sealed)
    if sealed.key_id != dk.key_id:
        # Key ids are public (they are in the header); naming them helps find stale rows.
        raise DecryptionFailed(
            f"sealed {table}.{column} was written with key id 0x{sealed.key_id.hex()}, "
            f"not 0x{dk.key_id.hex()}"
        )
    data = sealed.data
    header, nonce = data[:HEADER_SIZE], data[HEADER_SIZE : HEADER_SIZE + NONCE_SIZE]
    aad = _aad(header, table, column, row_id, subject_id)
    try:
        return AESGCM(dk.key).decrypt(nonce, data[HEADER_SIZE + NONCE_SIZE :], aad)
    except InvalidTag:
        raise DecryptionFailed(
            f"sealed {table}.{column} of row {row_id} failed authentication "
            "(tampered, or moved from another row, column or subject)"
        ) from None


def unseal_text(
    dk: DataKey,
    sealed: Sealed | bytes,
    *,
    table: str,
    column: str,
    row_id: uuid.UUID,
    subject_id: uuid.UUID,
) -> str:
    raw = unseal(dk, sealed, table=table, column=column, row_id=row_id, subject_id=subject_id)
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # The codec's message quotes a byte of the value; ours does not.
        raise ValueError(f"sealed {table}.{column} does not hold UTF-8 text") from None


def stale_key(sealed: Sealed, current_key_id: bytes) -> bool:
    """True if `sealed` was written under another data key than the current one."""
    return sealed.key_id != current_key_id
