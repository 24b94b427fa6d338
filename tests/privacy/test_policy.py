"""The privacy policy: the full role × field matrix, deny by default, and the start-up check."""

from __future__ import annotations

import pytest
import strawberry

from privacy.policy import (
    DENY,
    PII_FIELDS,
    POLICY,
    POLICY_VERSION,
    REVEALABLE,
    Clear,
    Deny,
    EmailLocal1,
    FirstChar,
    Generalize,
    Grant,
    OpenJob,
    Partial,
    PolicyError,
    Role,
    apply,
    decide,
    pii_fields,
    policy_table,
    validate_policy,
)

ADDRESS = {"country": "CN", "region": "上海市", "city": "上海市"}
# Clear values as the resolver would hold them; summary has none: it is built from ADDRESS.
CLEAR: dict[str, str | None] = {
    "CustomerContact.name": "张伟",
    "CustomerContact.phone": "+8613812345678",
    "CustomerContact.email": "zhang.wei@example.com",
    "DeliveryAddress.country": "CN",
    "DeliveryAddress.region": "上海市",
    "DeliveryAddress.city": "上海市",
    "DeliveryAddress.district": "浦东新区",
    "DeliveryAddress.street": "世纪大道100号",
    "DeliveryAddress.postalCode": "200120",
    "DeliveryAddress.summary": None,
    "ProofOfDelivery.signerName": "李娜",
    "ProofOfDelivery.photoRef": "pod/7f3a9c.jpg",
}
FIELDS = list(CLEAR)

CUSTOMER_VIEW = {**CLEAR, "DeliveryAddress.summary": "上海市"}
STAFF_VIEW: dict[str, str | None] = {
    "CustomerContact.name": "张*",
    "CustomerContact.phone": "138****5678",
    "CustomerContact.email": "z***@example.com",
    "DeliveryAddress.country": "CN",
    "DeliveryAddress.region": "上海市",
    "DeliveryAddress.city": "上海市",
    "DeliveryAddress.district": "浦东新区",
    "DeliveryAddress.street": None,
    "DeliveryAddress.postalCode": "20****",
    "DeliveryAddress.summary": "上海市",
    "ProofOfDelivery.signerName": "李*",
    "ProofOfDelivery.photoRef": None,
}
TRACKER_VIEW = {
    **STAFF_VIEW,
    "DeliveryAddress.district": None,
    "DeliveryAddress.postalCode": None,
}
INSTALLER_OPEN_VIEW: dict[str, str | None] = {
    "CustomerContact.name": "张*",
    "CustomerContact.phone": "+8613812345678",
    "CustomerContact.email": None,
    "DeliveryAddress.country": "CN",
    "DeliveryAddress.region": "上海市",
    "DeliveryAddress.city": "上海市",
    "DeliveryAddress.district": "浦东新区",
    "DeliveryAddress.street": "世纪大道100号",
    "DeliveryAddress.postalCode": "200120",
    "DeliveryAddress.summary": "上海市",
    "ProofOfDelivery.signerName": None,
    "ProofOfDelivery.photoRef": None,
}
NOTHING: dict[str, str | None] = dict.fromkeys(FIELDS)

# (role, job_open) -> what that viewer sees of every field.
EXPECTED: dict[tuple[Role, bool], dict[str, str | None]] = {
    (Role.CUSTOMER, False): CUSTOMER_VIEW,
    (Role.CUSTOMER, True): CUSTOMER_VIEW,
    (Role.TRACKER, False): TRACKER_VIEW,
    (Role.TRACKER, True): TRACKER_VIEW,
    (Role.AGENT, False): STAFF_VIEW,
    (Role.AGENT, True): STAFF_VIEW,
    (Role.ADMIN, False): STAFF_VIEW,
    (Role.ADMIN, True): STAFF_VIEW,
    (Role.INSTALLER, False): NOTHING,
    (Role.INSTALLER, True): INSTALLER_OPEN_VIEW,
}

