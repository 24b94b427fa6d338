"""Erasing a customer on request: shred their key, then say so in each order's timeline.

Shared by the `eraseCustomer` mutation and `orderlens erase`. The log keeps verifying: its
events never held personal data, only commitments keyed by the key destroyed here. Erasing
again is harmless: the shredding is repeated (it finds nothing left) and an order that already
says "customer erased" gets no second record; one whose record failed to commit gets it now.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.audit.ports import ErasureHandles
from gateway.audit.records import AuditEntry, record
from gateway.db.tables import events
from gateway.events import AuditMilestone, Layer
from privacy import erase_customer


@dataclass(frozen=True, slots=True)
class ErasureReport:
    customer_ref: str
    order_numbers: tuple[str, ...]
    erased_at: datetime
    already_erased: bool
    audit_event_ids: tuple[str, ...]  # the records appended now, one per order in `recorded`
    recorded: tuple[str, ...] = ()


async def erase(
    runtime: ErasureHandles, customer_ref: str, *, actor: str, role: str, ticket: str | None
) -> ErasureReport:
    """Raises privacy.erasure.UnknownCustomer for a reference we never saw."""
    now = runtime.clock()
    async with runtime.writer.transaction() as conn:
        erasure = await erase_customer(conn, customer_ref, now)
        said_so = await orders_recording_erasure(conn, erasure.order_numbers)
    recorded = tuple(n for n in erasure.order_numbers if n not in said_so)
    entries = [
        AuditEntry(
            order_number=number,
            milestone=AuditMilestone.CUSTOMER_ERASED,
            actor=actor,
            role=role,
            purpose="erasure_request",
            ticket=ticket,
        )
        for number in recorded
    ]
    ids = await record(runtime.sequencer, entries, now) if entries else []
    # Live subscriptions of these orders re-read (and now find nothing to show). No cache
    # holds personal data: the vault decrypts per request and never caches keys or values.
    runtime.broker.publish_orders(erasure.order_numbers)
    return ErasureReport(
        customer_ref, erasure.order_numbers, now, erasure.already_erased, tuple(ids), recorded
    )


async def orders_recording_erasure(conn: AsyncConnection, numbers: Collection[str]) -> set[str]:
    """Those of these orders whose timeline already has a customer_erased record."""
    if not numbers:
        return set()
    rows = await conn.execute(
        select(events.c.order_number).where(
            events.c.order_number.in_(sorted(numbers)),
            events.c.layer == Layer.AUDIT.value,
            events.c.milestone == AuditMilestone.CUSTOMER_ERASED.value,
        )
    )
    return set(rows.scalars())
