"""Personal data on the GraphQL surface: the marked types, their presenters (masked per
role at the choke point), audit records, and the reveal and erasure mutations."""

from resolvers.personal_data.mutations import PersonalDataMutation
from resolvers.personal_data.present import (
    present_address,
    present_contact,
    present_proof,
    present_revealed,
)
from resolvers.personal_data.query import PersonalDataQuery
from resolvers.personal_data.types import (
    AuditRecord,
    CustomerContact,
    DeliveryAddress,
    ProofOfDelivery,
    RevealedContact,
    ShipmentProof,
)

__all__ = [
    "AuditRecord",
    "CustomerContact",
    "DeliveryAddress",
    "PersonalDataMutation",
    "PersonalDataQuery",
    "ProofOfDelivery",
    "RevealedContact",
    "ShipmentProof",
    "present_address",
    "present_contact",
    "present_proof",
    "present_revealed",
]
