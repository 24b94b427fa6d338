"""All read SQL of the read side, in one place: the statements behind every query, loader and
rebuild. Each takes a connection (so a caller can read several under one snapshot) and returns
read models, never rows; the DataLoaders in resolvers only batch and cache per request.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, func, literal, or_, select, union_all
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import (
    connector_state,
    dead_letters,
    events,
    orders,
    parked_events,
    shipments,
)
from gateway.events import Layer, milestones_where
from gateway.timeline.model import LoggedEvent, OrderView
from gateway.timeline.store import CHUNK, order_from_row

# A job is open from booking until it ends (trained, failed or cancelled).
OPEN_JOB = frozenset(milestones_where(Layer.SERVICE, lambda row: row.open_job))


@dataclass(frozen=True, slots=True)
class PageKey:
    order_number: str
    first: int
    after: tuple[datetime, int] | None
    visibilities: frozenset[str]  # which events the viewer may see
    audit: bool = False


@dataclass(frozen=True, slots=True)
class Page:
    events: tuple[LoggedEvent, ...]
    has_next: bool


@dataclass(frozen=True, slots=True)
class Jobs:
    """Service partners holding an open job on an order."""

    open_for: frozenset[str]


async def read_orders(conn: AsyncConnection, numbers: Collection[str]) -> dict[str, OrderView]:
    """Projected orders by number: two statements whatever the count."""
    wanted = sorted(numbers)
    order_rows = (await conn.execute(select(orders).where(orders.c.number.in_(wanted)))).all()
    shipment_rows = (
        await conn.execute(
            select(shipments)
            .where(shipments.c.order_number.in_(wanted))
            .order_by(shipments.c.order_number, shipments.c.position)
        )
    ).all()
    by_order: dict[str, list[Any]] = defaultdict(list)
    for s in shipment_rows:
        by_order[s.order_number].append(s)
    return {row.number: order_from_row(row, by_order[row.number]) for row in order_rows}


async def load_events(
    conn: AsyncConnection, order_numbers: Collection[str]
) -> dict[str, list[LoggedEvent]]:
    """All logged events of these orders, grouped by order, in seq order."""
    grouped: dict[str, list[LoggedEvent]] = defaultdict(list)
    wanted = sorted(order_numbers)
    for start in range(0, len(wanted), CHUNK):
        rows = await conn.execute(
            select(events.c.document, events.c.leaf_index, events.c.leaf_hash)
            .where(events.c.order_number.in_(wanted[start : start + CHUNK]))
            .order_by(events.c.order_number, events.c.seq)
        )
        for row in rows:
            event = LoggedEvent.from_document(row.document, row.leaf_index, row.leaf_hash)
            grouped[event.order_number].append(event)
    return grouped


async def read_pages(conn: AsyncConnection, keys: Sequence[PageKey]) -> list[Page]:
    # Keyset pagination in the order events happened. Each page is its own LIMITed
    # select, glued with UNION ALL: one statement however many pages a query asks for.
    parts = []
    for position, key in enumerate(keys):
        condition = and_(
            events.c.order_number == key.order_number,
            or_(
                and_(
                    events.c.layer != Layer.AUDIT.value,
                    events.c.visibility.in_(sorted(key.visibilities)),
                ),
                events.c.layer == Layer.AUDIT.value if key.audit else false(),
            ),
        )
        if key.after is not None:
            moment, seq = key.after
            condition = and_(
                condition,
                or_(
                    events.c.occurred_at > moment,
                    and_(events.c.occurred_at == moment, events.c.seq > seq),
                ),
            )
        page = (
            select(
                literal(position).label("page"),
                events.c.document,
                events.c.leaf_index,
                events.c.leaf_hash,
                events.c.occurred_at,
                events.c.seq,
            )
            .where(condition)
            .order_by(events.c.occurred_at, events.c.seq)
            .limit(key.first + 1)
            .subquery()
        )
        parts.append(select(page))
    query = parts[0] if len(parts) == 1 else union_all(*parts)
    rows = (await conn.execute(query)).all()
    found: list[list[LoggedEvent]] = [[] for _ in keys]
    for row in rows:
        found[row.page].append(
            LoggedEvent.from_document(row.document, row.leaf_index, row.leaf_hash)
        )
    pages = []
    for key, page_events in zip(keys, found, strict=True):
        page_events.sort(key=lambda e: e.sort_key)
        pages.append(Page(tuple(page_events[: key.first]), len(page_events) > key.first))
    return pages


async def read_jobs(conn: AsyncConnection, numbers: Sequence[str]) -> list[Jobs]:
    rows = await conn.execute(
        select(events.c.order_number, events.c.document)
        .where(
            events.c.order_number.in_(sorted(set(numbers))),
            events.c.layer == Layer.SERVICE.value,
        )
        .order_by(events.c.occurred_at, events.c.seq)
    )
    state: dict[str, dict[tuple[str, str], str]] = {}
    for row in rows:
        data = LoggedEvent.from_document(row.document).data
        job = data.get("job")
        if job:
            jobs = state.setdefault(row.order_number, {})
            jobs[(job["id"], job["partner"])] = data["milestone"]
    return [
        Jobs(
            frozenset(
                partner
                for (_, partner), milestone in state.get(number, {}).items()
                if milestone in OPEN_JOB
            )
        )
        for number in numbers
    ]


async def read_audit_records(
    conn: AsyncConnection,
    *,
    order_number: str | None,
    first: int,
    before_leaf: int | None,
) -> list[LoggedEvent]:
    """Newest first, by position in the log."""
    query = select(events.c.document, events.c.leaf_index, events.c.leaf_hash).where(
        events.c.layer == Layer.AUDIT.value
    )
    if order_number is not None:
        query = query.where(events.c.order_number == order_number)
    if before_leaf is not None:
        query = query.where(events.c.leaf_index < before_leaf)
    rows = await conn.execute(query.order_by(events.c.leaf_index.desc()).limit(first))
    return [LoggedEvent.from_document(r.document, r.leaf_index, r.leaf_hash) for r in rows]


async def read_sync_times(conn: AsyncConnection) -> dict[str, datetime]:
    rows = await conn.execute(
        select(connector_state.c.instance_id, connector_state.c.last_synced_at)
    )
    return {row.instance_id: row.last_synced_at for row in rows if row.last_synced_at}


async def read_pending_dead_letters(conn: AsyncConnection) -> dict[str, int]:
    """Pending dead letters per source."""
    rows = await conn.execute(
        select(dead_letters.c.source, func.count())
        .where(dead_letters.c.status == "pending")
        .group_by(dead_letters.c.source)
    )
    return {source: int(count) for source, count in rows}


async def read_parked_counts(conn: AsyncConnection) -> dict[str, int]:
    """Events parked until their order is known, per source."""
    rows = await conn.execute(
        select(parked_events.c.source, func.count()).group_by(parked_events.c.source)
    )
    return {source: int(count) for source, count in rows}
