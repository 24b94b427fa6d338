"""Master keys (KEKs) and per-subject data keys (DEKs): the envelope around all personal data.

A master keyring holds numbered key versions, one of them primary. It only ever wraps small
secrets (data keys, the blind-index root); sealed values sit under data keys, so rotating a
master key re-wraps one short record per customer and never touches personal data.

Wrapped record: ``0x01 | version (4, big-endian) | nonce (12) | AES-256-GCM(ciphertext | tag)``
with AAD ``b"kek/v1" | header (5) | caller AAD``. The header is authenticated, so a blob cannot
be relabelled to another version, and the caller's AAD binds it to its owner.
"""

from __future__ import annotations

import hmac
import os
import uuid
from dataclasses import dataclass
from typing import Protocol

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

__all__ = [
    "DataKey",
    "DecryptionFailed",
    "KeyUnavailable",
    "KeyringConfigError",
    "MasterKeyring",
    "generate_data_key",
    "generate_root_key",
    "rewrap",
    "unwrap",
    "unwrap_data_key",
    "wrap",
    "wrap_data_key",
    "wrapped_version",
]

KEY_SIZE = 32
_FORMAT_BYTE = b"\x01"
_HEADER_SIZE = 5
_NONCE_SIZE = 12
_TAG_SIZE = 16
_WRAP_AAD = b"kek/v1"
_MAX_VERSION = 0xFFFFFFFF  # the header holds the version in four bytes


class KeyUnavailable(Exception):
    """A key version needed here is retired, destroyed or unknown."""


class DecryptionFailed(Exception):
    """A ciphertext did not authenticate, or is not in the expected format."""


class KeyringConfigError(ValueError):
    """The configured master keys are unusable. Messages never contain key material."""


class MasterKeyring(Protocol):
    """Numbered master keys. `key` raises KeyUnavailable for a version not in `versions()`."""

    @property
    def primary_version(self) -> int: ...

    def versions(self) -> tuple[int, ...]: ...

    def key(self, version: int) -> bytes: ...


# -- wrapping (shared by every backend) ------------------------------------------------------


def _header(version: int) -> bytes:
    return _FORMAT_BYTE + version.to_bytes(4, "big")


def wrap(keyring: MasterKeyring, plaintext: bytes, aad: bytes) -> bytes:
    """Encrypt a small secret under the primary master key, bound to `aad`."""
    version = keyring.primary_version
    header = _header(version)
    nonce = os.urandom(_NONCE_SIZE)
    sealed = AESGCM(keyring.key(version)).encrypt(nonce, plaintext, _WRAP_AAD + header + aad)
    return header + nonce + sealed


def wrapped_version(blob: bytes) -> int:
    """The master key version a wrapped blob was written with (read from its header)."""
    if len(blob) < _HEADER_SIZE + _NONCE_SIZE + _TAG_SIZE or blob[:1] != _FORMAT_BYTE:
        raise DecryptionFailed("malformed wrapped key: unknown format or too short")
    return int.from_bytes(blob[1:_HEADER_SIZE], "big")


def unwrap(keyring: MasterKeyring, blob: bytes, aad: bytes, *, what: str = "wrapped key") -> bytes:
    """Decrypt a wrapped secret; `what` names it in errors (never its value)."""
    try:
        version = wrapped_version(blob)
    except DecryptionFailed:
        raise DecryptionFailed(f"malformed {what}: unknown format or too short") from None
    kek = keyring.key(version)  # KeyUnavailable if this version is retired or unknown
    body = _HEADER_SIZE + _NONCE_SIZE
    header, nonce, sealed = blob[:_HEADER_SIZE], blob[_HEADER_SIZE:body], blob[body:]
    try:
        return AESGCM(kek).decrypt(nonce, sealed, _WRAP_AAD + header + aad)
    except InvalidTag:
        raise DecryptionFailed(
            f"{what} failed authentication under master key version {version}"
        ) from None


def rewrap(keyring: MasterKeyring, blob: bytes, aad: bytes) -> bytes:
    """Re-wrap under the primary version; the secret is never returned. No-op if current."""
    if wrapped_version(blob) == keyring.primary_version:
        return blob
    return wrap(keyring, unwrap(keyring, blob, aad), aad)


# -- data keys -------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True, eq=False)
class DataKey:
    """One subject's AES-256 key. `key_id` is written (unencrypted) into every sealed value."""

    key_id: bytes
    key: bytes

    def __post_init__(self) -> None:
        if len(self.key_id) != 4 or len(self.key) != KEY_SIZE:
            raise ValueError(
                f"a data key is a 4-byte id and {KEY_SIZE} key bytes, "
                f"got {len(self.key_id)} and {len(self.key)}"
            )

    def __repr__(self) -> str:
        return f"DataKey(key_id=0x{self.key_id.hex()})"

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, DataKey):
            return NotImplemented
        # Constant time, so comparing keys cannot leak them through timing.
        return hmac.compare_digest(self.key_id + self.key, other.key_id + other.key)

    def __hash__(self) -> int:
        return hash(self.key_id)


def generate_data_key() -> DataKey:
    return DataKey(key_id=os.urandom(4), key=AESGCM.generate_key(bit_length=256))


def generate_root_key() -> bytes:
    """A fresh blind-index root; the caller `wrap`s it under an AAD naming its purpose."""
    return os.urandom(KEY_SIZE)


def _dek_aad(subject_id: uuid.UUID) -> bytes:
    return b"dek|" + subject_id.bytes


def wrap_data_key(keyring: MasterKeyring, subject_id: uuid.UUID, dk: DataKey) -> bytes:
    return wrap(keyring, dk.key_id + dk.key, _dek_aad(subject_id))


def unwrap_data_key(keyring: MasterKeyring, subject_id: uuid.UUID, blob: bytes) -> DataKey:
    what = f"wrapped data key of subject {subject_id}"
    raw = unwrap(keyring, blob, _dek_aad(subject_id), what=what)
    if len(raw) != 4 + KEY_SIZE:
        raise DecryptionFailed(f"{what} has the wrong length")
    return DataKey(key_id=raw[:4], key=raw[4:])
