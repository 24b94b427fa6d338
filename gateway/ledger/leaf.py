"""Leaf encoding of an order event: domain-separated RFC 8785 (JCS) canonical JSON."""

from __future__ import annotations

from collections.abc import Mapping

from gateway.events import canonical_json
from gateway.ledger import merkle

__all__ = [
    "LEAF_PREFIX",
    "MAX_LEAF_BYTES",
    "LeafTooLarge",
    "event_leaf",
    "event_leaf_hash",
]

# Domain separation: these bytes can never be mistaken for another protocol's leaf.
LEAF_PREFIX = b"orderlens/event/v1\n"
# C2SP tlog-tiles entry bundles use a uint16 length prefix, so one entry is at most this.
MAX_LEAF_BYTES = 65535


class LeafTooLarge(ValueError):
    """The encoded leaf does not fit in a tlog-tiles entry bundle."""


def event_leaf(event: Mapping[str, object]) -> bytes:
    leaf = LEAF_PREFIX + canonical_json(event)
    if len(leaf) > MAX_LEAF_BYTES:
        raise LeafTooLarge(f"event leaf is {len(leaf)} bytes, the limit is {MAX_LEAF_BYTES}")
    return leaf


def event_leaf_hash(event: Mapping[str, object]) -> bytes:
    return merkle.leaf_hash(event_leaf(event))
