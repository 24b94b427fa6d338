"""GraphQL object types. Built only by resolvers/present.py from read-model values."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, cast

import strawberry
from strawberry.scalars import JSON

from resolvers.context import Info
from resolvers.enums import Layer, OrderStatus, ReasonCode, ShipmentStatus, Visibility


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


@strawberry.type(description="A city-level place; never a street address.")
class Location:
    city: str | None
    region: str | None
    country: str | None
    hub_id: str | None
    hub_name: str | None


@strawberry.type(description="A delivery estimate given by the carrier.")
class CarrierEstimate:
    date: date
    window_start: str | None
    window_end: str | None
    kind: str


@strawberry.type(description="How current one source's part of the timeline is.")
class SourceFreshness:
    source: str
    events: int
    last_occurred_at: datetime
    last_received_at: datetime
    last_synced_at: datetime | None = strawberry.field(
        description="When the gateway last heard from this source at all (any order): its "
        "last successful pull, or its last delivery."
    )
    stale: bool = strawberry.field(
        description="A pulled source that has not synced for three of its intervals: this "
        "part of the timeline may be behind."
    )


@strawberry.type(description="A configured source (connector instance) and how current it is.")
class SourceStatus:
    id: str
    type: str
    kind: str
    mode: str
    last_synced_at: datetime | None
    stale: bool
    dead_letters: int = strawberry.field(description="Payloads kept for replay.")
    parked: int = strawberry.field(description="Events waiting for their order or shipment.")
    breaker: str | None = strawberry.field(
        description="Pulled sources: closed, open (not called until a cool-down passes) or "
        "half_open (one trial call)."
    )
    last_error: str | None = strawberry.field(
        description="Pulled sources: the current problem, cleared by the next success."
    )
    consecutive_failures: int


@strawberry.type(
    description="Who ordered. Personal data: each field is masked for the viewer's role "
    "(see the README's masking policy); agents see clear values only through "
    "revealCustomerContact, which is audited."
)
class CustomerContact:
    name: str | None
    phone: str | None
    email: str | None


@strawberry.type(description="Where the order goes. Personal data, masked per role.")
class DeliveryAddress:
    country: str | None
    region: str | None
    city: str | None
    district: str | None
    street: str | None
    postal_code: str | None
    summary: str | None = strawberry.field(
        description="The address generalized to its city, e.g. 'Hangzhou, Zhejiang, CN'."
    )


@strawberry.type(description="Who signed for a delivered shipment. Personal data, masked per role.")
class ProofOfDelivery:
    signer_name: str | None
    photo_ref: str | None


@strawberry.type(description="The proof of delivery of one shipment.")
class ShipmentProof:
    shipment_id: str
    proof: ProofOfDelivery


@strawberry.type(description="An order's personal data in clear, as revealed (and audited).")
class RevealedContact:
    contact: CustomerContact | None
    delivery_address: DeliveryAddress | None
    proofs_of_delivery: list[ShipmentProof]


@strawberry.type(
    description="Who saw or erased personal data: an audit-layer event of the signed log."
)
class AuditRecord:
    event_id: strawberry.ID
    order_number: str
    action: str = strawberry.field(description="sensitive_reveal, reveal_denied or customer_erased")
    actor: str
    role: str
    purpose: str
    fields: list[str] = strawberry.field(description="Which fields were shown (never values).")
    ticket: str | None
    policy_version: str
    occurred_at: datetime
    leaf_index: int
    logged: strawberry.Private[Any]

    @strawberry.field(description="Inclusion proof and signed checkpoint for this record.")
    async def receipt(self, info: Info) -> Receipt:
        from resolvers.present import present_receipt

        return present_receipt(await info.context.loaders.receipts.load(self.logged))


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


@strawberry.type(description="The source's own status code and text, before normalization.")
class RawStatus:
    code: str | None
    text: str | None
    mapping_version: str | None


@strawberry.type(
    description="Proof that an event is in the signed log: verify it offline with "
    "`orderlens verify FILE --key KEY` and the log's public key."
)
class Receipt:
    format: str
    leaf_index: int
    tree_size: int
    inclusion_proof: list[str]
    checkpoint: str = strawberry.field(description="The signed checkpoint (C2SP signed note).")
    event: JSON = strawberry.field(description="The event exactly as committed to the log.")


@strawberry.type(description="One event of the order's timeline.")
class TimelineEvent:
    id: strawberry.ID
    seq: int = strawberry.field(
        description="Position in the order's chain (1, 2, ...), by arrival."
    )
    layer: Layer  # type: ignore[valid-type]
    milestone: str
    title: str = strawberry.field(description="What happened, in words a customer understands.")
    reason: ReasonCode | None  # type: ignore[valid-type]
    occurred_at: datetime
    received_at: datetime
    source: str
    visibility: Visibility  # type: ignore[valid-type]
    shipment_id: str | None
    raw: RawStatus | None
    location: Location | None
    leaf_index: strawberry.Private[int]
    logged: strawberry.Private[Any]

    @strawberry.field(description="Inclusion proof and signed checkpoint for this event.")
    async def receipt(self, info: Info) -> Receipt:
        from resolvers.present import present_receipt

        return present_receipt(await info.context.loaders.receipts.load(self.logged))


@strawberry.type
class TimelineEdge:
    cursor: str
    node: TimelineEvent


@strawberry.type
class PageInfo:
    has_next_page: bool
    end_cursor: str | None


@strawberry.type(description="A page of the timeline, in the order events happened.")
class TimelineConnection:
    edges: list[TimelineEdge]
    page_info: PageInfo
    total_count: int


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
    access: strawberry.Private[Any]

    @strawberry.field(description="The timeline in the order events happened (oldest first).")
    async def timeline(
        self,
        info: Info,
        first: Annotated[int, strawberry.argument(description="Page size, 1 to 500.")] = 50,
        after: str | None = None,
    ) -> TimelineConnection:
        from resolvers.query import timeline_page

        return await timeline_page(info, self, first, after)

    @strawberry.field(
        description="The whole timeline with one checkpoint, for `orderlens verify` "
        "(format orderlens.timeline/v1). Events the viewer may not see are listed by leaf "
        "hash only, so the chain still proves complete."
    )
    async def verification_bundle(self, info: Info) -> JSON:
        from resolvers.query import verification_bundle

        return cast(JSON, await verification_bundle(info, self))


@strawberry.type(description="A signed checkpoint of the log.")
class Checkpoint:
    tree_size: int
    root_hash: str
    note: str
    created_at: datetime


@strawberry.type(description="Proof that the log at `to_size` extends the log at `from_size`.")
class ConsistencyProof:
    from_size: int
    to_size: int
    proof: list[str] = strawberry.field(description="Base64 hashes, RFC 9162 order.")
    from_root: str = strawberry.field(
        description="Base64 root of the log at fromSize; the proof ties it to toCheckpoint."
    )
    to_root: str = strawberry.field(description="Base64 root signed in toCheckpoint.")
    from_checkpoint: str | None = strawberry.field(
        description="The signed note at fromSize, or null when that size was never signed."
    )
    to_checkpoint: str = strawberry.field(description="The signed note at toSize.")


@strawberry.type(description="The transparency log that every event is committed to.")
class Log:
    origin: str
    public_key: str = strawberry.field(description="Verifier key (Go sumdb note vkey format).")
    checkpoint: Checkpoint | None
