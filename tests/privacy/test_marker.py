"""The personal() marker: found on any type of a built schema, never printed into the SDL,
and a marked field without grants (or a contact-like field without the marker) stops start-up."""

from __future__ import annotations

import pytest
import strawberry

from privacy import PERSONAL, Role, marked_fields, personal, policy
from privacy.policy import CLEAR, POLICY, Grant, PolicyError, validate_policy
from tests.privacy.test_policy import CustomerContact, DeliveryAddress, ProofOfDelivery


@strawberry.type
class Parcel:
    label: str
    recipient_note: str | None = personal(description="What the customer wrote for the courier.")


@strawberry.type
class Query:
    contact: CustomerContact | None
    address: DeliveryAddress | None
    proof: ProofOfDelivery | None
    parcels: list[Parcel]


@strawberry.type
class Courier:
    mobile_phone: str | None
    email_count: int


@strawberry.type(name="Query")
class QueryWithCourier:
    contact: CustomerContact | None
    address: DeliveryAddress | None
    proof: ProofOfDelivery | None
    courier: Courier | None


def test_marked_fields_are_found_by_graphql_name_on_any_type() -> None:
    assert marked_fields(strawberry.Schema(query=Query)) == {"Parcel.recipientNote"}


@strawberry.type(name="Parcel")
class UnmarkedParcel:
    label: str
    recipient_note: str | None = strawberry.field(
        description="What the customer wrote for the courier."
    )


@strawberry.type(name="Query")
class UnmarkedQuery:
    contact: CustomerContact | None
    address: DeliveryAddress | None
    proof: ProofOfDelivery | None
    parcels: list[UnmarkedParcel]


def test_the_marker_is_not_printed_into_the_sdl() -> None:
    sdl = strawberry.Schema(query=Query).as_str()
    assert sdl == strawberry.Schema(query=UnmarkedQuery).as_str()
    assert PERSONAL not in sdl


def test_a_marked_field_without_grants_stops_start_up_naming_it() -> None:
    with pytest.raises(PolicyError) as excinfo:
        validate_policy(strawberry.Schema(query=Query))
    assert list(excinfo.value.problems) == [
        "Parcel.recipientNote is marked personal but is not a listed PII field",
        *(f"Parcel.recipientNote has no grant for role {role}" for role in Role),
    ]


def test_a_contact_like_field_without_the_marker_stops_start_up() -> None:
    with pytest.raises(PolicyError) as excinfo:
        validate_policy(strawberry.Schema(query=QueryWithCourier))
    # emailCount is a number, not a contact detail: only the string field is refused.
    assert list(excinfo.value.problems) == [
        "Courier.mobilePhone looks like personal data: declare it with personal()"
    ]


def test_a_listed_field_on_a_mixed_type_must_exist_and_carry_the_marker(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    listed = ("recipientNote", "label", "gone")
    monkeypatch.setattr(policy, "PII_ON_MIXED_TYPES", {"Parcel": listed})
    grants = {(role, f"Parcel.{name}"): Grant(CLEAR) for role in Role for name in listed}
    with pytest.raises(PolicyError) as excinfo:
        validate_policy(strawberry.Schema(query=Query), policy={**POLICY, **grants})
    assert list(excinfo.value.problems) == [
        "Parcel.label is personal but not marked personal()",
        "Parcel.gone is in the policy but not in the schema",
    ]
