"""Where a read-model value becomes a GraphQL object. The one choke point: masking by viewer
(privacy/) plugs in here, for queries and subscriptions alike."""

from __future__ import annotations

import base64
from datetime import date
from typing import Any

import strawberry

from gateway.events import Layer, Reason, parse_iso
from gateway.timeline.model import LoggedEvent, OrderView, ShipmentView
from resolvers.enums import OrderStatusEnum, ShipmentStatusEnum
from resolvers.types import (
    CarrierEstimate,
    Location,
    Order,
    OrderLine,
    Package,
    RawStatus,
    Receipt,
    Shipment,
    SourceFreshness,
    TimelineEvent,
)

TITLES: dict[str, str] = {
    "order.placed": "Order placed",
    "order.confirmed": "Order confirmed",
    "order.payment_authorized": "Payment authorized",
    "order.payment_captured": "Payment received",
    "order.on_hold": "Order on hold",
    "order.backordered": "Waiting for stock",
    "order.allocated": "Stock reserved in the warehouse",
    "order.picking": "Being picked in the warehouse",
    "order.picked": "Picked in the warehouse",
    "order.packed": "Packed",
    "order.shipped": "Shipped",
    "order.partially_shipped": "Partly shipped",
    "order.out_for_delivery": "Out for delivery",
    "order.partially_delivered": "Partly delivered",
    "order.delivered": "Delivered",
    "order.completed": "Completed",
    "order.cancelled": "Order cancelled",
    "order.return_requested": "Return requested",
    "order.return_received": "Return received",
    "order.refunded": "Refunded",
    "shipment.registered": "Shipment registered",
    "shipment.label_created": "Shipping label created",
    "shipment.picked_up": "Handed to the carrier",
    "shipment.in_transit": "In transit",
    "shipment.out_for_delivery": "Out for delivery",
    "shipment.available_for_pickup": "Ready for pickup",
    "shipment.delivery_attempted": "Delivery attempted",
    "shipment.exception": "Shipment problem",
    "shipment.delivered": "Delivered",
    "shipment.returning": "Returning to sender",
    "shipment.returned": "Returned to sender",
    "shipment.cancelled": "Shipment cancelled",
    "shipment.stale": "No news from the carrier",
}


def title(layer: Layer, milestone: str) -> str:
    key = f"{layer.value}.{milestone}"
    return TITLES.get(key, milestone.replace("_", " ").capitalize())


def present_order(view: OrderView) -> Order:
    return Order(
        number=view.number,
        status=OrderStatusEnum(view.status),
        customer_ref=view.customer_ref,
        promised_date=view.promised_date,
        carrier_estimated_delivery=view.carrier_edd,
        placed_at=view.placed_at,
        updated_at=view.updated_at,
        lines=[OrderLine(**line) for line in view.lines],
        shipments=[present_shipment(s) for s in view.shipments],
        sources=[
            SourceFreshness(
                source=name,
                events=entry["events"],
                last_occurred_at=parse_iso(entry["last_occurred_at"]),
                last_received_at=parse_iso(entry["last_received_at"]),
            )
            for name, entry in view.sources.items()
        ],
        event_count=view.event_count,
    )


def present_shipment(view: ShipmentView) -> Shipment:
    return Shipment(
        id=view.shipment_id,
        carrier=view.carrier,
        tracking_number=view.tracking_number,
        service_level=view.service_level,
        status=ShipmentStatusEnum(view.status),
        status_reason=Reason(view.status_reason) if view.status_reason else None,
        carrier_estimate=_estimate(view.carrier_edd),
        original_carrier_estimate=_estimate(view.original_carrier_edd),
        packages=[
            Package(
                id=p["id"],
                tracking_number=p.get("tracking_number"),
                weight_grams=p.get("weight_grams"),
            )
            for p in view.packages
        ],
        last_location=_location(view.last_location),
        last_event_at=view.last_event_at,
    )


def present_event(event: LoggedEvent) -> TimelineEvent:
    data = event.data
    raw = data.get("raw")
    return TimelineEvent(
        id=strawberry.ID(event.id),
        seq=event.seq,
        layer=event.layer,
        milestone=event.milestone.value,
        title=title(event.layer, event.milestone.value),
        reason=event.reason,
        occurred_at=event.occurred_at,
        received_at=event.received_at,
        source=event.source,
        visibility=event.visibility,
        shipment_id=event.shipment_id,
        raw=RawStatus(
            code=raw.get("code"), text=raw.get("text"), mapping_version=raw.get("mapping_version")
        )
        if raw
        else None,
        location=_location(data.get("location")),
        leaf_index=event.leaf_index,
        logged=event,
    )


def present_receipt(receipt: dict[str, Any]) -> Receipt:
    return Receipt(
        format=receipt["format"],
        leaf_index=receipt["leaf_index"],
        tree_size=receipt["tree_size"],
        inclusion_proof=list(receipt["inclusion_proof"]),
        checkpoint=receipt["checkpoint"],
        event=receipt["event"],
    )


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode()


def _estimate(edd: dict[str, Any] | None) -> CarrierEstimate | None:
    if not edd:
        return None
    return CarrierEstimate(
        date=date.fromisoformat(edd["date"]),
        window_start=edd.get("window_start"),
        window_end=edd.get("window_end"),
        kind=edd.get("kind", "scheduled"),
    )


def _location(location: dict[str, Any] | None) -> Location | None:
    if not location:
        return None
    return Location(
        city=location.get("city"),
        region=location.get("region"),
        country=location.get("country"),
        hub_id=location.get("hub_id"),
        hub_name=location.get("hub_name"),
    )
