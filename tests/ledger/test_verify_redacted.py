"""Bundles with redacted entries: hidden events still prove the timeline complete."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from gateway.ledger import HASH_SIZE, Redacted, build_bundle, verify_document, verify_text
from tests.ledger.memlog import b64
from tests.ledger.verify_helpers import (
    INDEXES,
    LOG,
    NOT_PROVEN,
    ORDER,
    PINNED,
    VKEY,
    eid,
    full,
    hidden,
    item,
    prev_mismatch,
    problems,
    redacted,
)

# --- building ------------------------------------------------------------------------------


def test_build_bundle_writes_redacted_entries_in_the_order_given() -> None:
    doc = redacted(3, 5)
    assert [("event" in i, i.get("seq")) for i in doc["events"][:6]] == [
        (True, None),
        (True, None),
        (False, 3),
        (True, None),
        (False, 5),
        (True, None),
    ]
    index = INDEXES[4]
    assert item(doc, 5) == {
        "redacted": True,
        "seq": 5,
        "leaf_hash": b64(LOG.leaf_hashes[index]),
        "leaf_index": index,
        "inclusion_proof": [b64(p) for p in LOG.proof(index)],
    }


def test_redacted_is_validated_and_frozen() -> None:
    entry = Redacted(5, bytes(HASH_SIZE), 12, [bytes(HASH_SIZE)])
    assert entry.proof == (bytes(HASH_SIZE),)
    assert hash(entry) == hash(Redacted(5, bytes(HASH_SIZE), 12, (bytes(HASH_SIZE),)))
    with pytest.raises(ValueError, match="leaf hash is 31 bytes, expected 32"):
        Redacted(5, bytes(31), 12, [])
    with pytest.raises(ValueError, match="redacted seq must be an integer >= 1, got 0"):
        Redacted(0, bytes(HASH_SIZE), 12, [])
    doc = build_bundle(ORDER, [entry], 25, "note")
    assert doc["events"] == [
        {
            "redacted": True,
            "seq": 5,
            "leaf_hash": b64(bytes(HASH_SIZE)),
            "leaf_index": 12,
            "inclusion_proof": [b64(bytes(HASH_SIZE))],
        }
    ]


# --- untampered bundles with redacted entries pass -----------------------------------------


def test_bundle_with_internal_events_redacted_passes() -> None:
    report = verify_document(redacted(3, 5, 7), VKEY)
    assert report.ok, report.problems
    summary = report.orders[ORDER]
    assert (summary.events, summary.verified, summary.redacted) == (9, 9, 3)
    assert (summary.first_seq, summary.last_seq, summary.tree_size) == (1, 9, 25)
    assert summary.complete
    assert report.summary().splitlines() == [
        f"VERIFIED: 1 order(s), 9 event(s) (3 redacted) proven ({PINNED})",
        f"  order {ORDER}: seq 1..9, 9/9 events (3 redacted) proven at tree size 25, complete",
    ]


@pytest.mark.parametrize(
    "seqs",
    [(1,), (9,), (4, 5, 6), (1, 2), (8, 9), (1, 3, 5, 7, 9), tuple(range(1, 10))],
    ids=["first", "last", "consecutive", "leading-run", "trailing-run", "alternate", "all"],
)
def test_any_redaction_pattern_passes(seqs: tuple[int, ...]) -> None:
    report = verify_document(redacted(*seqs), VKEY)
    assert report.ok, report.problems
    summary = report.orders[ORDER]
    assert (summary.events, summary.verified, summary.redacted) == (9, 9, len(seqs))
    assert summary.complete


def test_unredacted_summary_is_unchanged() -> None:
    report = verify_document(redacted(), VKEY)
    assert report.orders[ORDER].redacted == 0
    assert "redacted" not in report.summary()


def test_json_text_and_camel_case_redacted_entries_pass() -> None:
    doc = redacted(2, 6)
    for seq in (2, 6):
        entry = item(doc, seq)
        entry["leafHash"] = entry.pop("leaf_hash")
        entry["leafIndex"] = entry.pop("leaf_index")
        entry["inclusionProof"] = entry.pop("inclusion_proof")
    item(doc, 4)["redacted"] = False  # an explicit false marks a full entry
    report = verify_text(json.dumps(doc, indent=2), VKEY)
    assert report.ok, report.problems
    assert report.orders[ORDER].redacted == 2


# --- tampering with redacted entries -------------------------------------------------------


def test_wrong_leaf_hash() -> None:
    doc = redacted(5)
    item(doc, 5)["leaf_hash"] = b64(bytes(HASH_SIZE))
    assert problems(doc) == (f"{hidden(5)} {NOT_PROVEN}", prev_mismatch(5))
    summary = verify_document(doc, VKEY).orders[ORDER]
    assert (summary.verified, summary.redacted, summary.complete) == (8, 1, False)


def test_wrong_leaf_hash_of_the_last_seq() -> None:
    doc = redacted(9)
    item(doc, 9)["leaf_hash"] = b64(bytes(HASH_SIZE))
    assert problems(doc) == (f"{hidden(9)} {NOT_PROVEN}",)


def test_dropped_redacted_entry() -> None:
    doc = redacted(1, 5)
    del doc["events"][4]
    assert problems(doc) == (f"order {ORDER}: timeline incomplete, seq 5 missing",)
    del doc["events"][0]
    assert problems(doc) == (f"order {ORDER}: timeline incomplete, seq 1, 5 missing",)
    report = verify_document(doc, VKEY)
    assert report.summary().splitlines()[-1] == (
        f"  order {ORDER}: seq 2..9, 7/7 events proven at tree size 25, incomplete"
    )


def test_leaf_hash_swapped_with_another_events() -> None:
    doc = redacted(5)
    item(doc, 5)["leaf_hash"] = b64(LOG.leaf_hashes[INDEXES[2]])  # seq 3's
    assert problems(doc) == (
        f"{hidden(5)} {NOT_PROVEN}",
        f"order {ORDER}: redacted entry seq 5 has the same leaf hash as {full(3)}",
        prev_mismatch(5),
    )


def test_whole_entry_swapped_with_another_leaf() -> None:
    # A valid leaf with a valid proof, but not this order's seq 5: only the chain can tell.
    doc = redacted(5, 9)
    other = Redacted(5, LOG.leaf_hashes[INDEXES[2]], INDEXES[2], LOG.proof(INDEXES[2]))
    doc["events"][4] = build_bundle(ORDER, [other], 25, "")["events"][0]
    assert problems(doc) == (
        f"order {ORDER}: redacted entry seq 5 has the same leaf hash as {full(3)}",
        prev_mismatch(5),
    )
    # ...or the repetition, when nothing follows the redacted entry.
    doc = redacted(9)
    doc["events"][8] = {**doc["events"][2], "redacted": True, "seq": 9}
    del doc["events"][8]["event"]
    doc["events"][8]["leaf_hash"] = b64(LOG.leaf_hashes[INDEXES[2]])
    assert problems(doc) == (
        f"order {ORDER}: redacted entry seq 9 has the same leaf hash as {full(3)}",
    )
    assert not verify_document(doc, VKEY).orders[ORDER].complete


def test_leaf_hashes_swapped_between_redacted_entries() -> None:
    doc = redacted(5, 7)
    five, seven = item(doc, 5), item(doc, 7)
    five["leaf_hash"], seven["leaf_hash"] = seven["leaf_hash"], five["leaf_hash"]
    assert problems(doc) == (
        f"{hidden(5)} {NOT_PROVEN}",
        f"{hidden(7)} {NOT_PROVEN}",
        prev_mismatch(5),
        prev_mismatch(7),
    )


def test_redacted_entry_duplicating_a_full_entry() -> None:
    doc = redacted()
    doc["events"].insert(4, copy.deepcopy(item(redacted(4), 4)))
    assert problems(doc) == (f"order {ORDER}: {full(4)} is listed twice, once as a redacted entry",)
    doc["events"][3], doc["events"][4] = doc["events"][4], doc["events"][3]
    assert problems(doc) == (f"order {ORDER}: {full(4)} is listed twice, once as a redacted entry",)


def test_redacted_entry_claiming_a_full_entrys_seq() -> None:
    doc = redacted()
    fake = item(redacted(4), 4)
    fake["leaf_hash"] = b64(bytes(HASH_SIZE))
    doc["events"].insert(4, fake)
    assert problems(doc) == (
        f"{hidden(4)} {NOT_PROVEN}",
        f"order {ORDER}: different events claim seq 4 (event id {eid(4)} and a redacted entry)",
    )


def test_redacted_entry_listed_twice() -> None:
    doc = redacted(4)
    doc["events"].insert(4, copy.deepcopy(item(doc, 4)))
    assert problems(doc) == (f"order {ORDER}: redacted entry seq 4 is listed twice",)


def test_redacted_entries_out_of_order() -> None:
    doc = redacted(4)
    doc["events"][3], doc["events"][4] = doc["events"][4], doc["events"][3]
    assert problems(doc) == (
        f"order {ORDER}: events out of order: seq 5 listed before redacted entry seq 4",
    )


def _flip(entry: dict[str, Any], k: int) -> None:
    raw = bytearray(base64.b64decode(entry["inclusion_proof"][k]))
    raw[0] ^= 0x80
    entry["inclusion_proof"][k] = b64(bytes(raw))


def test_bad_proof_element_in_a_redacted_entry() -> None:
    doc = redacted(5, 9)
    _flip(item(doc, 5), 1)  # seq 6 vouches for the leaf hash: the proof is what is wrong
    _flip(item(doc, 9), 0)  # nothing vouches for the last seq
    assert problems(doc) == (
        f"inclusion proof of {hidden(5)} is invalid: "
        "inclusion proof does not lead to the expected root",
        f"{hidden(9)} {NOT_PROVEN}",
    )
    doc = redacted(3, 4)
    item(doc, 3)["inclusion_proof"][0] = "not*base64!"
    item(doc, 4)["inclusion_proof"] = item(doc, 4)["inclusion_proof"][:-1]
    n = len(item(doc, 3)["inclusion_proof"])
    assert problems(doc) == (
        f"inclusion proof of {hidden(3)} is invalid: proof element 0 is not valid base64",
        f"inclusion proof of {hidden(4)} is invalid: proof has {n - 1} elements, expected {n}",
    )


def test_wrong_leaf_index_in_a_redacted_entry() -> None:
    doc = redacted(5)
    item(doc, 5)["leaf_index"] = 25
    assert problems(doc) == (
        f"inclusion proof of {hidden(5)} is invalid: leaf index 25 is not below tree size 25",
    )
