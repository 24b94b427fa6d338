"""RFC 8785 (JCS) canonical JSON: the one byte encoding of a document, shared by the log's
leaves, content-hash dedup keys and keyed commitments to personal data."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, cast

import rfc8785

__all__ = ["canonical_json"]


def canonical_json(obj: Mapping[str, object]) -> bytes:
    """JCS bytes; raises ``rfc8785.CanonicalizationError`` (a ValueError) on non-JSON values."""
    # rfc8785 types its input as a closed JSON union; any Mapping of JSON values is fine.
    encoded: bytes = rfc8785.dumps(cast(Any, obj))
    return encoded
