"""Every cache key the gateway writes, in one place: each names its kind and carries a
version, so a change of value format never reads another release's entries."""

from __future__ import annotations


def log_node(level: int, index: int) -> str:
    """A stored Merkle node: immutable once written, so never invalidated."""
    return f"log-node:{level}:{index}"
