"""`orderlens verify`: untampered documents pass; every kind of tampering is named precisely."""

from __future__ import annotations

import base64
import copy
import json
from typing import Any

import pytest

from gateway.ledger import (
    BUNDLE_FORMAT,
    RECEIPT_FORMAT,
    Checkpoint,
    format_checkpoint,
    sign_checkpoint,
    verify_document,
    verify_text,
)
from tests.ledger.memlog import ORDERS, ORIGIN, b64, camel, make_signer
from tests.ledger.verify_helpers import LOG, ORDER, PINNED, VKEY, bundle, ev, label, problems


def all_receipts() -> list[dict[str, Any]]:
    return [r for order in ORDERS for r in LOG.receipts(order)]


# --- untampered documents pass ---------------------------------------------------------------


@pytest.mark.parametrize("order", list(ORDERS))
def test_untampered_bundles_pass(order: str) -> None:
    report = verify_document(LOG.bundle(order), VKEY)
    assert report.ok, report.problems
    summary = report.orders[order]
    assert (summary.events, summary.verified) == (ORDERS[order], ORDERS[order])
    assert (summary.first_seq, summary.last_seq, summary.tree_size) == (1, ORDERS[order], 25)
    assert summary.complete
    assert report.summary().startswith(f"VERIFIED: 1 order(s), {ORDERS[order]} event(s) proven")


def test_untampered_receipts_pass() -> None:
    report = verify_document(all_receipts(), VKEY)
    assert report.ok, report.problems
    assert sum(o.verified for o in report.orders.values()) == 25
    assert set(report.orders) == set(ORDERS)
    assert all(o.complete for o in report.orders.values())
    single = verify_document(LOG.receipt(0), VKEY)
    assert single.ok and single.orders[ORDER].verified == 1
    assert LOG.receipt(0)["format"] == RECEIPT_FORMAT and bundle()["format"] == BUNDLE_FORMAT


def test_nested_camel_case_graphql_response_passes() -> None:
    receipts = [camel(r) for r in LOG.receipts(ORDER)]
    receipts[2]["event"] = json.dumps(receipts[2]["event"])  # a JSON scalar sent as a string
    answer = {
        "data": {
            "order": {
                "number": ORDER,
                "latest": {"receipt": receipts[-1]},  # the same receipt twice is fine
                "timeline": {
                    "edges": [
                        {"node": {"seq": i + 1, "receipt": r}} for i, r in enumerate(receipts)
                    ]
                },
            },
            "other": [None, 1, "x", {"deep": [{"event": "not a receipt"}]}],
        }
    }
    report = verify_document(answer, VKEY)
    assert report.ok, report.problems
    assert report.orders[ORDER].verified == 9 and report.orders[ORDER].events == 9


def test_reordered_data_keys_still_pass() -> None:
    doc = bundle()
    data = ev(doc, 4)["event"]["data"]
    ev(doc, 4)["event"]["data"] = dict(reversed(list(data.items())))
    ev(doc, 4)["event"] = dict(reversed(list(ev(doc, 4)["event"].items())))
    text = json.dumps(doc, indent=3, ensure_ascii=True, sort_keys=True)
    assert verify_text(text, VKEY).ok


# --- tampering with events -----------------------------------------------------------------


def test_altered_data_field() -> None:
    doc = bundle()
    ev(doc, 4)["event"]["data"]["status"] = "DELIVERED"
    assert problems(doc) == (
        f"order {ORDER}: event seq 4 (event id {ev(doc, 4)['event']['id']}) was altered: "
        "its hash does not match data.prev of seq 5",
    )


def test_altered_envelope_field() -> None:
    doc = bundle()
    ev(doc, 2)["event"]["type"] = "io.orderlens.order.cancelled"
    assert problems(doc) == (
        f"order {ORDER}: event seq 2 (event id {ev(doc, 2)['event']['id']}) was altered: "
        "its hash does not match data.prev of seq 3",
    )


def test_altered_last_event_cannot_be_proven() -> None:
    doc = bundle()
    ev(doc, 9)["event"]["time"] = "2027-01-01T00:00:00Z"
    assert problems(doc) == (
        f"{label(doc, 9)} is not proven to be in the log: inclusion proof does not lead to "
        "the expected root (the event or its proof was altered)",
    )


