"""The order milestones are judged in: when events happened, never when they arrived.

Each layer of an order (and each shipment) is a lane. Its milestone is a fold over the lane's
events sorted by `fold_key`: occurred_at, then for simultaneous events the usual order of their
milestones, then the source's own event identity, so no tie is broken by arrival. A new event
may join a lane if the fold still applies it *and* every event the fold applied before: a late
scan is checked against both neighbours it lands between. Hence any arrival order of a set of
events gives the same accepted set whenever each of its events is legal in occurred_at order
without help from another one of the set (see the README, "Arrival order").
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime

from gateway.events import EventDraft, Layer, Milestone, iso
from gateway.timeline.model import LoggedEvent
from gateway.timeline.transitions import ORDER_RANK, SHIPMENT_RANK, transition_error

FoldKey = tuple[datetime, int, str, str, str]
_AFTER_RANKED = 100  # exceptions, returns, cancellations: after forward steps of the same moment
UNJUDGED = frozenset({Layer.SERVICE, Layer.AUDIT})


def _tie_rank(layer: Layer, milestone: Milestone) -> int:
    ranks = {Layer.ORDER: ORDER_RANK, Layer.SHIPMENT: SHIPMENT_RANK}.get(layer, {})
    return ranks.get(milestone, _AFTER_RANKED) if ranks else 0


def fold_key(event: LoggedEvent) -> FoldKey:
    source_event_id = (event.data.get("source_ref") or {}).get("event_id") or ""
    return (
        event.occurred_at,
        _tie_rank(event.layer, event.milestone),
        event.source,
        source_event_id,
        event.id,
    )


def draft_key(draft: EventDraft) -> FoldKey:
    # The gateway's own id is not assigned yet; it only breaks ties between events of one
    # source without ids at one moment, whose order cannot matter to the milestone fold
    # unless they hold different milestones (ranked) or are the same (no transition).
    return (
        draft.occurred_at,
        _tie_rank(draft.layer, draft.milestone),
        draft.source,
        draft.source_event_id or "",
        "",
    )


@dataclass(frozen=True, slots=True)
class _Step:
    key: FoldKey
    milestone: Milestone
    label: str  # "delivered at 2026-11-20T10:00:00Z", for error messages


def _fold(steps: Sequence[_Step]) -> tuple[list[_Step], dict[FoldKey, Milestone | None]]:
    """(the steps applied, in order; the state in force before each step)."""
    state: Milestone | None = None
    applied: list[_Step] = []
    before: dict[FoldKey, Milestone | None] = {}
    for step in sorted(steps, key=lambda s: s.key):
        before[step.key] = state
        if transition_error(state, step.milestone) is None:
            state = step.milestone
            applied.append(step)
    return applied, before


def lane(events: Iterable[LoggedEvent], layer: Layer, shipment_id: str | None) -> list[_Step]:
    return [
        _Step(fold_key(e), e.milestone, f"{e.milestone.value} at {iso(e.occurred_at)}")
        for e in events
        if e.layer is layer and e.shipment_id == shipment_id
    ]


def insertion_problem(past: Iterable[LoggedEvent], draft: EventDraft) -> str | None:
    """Why `draft` cannot join the order whose logged events are `past`, or None."""
    if draft.layer in UNJUDGED:
        return None
    steps = lane(past, draft.layer, draft.shipment_id)
    new = _Step(draft_key(draft), draft.milestone, "")
    applied_before, _ = _fold(steps)
    applied_after, state_before = _fold([*steps, new])
    problem: str | None = None
    if new not in applied_after:
        problem = transition_error(state_before[new.key], new.milestone)
    else:
        broken = [s for s in applied_before if s not in applied_after]
        if broken:
            first = broken[0]
            reason = transition_error(state_before[first.key], first.milestone)
            problem = (
                f"{draft.milestone.value} at {iso(draft.occurred_at)} would come before "
                f"{first.label}, already logged: {reason}"
            )
    if problem is None:
        return None
    where = f"shipment {draft.shipment_id}" if draft.shipment_id else f"order {draft.order_number}"
    return f"illegal transition for {where}: {problem}"


def current_milestone(
    events: Iterable[LoggedEvent], layer: Layer, shipment_id: str | None = None
) -> Milestone | None:
    """The milestone in force after `events` for one layer (and one shipment)."""
    applied, _ = _fold(lane(events, layer, shipment_id))
    return applied[-1].milestone if applied else None
