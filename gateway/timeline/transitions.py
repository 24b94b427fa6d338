"""Which milestone may follow which, per layer.

Milestones move forward. They move backwards only through explicit exception edges (an order
on hold, a failed delivery attempt, a shipment exception) or the return branch. A cancelled or
returned item stays that way. Order and shipment milestones share names ("delivered"), so every
table is per layer and never mixes the two.
"""

from __future__ import annotations

from dataclasses import dataclass

from gateway.events import (
    AuditMilestone,
    Milestone,
    OrderMilestone,
    ServiceMilestone,
    ShipmentMilestone,
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


ORDER_RANK: dict[str, int] = {
    OM.PLACED: 0,
    OM.CONFIRMED: 1,
    OM.PAYMENT_AUTHORIZED: 2,
    OM.PAYMENT_CAPTURED: 3,
    OM.ALLOCATED: 4,
    OM.PICKING: 5,
    OM.PICKED: 6,
    OM.PACKED: 7,
    OM.PARTIALLY_SHIPPED: 8,
    OM.SHIPPED: 9,
    OM.OUT_FOR_DELIVERY: 10,
    OM.PARTIALLY_DELIVERED: 11,
    OM.DELIVERED: 12,
    OM.COMPLETED: 13,
}
SHIPMENT_RANK: dict[str, int] = {
    SM.REGISTERED: 0,
    SM.LABEL_CREATED: 1,
    SM.PICKED_UP: 2,
    SM.IN_TRANSIT: 3,
    SM.OUT_FOR_DELIVERY: 4,
    SM.AVAILABLE_FOR_PICKUP: 4,
    SM.DELIVERED: 5,
}

ORDER_RULES = LayerRules(
    rank=ORDER_RANK,
    exception_edges=frozenset({OM.ON_HOLD, OM.BACKORDERED}),
    final=frozenset({OM.CANCELLED, OM.REFUNDED}),
    return_edges={
        # Also from the shipped states: ERPs often never hear of the delivery itself (the
        # courier reports it on the shipment), and a refused parcel is returned from there.
        OM.RETURN_REQUESTED: frozenset(
            {
                OM.SHIPPED,
                OM.PARTIALLY_SHIPPED,
                OM.OUT_FOR_DELIVERY,
                OM.DELIVERED,
                OM.PARTIALLY_DELIVERED,
                OM.COMPLETED,
            }
        ),
        OM.RETURN_RECEIVED: frozenset({OM.RETURN_REQUESTED}),
        OM.REFUNDED: frozenset({OM.RETURN_RECEIVED, OM.CANCELLED}),
    },
    cancelled=OM.CANCELLED,
    cancellable_until=ORDER_RANK[OM.PACKED],
)
SHIPMENT_RULES = LayerRules(
    rank=SHIPMENT_RANK,
    exception_edges=frozenset({SM.EXCEPTION, SM.DELIVERY_ATTEMPTED, SM.STALE}),
    final=frozenset({SM.RETURNED, SM.CANCELLED}),
    return_edges={
        SM.RETURNING: frozenset(SHIPMENT_RANK) | {SM.EXCEPTION, SM.DELIVERY_ATTEMPTED, SM.STALE},
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
