"""The per-order checks behind :mod:`gateway.ledger.verify`: bundles, completeness, chains.

Internal module. A bundle may list redacted entries (a seq, a leaf hash and its proof, no
event) in place of events the viewer may not see: they count for completeness and their
leaf hash must be what the next event's data.prev commits to; their own data.prev is
hidden, so the link into a redacted entry is not checked.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from itertools import pairwise
from typing import Any

from gateway.ledger._checks import (
    CHECKPOINT,
    EVENT,
    INPUT,
    ORDER,
    Entry,
    OrderSummary,
    Run,
    get_key,
    is_uint,
)


@dataclass(slots=True)
class _Event:
    """A distinct event; the same receipt may appear more than once in a document."""

    first: Entry  # a full copy when there is one
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
    def redacted(self) -> bool:
        return self.first.redacted

    @property
    def name(self) -> str:
        if self.redacted:
            return f"redacted entry seq {self.first.seq}"
        return f"seq {self.first.seq} (event id {self.first.event_id})"


def _gaps(present: Iterable[int]) -> str:
    """The seqs missing from 1..max(present), as "1, 5..7"; seqs may be huge, so no range()."""
    spans: list[tuple[int, int]] = []
    expected = 1
    for n in sorted(present):
        if n > expected:
            spans.append((expected, n - 1))
        expected = n + 1
    return ", ".join(str(a) if a == b else f"{a}..{b}" for a, b in spans)


def _is_redacted(run: Run, item: Mapping[str, Any], where: str) -> bool:
    flag = item.get("redacted")
    if flag is None or isinstance(flag, bool):
        return flag is True
    run.problem(INPUT, f"{where}: redacted must be true or false, got {json.dumps(flag)}")
    return "event" not in item


def _listed(seq: int, entry: Entry) -> str:
    return f"redacted entry seq {seq}" if entry.redacted else f"seq {seq}"


def check_bundle(run: Run, obj: dict[str, Any], where: str) -> None:
    order, tree_size, items = obj.get("order"), get_key(obj, "tree_size"), obj.get("events")
    if not isinstance(order, str) or not order:
        run.problem(INPUT, f"{where}: bundle has no order number")
        order = "?"
    if not is_uint(tree_size):
        run.problem(INPUT, f"bundle for order {order}: tree_size must be a non-negative integer")
    cp = run.checkpoint(obj.get("checkpoint"), tree_size)
    if cp is not None and is_uint(tree_size) and tree_size != cp.size:
        run.problem(
            CHECKPOINT,
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
        if _is_redacted(run, item, path):
            entry = run.redacted(item, path, order, tree_size)
        else:
            entry = run.entry(item.get("event"), path, tree_size)
        run.prove(entry, get_key(item, "leaf_index"), get_key(item, "inclusion_proof"), cp)
        entries.append(entry)
    listed = [(e.seq, e) for e in entries if e.seq is not None and e.order == order]
    for (a, first), (b, second) in pairwise(listed):
        if a > b:
            run.problem(
                ORDER,
                f"order {order}: events out of order: "
                f"{_listed(a, first)} listed before {_listed(b, second)}",
            )
    for entry in entries:
        if entry.order is not None and entry.order != order:
            run.problem(ORDER, f"bundle for order {order}: {entry.label} belongs to another order")
    own = [e for e in entries if e.order == order]
    check_order(run, order, own, bundle=True)


def _claimants(events: list[_Event]) -> str:
    ids = [ev.first.event_id for ev in events if not ev.redacted]
    hidden = len(events) - len(ids)
    parts = [f"event id{'s' if len(ids) > 1 else ''} {' and '.join(ids)}"] if ids else []
    if hidden:
        parts.append("a redacted entry" if hidden == 1 else f"{hidden} redacted entries")
    return " and ".join(parts)


def _add_copy(run: Run, order: str, same: _Event, entry: Entry, *, bundle: bool) -> None:
    same.entries.append(entry)
    if not bundle:
        return  # the same receipt may be quoted more than once in a document
    if same.redacted == entry.redacted:
        run.problem(ORDER, f"order {order}: {same.name} is listed twice")
        return
    if same.redacted:
        same.first = entry  # keep the full copy: it has the event id and data.prev
    run.problem(ORDER, f"order {order}: {same.name} is listed twice, once as a redacted entry")


def check_order(run: Run, order: str, entries: list[Entry], *, bundle: bool) -> None:
    """Per-order checks: duplicates, completeness, the data.prev chain; then a summary."""
    by_seq: dict[int, list[_Event]] = {}
    for entry in entries:
        assert entry.seq is not None
        events = by_seq.setdefault(entry.seq, [])
        same = next((ev for ev in events if ev.first.leaf_hash == entry.leaf_hash), None)
        if same is None:
            events.append(_Event(entry, [entry]))
        else:
            _add_copy(run, order, same, entry, bundle=bundle)
    chain: dict[int, _Event] = {}
    owners: dict[bytes, _Event] = {}
    reused = False
    for seq, events in sorted(by_seq.items()):
        if len(events) > 1:
            run.problem(
                ORDER, f"order {order}: different events claim seq {seq} ({_claimants(events)})"
            )
            for ev in events:  # outside the chain: nothing can vouch for these
                if ev.root_mismatch is not None:
                    _not_proven(run, ev, ev.root_mismatch)
        else:
            chain[seq] = events[0]
        for ev in events:  # a leaf hash carries its seq: only a redacted entry can reuse one
            owner = owners.setdefault(ev.first.leaf_hash, ev) if ev.first.leaf_hash else ev
            if owner is not ev:
                reused = True
                run.problem(
                    ORDER, f"order {order}: {ev.name} has the same leaf hash as {owner.name}"
                )
    missing = _gaps(by_seq)
    if missing and bundle:
        run.problem(ORDER, f"order {order}: timeline incomplete, seq {missing} missing")
    elif missing and not run.allow_partial:
        run.problem(ORDER, f"order {order}: timeline incomplete, seq {missing} not provided")
    chained = _check_chain(run, order, chain) and not missing and not reused
    distinct = [ev for events in by_seq.values() for ev in events]
    sizes = [e.tree_size for e in entries if e.tree_size is not None]
    summary = OrderSummary(
        order=order,
        events=len(distinct),
        verified=sum(ev.included is True for ev in distinct),
        first_seq=min(by_seq, default=None),
        last_seq=max(by_seq, default=None),
        tree_size=max(sizes, default=None),
        complete=bool(by_seq) and chained and len(chain) == len(by_seq),
        redacted=sum(ev.redacted for ev in distinct),
    )
    previous = run.orders.get(order)
    if previous is None or previous.events < summary.events:
        run.orders[order] = summary


def _check_chain(run: Run, order: str, chain: dict[int, _Event]) -> bool:
    """Check data.prev links, then explain each failed inclusion with the chain as context."""
    linked, explained = True, set()
    for seq, ev in sorted(chain.items()):
        nxt = chain.get(seq + 1)
        # A redacted successor hides its data.prev: that link cannot be checked, and is not.
        if nxt is None or nxt.first.prev is None or ev.first.leaf_hash is None:
            continue
        if nxt.first.prev == ev.first.leaf_hash:
            continue
        linked = False
        if ev.redacted:
            run.problem(
                ORDER,
                f"order {order}: data.prev of {nxt.name} does not match the leaf hash of {ev.name}",
            )
        elif ev.root_mismatch and nxt.included:
            # seq+1 is in the log and commits to a different seq: this copy was altered.
            explained.add(seq)
            run.problem(
                ORDER,
                f"order {order}: event {ev.name} was altered: "
                f"its hash does not match data.prev of seq {seq + 1}",
            )
        else:
            run.problem(
                ORDER,
                f"order {order}: data.prev of {nxt.name} does not match the hash of {ev.name}",
            )
    for seq, ev in sorted(chain.items()):
        if ev.root_mismatch is None or seq in explained:
            continue
        nxt = chain.get(seq + 1)
        if nxt is not None and nxt.included and nxt.first.prev == ev.first.leaf_hash:
            # The event is vouched for by its logged successor, so the proof is what is wrong.
            run.problem(
                EVENT, f"inclusion proof of {ev.first.label} is invalid: {ev.root_mismatch}"
            )
        else:
            _not_proven(run, ev, ev.root_mismatch)
    return linked


def _not_proven(run: Run, ev: _Event, mismatch: str) -> None:
    altered = "leaf hash" if ev.redacted else "event"
    run.problem(
        EVENT,
        f"{ev.first.label} is not proven to be in the log: {mismatch} "
        f"(the {altered} or its proof was altered)",
    )