MATRIX = [(role, job_open, f) for role in Role for job_open in (False, True) for f in FIELDS]


def test_fixture_covers_every_role_and_field() -> None:
    assert set(EXPECTED) == {(role, j) for role in Role for j in (False, True)}
    assert all(set(view) == pii_fields() for view in EXPECTED.values())


@pytest.mark.parametrize(("role", "job_open", "field"), MATRIX)
def test_matrix(role: Role, job_open: bool, field: str) -> None:
    rule = decide(role, field, job_open=job_open)
    address = dict(ADDRESS)
    shown = apply(rule, field, CLEAR[field], address=address)
    assert shown == EXPECTED[role, job_open][field]
    assert address == ADDRESS  # not mutated


@pytest.mark.parametrize(("role", "job_open", "field"), MATRIX)
def test_disclosure_labels(role: Role, job_open: bool, field: str) -> None:
    rule = decide(role, field, job_open=job_open)
    expected = EXPECTED[role, job_open][field]
    if expected is None:
        assert rule.disclosure == "denied"
    elif field == "DeliveryAddress.summary":
        assert rule.disclosure == "generalized"
    elif expected == CLEAR[field]:
        assert rule.disclosure == "clear"
    else:
        assert rule.disclosure == "partial"


def test_every_role_has_an_explicit_grant_for_every_pii_field() -> None:
    expected_keys = {(role, f) for role in Role for f in pii_fields()}
    assert set(POLICY) == expected_keys
    assert len(POLICY) == len(Role) * 12


def test_installer_grants_are_conditional_on_an_open_job() -> None:
    for f in pii_fields():
        grant = POLICY[Role.INSTALLER, f]
        assert isinstance(grant.rule, Deny) or grant.when == OpenJob()


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(
    "field", ["CustomerContact.nationalId", "Order.number", "", "customercontact.phone"]
)
def test_unknown_field_is_denied(role: Role, field: str) -> None:
    assert decide(role, field, job_open=True) == DENY


def test_unknown_role_is_denied() -> None:
    assert decide("courier", "CustomerContact.phone", job_open=True) == DENY  # type: ignore[arg-type]


def test_role_values_and_version() -> None:
    assert [str(r) for r in Role] == ["customer", "tracker", "agent", "installer", "admin"]
    assert POLICY_VERSION == "2026-11-23.1"
    assert REVEALABLE == pii_fields()


def test_rule_disclosure_labels() -> None:
    assert Clear().disclosure == "clear"
    assert Partial().disclosure == "partial"
    assert FirstChar().disclosure == "partial"
    assert EmailLocal1().disclosure == "partial"
    assert Generalize("city").disclosure == "generalized"
    assert Deny().disclosure == "denied"
    assert not Generalize("city").needs_value and not Deny().needs_value
    with pytest.raises(ValueError, match="street"):
        Generalize("street")  # type: ignore[arg-type]


def test_apply_on_missing_values() -> None:
    for rule in (Clear(), Partial(), FirstChar(), EmailLocal1()):
        assert apply(rule, "CustomerContact.phone", None) is None
    assert apply(Generalize("city"), "DeliveryAddress.summary", "世纪大道100号") is None
    assert apply(Deny(), "CustomerContact.name", "张伟") is None


def test_generalize_never_reads_the_value() -> None:
    shown = apply(Generalize("city"), "DeliveryAddress.summary", "世纪大道100号", address=ADDRESS)
    assert shown == "上海市"


def test_partial_on_a_field_without_a_partial_mask_fails_closed() -> None:
    assert apply(Partial(), "DeliveryAddress.street", "世纪大道100号") is None


def test_policy_table_rows() -> None:
    rows = policy_table()
    assert len(rows) == len(POLICY)
    tracker_phone = {"role": "tracker", "field": "CustomerContact.phone", "rule": "partial"}
    assert {**tracker_phone, "condition": ""} in rows
    assert {
        "role": "installer",
        "field": "DeliveryAddress.summary",
        "rule": "generalize(city)",
        "condition": "open_job",
    } in rows
    assert all(set(r) == {"role", "field", "rule", "condition"} for r in rows)


