"""GraphQL types that hold personal data, and the audit records of who saw or erased it.

Every personal field is declared with privacy's `personal()` marker: the policy check at
start-up finds it in the built schema and refuses to start without a grant for every role.
"""

from __future__ import annotations

from datetime import datetime

import strawberry

from gateway.timeline import LoggedEvent
from privacy import personal
from resolvers.context import Info
from resolvers.ledger.present import load_receipt
from resolvers.ledger.types import Receipt


@strawberry.type(
    description="Who ordered. Personal data: each field is masked for the viewer's role "
    "(see the README's masking policy); agents see clear values only through "
    "revealCustomerContact, which is audited."
)
class CustomerContact:
    name: str | None = personal()
    phone: str | None = personal()
    email: str | None = personal()


@strawberry.type(description="Where the order goes. Personal data, masked per role.")
class DeliveryAddress:
    country: str | None = personal()
    region: str | None = personal()
    city: str | None = personal()
    district: str | None = personal()
    street: str | None = personal()
    postal_code: str | None = personal()
    summary: str | None = personal(
        description="The address generalized to its city, e.g. 'Hangzhou, Zhejiang, CN'."
    )


@strawberry.type(description="Who signed for a delivered shipment. Personal data, masked per role.")
class ProofOfDelivery:
    signer_name: str | None = personal()
    photo_ref: str | None = personal()


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
    logged: strawberry.Private[LoggedEvent]

    @strawberry.field(description="Inclusion proof and signed checkpoint for this record.")
    async def receipt(self, info: Info) -> Receipt:
        return await load_receipt(info, self.logged)
