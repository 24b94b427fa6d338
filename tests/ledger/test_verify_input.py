"""`orderlens verify` on malformed input, files and a fresh process: reported, never raised."""

from __future__ import annotations

import copy
import json
import subprocess
import sys
from pathlib import Path

import pytest

from gateway.ledger import BUNDLE_FORMAT, verify_document, verify_file, verify_text
from tests.ledger.memlog import b64, make_signer
from tests.ledger.verify_helpers import LOG, ORDER, PINNED, VKEY, bundle, ev, label, problems

# --- malformed input -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("not json", "input is not valid JSON: Expecting value"),
        ("", "input is not valid JSON"),
        (" \n", "input is not valid JSON: it is empty (expected a GraphQL answer, a receipt"),
        ('{"a": NaN}', "NaN is not valid JSON"),
        ('{"a": 1, "a": 2}', "duplicate key 'a'"),
        ("[" * 100000 + "]" * 100000, "input is not valid JSON"),
        (b"\xff\xfe", "input is not valid JSON"),
        ("{}", "no receipts or timeline bundles found in the document"),
        ("[]", "no receipts or timeline bundles found in the document"),
        ('"text"', "no receipts or timeline bundles found in the document"),
        ('{"format": "orderlens.receipt/v9"}', "$: unsupported format 'orderlens.receipt/v9'"),
    ],
)
def test_garbage_input(text: str | bytes, message: str) -> None:
    report = verify_text(text, VKEY)
    assert not report.ok
    assert any(message in p for p in report.problems), report.problems


NOT_VISIBLE = (
    "the answer's order is null: the order does not exist or is not visible to the caller "
    "(send a token, or ask order(number:, verification:) with the last four digits of the "
    "customer's phone or the delivery postal code)"
)


@pytest.mark.parametrize(
    ("answer", "expected"),
    [
        ({"data": {"order": None}}, [NOT_VISIBLE]),
        (
            {
                "data": {"order": None},
                "errors": [{"message": "number must be 1 to 64 characters", "path": ["order"]}],
            },
            [
                "the answer carries a GraphQL error at order: number must be 1 to 64 characters",
                NOT_VISIBLE,
            ],
        ),
        (
            {"data": None, "errors": [{"message": "Syntax Error: Expected Name, found <EOF>."}]},
            [
                "the answer carries a GraphQL error: Syntax Error: Expected Name, found <EOF>.",
                "the answer has no data",
            ],
        ),
        (
            {"errors": ["odd"]},
            ["the answer carries a GraphQL error: 'odd'", "the answer has no data"],
        ),
        ({"data": {"log": None}}, ["the answer's log is null"]),
        (
            {"data": {"order": {"number": "SO-1"}}},
            [
                "no receipts or timeline bundles found in the document: save the answer of a "
                "query that selects order { verificationBundle } or a timeline event's receipt"
            ],
        ),
    ],
)
def test_an_answer_without_proofs_says_why(answer: object, expected: list[str]) -> None:
    report = verify_text(json.dumps(answer), VKEY)
    assert not report.ok
    assert list(report.problems) == expected


def test_errors_next_to_a_bundle_are_noted_without_failing_it() -> None:
    answer = {
        "data": {"order": {"verificationBundle": bundle()}, "consistencyProof": None},
        "errors": [{"message": "toSize 6 is not signed", "path": ["consistencyProof"]}],
    }
    report = verify_document(answer, VKEY)
    assert report.ok, report.problems
    note = "the answer carries a GraphQL error at consistencyProof: toSize 6 is not signed"
    assert report.notes == (note,)
    assert f"  note: {note}" in report.summary().splitlines()


def test_malformed_receipts_are_reported_not_raised() -> None:
    good = LOG.receipt(0)
    missing = {k: v for k, v in good.items() if k not in ("checkpoint", "tree_size")}
    wrong_types = {**good, "event": [1, 2], "tree_size": -1, "leaf_index": True}
    bad_event = copy.deepcopy(good)
    bad_event["event"]["data"] = {"seq": 0, "prev": None}
    del bad_event["event"]["source"]
    no_subject = copy.deepcopy(good)
    del no_subject["event"]["subject"]
    not_json_event = {**good, "event": "{not json"}
    found = problems([missing, wrong_types, bad_event, no_subject, not_json_event])
    assert "$[0]: receipt is missing tree_size, checkpoint" in found
    assert "$[1]: tree_size must be a non-negative integer" in found
    assert "$[1]: event is missing or not a JSON object" in found
    assert (
        "inclusion proof of $[1] is invalid: leaf_index must be a non-negative integer, got true"
        in found
    )
    assert "$[2]: missing CloudEvents attribute 'source'" in found
    assert "$[2]: data.seq must be an integer >= 1, got 0" in found
    assert "$[3]: subject (the order number) is missing or not a string" in found
    assert any(p.startswith("$[4]: event is a string but not valid JSON") for p in found)


