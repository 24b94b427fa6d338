"""Offline verification of receipts and timeline bundles: what `orderlens verify` runs.

Pure: the only trusted input is the pinned verifier key. Every problem found is collected
(nothing stops at the first) and named by order, seq, event id and proof element.

A bundle may hide events the viewer may not see behind redacted entries (seq, leaf hash,
proof): they are proven and counted like events, so a viewer can still check that the
timeline is complete. Loose receipts are never redacted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gateway.ledger import merkle
from gateway.ledger._checks import (
    INPUT,
    Entry,
    OrderSummary,
    Run,
    b64,
    check_receipt,
    get_key,
    is_uint,
    loads_strict,
)
from gateway.ledger._timeline import check_bundle, check_order
from gateway.ledger.note import NoteError, NoteVerifier
from gateway.ledger.verify_answer import graphql_errors, nothing_to_verify

__all__ = [
    "BUNDLE_FORMAT",
    "RECEIPT_FORMAT",
    "OrderSummary",
    "Redacted",
    "VerificationReport",
    "build_bundle",
    "build_receipt",
    "verify_document",
    "verify_file",
    "verify_text",
]

RECEIPT_FORMAT = "orderlens.receipt/v1"
BUNDLE_FORMAT = "orderlens.timeline/v1"


def build_receipt(
    event: Mapping[str, Any],
    leaf_index: int,
    tree_size: int,
    proof: Sequence[bytes],
    checkpoint_note: str,
) -> dict[str, Any]:
    return {
        "format": RECEIPT_FORMAT,
        "event": dict(event),
        "leaf_index": leaf_index,
        "tree_size": tree_size,
        "inclusion_proof": [b64(p) for p in proof],
        "checkpoint": checkpoint_note,
    }


@dataclass(frozen=True, slots=True)
class Redacted:
    """An event the viewer may not see, listed in a bundle by its leaf hash only."""

    seq: int
    leaf_hash: bytes
    leaf_index: int
    proof: Sequence[bytes]

    def __post_init__(self) -> None:
        if not (is_uint(self.seq) and self.seq >= 1):
            raise ValueError(f"redacted seq must be an integer >= 1, got {self.seq!r}")
        if len(self.leaf_hash) != merkle.HASH_SIZE:
            raise ValueError(f"leaf hash is {len(self.leaf_hash)} bytes, expected 32")
        object.__setattr__(self, "proof", tuple(self.proof))  # frozen all the way down


def build_bundle(
    order: str,
    events_with_proofs: Iterable[tuple[Mapping[str, Any], int, Sequence[bytes]] | Redacted],
    tree_size: int,
    checkpoint_note: str,
) -> dict[str, Any]:
    """The complete timeline of ``order``; pass the events, or ``Redacted``, in seq order."""
    items: list[dict[str, Any]] = []
    for item in events_with_proofs:
        if isinstance(item, Redacted):
            items.append(
                {
                    "redacted": True,
                    "seq": item.seq,
                    "leaf_hash": b64(item.leaf_hash),
                    "leaf_index": item.leaf_index,
                    "inclusion_proof": [b64(p) for p in item.proof],
                }
            )
        else:
            ev, index, proof = item
            items.append(
                {"event": dict(ev), "leaf_index": index, "inclusion_proof": [b64(p) for p in proof]}
            )
    return {
        "format": BUNDLE_FORMAT,
        "order": order,
        "tree_size": tree_size,
        "checkpoint": checkpoint_note,
        "events": items,
    }


@dataclass(frozen=True, slots=True)
class VerificationReport:
    ok: bool
    problems: tuple[str, ...]
    orders: Mapping[str, OrderSummary]
    key: str = ""
    notes: tuple[str, ...] = ()  # said, but proves nothing either way (the answer's errors)

    def summary(self) -> str:
        proven = sum(o.verified for o in self.orders.values())
        hidden = sum(o.redacted for o in self.orders.values())
        redacted = f" ({hidden} redacted)" if hidden else ""
        pinned = f" (pinned key {self.key})" if self.key else ""
        if self.ok:
            head = (
                f"VERIFIED: {len(self.orders)} order(s), {proven} event(s){redacted} proven{pinned}"
            )
        else:
            head = f"FAILED: {len(self.problems)} problem(s){pinned}"
        lines = [head, *(f"  - {p}" for p in self.problems), *(f"  note: {n}" for n in self.notes)]
        for o in self.orders.values():
            seqs = f"seq {o.first_seq}..{o.last_seq}" if o.first_seq is not None else "no seq"
            state = "complete" if o.complete else "incomplete"
            redacted = f" ({o.redacted} redacted)" if o.redacted else ""
            lines.append(
                f"  order {o.order}: {seqs}, {o.verified}/{o.events} events{redacted} proven "
                f"at tree size {o.tree_size}, {state}"
            )
        return "\n".join(lines)


def _kind(obj: Mapping[str, Any]) -> str | None:
    fmt = obj.get("format")
    if fmt == BUNDLE_FORMAT:
        return "bundle"
    if obj.get("redacted") is True and any(
        get_key(obj, k) is not None for k in ("leaf_hash", "leaf_index", "inclusion_proof")
    ):
        return "redacted"
    if fmt == RECEIPT_FORMAT:
        return "receipt"
    if isinstance(fmt, str) and fmt.startswith("orderlens."):
        return "unsupported"
    if (
        "event" in obj
        and get_key(obj, "leaf_index") is not None
        and get_key(obj, "inclusion_proof") is not None
    ):
        return "receipt"
    if isinstance(obj.get("events"), list) and "order" in obj and "checkpoint" in obj:
        return "bundle"
    return None


def _walk(doc: object) -> Iterable[tuple[str, dict[str, Any], str]]:
    """Yield (kind, object, JSON path) for every receipt or bundle, in document order."""
    stack: list[tuple[object, str]] = [(doc, "$")]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            kind = _kind(node)
            if kind is not None:
                yield kind, node, path
            else:
                stack.extend((v, f"{path}.{k}") for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend((v, f"{path}[{i}]") for i, v in reversed(list(enumerate(node))))


def verify_document(doc: object, vkey: str, *, allow_partial: bool = False) -> VerificationReport:
    """Verify every receipt and bundle found anywhere in the parsed JSON ``doc``."""
    try:
        verifier = NoteVerifier.from_vkey(vkey)
    except NoteError as exc:
        return VerificationReport(False, (f"pinned key: {exc}",), {})
    run = Run(verifier, allow_partial)
    loose: dict[str, list[Entry]] = {}
    found = 0
    for kind, obj, where in _walk(doc):
        found += 1
        if kind == "unsupported":
            run.problem(INPUT, f"{where}: unsupported format {obj['format']!r}")
        elif kind == "bundle":
            check_bundle(run, obj, where)
        elif kind == "redacted":
            seq = obj.get("seq")
            named = f" (seq {seq})" if is_uint(seq) else ""
            run.problem(
                INPUT,
                f"{where}: redacted entry{named} found outside a timeline bundle: "
                "receipts are never redacted",
            )
        else:
            entry = check_receipt(run, obj, where)
            if entry.order is not None:
                loose.setdefault(entry.order, []).append(entry)
    if not found:
        for problem in nothing_to_verify(doc):
            run.problem(INPUT, problem)
    for order, entries in loose.items():
        check_order(run, order, entries, bundle=False)
    problems = tuple(message for _, message in sorted(run.problems, key=lambda p: p[0]))
    proven = any(o.verified for o in run.orders.values())
    notes = tuple(graphql_errors(doc)) if found else ()
    return VerificationReport(not problems and proven, problems, run.orders, verifier.label, notes)


def verify_text(text: str | bytes, vkey: str, *, allow_partial: bool = False) -> VerificationReport:
    try:
        NoteVerifier.from_vkey(vkey)  # a bad key is the first thing to report
    except NoteError as exc:
        return VerificationReport(False, (f"pinned key: {exc}",), {})
    try:
        if isinstance(text, bytes):
            text = text.decode("utf-8-sig")
        if not text.strip():
            raise ValueError("it is empty (expected a GraphQL answer, a receipt or a bundle)")
        doc = loads_strict(text)
    except (ValueError, RecursionError) as exc:  # JSONDecodeError and UnicodeError are ValueErrors
        return VerificationReport(False, (f"input is not valid JSON: {exc}",), {})
    return verify_document(doc, vkey, allow_partial=allow_partial)


def verify_file(path: Path | str, key: str, *, allow_partial: bool = False) -> VerificationReport:
    """Verify a JSON file; ``key`` is a verifier key or the path of a file holding one."""
    try:
        is_file = Path(key).is_file()
    except (OSError, ValueError):  # e.g. a long vkey is not a valid file name
        is_file = False
    try:
        vkey = Path(key).read_text("utf-8").strip() if is_file else key.strip()
    except (OSError, ValueError) as exc:
        return VerificationReport(False, (f"pinned key: cannot read {key}: {exc}",), {})
    if "+" not in vkey:
        message = f"pinned key: {key!r} is neither a readable file nor a verifier key"
        return VerificationReport(False, (message,), {})
    try:
        raw = Path(path).read_bytes()
    except OSError as exc:
        return VerificationReport(False, (f"cannot read {path}: {exc.strerror or exc}",), {})
    return verify_text(raw, vkey, allow_partial=allow_partial)
