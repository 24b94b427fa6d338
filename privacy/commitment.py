"""Keyed commitments to personal data, for the signed log.

An event's `pii_commit` lets a customer holding their data check it against the signed log,
yet reveals nothing to anyone else: it is an HMAC under a key derived from the subject's data
key. Erasing that key makes every commitment of the subject impossible to recompute or
brute-force, while the log's proofs (which cover only the commitment) keep verifying.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping

from cryptography.hazmat.primitives import hashes, hmac
from cryptography.hazmat.primitives.kdf.hkdf import HKDF

from gateway.events import canonical_json
from privacy.keys import DataKey

__all__ = ["commitment_key", "pii_commit"]


def commitment_key(dk: DataKey) -> bytes:
    # A derived key, so the encryption key itself is never used for a second purpose.
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"pii-commit/v1").derive(
        dk.key
    )


def pii_commit(dk: DataKey, snapshot: Mapping[str, object]) -> str:
    """Base64 HMAC-SHA256 over the RFC 8785 canonical JSON of `snapshot`."""
    mac = hmac.HMAC(commitment_key(dk), hashes.SHA256())
    mac.update(canonical_json(snapshot))
    return base64.b64encode(mac.finalize()).decode("ascii")
