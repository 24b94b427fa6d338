"""The checks behind :mod:`gateway.ledger.verify`: events, redacted entries and proofs.

Internal module: everything here works on already-parsed JSON and only records problems.
The per-order checks (completeness, the data.prev chain) are in :mod:`._timeline`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from gateway.ledger import merkle
from gateway.ledger.leaf import event_leaf
from gateway.ledger.note import Checkpoint, NoteError, NoteVerifier, open_checkpoint

_CLOUDEVENT_REQUIRED = ("id", "source", "specversion", "type")
# Problems are reported phase by phase: input, checkpoint, event, order.
INPUT, CHECKPOINT, EVENT, ORDER = range(4)
_ROOT_MISMATCH = "inclusion proof does not lead to the expected root"


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


@dataclass(frozen=True, slots=True)
class OrderSummary:
    order: str
    events: int  # distinct events seen
    verified: int  # events proven to be in the log
    first_seq: int | None
    last_seq: int | None
    tree_size: int | None
    complete: bool  # seq 1..last all present and chained
    redacted: int = 0  # of ``events``, how many are redacted entries (a leaf hash, no event)


@dataclass(slots=True)
class Entry:
    """One event with its proof, from a receipt or a bundle; or a bundle's redacted entry."""

    label: str  # "order SO-1 seq 4 (event id ...)", or the JSON path when malformed
    order: str | None = None
    seq: int | None = None
    event_id: str = "?"
    prev: bytes | None = None
    leaf_hash: bytes | None = None
    tree_size: int | None = None
    included: bool | None = None  # None: could not be checked
    root_mismatch: str | None = None  # a well-formed proof that leads to another root
    redacted: bool = False  # a hidden event: only its seq, leaf hash and proof are known


class Run:
    """State of one verification: the pinned key, checkpoint cache and collected problems."""

    def __init__(self, verifier: NoteVerifier, allow_partial: bool) -> None:
        self.verifier = verifier
        self.allow_partial = allow_partial
        self.problems: list[tuple[int, str]] = []
        self.checkpoints: dict[str, Checkpoint | None] = {}
        self.orders: dict[str, OrderSummary] = {}

    def problem(self, phase: int, message: str) -> None:
        if (phase, message) not in self.problems:
            self.problems.append((phase, message))

    def checkpoint(self, note: object, claimed_size: object) -> Checkpoint | None:
        """Verify each distinct checkpoint once: signature, then body, then origin."""
        if not isinstance(note, str):
            self.problem(CHECKPOINT, f"checkpoint (tree size {claimed_size}) is not a string")
            return None
        if note not in self.checkpoints:
            try:
                cp: Checkpoint | None = open_checkpoint(note, self.verifier, self.verifier.name)
            except NoteError as exc:
                self.problem(CHECKPOINT, f"checkpoint (tree size {claimed_size}): {exc}")
                cp = None
            self.checkpoints[note] = cp
        return self.checkpoints[note]

    def entry(self, event: object, where: str, tree_size: object) -> Entry:
        """Check the event envelope and compute its leaf hash."""
        if isinstance(event, str):  # some APIs ship the event as a JSON string
            try:
                event = loads_strict(event)
            except (ValueError, RecursionError) as exc:
                self.problem(EVENT, f"{where}: event is a string but not valid JSON ({exc})")
                return Entry(where)
        if not isinstance(event, dict):
            self.problem(EVENT, f"{where}: event is missing or not a JSON object")
            return Entry(where)
        entry = Entry(where, tree_size=tree_size if is_uint(tree_size) else None)
        data, subject, ident = event.get("data"), event.get("subject"), event.get("id")
        seq = data.get("seq") if isinstance(data, dict) else None
        entry.event_id = ident if isinstance(ident, str) else "?"
        if isinstance(subject, str) and subject and is_uint(seq) and seq >= 1:
            entry.order, entry.seq = subject, seq
            entry.label = f"order {subject} seq {seq} (event id {entry.event_id})"
        bad = [
            f"missing CloudEvents attribute {name!r}"
            for name in _CLOUDEVENT_REQUIRED
            if not isinstance(event.get(name), str) or not event[name]
        ]
        if not isinstance(subject, str) or not subject:
            bad.append("subject (the order number) is missing or not a string")
        if not isinstance(data, dict):
            bad.append("data is missing or not an object")
        elif not (is_uint(seq) and seq >= 1):
            bad.append(f"data.seq must be an integer >= 1, got {json.dumps(seq)}")
        else:
            bad.extend(self._prev(entry, data.get("prev")))
        try:
            entry.leaf_hash = merkle.leaf_hash(event_leaf(event))
        except (ValueError, RecursionError) as exc:  # too large, or not encodable as JCS
            bad.append(f"cannot encode the event: {exc}")
        for message in bad:
            self.problem(EVENT, f"{entry.label}: {message}")
        return entry

    def redacted(self, item: Mapping[str, Any], where: str, order: str, tree_size: object) -> Entry:
        """Check a bundle's redacted entry: a seq and a leaf hash instead of an event."""
        size = tree_size if is_uint(tree_size) else None
        entry = Entry(f"{where} (redacted entry)", tree_size=size, redacted=True)
        seq, leaf = item.get("seq"), get_key(item, "leaf_hash")
        if is_uint(seq) and seq >= 1:
            entry.order, entry.seq = order, seq
            entry.label = f"order {order} redacted entry seq {seq}"
        # A missing leaf_index or inclusion_proof is reported with the proof.
        missing = [k for k in ("seq", "leaf_hash") if get_key(item, k) is None]
        if missing:
            self.problem(INPUT, f"{entry.label} is missing {', '.join(missing)}")
        bad: list[str] = []
        if "event" in item:
            bad.append("a redacted entry must not also carry an event")
        if seq is not None and entry.seq is None:
            bad.append(f"seq must be an integer >= 1, got {json.dumps(seq)}")
        raw = strict_b64(leaf) if isinstance(leaf, str) else None
        if raw is not None and len(raw) == merkle.HASH_SIZE:
            entry.leaf_hash = raw
        elif raw is not None:
            bad.append(f"leaf_hash is {len(raw)} bytes, expected 32")
        elif leaf is not None:
            bad.append("leaf_hash is not valid base64")
        for message in bad:
            self.problem(EVENT, f"{entry.label}: {message}")
        return entry

    @staticmethod
    def _prev(entry: Entry, prev: object) -> list[str]:
        if entry.seq == 1:
            return [] if prev is None else ["data.prev must be null for seq 1"]
        raw = strict_b64(prev) if isinstance(prev, str) else None
        if raw is None or len(raw) != merkle.HASH_SIZE:
            return ["data.prev is not the base64 of a 32-byte hash"]
        entry.prev = raw
        return []

    def prove(self, entry: Entry, index: object, proof: object, cp: Checkpoint | None) -> None:
        """Check the proof's shape, then inclusion against the checkpoint root."""
        bad: list[str] = []
        if not is_uint(index):
            bad.append(f"leaf_index must be a non-negative integer, got {json.dumps(index)}")
        elements: list[bytes] = []
        if not isinstance(proof, list):
            bad.append("inclusion_proof is missing or not a list")
        else:
            for i, item in enumerate(proof):
                raw = strict_b64(item) if isinstance(item, str) else None
                if raw is None:
                    bad.append(f"proof element {i} is not valid base64")
                elif len(raw) != merkle.HASH_SIZE:
                    bad.append(f"proof element {i} is {len(raw)} bytes, expected 32")
                elements.append(raw or b"")
        size = entry.tree_size
        if cp is not None and size is not None and size != cp.size:
            bad.append(f"tree_size {size} does not match the checkpoint's tree size {cp.size}")
        elif is_uint(index) and size is not None and index >= size:
            bad.append(f"leaf index {index} is not below tree size {size}")
        for message in bad:
            self.problem(EVENT, f"inclusion proof of {entry.label} is invalid: {message}")
        if bad or cp is None or entry.leaf_hash is None or not isinstance(index, int):
            entry.included = False if bad else None
            return
        try:
            merkle.verify_inclusion(entry.leaf_hash, index, cp.size, elements, cp.root)
            entry.included = True
        except merkle.ProofError as exc:
            entry.included = False
            if str(exc) == _ROOT_MISMATCH:
                entry.root_mismatch = str(exc)  # explained later, with the chain as context
            else:
                self.problem(EVENT, f"inclusion proof of {entry.label} is invalid: {exc}")


