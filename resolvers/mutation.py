"""Mutations on personal data: the audited reveal and erasure. Both answer with typed user
errors, never an exception message, and both write to the signed log before they act."""

from __future__ import annotations

import contextlib
import re
from enum import Enum

import strawberry

from gateway.audit import AuditEntry, AuditNotRecorded, record
from gateway.erase import erase
from gateway.events import AuditMilestone
from privacy import Role
from privacy.erasure import UnknownCustomer
from resolvers.context import Info
from resolvers.present import present_revealed
from resolvers.types import RevealedContact

TICKET = re.compile(r"^[A-Za-z0-9#:._-]{1,64}$")


@strawberry.enum(
    description="Why personal data is revealed. A closed list, so that no free "
    "text (which could itself hold personal data) enters the permanent log."
)
class RevealPurpose(Enum):
    CUSTOMER_REQUEST = "customer_request"
    DELIVERY_PROBLEM = "delivery_problem"
    INSTALLATION_SUPPORT = "installation_support"
    FRAUD_INVESTIGATION = "fraud_investigation"
    LEGAL_REQUEST = "legal_request"


@strawberry.type(description="A problem with the input or the caller's rights.")
class UserError:
    field: str | None
    message: str


@strawberry.type
class RevealPayload:
    revealed: RevealedContact | None
    audit_event_id: strawberry.ID | None
    user_errors: list[UserError]


@strawberry.type
class ErasurePayload:
    customer_ref: str | None
    order_numbers: list[str]
    already_erased: bool
    audit_event_ids: list[strawberry.ID]
    user_errors: list[UserError]


def _reveal_error(message: str, field: str | None = None) -> RevealPayload:
    return RevealPayload(
        revealed=None, audit_event_id=None, user_errors=[UserError(field=field, message=message)]
    )


def _erasure_error(message: str, field: str | None = None) -> ErasurePayload:
    return ErasurePayload(
        customer_ref=None,
        order_numbers=[],
        already_erased=False,
        audit_event_ids=[],
        user_errors=[UserError(field=field, message=message)],
    )


@strawberry.type
class Mutation:
    @strawberry.mutation(
        description="Agents and administrators: the order's personal data in clear. Writes an "
        "audit record (who, role, which fields, which order, purpose, policy version; never "
        "the values) to the signed log before answering. Refusals are audited too."
    )
    async def reveal_customer_contact(
        self,
        info: Info,
        order_number: str,
        purpose: RevealPurpose,
        ticket: str | None = None,
    ) -> RevealPayload:
        context = info.context
        runtime, viewer = context.runtime, context.viewer
        now = runtime.clock()
        if viewer.role is None or viewer.subject is None or viewer.expired(now):
            return _reveal_error("sign in as an agent or administrator to reveal personal data")
        if ticket is not None and not TICKET.match(ticket):
            return _reveal_error("a ticket reference is 1-64 letters, digits or #:._-", "ticket")
        if not order_number or len(order_number) > 64:
            return _reveal_error("orderNumber must be 1 to 64 characters", "orderNumber")
        view = await context.loaders.orders.load(order_number)
        if not viewer.is_staff:
            if view is not None:
                denied = AuditEntry(
                    order_number, AuditMilestone.REVEAL_DENIED, viewer.subject, viewer.role,
                    purpose.value, ticket=ticket,
                )  # fmt: skip
                with contextlib.suppress(AuditNotRecorded):  # refused either way
                    await record(runtime.sequencer, [denied], now)
            return _reveal_error("only agents and administrators may reveal personal data")
        if view is None:
            return _reveal_error(f"no order {order_number}", "orderNumber")
        pii = await context.loaders.pii.load(order_number)
        if pii is None or pii.erased:
            message = "erased on request" if pii is not None else "none on record"
            return _reveal_error(f"this order's personal data is {message}", "orderNumber")
        revealed, fields = present_revealed(pii)
        entry = AuditEntry(
            order_number, AuditMilestone.SENSITIVE_REVEAL, viewer.subject, viewer.role,
            purpose.value, tuple(fields), ticket,
        )  # fmt: skip
        try:
            [event_id] = await record(runtime.sequencer, [entry], now)
        except AuditNotRecorded:
            return _reveal_error("the reveal could not be audited, so nothing is shown; retry")
        return RevealPayload(
            revealed=revealed, audit_event_id=strawberry.ID(event_id), user_errors=[]
        )

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
