"""Personal data as GraphQL objects: every value goes through the choke point
(resolvers.present.masked) for the viewer's role, or in clear for an audited reveal."""

from __future__ import annotations

import strawberry

from gateway.timeline import LoggedEvent
from privacy import REVEALABLE, Address, Contact, OrderPii, Proof, Role
from resolvers.access import Access
from resolvers.personal_data.types import (
    AuditRecord,
    CustomerContact,
    DeliveryAddress,
    ProofOfDelivery,
    RevealedContact,
    ShipmentProof,
)
from resolvers.present import masked


def present_contact(
    access: Access, pii: OrderPii | None, reveal: bool = False
) -> CustomerContact | None:
    if pii is None or pii.contact is None:
        return None
    c = pii.contact
    return CustomerContact(
        name=masked(access, "CustomerContact.name", c.name, reveal=reveal),
        phone=masked(access, "CustomerContact.phone", c.phone, reveal=reveal),
        email=masked(access, "CustomerContact.email", c.email, reveal=reveal),
    )


def present_address(
    access: Access, a: Address | None, reveal: bool = False
) -> DeliveryAddress | None:
    if a is None:
        return None
    field = "DeliveryAddress."
    return DeliveryAddress(
        country=masked(access, field + "country", a.country, reveal=reveal),
        region=masked(access, field + "region", a.region, reveal=reveal),
        city=masked(access, field + "city", a.city, reveal=reveal),
        district=masked(access, field + "district", a.district, reveal=reveal),
        street=masked(access, field + "street", a.street, reveal=reveal),
        postal_code=masked(access, field + "postalCode", a.postal_code, reveal=reveal),
        summary=masked(access, field + "summary", None, a),
    )


def present_proof(
    access: Access, proof: Proof | None, reveal: bool = False
) -> ProofOfDelivery | None:
    if proof is None:
        return None
    return ProofOfDelivery(
        signer_name=masked(access, "ProofOfDelivery.signerName", proof.signer_name, reveal=reveal),
        photo_ref=masked(access, "ProofOfDelivery.photoRef", proof.photo_ref, reveal=reveal),
    )


def present_revealed(pii: OrderPii) -> tuple[RevealedContact, list[str]]:
    """Clear values for an audited reveal, and the names of the fields that held a value."""
    staff = Access(Role.ADMIN, frozenset())
    contact = present_contact(staff, pii, reveal=True)
    address = present_address(staff, pii.address, reveal=True)
    proofs = [
        ShipmentProof(shipment_id=shipment, proof=proof)
        for shipment, p in sorted(pii.proofs.items())
        if (proof := present_proof(staff, p, reveal=True)) is not None
    ]
    c, a = pii.contact or Contact(), pii.address or Address()
    held = {
        "CustomerContact.name": c.name,
        "CustomerContact.phone": c.phone,
        "CustomerContact.email": c.email,
        "DeliveryAddress.district": a.district,
        "DeliveryAddress.street": a.street,
        "DeliveryAddress.postalCode": a.postal_code,
        "ProofOfDelivery.signerName": any(p.signer_name for p in pii.proofs.values()),
        "ProofOfDelivery.photoRef": any(p.photo_ref for p in pii.proofs.values()),
    }
    fields = sorted(name for name, value in held.items() if value and name in REVEALABLE)
    return RevealedContact(
        contact=contact, delivery_address=address, proofs_of_delivery=proofs
    ), fields


def present_audit_record(event: LoggedEvent) -> AuditRecord:
    audit = event.data.get("audit", {})
    return AuditRecord(
        event_id=strawberry.ID(event.id),
        order_number=event.order_number,
        action=event.milestone.value,
        actor=audit.get("actor", ""),
        role=audit.get("role", ""),
        purpose=audit.get("purpose", ""),
        fields=list(audit.get("fields", [])),
        ticket=audit.get("ticket"),
        policy_version=audit.get("policy_version", ""),
        occurred_at=event.occurred_at,
        leaf_index=event.leaf_index,
        logged=event,
    )
