"""An order's timeline as GraphQL objects: each logged event with its customer-facing
title, and the pages of the `Order.timeline` field."""

from __future__ import annotations

from typing import Any

import strawberry

from gateway.events import milestone_info
from gateway.timeline import LoggedEvent, PageKey
from resolvers.access import Access
from resolvers.context import Info
from resolvers.errors import BadArgument
from resolvers.loaders import MAX_PAGE, decode_cursor, encode_cursor
from resolvers.order.timeline_types import (
    Location,
    PageInfo,
    RawStatus,
    TimelineConnection,
    TimelineEdge,
    TimelineEvent,
)


def present_event(event: LoggedEvent) -> TimelineEvent:
    data = event.data
    raw = data.get("raw")
    return TimelineEvent(
        id=strawberry.ID(event.id),
        seq=event.seq,
        layer=event.layer,
        milestone=event.milestone.value,
        title=milestone_info(event.milestone).title,  # the one milestone table
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
        location=present_location(data.get("location")),
        leaf_index=event.leaf_index,
        logged=event,
    )


def present_location(location: dict[str, Any] | None) -> Location | None:
    if not location:
        return None
    return Location(
        city=location.get("city"),
        region=location.get("region"),
        country=location.get("country"),
        hub_id=location.get("hub_id"),
        hub_name=location.get("hub_name"),
    )


async def timeline_page(
    info: Info, number: str, access: Access, total: int, first: int, after: str | None
) -> TimelineConnection:
    if not 1 <= first <= MAX_PAGE:
        raise BadArgument(f"first must be between 1 and {MAX_PAGE}")
    try:
        cursor = decode_cursor(after) if after else None
    except ValueError as exc:
        raise BadArgument(str(exc)) from None
    visibilities = frozenset(v.value for v in access.visibilities)
    key = PageKey(number, first, cursor, visibilities, access.audit)
    page = await info.context.loaders.pages.load(key)
    edges = [TimelineEdge(cursor=encode_cursor(e), node=present_event(e)) for e in page.events]
    return TimelineConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        total_count=total,
    )
