"""The audited reveal: an order's personal data in clear for staff. Answers with typed user
errors, never an exception message, and writes to the signed log before it answers."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.audit import AuditEntry, AuditNotRecorded, record
from gateway.events import AuditMilestone
from resolvers.context import Info
from resolvers.errors import UserError
from resolvers.personal_data.present import present_revealed
from resolvers.personal_data.tickets import TICKET
from resolvers.personal_data.types import RevealedContact


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


@strawberry.type
class RevealPayload:
    revealed: RevealedContact | None
    audit_event_id: strawberry.ID | None
    user_errors: list[UserError]


def _reveal_error(message: str, field: str | None = None) -> RevealPayload:
    return RevealPayload(
        revealed=None, audit_event_id=None, user_errors=[UserError(field=field, message=message)]
    )


@strawberry.type
class RevealCustomerContact:
    @strawberry.mutation(
        description="Agents and administrators: the order's personal data in clear. Writes an "
        "audit record (who, role, which fields, which order, purpose, policy version; never "
        "the values) to the signed log before answering. Other callers are refused without a "
        "record, the same way whether the order exists or not."
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
        if not viewer.is_staff:
            # Nothing is read and nothing is written: the answer is the same whether the order
            # exists or not (no oracle), and nobody but staff adds to a customer's timeline.
            return _reveal_error("only agents and administrators may reveal personal data")
        view = await context.loaders.orders.load(order_number)
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
