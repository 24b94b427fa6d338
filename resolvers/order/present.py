"""Where an order's read model becomes its GraphQL object for one viewer. Queries and
subscription frames build orders here; every personal value goes through personal_data's
presenters, that is through the choke point (resolvers.present.masked)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from gateway.events import Reason, parse_iso
from gateway.sources import SourceState
from gateway.timeline import OrderView, ShipmentView
from privacy import OrderPii, Proof
from resolvers.access import Access
from resolvers.enums import OrderStatusEnum, ShipmentStatusEnum
from resolvers.order.timeline import present_location
from resolvers.order.types import CarrierEstimate, Order, OrderLine, Package, Shipment
from resolvers.personal_data.present import present_address, present_contact, present_proof
from resolvers.present import OWNER_OR_STAFF
from resolvers.sources.types import SourceFreshness


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
        contact=present_contact(access, pii),
        delivery_address=present_address(access, pii.address if pii is not None else None),
        personal_data_erased=pii is not None and pii.erased,
        access=access,
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
        last_location=present_location(view.last_location),
        last_event_at=view.last_event_at,
        proof_of_delivery=present_proof(access, proof),
    )


def _estimate(edd: dict[str, Any] | None) -> CarrierEstimate | None:
    if not edd:
        return None
    return CarrierEstimate(
        date=date.fromisoformat(edd["date"]),
        window_start=edd.get("window_start"),
        window_end=edd.get("window_end"),
        kind=edd.get("kind", "scheduled"),
    )
