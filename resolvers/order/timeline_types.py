"""GraphQL types of an order's timeline: events, their places, and the page they come in."""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.timeline import LoggedEvent
from resolvers.context import Info
from resolvers.enums import Layer, ReasonCode, Visibility
from resolvers.ledger.present import load_receipt
from resolvers.ledger.types import Receipt


@strawberry.type(description="A city-level place; never a street address.")
class Location:
    city: str | None
    region: str | None
    country: str | None
    hub_id: str | None
    hub_name: str | None


@strawberry.type(description="The source's own status code and text, before normalization.")
class RawStatus:
    code: str | None
    text: str | None
    mapping_version: str | None


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
    logged: strawberry.Private[LoggedEvent]

    @strawberry.field(description="Inclusion proof and signed checkpoint for this event.")
    async def receipt(self, info: Info) -> Receipt:
        return await load_receipt(info, self.logged)


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
