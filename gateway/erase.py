"""Erasing a customer on request: shred their key, then say so in each order's timeline.

Shared by the `eraseCustomer` mutation and `orderlens erase`. The log keeps verifying: its
events never held personal data, only commitments keyed by the key destroyed here.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from gateway.audit import AuditEntry, record
from gateway.events import AuditMilestone
from gateway.runtime import Runtime
from privacy.erasure import erase_customer


@dataclass(frozen=True, slots=True)
class ErasureReport:
    customer_ref: str
    order_numbers: tuple[str, ...]
    erased_at: datetime
    already_erased: bool
    audit_event_ids: tuple[str, ...]


async def erase(
    runtime: Runtime, customer_ref: str, *, actor: str, role: str, ticket: str | None
) -> ErasureReport:
    """Raises privacy.erasure.UnknownCustomer for a reference we never saw."""
    now = runtime.clock()
    async with runtime.writer.transaction() as conn:
        erasure = await erase_customer(conn, customer_ref, now)
    entries = [
        AuditEntry(
            order_number=number,
            milestone=AuditMilestone.CUSTOMER_ERASED,
            actor=actor,
            role=role,
            purpose="erasure_request",
            ticket=ticket,
        )
        for number in erasure.order_numbers
    ]
    ids = await record(runtime.sequencer, entries, now) if entries else []
    # Live subscriptions of these orders re-read (and now find nothing to show). No cache
    # holds personal data: the vault decrypts per request and never caches keys or values.
    runtime.broker.publish_orders(erasure.order_numbers)
    return ErasureReport(
        customer_ref, erasure.order_numbers, now, erasure.already_erased, tuple(ids)
    )