def test_altered_prev_field() -> None:
    doc = bundle()
    ev(doc, 6)["event"]["data"]["prev"] = b64(bytes(32))
    six, five = ev(doc, 6)["event"]["id"], ev(doc, 5)["event"]["id"]
    assert problems(doc) == (
        f"order {ORDER}: data.prev of seq 6 (event id {six}) does not match the hash of "
        f"seq 5 (event id {five})",
        f"order {ORDER}: event seq 6 (event id {six}) was altered: its hash does not match "
        "data.prev of seq 7",
    )


# --- tampering with proofs -----------------------------------------------------------------


def _flip_element(item: dict[str, Any], k: int) -> None:
    raw = bytearray(base64.b64decode(item["inclusion_proof"][k]))
    raw[0] ^= 0x80
    item["inclusion_proof"][k] = b64(bytes(raw))


def test_altered_proof_element() -> None:
    doc = bundle()
    _flip_element(ev(doc, 4), 2)
    assert problems(doc) == (
        f"inclusion proof of {label(doc, 4)} is invalid: "
        "inclusion proof does not lead to the expected root",
    )


def test_truncated_and_extended_proofs() -> None:
    doc = bundle()
    proof = ev(doc, 3)["inclusion_proof"]
    ev(doc, 3)["inclusion_proof"] = proof[:-1]
    ev(doc, 5)["inclusion_proof"] = [*ev(doc, 5)["inclusion_proof"], proof[0]]
    assert problems(doc) == (
        f"inclusion proof of {label(doc, 3)} is invalid: proof has {len(proof) - 1} elements, "
        f"expected {len(proof)}",
        f"inclusion proof of {label(doc, 5)} is invalid: proof has 1 trailing element",
    )


def test_malformed_proof_elements() -> None:
    doc = bundle()
    ev(doc, 2)["inclusion_proof"][1] = "not*base64!"
    ev(doc, 3)["inclusion_proof"][0] = b64(bytes(31))
    ev(doc, 4)["inclusion_proof"][2] = b64(bytes(33))
    ev(doc, 5)["inclusion_proof"][0] = 12345
    ev(doc, 6)["inclusion_proof"] = "AAAA"
    assert problems(doc) == (
        f"inclusion proof of {label(doc, 2)} is invalid: proof element 1 is not valid base64",
        f"inclusion proof of {label(doc, 3)} is invalid: proof element 0 is 31 bytes, expected 32",
        f"inclusion proof of {label(doc, 4)} is invalid: proof element 2 is 33 bytes, expected 32",
        f"inclusion proof of {label(doc, 5)} is invalid: proof element 0 is not valid base64",
        f"inclusion proof of {label(doc, 6)} is invalid: inclusion_proof is missing or not a list",
    )


def test_wrong_leaf_index() -> None:
    doc = bundle()
    ev(doc, 2)["leaf_index"] += 3  # another leaf: the same proof leads to another root
    ev(doc, 5)["leaf_index"] = 25
    ev(doc, 8)["leaf_index"] = "12"
    assert problems(doc) == (
        f"inclusion proof of {label(doc, 5)} is invalid: leaf index 25 is not below tree size 25",
        f"inclusion proof of {label(doc, 8)} is invalid: "
        'leaf_index must be a non-negative integer, got "12"',
        f"inclusion proof of {label(doc, 2)} is invalid: "
        "inclusion proof does not lead to the expected root",
    )


# --- tampering with the checkpoint ---------------------------------------------------------


def _edit_body(note: str, old: str, new: str) -> str:
    body, sigs = note.split("\n\n", 1)
    assert old in body
    return body.replace(old, new, 1) + "\n\n" + sigs


def test_altered_checkpoint_body_and_signature() -> None:
    for edit in (
        lambda n: _edit_body(n, "\n25\n", "\n26\n"),
        lambda n: _edit_body(n, n.split("\n")[2][:8], "AAAAAAAA"),
        lambda n: n[:-10] + ("A" if n[-10] != "A" else "B") + n[-9:],
    ):
        doc = bundle()
        doc["checkpoint"] = edit(doc["checkpoint"])
        assert problems(doc) == (
            f"checkpoint (tree size 25): no valid signature by {PINNED}: "
            "signature line 1 does not verify",
        )
        assert verify_document(doc, VKEY).orders[ORDER].verified == 0


def test_checkpoint_signed_by_another_key() -> None:
    impostor = make_signer(seed=99)
    doc = bundle()
    doc["checkpoint"] = LOG.checkpoint(signer=impostor)
    assert problems(doc) == (
        f"checkpoint (tree size 25): no valid signature by {PINNED}: note is signed only by "
        f"{ORIGIN}+{impostor.key_id.hex()}",
    )


