"""The checks behind :mod:`gateway.ledger.verify`: events, proofs and per-order chains.

Internal module: everything here works on already-parsed JSON and only records problems.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, TypeGuard

from gateway.ledger import merkle
from gateway.ledger.leaf import event_leaf
from gateway.ledger.note import Checkpoint, NoteError, NoteVerifier, open_checkpoint

_CLOUDEVENT_REQUIRED = ("id", "source", "specversion", "type")
# Problems are reported phase by phase: input, checkpoint, event, order.
INPUT, _CHECKPOINT, _EVENT, _ORDER = range(4)
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


@dataclass(slots=True)
class Entry:
    """One event with its proof, from a receipt or a bundle."""

    label: str  # "order SO-1 seq 4 (event id ...)", or the JSON path when malformed
    order: str | None = None
    seq: int | None = None
    event_id: str = "?"
    prev: bytes | None = None
    leaf_hash: bytes | None = None
    tree_size: int | None = None
    included: bool | None = None  # None: could not be checked
    root_mismatch: str | None = None  # a well-formed proof that leads to another root


@dataclass(slots=True)
class _Event:
    """A distinct event; the same receipt may appear more than once in a document."""

    first: Entry
    entries: list[Entry]

    @property
    def included(self) -> bool | None:
        states = {e.included for e in self.entries}
        return True if True in states else (False if False in states else None)

    @property
    def root_mismatch(self) -> str | None:
        if self.included:
            return None
        return next((e.root_mismatch for e in self.entries if e.root_mismatch), None)

    @property
    def name(self) -> str:
        return f"seq {self.first.seq} (event id {self.first.event_id})"


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
            self.problem(_CHECKPOINT, f"checkpoint (tree size {claimed_size}) is not a string")
            return None
        if note not in self.checkpoints:
            try:
                cp: Checkpoint | None = open_checkpoint(note, self.verifier, self.verifier.name)
            except NoteError as exc:
                self.problem(_CHECKPOINT, f"checkpoint (tree size {claimed_size}): {exc}")
                cp = None
            self.checkpoints[note] = cp
        return self.checkpoints[note]

    def entry(self, event: object, where: str, tree_size: object) -> Entry:
        """Check the event envelope and compute its leaf hash."""
        if isinstance(event, str):  # some APIs ship the event as a JSON string
            try:
                event = loads_strict(event)
            except (ValueError, RecursionError) as exc:
                self.problem(_EVENT, f"{where}: event is a string but not valid JSON ({exc})")
                return Entry(where)
        if not isinstance(event, dict):
            self.problem(_EVENT, f"{where}: event is missing or not a JSON object")
            return Entry(where)
        entry = Entry(where, tree_size=tree_size if _is_uint(tree_size) else None)
        data, subject, ident = event.get("data"), event.get("subject"), event.get("id")
        seq = data.get("seq") if isinstance(data, dict) else None
        entry.event_id = ident if isinstance(ident, str) else "?"
        if isinstance(subject, str) and subject and _is_uint(seq) and seq >= 1:
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
        elif not (_is_uint(seq) and seq >= 1):
            bad.append(f"data.seq must be an integer >= 1, got {json.dumps(seq)}")
        else:
            bad.extend(self._prev(entry, data.get("prev")))
        try:
            entry.leaf_hash = merkle.leaf_hash(event_leaf(event))
        except (ValueError, RecursionError) as exc:  # too large, or not encodable as JCS
            bad.append(f"cannot encode the event: {exc}")
        for message in bad:
            self.problem(_EVENT, f"{entry.label}: {message}")
        return entry

    @staticmethod
    def _prev(entry: Entry, prev: object) -> list[str]:
        if entry.seq == 1:
            return [] if prev is None else ["data.prev must be null for seq 1"]
        raw = _strict_b64(prev) if isinstance(prev, str) else None
        if raw is None or len(raw) != merkle.HASH_SIZE:
            return ["data.prev is not the base64 of a 32-byte hash"]
        entry.prev = raw
        return []

    def prove(self, entry: Entry, index: object, proof: object, cp: Checkpoint | None) -> None:
        """Check the proof's shape, then inclusion against the checkpoint root."""
        bad: list[str] = []
        if not _is_uint(index):
            bad.append(f"leaf_index must be a non-negative integer, got {json.dumps(index)}")
        elements: list[bytes] = []
        if not isinstance(proof, list):
            bad.append("inclusion_proof is missing or not a list")
        else:
            for i, item in enumerate(proof):
                raw = _strict_b64(item) if isinstance(item, str) else None
                if raw is None:
                    bad.append(f"proof element {i} is not valid base64")
                elif len(raw) != merkle.HASH_SIZE:
                    bad.append(f"proof element {i} is {len(raw)} bytes, expected 32")
                elements.append(raw or b"")
        size = entry.tree_size
        if cp is not None and size is not None and size != cp.size:
            bad.append(f"tree_size {size} does not match the checkpoint's tree size {cp.size}")
        elif _is_uint(index) and size is not None and index >= size:
            bad.append(f"leaf index {index} is not below tree size {size}")
        for message in bad:
            self.problem(_EVENT, f"inclusion proof of {entry.label} is invalid: {message}")
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
                self.problem(_EVENT, f"inclusion proof of {entry.label} is invalid: {exc}")


