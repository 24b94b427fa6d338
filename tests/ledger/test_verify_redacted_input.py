"""Redacted entries that are malformed, or found outside a bundle: reported, never raised."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from gateway.ledger import verify_document
from tests.ledger.memlog import b64
from tests.ledger.verify_helpers import (
    INCOMPLETE,
    INDEXES,
    LOG,
    ORDER,
    VKEY,
    hidden,
    item,
    problems,
    redacted,
)

# --- malformed redacted entries ------------------------------------------------------------


def test_malformed_redacted_entries_are_reported_not_raised() -> None:
    doc = redacted(*range(2, 10))
    del item(doc, 2)["leaf_hash"]
    item(doc, 3)["seq"] = "3"
    item(doc, 4)["leaf_hash"] = b64(bytes(31))
    item(doc, 5)["leaf_hash"] = "not base64!"
    item(doc, 6)["event"] = copy.deepcopy(LOG.events[INDEXES[5]])
    del item(doc, 7)["leaf_index"]
    del item(doc, 8)["inclusion_proof"]
    item(doc, 9)["leaf_hash"] = 12
    found = problems(doc)
    assert found == (
        f"{hidden(2)} is missing leaf_hash",
        '$.events[2] (redacted entry): seq must be an integer >= 1, got "3"',
        f"{hidden(4)}: leaf_hash is 31 bytes, expected 32",
        f"{hidden(5)}: leaf_hash is not valid base64",
        f"{hidden(6)}: a redacted entry must not also carry an event",
        f"inclusion proof of {hidden(7)} is invalid: "
        "leaf_index must be a non-negative integer, got null",
        f"inclusion proof of {hidden(8)} is invalid: inclusion_proof is missing or not a list",
        f"{hidden(9)}: leaf_hash is not valid base64",
        f"order {ORDER}: timeline incomplete, seq 3 missing",
    )
    summary = verify_document(doc, VKEY).orders[ORDER]
    assert (summary.events, summary.verified, summary.redacted, summary.complete) == (
        8,
        2,
        7,
        False,
    )


@pytest.mark.parametrize(
    ("entry", "expected"),
    [
        (
            {"redacted": True},
            (
                "$.events[4] (redacted entry) is missing seq, leaf_hash",
                "inclusion proof of $.events[4] (redacted entry) is invalid: "
                "leaf_index must be a non-negative integer, got null",
                "inclusion proof of $.events[4] (redacted entry) is invalid: "
                "inclusion_proof is missing or not a list",
                INCOMPLETE,
            ),
        ),
        (
            {
                "redacted": True,
                "seq": [5],
                "leaf_hash": {},
                "leaf_index": -1,
                "inclusion_proof": {},
            },
            (
                "$.events[4] (redacted entry): seq must be an integer >= 1, got [5]",
                "$.events[4] (redacted entry): leaf_hash is not valid base64",
                "inclusion proof of $.events[4] (redacted entry) is invalid: "
                "leaf_index must be a non-negative integer, got -1",
                "inclusion proof of $.events[4] (redacted entry) is invalid: "
                "inclusion_proof is missing or not a list",
                INCOMPLETE,
            ),
        ),
        (
            {"redacted": "yes", "seq": 5, "leaf_hash": b64(LOG.leaf_hashes[INDEXES[4]])},
            (
                '$.events[4]: redacted must be true or false, got "yes"',
                f"inclusion proof of {hidden(5)} is invalid: "
                "leaf_index must be a non-negative integer, got null",
                f"inclusion proof of {hidden(5)} is invalid: "
                "inclusion_proof is missing or not a list",
            ),
        ),
        (
            {"redacted": True, "event": None, "seq": 0, "leaf_hash": b64(bytes(33))},
            (
                "$.events[4] (redacted entry): a redacted entry must not also carry an event",
                "$.events[4] (redacted entry): seq must be an integer >= 1, got 0",
                "$.events[4] (redacted entry): leaf_hash is 33 bytes, expected 32",
                "inclusion proof of $.events[4] (redacted entry) is invalid: "
                "leaf_index must be a non-negative integer, got null",
                "inclusion proof of $.events[4] (redacted entry) is invalid: "
                "inclusion_proof is missing or not a list",
                INCOMPLETE,
            ),
        ),
    ],
    ids=["empty", "wrong-types", "non-boolean-flag", "with-event"],
)
def test_malformed_redacted_entry(entry: dict[str, Any], expected: tuple[str, ...]) -> None:
    doc = redacted(5)
    doc["events"][4] = entry
    assert problems(doc) == expected


# --- redacted entries outside a bundle -----------------------------------------------------


def test_redacted_entry_among_loose_receipts() -> None:
    receipts = LOG.receipts(ORDER)
    receipts[4] = item(redacted(5), 5)
    assert problems(receipts) == (
        "$[4]: redacted entry (seq 5) found outside a timeline bundle: receipts are never redacted",
        f"order {ORDER}: timeline incomplete, seq 5 not provided",
    )
    report = verify_document(receipts, VKEY)
    assert report.orders[ORDER].verified == 8 and report.orders[ORDER].redacted == 0


def test_redacted_entry_alone_or_nested_is_reported() -> None:
    entry = item(redacted(5), 5)
    assert problems(entry) == (
        "$: redacted entry (seq 5) found outside a timeline bundle: receipts are never redacted",
    )
    answer = {"data": {"order": {"timeline": [{"node": {"receipt": entry}}]}}}
    assert problems(answer) == (
        "$.data.order.timeline[0].node.receipt: redacted entry (seq 5) found outside a "
        "timeline bundle: receipts are never redacted",
    )


def test_receipt_marked_redacted_is_reported() -> None:
    receipt = LOG.receipt(INDEXES[0])
    receipt["redacted"] = True
    assert problems(receipt) == (
        "$: redacted entry found outside a timeline bundle: receipts are never redacted",
    )
    # An unrelated object with a "redacted" flag is not mistaken for an entry.
    doc = {"user": {"redacted": True, "name": "x"}, "bundle": redacted(5)}
    assert problems(doc) == ()


def test_huge_seqs_are_reported_without_exhausting_memory() -> None:
    # The gap is computed from the seqs listed, not by enumerating 1..seq.
    doc = redacted(9)
    item(doc, 9)["seq"] = 10**18
    assert problems(doc) == (f"order {ORDER}: timeline incomplete, seq 9..{10**18 - 1} missing",)
    doc = redacted()
    doc["events"][8]["event"]["data"]["seq"] = 2**70
    assert f"order {ORDER}: timeline incomplete, seq 9..{2**70 - 1} missing" in problems(doc)
