"""Shared set-up of the verifier tests: one in-memory log and small accessors."""

from __future__ import annotations

from typing import Any

from gateway.ledger import verify_document
from tests.ledger.memlog import ORIGIN, demo_log

LOG = demo_log()
VKEY = LOG.signer.vkey
PINNED = f"pinned key {ORIGIN}+{LOG.signer.key_id.hex()}"
ORDER = "SO-10001"


def problems(doc: object, **kwargs: Any) -> tuple[str, ...]:
    report = verify_document(doc, VKEY, **kwargs)
    assert report.ok == (not report.problems)
    return report.problems


def bundle() -> dict[str, Any]:
    return LOG.bundle(ORDER)


def ev(doc: dict[str, Any], seq: int) -> dict[str, Any]:
    """The bundle item for ``seq`` (bundles list events in seq order)."""
    item: dict[str, Any] = doc["events"][seq - 1]
    assert item["event"]["data"]["seq"] == seq
    return item


def label(doc: dict[str, Any], seq: int) -> str:
    return f"order {ORDER} seq {seq} (event id {ev(doc, seq)['event']['id']})"


def item(doc: dict[str, Any], seq: int) -> dict[str, Any]:
    """The bundle item for ``seq``, full or redacted (bundles list events in seq order)."""
    found: dict[str, Any] = doc["events"][seq - 1]
    assert (found["seq"] if found.get("redacted") else found["event"]["data"]["seq"]) == seq
    return found


# --- redacted entries (test_verify_redacted*.py) ------------------------------------------

INDEXES = LOG.indexes(ORDER)  # leaf index of each seq of ORDER, seq 1 first
INCOMPLETE = f"order {ORDER}: timeline incomplete, seq 5 missing"
NOT_PROVEN = (
    "is not proven to be in the log: inclusion proof does not lead to the expected root "
    "(the leaf hash or its proof was altered)"
)


def redacted(*seqs: int) -> dict[str, Any]:
    return LOG.bundle(ORDER, redact=seqs)


def eid(seq: int) -> str:
    event_id: str = LOG.events[INDEXES[seq - 1]]["id"]
    return event_id


def full(seq: int) -> str:
    return f"seq {seq} (event id {eid(seq)})"


def hidden(seq: int) -> str:
    return f"order {ORDER} redacted entry seq {seq}"


def prev_mismatch(seq: int) -> str:
    return (
        f"order {ORDER}: data.prev of {full(seq + 1)} does not match the leaf hash of "
        f"redacted entry seq {seq}"
    )
