"""The pure fold from an order's logged events to its read model.

Events are applied in the order they happened (`ordering.fold_key`: occurred_at, then a tie
order that never depends on arrival), not the order they arrived, so a late event slots into
place. The same events always give the same view: that is
what lets `orderlens rebuild` prove a projection.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from gateway.events import (
    Layer,
    Milestone,
    OrderMilestone,
    ShipmentMilestone,
    iso,
    milestones_where,
)
from gateway.timeline.model import LoggedEvent, OrderView, ShipmentView
from gateway.timeline.ordering import current_milestone, fold_key
from gateway.timeline.transitions import ORDER_RANK, SHIPMENT_RANK, transition_error

OM = OrderMilestone
SM = ShipmentMilestone
UNKNOWN_STATUS = "unknown"
# Order-level states that say more than any shipment roll-up can: those off the forward path
# (exceptions, returns, cancellation).
ORDER_OVERRIDES = frozenset(milestones_where(Layer.ORDER, lambda row: row.rank is None))
SHIPPED_OR_LATER = frozenset(milestones_where(Layer.SHIPMENT, lambda row: row.shipped))
# A shipment in one of these expects no more news: its carrier estimate no longer counts.
TERMINAL_SHIPMENT = frozenset(
    m.value for m in milestones_where(Layer.SHIPMENT, lambda r: r.terminal)
)


@dataclass(slots=True)
class _Shipment:
    shipment_id: str
    position: int
    last_event_at: datetime
    status: Milestone | None = None
    status_reason: str | None = None
    fields: dict[str, Any] = field(default_factory=dict)
    carrier_edd: dict[str, Any] | None = None
    original_carrier_edd: dict[str, Any] | None = None
    packages: dict[str, dict[str, Any]] = field(default_factory=dict)
    last_location: dict[str, Any] | None = None


AUDIT_COUNT = "audit"


def project(order_number: str, events: Iterable[LoggedEvent]) -> OrderView:
    ordered = sorted(events, key=fold_key)
    if not ordered:
        raise ValueError(f"order {order_number} has no events")
    order_state: Milestone | None = None
    customer_ref: str | None = None
    promised: date | None = None
    placed_at: datetime | None = None
    lines: tuple[dict[str, Any], ...] = ()
    sources: dict[str, dict[str, Any]] = {}
    shipments: dict[str, _Shipment] = {}

    visibility_counts: dict[str, int] = {}
    for event in ordered:
        # Audit records count apart: only administrators see them in a timeline.
        kind = AUDIT_COUNT if event.layer is Layer.AUDIT else event.visibility.value
        visibility_counts[kind] = visibility_counts.get(kind, 0) + 1
        if event.layer is Layer.AUDIT:
            continue  # the gateway's own records say nothing about how current a source is
        _touch_source(sources, event)
        data = event.data
        if event.layer is Layer.ORDER:
            if transition_error(order_state, event.milestone) is None:
                order_state = event.milestone
            if event.milestone is OM.PLACED:
                placed_at = placed_at or event.occurred_at
            # The first customer named owns the order (gateway/timeline/ownership.py).
            customer_ref = customer_ref or data.get("customer_ref")
            if "promised_date" in data:
                promised = date.fromisoformat(data["promised_date"])
            if "lines" in data:
                lines = tuple(data["lines"])
        elif event.layer is Layer.SHIPMENT and event.shipment_id is not None:
            _apply_shipment(shipments, event)

    views = tuple(_shipment_view(order_number, s) for s in shipments.values())
    return OrderView(
        number=order_number,
        status=rollup(order_state, [v.status for v in views]),
        updated_at=max(e.received_at for e in ordered if e.layer is not Layer.AUDIT)
        if any(e.layer is not Layer.AUDIT for e in ordered)
        else ordered[-1].received_at,
        event_count=len(ordered),
        last_seq=max(e.seq for e in ordered),
        customer_ref=customer_ref,
        promised_date=promised,
        carrier_edd=_order_edd(views),
        placed_at=placed_at,
        lines=lines,
        sources=_source_summary(sources),
        visibility_counts=dict(sorted(visibility_counts.items())),
        shipments=views,
    )


def rollup(order_state: Milestone | None, shipment_statuses: list[str]) -> str:
    """Order status = its own milestone or what its shipments say, whichever is further on."""
    if order_state in ORDER_OVERRIDES:
        assert order_state is not None
        return order_state.value
    live = [SM(s) for s in shipment_statuses if s != SM.CANCELLED.value and s != UNKNOWN_STATUS]
    derived: Milestone | None = None
    if live:
        if all(s is SM.DELIVERED for s in live):
            derived = OM.DELIVERED
        elif any(s is SM.DELIVERED for s in live):
            derived = OM.PARTIALLY_DELIVERED
        elif any(s is SM.OUT_FOR_DELIVERY for s in live):
            derived = OM.OUT_FOR_DELIVERY
        elif all(s in SHIPPED_OR_LATER for s in live):
            derived = OM.SHIPPED
        elif any(s in SHIPPED_OR_LATER for s in live):
            derived = OM.PARTIALLY_SHIPPED
    candidates = [m for m in (order_state, derived) if m is not None]
    if not candidates:
        return UNKNOWN_STATUS
    return max(candidates, key=lambda m: ORDER_RANK.get(m, -1)).value


def _apply_shipment(shipments: dict[str, _Shipment], event: LoggedEvent) -> None:
    assert event.shipment_id is not None
    shipment = shipments.get(event.shipment_id)
    if shipment is None:
        shipment = _Shipment(event.shipment_id, len(shipments), event.occurred_at)
        shipments[event.shipment_id] = shipment
    data = event.data
    for key, value in data.get("shipment", {}).items():
        if key != "id":
            shipment.fields[key] = value
    if transition_error(shipment.status, event.milestone) is None:
        shipment.status = event.milestone
        shipment.status_reason = event.reason.value if event.reason else None
    if "edd" in data:
        shipment.carrier_edd = data["edd"]
        shipment.original_carrier_edd = shipment.original_carrier_edd or data["edd"]
    for package in data.get("packages", ()):
        shipment.packages[package["id"]] = package
    if "location" in data:
        shipment.last_location = data["location"]
    shipment.last_event_at = max(shipment.last_event_at, event.occurred_at)


def _shipment_view(order_number: str, s: _Shipment) -> ShipmentView:
    return ShipmentView(
        order_number=order_number,
        shipment_id=s.shipment_id,
        position=s.position,
        status=s.status.value if s.status else UNKNOWN_STATUS,
        last_event_at=s.last_event_at,
        carrier=s.fields.get("carrier"),
        tracking_number=s.fields.get("tracking_number"),
        service_level=s.fields.get("service_level"),
        status_reason=s.status_reason,
        carrier_edd=s.carrier_edd,
        original_carrier_edd=s.original_carrier_edd,
        packages=tuple(s.packages.values()),
        last_location=s.last_location,
    )


def _order_edd(shipments: tuple[ShipmentView, ...]) -> date | None:
    """The latest carrier estimate among shipments still on their way."""
    pending = [
        date.fromisoformat(s.carrier_edd["date"])
        for s in shipments
        if s.carrier_edd and s.status not in TERMINAL_SHIPMENT
    ]
    return max(pending) if pending else None


def _touch_source(sources: dict[str, dict[str, Any]], event: LoggedEvent) -> None:
    entry = sources.setdefault(
        event.source, {"last_occurred_at": None, "last_received_at": None, "events": 0}
    )
    entry["events"] += 1
    for key, moment in (
        ("last_occurred_at", event.occurred_at),
        ("last_received_at", event.received_at),
    ):
        if entry[key] is None or moment > entry[key]:
            entry[key] = moment


def _source_summary(sources: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """JSON-ready: timestamps as RFC 3339 strings, sources in name order."""
    return {
        name: {
            **entry,
            "last_occurred_at": iso(entry["last_occurred_at"]),
            "last_received_at": iso(entry["last_received_at"]),
        }
        for name, entry in sorted(sources.items())
    }


__all__ = ["SHIPMENT_RANK", "UNKNOWN_STATUS", "current_milestone", "project", "rollup"]