def _is_uint(value: object) -> TypeGuard[int]:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0


def _strict_b64(text: str) -> bytes | None:
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


def _ranges(numbers: Iterable[int]) -> str:
    spans: list[list[int]] = []
    for n in sorted(numbers):
        if spans and spans[-1][1] == n - 1:
            spans[-1][1] = n
        else:
            spans.append([n, n])
    return ", ".join(str(a) if a == b else f"{a}..{b}" for a, b in spans)


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
    if tree_size is not None and not _is_uint(tree_size):
        run.problem(INPUT, f"{where}: tree_size must be a non-negative integer")
    note = obj.get("checkpoint")
    cp = run.checkpoint(note, tree_size) if note is not None else None
    entry = run.entry(obj.get("event"), where, tree_size)
    run.prove(entry, get_key(obj, "leaf_index"), get_key(obj, "inclusion_proof"), cp)
    return entry


def check_bundle(run: Run, obj: dict[str, Any], where: str) -> None:
    order, tree_size, items = obj.get("order"), get_key(obj, "tree_size"), obj.get("events")
    if not isinstance(order, str) or not order:
        run.problem(INPUT, f"{where}: bundle has no order number")
        order = "?"
    if not _is_uint(tree_size):
        run.problem(INPUT, f"bundle for order {order}: tree_size must be a non-negative integer")
    cp = run.checkpoint(obj.get("checkpoint"), tree_size)
    if cp is not None and _is_uint(tree_size) and tree_size != cp.size:
        run.problem(
            _CHECKPOINT,
            f"bundle for order {order}: tree_size {tree_size} does not match "
            f"the checkpoint's tree size {cp.size}",
        )
    if cp is not None:
        tree_size = cp.size  # the signed size is what the proofs must match; reported once
    if not isinstance(items, list) or not items:
        run.problem(INPUT, f"bundle for order {order}: lists no events")
        return
    entries: list[Entry] = []
    for i, item in enumerate(items):
        path = f"{where}.events[{i}]"
        if not isinstance(item, dict):
            run.problem(INPUT, f"{path}: not a JSON object")
            continue
        entry = run.entry(item.get("event"), path, tree_size)
        run.prove(entry, get_key(item, "leaf_index"), get_key(item, "inclusion_proof"), cp)
        entries.append(entry)
    listed = [e.seq for e in entries if e.seq is not None and e.order == order]
    for a, b in zip(listed, listed[1:], strict=False):
        if a > b:
            run.problem(
                _ORDER, f"order {order}: events out of order: seq {a} listed before seq {b}"
            )
    for entry in entries:
        if entry.order is not None and entry.order != order:
            run.problem(_ORDER, f"bundle for order {order}: {entry.label} belongs to another order")
    own = [e for e in entries if e.order == order]
    check_order(run, order, own, bundle=True)


