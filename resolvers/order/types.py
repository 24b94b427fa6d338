"""GraphQL types of an order and its shipments. Built only by resolvers/order/present.py from
read-model values; the fields that hold personal data are personal_data's marked types."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, cast

import strawberry
from strawberry.scalars import JSON

from resolvers.access import Access
from resolvers.context import Info
from resolvers.enums import OrderStatus, ReasonCode, ShipmentStatus
from resolvers.ledger.bundle import verification_bundle
from resolvers.order.timeline import timeline_page
from resolvers.order.timeline_types import Location, TimelineConnection
from resolvers.personal_data.types import CustomerContact, DeliveryAddress, ProofOfDelivery
from resolvers.sources.types import SourceFreshness


@strawberry.type(description="An item of the order.")
class OrderLine:
    line_id: str
    sku: str
    description: str
    quantity: int


@strawberry.type(description="A package inside a shipment.")
class Package:
    id: str
    tracking_number: str | None
    weight_grams: int | None


@strawberry.type(description="A delivery estimate given by the carrier.")
class CarrierEstimate:
    date: date
    window_start: str | None
    window_end: str | None
    kind: str


@strawberry.type(description="A shipment of the order and where it is.")
class Shipment:
    id: str
    carrier: str | None
    tracking_number: str | None
    service_level: str | None
    status: ShipmentStatus  # type: ignore[valid-type]
    status_reason: ReasonCode | None  # type: ignore[valid-type]
    carrier_estimate: CarrierEstimate | None = strawberry.field(
        description="The carrier's latest delivery estimate."
    )
    original_carrier_estimate: CarrierEstimate | None = strawberry.field(
        description="The first estimate the carrier gave (never changes)."
    )
    packages: list[Package]
    last_location: Location | None
    last_event_at: datetime
    proof_of_delivery: ProofOfDelivery | None


@strawberry.type(description="An order, federated from ERP, WMS and courier events.")
class Order:
    number: str
    status: OrderStatus  # type: ignore[valid-type]
    customer_ref: str | None
    promised_date: date | None
    carrier_estimated_delivery: date | None = strawberry.field(
        description="The latest carrier estimate among shipments still on their way."
    )
    placed_at: datetime | None
    updated_at: datetime
    lines: list[OrderLine]
    shipments: list[Shipment]
    sources: list[SourceFreshness] = strawberry.field(
        description="Last update per source, so users see how current each part is."
    )
    event_count: int = strawberry.field(description="Events of this order the viewer may see.")
    contact: CustomerContact | None
    delivery_address: DeliveryAddress | None
    personal_data_erased: bool = strawberry.field(
        description="The customer's personal data was erased on request."
    )
    access: strawberry.Private[Access]

    @strawberry.field(description="The timeline in the order events happened (oldest first).")
    async def timeline(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="Page size, 1 to 500.")] = 50,
        after: str | None = None,
    ) -> TimelineConnection:
        return await timeline_page(info, self.number, self.access, self.event_count, first, after)

    @strawberry.field(
        description="The whole timeline with one checkpoint, for `orderlens verify` "
        "(format orderlens.timeline/v1). Events the viewer may not see are listed by leaf "
        "hash only, so the chain still proves complete."
    )
    async def verification_bundle(self, info: Info) -> JSON:
        return cast(JSON, await verification_bundle(info, self.number, self.access))
