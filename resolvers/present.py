"""Where a read-model value becomes a GraphQL object: the one choke point where an order
meets its viewer. Queries, mutations and subscriptions all build orders here, and every
personal field passes through privacy's policy (decide + apply) for the viewer's role."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import date
from typing import Any

import strawberry

from gateway.events import Layer, Reason, parse_iso
from gateway.freshness import SourceState
from gateway.timeline.model import LoggedEvent, OrderView, ShipmentView
from privacy import REVEALABLE, Address, Contact, OrderPii, Proof, Role, Rule, apply, decide
from privacy.policy import CLEAR
from resolvers.access import Access
from resolvers.enums import OrderStatusEnum, ShipmentStatusEnum
from resolvers.types import (
    AuditRecord,
    CarrierEstimate,
    CustomerContact,
    DeliveryAddress,
    Location,
    Order,
    OrderLine,
    Package,
    ProofOfDelivery,
    RawStatus,
    Receipt,
    RevealedContact,
    Shipment,
    ShipmentProof,
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


def present_order(
    view: OrderView,
    access: Access,
    pii: OrderPii | None,
    freshness: Callable[[str], SourceState],
) -> Order:
    proofs = pii.proofs if pii is not None else {}
    return Order(
        number=view.number,
        status=OrderStatusEnum(view.status),
        # The pseudonymous customer id is for the customer and staff, not for trackers.
        customer_ref=view.customer_ref if access.role in OWNER_OR_STAFF else None,
        promised_date=view.promised_date,
        carrier_estimated_delivery=view.carrier_edd,
        placed_at=view.placed_at,
        updated_at=view.updated_at,
        lines=[OrderLine(**line) for line in view.lines],
        shipments=[present_shipment(s, access, proofs.get(s.shipment_id)) for s in view.shipments],
        sources=[
            SourceFreshness(
                source=name,
                events=entry["events"],
                last_occurred_at=parse_iso(entry["last_occurred_at"]),
                last_received_at=parse_iso(entry["last_received_at"]),
                last_synced_at=freshness(name).last_synced_at,
                stale=freshness(name).stale,
            )
            for name, entry in view.sources.items()
        ],
        event_count=access.event_count(view),
        contact=_contact(access, pii),
        delivery_address=_address(access, pii.address if pii is not None else None),
        personal_data_erased=pii is not None and pii.erased,
        access=access,
    )


OWNER_OR_STAFF = frozenset({Role.CUSTOMER, Role.AGENT, Role.ADMIN})


def masked(
    access: Access,
    field: str,
    value: str | None,
    area: Address | None = None,
    *,
    reveal: bool = False,
) -> str | None:
    """One personal field as this viewer may see it (privacy.policy decides), or in clear
    for an audited reveal of a field the policy lists as revealable."""
    if reveal and field in REVEALABLE and not field.endswith(".summary"):
        rule: Rule = CLEAR
    else:
        rule = decide(access.role, field, job_open=access.job_open)
    return apply(rule, field, value, address=area.area() if area is not None else None)


def _contact(access: Access, pii: OrderPii | None, reveal: bool = False) -> CustomerContact | None:
    if pii is None or pii.contact is None:
        return None
    c = pii.contact
    return CustomerContact(
        name=masked(access, "CustomerContact.name", c.name, reveal=reveal),
        phone=masked(access, "CustomerContact.phone", c.phone, reveal=reveal),
        email=masked(access, "CustomerContact.email", c.email, reveal=reveal),
    )


def _address(access: Access, a: Address | None, reveal: bool = False) -> DeliveryAddress | None:
    if a is None:
        return None
    field = "DeliveryAddress."
    return DeliveryAddress(
        country=masked(access, field + "country", a.country, reveal=reveal),
        region=masked(access, field + "region", a.region, reveal=reveal),
        city=masked(access, field + "city", a.city, reveal=reveal),
        district=masked(access, field + "district", a.district, reveal=reveal),
        street=masked(access, field + "street", a.street, reveal=reveal),
        postal_code=masked(access, field + "postalCode", a.postal_code, reveal=reveal),
        summary=masked(access, field + "summary", None, a),
    )


def _proof(access: Access, proof: Proof | None, reveal: bool = False) -> ProofOfDelivery | None:
    if proof is None:
        return None
    return ProofOfDelivery(
        signer_name=masked(access, "ProofOfDelivery.signerName", proof.signer_name, reveal=reveal),
        photo_ref=masked(access, "ProofOfDelivery.photoRef", proof.photo_ref, reveal=reveal),
    )


def present_revealed(pii: OrderPii) -> tuple[RevealedContact, list[str]]:
    """Clear values for an audited reveal, and the names of the fields that held a value."""
    staff = Access(Role.ADMIN, frozenset())
    contact, address = _contact(staff, pii, reveal=True), _address(staff, pii.address, reveal=True)
    proofs = [
        ShipmentProof(shipment_id=shipment, proof=proof)
        for shipment, p in sorted(pii.proofs.items())
        if (proof := _proof(staff, p, reveal=True)) is not None
    ]
    c, a = pii.contact or Contact(), pii.address or Address()
    held = {
        "CustomerContact.name": c.name,
        "CustomerContact.phone": c.phone,
        "CustomerContact.email": c.email,
        "DeliveryAddress.district": a.district,
        "DeliveryAddress.street": a.street,
        "DeliveryAddress.postalCode": a.postal_code,
        "ProofOfDelivery.signerName": any(p.signer_name for p in pii.proofs.values()),
        "ProofOfDelivery.photoRef": any(p.photo_ref for p in pii.proofs.values()),
    }
    fields = sorted(name for name, value in held.items() if value and name in REVEALABLE)
    return RevealedContact(
        contact=contact, delivery_address=address, proofs_of_delivery=proofs
    ), fields


def present_audit_record(event: LoggedEvent) -> AuditRecord:
    audit = event.data.get("audit", {})
    return AuditRecord(
        event_id=strawberry.ID(event.id),
        order_number=event.order_number,
        action=event.milestone.value,
        actor=audit.get("actor", ""),
        role=audit.get("role", ""),
        purpose=audit.get("purpose", ""),
        fields=list(audit.get("fields", [])),
        ticket=audit.get("ticket"),
        policy_version=audit.get("policy_version", ""),
        occurred_at=event.occurred_at,
        leaf_index=event.leaf_index,
        logged=event,
    )


def present_shipment(view: ShipmentView, access: Access, proof: Proof | None) -> Shipment:
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
        proof_of_delivery=_proof(access, proof),
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
