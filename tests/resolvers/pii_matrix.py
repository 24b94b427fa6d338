"""One order with every kind of personal data, and what each role must see of each field.

The expected values are written out by hand from the policy table in docs/privacy.md, so a change
to the policy or to a mask shows up here as a failing cell, not as a silently updated copy.
"""

from __future__ import annotations

from typing import Any

from tests.conftest import cloud_event, placed, shipment_event

ORDER = "SO-000001"
CUSTOMER_REF = "CUST-0001"
INSTALLER = "partner-7"
CONTACT = {"name": "王秀英", "phone": "+86 138 1234 5678", "email": "xiuying.wang@example.cn"}
ADDRESS = {
    "country": "CN",
    "region": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "street": "文三路 90 号 3 幢 1201 室",
    "postal_code": "310012",
}
PROOF = {"signer_name": "李雷", "photo_ref": "pod/SHP-1/1.jpg"}

FIELDS = """
    number customerRef personalDataErased
    contact { name phone email }
    deliveryAddress { country region city district street postalCode summary }
    shipments { id proofOfDelivery { signerName photoRef } }
"""
ORDER_QUERY = (
    "query($number: String!, $verification: String) {"
    f" order(number: $number, verification: $verification) {{ {FIELDS} }} }}"
)
SUBSCRIPTION = (
    "subscription($number: String!, $verification: String) {"
    f" orderUpdates(number: $number, verification: $verification) {{ {FIELDS} }} }}"
)


def order_events() -> list[dict[str, Any]]:
    """Placed with contact and address, delivered with a signature, an installation booked."""
    first = placed(ORDER, customer_ref=CUSTOMER_REF)
    first["data"]["contact"] = CONTACT
    first["data"]["delivery_address"] = ADDRESS
    delivered = shipment_event("delivered", ORDER, data={"proof_of_delivery": PROOF})
    booked = cloud_event(
        "service.installation_booked", ORDER, job={"id": "JOB-1", "partner": INSTALLER}
    )
    steps = [shipment_event(s, ORDER) for s in ("picked_up", "in_transit")]
    return [first, *steps, delivered, booked]


def job_closed() -> dict[str, Any]:
    return cloud_event("service.trained", ORDER, job={"id": "JOB-1", "partner": INSTALLER})


def expected(
    *,
    name: str | None,
    phone: str | None,
    email: str | None,
    place: bool,
    district: str | None,
    street: str | None,
    postal: str | None,
    signer: str | None,
    photo: str | None,
    customer_ref: str | None,
) -> dict[str, Any]:
    return {
        "number": ORDER,
        "customerRef": customer_ref,
        "personalDataErased": False,
        "contact": {"name": name, "phone": phone, "email": email},
        "deliveryAddress": {
            "country": "CN" if place else None,
            "region": "浙江省" if place else None,
            "city": "杭州市" if place else None,
            "district": district,
            "street": street,
            "postalCode": postal,
            "summary": "浙江省杭州市",
        },
        "shipments": [
            {"id": "SHP-1", "proofOfDelivery": {"signerName": signer, "photoRef": photo}}
        ],
    }


MASKED_FOR_STAFF = expected(
    name="王*",
    phone="138****5678",
    email="x***@example.cn",
    place=True,
    district="西湖区",
    street=None,
    postal="31****",
    signer="李*",
    photo=None,
    customer_ref=CUSTOMER_REF,
)

# role -> what the role sees of the order (None: the order does not exist for it)
MATRIX: dict[str, dict[str, Any] | None] = {
    "customer": expected(
        name="王秀英",
        phone="+86 138 1234 5678",
        email="xiuying.wang@example.cn",
        place=True,
        district="西湖区",
        street=ADDRESS["street"],
        postal="310012",
        signer="李雷",
        photo=PROOF["photo_ref"],
        customer_ref=CUSTOMER_REF,
    ),
    "tracker": expected(
        name="王*",
        phone="138****5678",
        email="x***@example.cn",
        place=True,
        district=None,
        street=None,
        postal=None,
        signer="李*",
        photo=None,
        customer_ref=None,
    ),
    "agent": MASKED_FOR_STAFF,
    "admin": MASKED_FOR_STAFF,
    "installer": expected(
        name="王*",
        phone="+86 138 1234 5678",
        email=None,
        place=True,
        district="西湖区",
        street=ADDRESS["street"],
        postal="310012",
        signer=None,
        photo=None,
        customer_ref=None,
    ),
    "installer_without_open_job": None,
    "other_customer": None,
    "anonymous": None,
    "tracker_with_wrong_factor": None,
}
