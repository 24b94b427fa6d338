"""Writing an order's projection rows, and the row mappers both ways (reads are in queries)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import delete, insert
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import orders, shipments, tracking_links
from gateway.timeline.model import OrderView, ShipmentView

# Rows per IN (...) list: well under SQLite's and asyncpg's bound-parameter limits.
CHUNK = 400


async def save_projections(conn: AsyncConnection, views: Iterable[OrderView]) -> None:
    """Replace the projection rows of these orders (portable: no dialect-specific upsert)."""
    views = list(views)
    if not views:
        return
    numbers = [view.number for view in views]
    for start in range(0, len(numbers), CHUNK):
        chunk = numbers[start : start + CHUNK]
        await conn.execute(delete(shipments).where(shipments.c.order_number.in_(chunk)))
        await conn.execute(delete(orders).where(orders.c.number.in_(chunk)))
        await conn.execute(delete(tracking_links).where(tracking_links.c.order_number.in_(chunk)))
    await conn.execute(insert(orders), [order_row(view) for view in views])
    shipment_rows = [shipment_row(s) for view in views for s in view.shipments]
    if shipment_rows:
        await conn.execute(insert(shipments), shipment_rows)
    links = link_rows(views)
    if links:
        # A tracking number belongs to the order that claimed it last.
        numbers = sorted(links)
        for start in range(0, len(numbers), CHUNK):
            claimed = numbers[start : start + CHUNK]
            await conn.execute(
                delete(tracking_links).where(tracking_links.c.tracking_number.in_(claimed))
            )
        await conn.execute(insert(tracking_links), list(links.values()))


def link_rows(views: Iterable[OrderView]) -> dict[str, dict[str, str]]:
    """tracking number -> link row, for every shipment and package tracking number."""
    links: dict[str, dict[str, str]] = {}
    for view in views:
        for s in view.shipments:
            numbers = [s.tracking_number, *(p.get("tracking_number") for p in s.packages)]
            for number in numbers:
                if number:
                    links[number] = {
                        "tracking_number": number,
                        "order_number": view.number,
                        "shipment_id": s.shipment_id,
                    }
    return links


def order_row(view: OrderView) -> dict[str, Any]:
    return {
        "number": view.number,
        "customer_ref": view.customer_ref,
        "status": view.status,
        "promised_date": view.promised_date,
        "carrier_edd": view.carrier_edd,
        "placed_at": view.placed_at,
        "updated_at": view.updated_at,
        "event_count": view.event_count,
        "last_seq": view.last_seq,
        "lines": list(view.lines),
        "sources": view.sources,
        "visibility_counts": view.visibility_counts,
    }


def shipment_row(view: ShipmentView) -> dict[str, Any]:
    return {
        "order_number": view.order_number,
        "shipment_id": view.shipment_id,
        "position": view.position,
        "carrier": view.carrier,
        "tracking_number": view.tracking_number,
        "service_level": view.service_level,
        "status": view.status,
        "status_reason": view.status_reason,
        "carrier_edd": view.carrier_edd,
        "original_carrier_edd": view.original_carrier_edd,
        "packages": list(view.packages),
        "last_location": view.last_location,
        "last_event_at": view.last_event_at,
    }


def order_from_row(row: Any, shipment_rows: Iterable[Any]) -> OrderView:
    return OrderView(
        number=row.number,
        status=row.status,
        updated_at=row.updated_at,
        event_count=row.event_count,
        last_seq=row.last_seq,
        customer_ref=row.customer_ref,
        promised_date=_as_date(row.promised_date),
        carrier_edd=_as_date(row.carrier_edd),
        placed_at=row.placed_at,
        lines=tuple(row.lines),
        sources=dict(row.sources),
        visibility_counts=dict(row.visibility_counts),
        shipments=tuple(shipment_from_row(s) for s in shipment_rows),
    )


def shipment_from_row(row: Any) -> ShipmentView:
    return ShipmentView(
        order_number=row.order_number,
        shipment_id=row.shipment_id,
        position=row.position,
        status=row.status,
        last_event_at=row.last_event_at,
        carrier=row.carrier,
        tracking_number=row.tracking_number,
        service_level=row.service_level,
        status_reason=row.status_reason,
        carrier_edd=row.carrier_edd,
        original_carrier_edd=row.original_carrier_edd,
        packages=tuple(row.packages),
        last_location=row.last_location,
    )


def _as_date(value: Any) -> date | None:
    if value is None or isinstance(value, date):
        return value
    return date.fromisoformat(str(value))
