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