def test_malformed_bundles() -> None:
    assert problems({"format": BUNDLE_FORMAT}) == (
        "$: bundle has no order number",
        "bundle for order ?: tree_size must be a non-negative integer",
        "bundle for order ?: lists no events",
        "checkpoint (tree size None) is not a string",
    )
    doc = bundle()
    doc["events"][2] = "nope"
    assert "$.events[2]: not a JSON object" in problems(doc)


def test_lone_surrogates_are_reported() -> None:
    doc = bundle()
    doc["checkpoint"] = doc["checkpoint"].replace("\n\n", "\ud800\n\n", 1)
    ev(doc, 2)["event"]["data"]["note"] = "\udfff"
    found = problems(doc)
    assert "checkpoint (tree size 25): note is not valid UTF-8" in found
    assert any(p.startswith(f"{label(doc, 2)}: cannot encode the event") for p in found)


def test_bad_prev_values() -> None:
    doc = bundle()
    ev(doc, 1)["event"]["data"]["prev"] = b64(bytes(32))
    ev(doc, 3)["event"]["data"]["prev"] = None
    ev(doc, 5)["event"]["data"]["prev"] = b64(bytes(16))
    found = problems(doc)
    assert f"{label(doc, 1)}: data.prev must be null for seq 1" in found
    assert f"{label(doc, 3)}: data.prev is not the base64 of a 32-byte hash" in found
    assert f"{label(doc, 5)}: data.prev is not the base64 of a 32-byte hash" in found


def test_bad_pinned_key() -> None:
    report = verify_document(bundle(), "orderlens.test/log+00000000+AAAA")
    assert not report.ok
    assert report.problems[0].startswith("pinned key: ")


# --- files and the CLI entry point ---------------------------------------------------------


def test_verify_file_with_key_string_and_key_file(tmp_path: Path) -> None:
    doc = tmp_path / "bundle.json"
    doc.write_text(json.dumps(bundle()))
    key_file = tmp_path / "log.vkey"
    key_file.write_text(VKEY + "\n")
    assert verify_file(doc, VKEY).ok
    assert verify_file(str(doc), str(key_file)).ok
    other = make_signer(seed=3).vkey
    assert not verify_file(doc, other).ok


def test_verify_file_problems(tmp_path: Path) -> None:
    missing = verify_file(tmp_path / "nope.json", VKEY)
    assert missing.problems == (f"cannot read {tmp_path / 'nope.json'}: No such file or directory",)
    garbage = tmp_path / "garbage.json"
    garbage.write_bytes(b"\x00\x01 not json")
    assert verify_file(garbage, VKEY).problems[0].startswith("input is not valid JSON")
    assert verify_file(garbage, "no-such-key-file").problems == (
        "pinned key: 'no-such-key-file' is neither a readable file nor a verifier key",
    )
    long_vkey = "x" * 5000 + "+00000000+AAAA"  # not a usable file name; must not raise
    assert verify_file(garbage, long_vkey).problems[0].startswith("pinned key: ")


def test_summary_text() -> None:
    doc = bundle()
    del doc["events"][4]
    text = verify_document(doc, VKEY).summary()
    assert text.splitlines()[0] == f"FAILED: 1 problem(s) ({PINNED})"
    assert f"  - order {ORDER}: timeline incomplete, seq 5 missing" in text
    assert f"  order {ORDER}: seq 1..9, 8/8 events proven at tree size 25, incomplete" in text


def test_receipt_roundtrip_offline(tmp_path: Path) -> None:
    # A fresh process with only the pinned key and the receipt file verifies it.
    path = tmp_path / "receipt.json"
    path.write_text(json.dumps(LOG.receipt(7)))  # SO-10002 seq 3: a lone, partial receipt
    code = (
        "import sys; from gateway.ledger import verify_file; "
        "r = verify_file(sys.argv[1], sys.argv[2], allow_partial=True); "
        "print(r.summary()); sys.exit(0 if r.ok else 1)"
    )
    out = subprocess.run(
        [sys.executable, "-c", code, str(path), VKEY],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parents[2],
    )
    assert out.returncode == 0, out.stdout + out.stderr
    assert out.stdout.startswith("VERIFIED: 1 order(s), 1 event(s) proven")