def check_order(run: Run, order: str, entries: list[Entry], *, bundle: bool) -> None:
    """Per-order checks: duplicates, completeness, the data.prev chain; then a summary."""
    by_seq: dict[int, list[_Event]] = {}
    for entry in entries:
        assert entry.seq is not None
        events = by_seq.setdefault(entry.seq, [])
        same = next((ev for ev in events if ev.first.leaf_hash == entry.leaf_hash), None)
        if same is None:
            events.append(_Event(entry, [entry]))
            continue
        same.entries.append(entry)
        if bundle:
            run.problem(_ORDER, f"order {order}: {same.name} is listed twice")
    chain: dict[int, _Event] = {}
    for seq, events in by_seq.items():
        if len(events) > 1:
            ids = " and ".join(ev.first.event_id for ev in events)
            run.problem(
                _ORDER, f"order {order}: different events claim seq {seq} (event ids {ids})"
            )
        else:
            chain[seq] = events[0]
    missing = set(range(1, max(by_seq, default=0) + 1)) - by_seq.keys()
    if missing and bundle:
        run.problem(_ORDER, f"order {order}: timeline incomplete, seq {_ranges(missing)} missing")
    elif missing and not run.allow_partial:
        run.problem(
            _ORDER, f"order {order}: timeline incomplete, seq {_ranges(missing)} not provided"
        )
    linked = _check_chain(run, order, chain)
    distinct = [ev for events in by_seq.values() for ev in events]
    sizes = [e.tree_size for e in entries if e.tree_size is not None]
    summary = OrderSummary(
        order=order,
        events=len(distinct),
        verified=sum(ev.included is True for ev in distinct),
        first_seq=min(by_seq, default=None),
        last_seq=max(by_seq, default=None),
        tree_size=max(sizes, default=None),
        complete=bool(by_seq) and not missing and linked and len(chain) == len(by_seq),
    )
    previous = run.orders.get(order)
    if previous is None or previous.events < summary.events:
        run.orders[order] = summary


def _check_chain(run: Run, order: str, chain: dict[int, _Event]) -> bool:
    """Check data.prev links, then explain each failed inclusion with the chain as context."""
    linked, explained = True, set()
    for seq, ev in sorted(chain.items()):
        nxt = chain.get(seq + 1)
        if nxt is None or nxt.first.prev is None or ev.first.leaf_hash is None:
            continue
        if nxt.first.prev == ev.first.leaf_hash:
            continue
        linked = False
        if ev.root_mismatch and nxt.included:
            # seq+1 is in the log and commits to a different seq: this copy was altered.
            explained.add(seq)
            run.problem(
                _ORDER,
                f"order {order}: event {ev.name} was altered: "
                f"its hash does not match data.prev of seq {seq + 1}",
            )
        else:
            run.problem(
                _ORDER,
                f"order {order}: data.prev of {nxt.name} does not match the hash of {ev.name}",
            )
    for seq, ev in sorted(chain.items()):
        if ev.root_mismatch is None or seq in explained:
            continue
        nxt = chain.get(seq + 1)
        if nxt is not None and nxt.included and nxt.first.prev == ev.first.leaf_hash:
            # The event is vouched for by its logged successor, so the proof is what is wrong.
            run.problem(
                _EVENT, f"inclusion proof of {ev.first.label} is invalid: {ev.root_mismatch}"
            )
        else:
            run.problem(
                _EVENT,
                f"{ev.first.label} is not proven to be in the log: {ev.root_mismatch} "
                "(the event or its proof was altered)",
            )
    return linked