def test_wrong_origin() -> None:
    doc = bundle()
    doc["checkpoint"] = LOG.checkpoint(origin="evil.example/log")
    assert problems(doc) == (
        "checkpoint (tree size 25): checkpoint origin 'evil.example/log' is not the expected "
        f"'{ORIGIN}'",
    )


def test_tree_size_must_match_the_checkpoint() -> None:
    doc = bundle()
    doc["tree_size"] = 30
    assert problems(doc) == (
        f"bundle for order {ORDER}: tree_size 30 does not match the checkpoint's tree size 25",
    )
    receipt = LOG.receipt(3)
    receipt["tree_size"] = 24
    assert problems(receipt, allow_partial=True) == (
        f"inclusion proof of order {ORDER} seq 2 (event id {receipt['event']['id']}) is invalid: "
        "tree_size 24 does not match the checkpoint's tree size 25",
    )


def test_old_checkpoint_with_new_proof_fails() -> None:
    # Mixing a proof for size 25 with a (valid, signed) checkpoint of size 20.
    old_root = LOG.root(20)
    doc = bundle()
    doc["checkpoint"] = sign_checkpoint(LOG.signer, Checkpoint(ORIGIN, 20, old_root))
    found = problems(doc)
    assert found[0] == (
        f"bundle for order {ORDER}: tree_size 25 does not match the checkpoint's tree size 20"
    )
    assert len(found) > 1  # and the proofs do not verify against the size-20 root


# --- tampering with the order's timeline ---------------------------------------------------


def test_swapped_events() -> None:
    doc = bundle()
    doc["events"][3], doc["events"][4] = doc["events"][4], doc["events"][3]
    assert problems(doc) == (f"order {ORDER}: events out of order: seq 5 listed before seq 4",)


def test_dropped_event() -> None:
    doc = bundle()
    del doc["events"][4]
    assert problems(doc) == (f"order {ORDER}: timeline incomplete, seq 5 missing",)
    del doc["events"][0]
    assert problems(doc) == (f"order {ORDER}: timeline incomplete, seq 1, 5 missing",)


def test_duplicated_event() -> None:
    doc = bundle()
    doc["events"].insert(4, copy.deepcopy(ev(doc, 4)))
    assert problems(doc) == (
        f"order {ORDER}: seq 4 (event id {doc['events'][3]['event']['id']}) is listed twice",
    )


def test_event_from_another_order() -> None:
    doc = bundle()
    foreign = LOG.bundle("SO-10002")["events"][4]
    doc["events"].insert(5, foreign)
    fid = foreign["event"]["id"]
    assert problems(doc) == (
        f"bundle for order {ORDER}: order SO-10002 seq 5 (event id {fid}) belongs to another order",
    )


def test_event_claiming_a_seq_of_this_order() -> None:
    doc = bundle()
    fake = copy.deepcopy(ev(doc, 7))
    fake["event"]["id"] = "forged"
    fake["event"]["data"]["status"] = "RETURNED"
    doc["events"].insert(7, fake)
    found = problems(doc)
    real = ev(doc, 7)["event"]["id"]
    assert f"order {ORDER}: different events claim seq 7 (event ids {real} and forged)" in found


def test_partial_receipts() -> None:
    receipts = LOG.receipts(ORDER)[3:]
    assert problems(receipts) == (f"order {ORDER}: timeline incomplete, seq 1..3 not provided",)
    report = verify_document(receipts, VKEY, allow_partial=True)
    assert report.ok and not report.orders[ORDER].complete
    gap = LOG.receipts(ORDER)
    del gap[6]
    assert problems(gap) == (f"order {ORDER}: timeline incomplete, seq 7 not provided",)


def test_receipts_from_a_broken_chain() -> None:
    receipts = LOG.receipts(ORDER)
    receipts[4]["event"]["data"]["status"] = "LOST"
    found = problems(receipts)
    rid = receipts[4]["event"]["id"]
    assert found == (
        f"order {ORDER}: event seq 5 (event id {rid}) was altered: its hash does not match "
        "data.prev of seq 6",
    )


def test_checkpoint_text_helpers_agree() -> None:
    note = LOG.checkpoint()
    assert note.startswith(format_checkpoint(Checkpoint(ORIGIN, 25, LOG.root())) + "\n")
