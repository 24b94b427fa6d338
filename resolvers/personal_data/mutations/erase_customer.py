"""The erasure mutation: crypto-shred a customer's key, then record it in each of their
orders' timelines. Answers with typed user errors, never an exception message."""

from __future__ import annotations

import strawberry

from gateway.audit import AuditNotRecorded, erase
from privacy import Role, UnknownCustomer
from resolvers.context import Info
from resolvers.errors import UserError
from resolvers.personal_data.tickets import TICKET


@strawberry.type
class ErasurePayload:
    customer_ref: str | None
    order_numbers: list[str]
    already_erased: bool
    audit_event_ids: list[strawberry.ID]
    user_errors: list[UserError]


def _erasure_error(message: str, field: str | None = None) -> ErasurePayload:
    return ErasurePayload(
        customer_ref=None,
        order_numbers=[],
        already_erased=False,
        audit_event_ids=[],
        user_errors=[UserError(field=field, message=message)],
    )


@strawberry.type
class EraseCustomer:
    @strawberry.mutation(
        description="Administrators: erase a customer's personal data (crypto-shredding their "
        "key) and write a customer_erased record into each of their orders' timelines."
    )
    async def erase_customer(
        self, info: Info, customer_ref: str, ticket: str | None = None
    ) -> ErasurePayload:
        context = info.context
        viewer = context.viewer
        if viewer.role is not Role.ADMIN or viewer.expired(context.runtime.clock()):
            return _erasure_error("only administrators may erase customers")
        if ticket is not None and not TICKET.match(ticket):
            return _erasure_error("a ticket reference is 1-64 letters, digits or #:._-", "ticket")
        if not customer_ref or len(customer_ref) > 64:
            return _erasure_error("customerRef must be 1 to 64 characters", "customerRef")
        try:
            report = await erase(
                context.runtime,
                customer_ref,
                actor=viewer.subject or "unknown",
                role=viewer.role,
                ticket=ticket,
            )
        except UnknownCustomer:
            return _erasure_error(f"no customer {customer_ref}", "customerRef")
        except AuditNotRecorded:
            return _erasure_error("erased, but the audit records failed: run it again")
        return ErasurePayload(
            customer_ref=report.customer_ref,
            order_numbers=list(report.order_numbers),
            already_erased=report.already_erased,
            audit_event_ids=[strawberry.ID(i) for i in report.audit_event_ids],
            user_errors=[],
        )
