"""Which milestone may follow which, per layer.

Milestones move forward. They move backwards only through explicit exception edges (an order
on hold, a failed delivery attempt, a shipment exception) or the return branch. A cancelled or
returned item stays that way. Order and shipment milestones share names ("delivered"), so every
table is per layer and never mixes the two.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from gateway.events import (
    MILESTONE_TABLE,
    AuditMilestone,
    Layer,
    Milestone,
    MilestoneInfo,
    OrderMilestone,
    ServiceMilestone,
    ShipmentMilestone,
    milestones_where,
)

OM = OrderMilestone
SM = ShipmentMilestone


@dataclass(frozen=True, slots=True)
class LayerRules:
    rank: dict[str, int]
    # Entering one of these is allowed from any non-final state; leaving one may go backwards.
    exception_edges: frozenset[str]
    final: frozenset[str]
    # The return branch: each step and what may precede it.
    return_edges: dict[str, frozenset[str]]
    cancelled: str
    cancellable_until: int  # rank after which cancelling is no longer possible


def _ranks(layer: Layer) -> dict[str, int]:
    return {row.milestone: row.rank for row in MILESTONE_TABLE[layer] if row.rank is not None}


def _where(layer: Layer, test: Callable[[MilestoneInfo], bool]) -> frozenset[str]:
    return frozenset(milestones_where(layer, test))


# Ranks, exceptions and final states are the milestone table's; the return branch and the
# cancellation rule are the shape of each layer's state machine, so they are written here.
ORDER_RANK = _ranks(Layer.ORDER)
SHIPMENT_RANK = _ranks(Layer.SHIPMENT)

ORDER_RULES = LayerRules(
    rank=ORDER_RANK,
    exception_edges=_where(Layer.ORDER, lambda row: row.exception),
    final=_where(Layer.ORDER, lambda row: row.final),
    return_edges={
        # From every shipped step on the forward path: ERPs often never hear of the delivery
        # itself (the courier reports it on the shipment), and a refused parcel is returned
        # from there.
        OM.RETURN_REQUESTED: _where(Layer.ORDER, lambda row: row.shipped and row.rank is not None),
        OM.RETURN_RECEIVED: frozenset({OM.RETURN_REQUESTED}),
        OM.REFUNDED: frozenset({OM.RETURN_RECEIVED, OM.CANCELLED}),
    },
    cancelled=OM.CANCELLED,
    cancellable_until=ORDER_RANK[OM.PACKED],
)
SHIPMENT_RULES = LayerRules(
    rank=SHIPMENT_RANK,
    exception_edges=_where(Layer.SHIPMENT, lambda row: row.exception),
    final=_where(Layer.SHIPMENT, lambda row: row.final),
    return_edges={
        # From anywhere on the forward path or a detour off it.
        SM.RETURNING: _where(Layer.SHIPMENT, lambda row: row.rank is not None or row.exception),
        SM.RETURNED: frozenset({SM.RETURNING}),
    },
    cancelled=SM.CANCELLED,
    cancellable_until=SHIPMENT_RANK[SM.LABEL_CREATED],
)


def transition_error(current: Milestone | None, new: Milestone) -> str | None:
    """None when `current -> new` is allowed, else a sentence saying why not."""
    if current is None or current == new or isinstance(new, ServiceMilestone | AuditMilestone):
        return None
    if type(current) is not type(new):
        raise TypeError(f"cannot compare {current!r} with {new!r}: different layers")
    rules = ORDER_RULES if isinstance(new, OrderMilestone) else SHIPMENT_RULES
    if new in rules.return_edges:
        if current in rules.return_edges[new]:
            return None
        return f"{new.value} cannot follow {current.value}"
    if current in rules.final:
        return f"{current.value} is final; {new.value} cannot follow it"
    if new in rules.exception_edges or current in rules.exception_edges:
        return None
    if new == rules.cancelled:
        if rules.rank.get(current, 0) <= rules.cancellable_until:
            return None
        return f"cannot cancel once {current.value}; use the return flow"
    if current in rules.return_edges:
        return f"{new.value} cannot follow {current.value} (returns only move forward)"
    if rules.rank.get(new, 0) < rules.rank.get(current, 0):
        return (
            f"milestone would move backwards from {current.value} to {new.value} "
            "without an exception or return"
        )
    return None
