"""The pure fold from events to the order view."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from gateway.events import EventDraft, Layer, OrderMilestone, ShipmentMilestone, build_document
from gateway.timeline.model import LoggedEvent
from gateway.timeline.project import project, rollup
from gateway.timeline.transitions import transition_error

T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)
OM = OrderMilestone
SM = ShipmentMilestone


def logged(seq: int, layer: Layer, milestone: Any, hours: float, **details: Any) -> LoggedEvent:
    shipment = details.get("shipment")
    draft = EventDraft(
        source="test",
        order_number="SO-1",
        layer=layer,
        milestone=milestone,
        occurred_at=T0 + timedelta(hours=hours),
        source_event_id=f"e{seq}",
        shipment_id=shipment["id"] if shipment else None,
        details=details,
    )
    document = build_document(
        draft,
        event_id=f"id-{seq}",
        seq=seq,
        prev=None,
        received_at=T0 + timedelta(days=1, seconds=seq),
    )
    return LoggedEvent.from_document(document, seq - 1)


def ship(seq: int, milestone: SM, hours: float, shipment: str = "A", **details: Any) -> LoggedEvent:
    return logged(seq, Layer.SHIPMENT, milestone, hours, shipment={"id": shipment}, **details)


def test_view_is_independent_of_arrival_order() -> None:
    events = [
        logged(
            1,
            Layer.ORDER,
            OM.PLACED,
            0,
            customer_ref="C1",
            lines=[{"line_id": "1"}],
            promised_date="2026-11-25",
        ),
        ship(2, SM.DELIVERED, 50),
        ship(3, SM.IN_TRANSIT, 20, edd={"date": "2026-11-22", "kind": "scheduled"}),
        ship(4, SM.LABEL_CREATED, 5, edd={"date": "2026-11-21", "kind": "scheduled"}),
    ]
    forward = project("SO-1", events)
    backward = project("SO-1", list(reversed(events)))
    assert forward == backward
    assert forward.status == "delivered"
    shipment = forward.shipments[0]
    assert shipment.status == "delivered"
    assert shipment.original_carrier_edd == {"date": "2026-11-21", "kind": "scheduled"}
    assert shipment.carrier_edd == {"date": "2026-11-22", "kind": "scheduled"}
    assert forward.carrier_edd is None  # delivered: nothing pending
    assert forward.promised_date.isoformat() == "2026-11-25"  # type: ignore[union-attr]
    assert forward.sources["test"]["events"] == 4


def test_two_shipments_roll_up() -> None:
    base = [logged(1, Layer.ORDER, OM.PLACED, 0, customer_ref="C1", lines=[{"line_id": "1"}])]
    one_delivered = [*base, ship(2, SM.DELIVERED, 10, "A"), ship(3, SM.IN_TRANSIT, 9, "B")]
    assert project("SO-1", one_delivered).status == "partially_delivered"
    one_moving = [*base, ship(2, SM.IN_TRANSIT, 10, "A"), ship(3, SM.LABEL_CREATED, 9, "B")]
    assert project("SO-1", one_moving).status == "partially_shipped"


def test_cancelled_order_overrides_shipments() -> None:
    events = [
        logged(1, Layer.ORDER, OM.PLACED, 0, customer_ref="C1", lines=[{"line_id": "1"}]),
        ship(2, SM.LABEL_CREATED, 1),
        logged(3, Layer.ORDER, OM.CANCELLED, 2),
    ]
    assert project("SO-1", events).status == "cancelled"


def test_illegal_event_in_history_does_not_move_status() -> None:
    events = [ship(1, SM.DELIVERED, 10), ship(2, SM.IN_TRANSIT, 12)]
    assert project("SO-1", events).shipments[0].status == "delivered"


@pytest.mark.parametrize(
    ("current", "new", "allowed"),
    [
        (None, SM.DELIVERED, True),
        (SM.IN_TRANSIT, SM.OUT_FOR_DELIVERY, True),
        (SM.OUT_FOR_DELIVERY, SM.IN_TRANSIT, False),
        (SM.DELIVERY_ATTEMPTED, SM.IN_TRANSIT, True),
        (SM.EXCEPTION, SM.PICKED_UP, True),
        (SM.IN_TRANSIT, SM.EXCEPTION, True),
        (SM.DELIVERED, SM.RETURNING, True),
        (SM.RETURNING, SM.RETURNED, True),
        (SM.IN_TRANSIT, SM.RETURNED, False),
        (SM.RETURNED, SM.IN_TRANSIT, False),
        (SM.LABEL_CREATED, SM.CANCELLED, True),
        (SM.IN_TRANSIT, SM.CANCELLED, False),
        (OM.PACKED, OM.CANCELLED, True),
        (OM.SHIPPED, OM.CANCELLED, False),
        (OM.CANCELLED, OM.REFUNDED, True),
        (OM.CANCELLED, OM.PACKED, False),
        (OM.ON_HOLD, OM.PICKING, True),
        (OM.DELIVERED, OM.RETURN_REQUESTED, True),
        (OM.SHIPPED, OM.RETURN_REQUESTED, True),  # the ERP never heard of the delivery
        (OM.PACKED, OM.RETURN_REQUESTED, False),
        (OM.PLACED, OM.RETURN_REQUESTED, False),
        (OM.PAYMENT_CAPTURED, OM.PLACED, False),
    ],
)
def test_transitions(current: Any, new: Any, allowed: bool) -> None:
    assert (transition_error(current, new) is None) is allowed


def test_rollup_without_any_information_is_unknown() -> None:
    assert rollup(None, []) == "unknown"


def test_prev_is_base64_of_the_previous_leaf_hash() -> None:
    draft = EventDraft("erp", "SO-1", Layer.ORDER, OM.PLACED, T0)
    doc = build_document(draft, event_id="x", seq=2, prev=b"\x01" * 32, received_at=T0)
    assert doc["data"]["prev"] == base64.b64encode(b"\x01" * 32).decode()
    assert doc["time"] == "2026-11-20T08:00:00Z"