# --- validate_policy against a schema --------------------------------------------------------


@strawberry.type
class CustomerContact:
    name: str | None
    phone: str | None
    email: str | None


@strawberry.type
class DeliveryAddress:
    country: str | None
    region: str | None
    city: str | None
    district: str | None
    street: str | None
    postal_code: str | None
    summary: str | None


@strawberry.type
class ProofOfDelivery:
    signer_name: str | None
    photo_ref: str | None


@strawberry.type(name="DeliveryAddress")
class AddressWithoutSummary:
    country: str | None
    region: str | None
    city: str | None
    district: str | None
    street: str | None
    postal_code: str | None


@strawberry.type(name="DeliveryAddress")
class AddressWithExtra(DeliveryAddress):
    latitude: float | None


@strawberry.type
class Query:
    contact: CustomerContact | None
    address: DeliveryAddress | None
    proof: ProofOfDelivery | None


@strawberry.type(name="Query")
class QueryWithoutSummary:
    contact: CustomerContact | None
    address: AddressWithoutSummary | None
    proof: ProofOfDelivery | None


@strawberry.type(name="Query")
class QueryWithExtra:
    contact: CustomerContact | None
    address: AddressWithExtra | None
    proof: ProofOfDelivery | None


@strawberry.type(name="Query")
class QueryWithoutProof:
    contact: CustomerContact | None
    address: DeliveryAddress | None


def problems_for(schema: strawberry.Schema, **kwargs: dict[tuple[Role, str], Grant]) -> list[str]:
    with pytest.raises(PolicyError) as excinfo:
        validate_policy(schema, **kwargs)
    assert all(p in str(excinfo.value) for p in excinfo.value.problems)
    return list(excinfo.value.problems)


def test_validate_policy_passes_on_matching_schema() -> None:
    validate_policy(strawberry.Schema(query=Query))


def test_schema_uses_camel_case_names() -> None:
    sdl = strawberry.Schema(query=Query).as_str()
    assert "postalCode" in sdl and "signerName" in sdl and "photoRef" in sdl


def test_validate_policy_fails_when_a_type_lacks_a_field() -> None:
    problems = problems_for(strawberry.Schema(query=QueryWithoutSummary))
    assert problems == ["DeliveryAddress.summary is in the policy but not in the schema"]


def test_validate_policy_fails_on_a_field_without_grants() -> None:
    problems = problems_for(strawberry.Schema(query=QueryWithExtra))
    assert problems == [f"DeliveryAddress.latitude has no grant for role {r}" for r in Role]


def test_validate_policy_fails_when_a_type_is_missing() -> None:
    problems = problems_for(strawberry.Schema(query=QueryWithoutProof))
    assert problems == ["PII type ProofOfDelivery is missing from the schema"]


def test_validate_policy_fails_when_a_grant_is_missing() -> None:
    policy = {k: g for k, g in POLICY.items() if k != (Role.TRACKER, "CustomerContact.email")}
    problems = problems_for(strawberry.Schema(query=Query), policy=policy)
    assert problems == ["CustomerContact.email has no grant for role tracker"]


def test_validate_policy_rejects_grants_on_unlisted_fields_and_partial_without_mask() -> None:
    policy = {
        **POLICY,
        (Role.AGENT, "CustomerContact.nationalId"): Grant(Clear()),
        (Role.AGENT, "DeliveryAddress.street"): Grant(Partial()),
    }
    problems = problems_for(strawberry.Schema(query=Query), policy=policy)
    assert problems == [
        "CustomerContact.nationalId has grants but is not a listed PII field",
        "DeliveryAddress.street grants Partial to agent but has no partial mask",
    ]


def test_pii_fields_match_the_listed_types() -> None:
    assert set(PII_FIELDS) == {"CustomerContact", "DeliveryAddress", "ProofOfDelivery"}
    assert len(pii_fields()) == 12