def is_uint(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def strict_b64(text: str) -> bytes | None:
    try:
        raw = base64.b64decode(text.encode("ascii"), validate=True)
    except (UnicodeEncodeError, binascii.Error):
        return None
    return raw if b64(raw) == text else None  # one value, one spelling


def get_key(obj: Mapping[str, Any], key: str) -> Any:
    """Read a snake_case key or its camelCase spelling (GraphQL responses)."""
    if key in obj:
        return obj[key]
    head, *rest = key.split("_")
    return obj.get(head + "".join(part.title() for part in rest))


def loads_strict(text: str) -> Any:
    """json.loads that rejects duplicate keys and NaN/Infinity: both make hashes ambiguous."""

    def pairs(items: list[tuple[str, Any]]) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for key, value in items:
            if key in out:
                raise ValueError(f"duplicate key {key!r} in a JSON object")
            out[key] = value
        return out

    def constant(name: str) -> Any:
        raise ValueError(f"{name} is not valid JSON")

    return json.loads(text, object_pairs_hook=pairs, parse_constant=constant)


def check_receipt(run: Run, obj: dict[str, Any], where: str) -> Entry:
    keys = ("event", "leaf_index", "tree_size", "inclusion_proof", "checkpoint")
    missing = [k for k in keys if get_key(obj, k) is None]
    if missing:
        run.problem(INPUT, f"{where}: receipt is missing {', '.join(missing)}")
    tree_size = get_key(obj, "tree_size")
    if tree_size is not None and not is_uint(tree_size):
        run.problem(INPUT, f"{where}: tree_size must be a non-negative integer")
    note = obj.get("checkpoint")
    cp = run.checkpoint(note, tree_size) if note is not None else None
    entry = run.entry(obj.get("event"), where, tree_size)
    run.prove(entry, get_key(obj, "leaf_index"), get_key(obj, "inclusion_proof"), cp)
    return entry
