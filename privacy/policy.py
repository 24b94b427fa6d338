"""Who sees which personal field, and how: one declarative, deny-by-default table.

Every role × field pair is written out, Deny included, so a review reads the whole policy
and a field added to the schema without grants fails start-up (validate_policy) instead of
being exposed (the deny-list failure mode). Personal fields are also found on the schema
itself: any type declares one with `privacy.personal()`, and validate_policy walks them all.
Agents and admins see clear values only through the audited reveal, which is handled
elsewhere; REVEALABLE says what it may show.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from types import MappingProxyType
from typing import ClassVar, Final, Literal

import strawberry
from graphql import GraphQLObjectType

from privacy.marker import marked_fields, marker_problems
from privacy.mask import (
    LEVELS,
    Level,
    email_local1,
    first_char,
    generalize_address,
    partial_phone,
    partial_postal,
)

POLICY_VERSION: Final = "2026-11-23.1"

Disclosure = Literal["clear", "partial", "generalized", "denied"]


class Role(StrEnum):
    CUSTOMER = "customer"  # the order's own customer
    TRACKER = "tracker"  # anonymous: order number + a verification factor
    AGENT = "agent"  # customer service
    INSTALLER = "installer"  # service partner, only while a job on that order is open
    ADMIN = "admin"


# Each rule carries the disclosure level audit records use, and whether it needs the clear
# value at all (Generalize and Deny never do, so the resolver need not decrypt).
@dataclass(frozen=True, slots=True)
class Clear:
    disclosure: ClassVar[Disclosure] = "clear"
    needs_value: ClassVar[bool] = True
    name: ClassVar[str] = "clear"


@dataclass(frozen=True, slots=True)
class Partial:
    disclosure: ClassVar[Disclosure] = "partial"
    needs_value: ClassVar[bool] = True
    name: ClassVar[str] = "partial"


@dataclass(frozen=True, slots=True)
class FirstChar:
    disclosure: ClassVar[Disclosure] = "partial"
    needs_value: ClassVar[bool] = True
    name: ClassVar[str] = "first_char"


@dataclass(frozen=True, slots=True)
class EmailLocal1:
    disclosure: ClassVar[Disclosure] = "partial"
    needs_value: ClassVar[bool] = True
    name: ClassVar[str] = "email_local1"


@dataclass(frozen=True, slots=True)
class Generalize:
    level: Level
    disclosure: ClassVar[Disclosure] = "generalized"
    needs_value: ClassVar[bool] = False

    def __post_init__(self) -> None:
        if self.level not in LEVELS:
            raise ValueError(f"unknown generalization level {self.level!r}")

    @property
    def name(self) -> str:
        return f"generalize({self.level})"


@dataclass(frozen=True, slots=True)
class Deny:
    disclosure: ClassVar[Disclosure] = "denied"
    needs_value: ClassVar[bool] = False
    name: ClassVar[str] = "deny"


Rule = Clear | Partial | FirstChar | EmailLocal1 | Generalize | Deny


@dataclass(frozen=True, slots=True)
class OpenJob:
    """The installer has an open job on this order."""

    name: ClassVar[str] = "open_job"

    def holds(self, *, job_open: bool) -> bool:
        return job_open


Condition = OpenJob


@dataclass(frozen=True, slots=True)
class Grant:
    rule: Rule
    when: Condition | None = None


class PolicyError(Exception):
    def __init__(self, problems: list[str]) -> None:
        self.problems: tuple[str, ...] = tuple(problems)
        super().__init__("privacy policy does not match the schema:\n- " + "\n- ".join(problems))


CLEAR: Final = Clear()
PARTIAL: Final = Partial()
FIRST_CHAR: Final = FirstChar()
EMAIL_LOCAL1: Final = EmailLocal1()
CITY: Final = Generalize("city")
DENY: Final = Deny()
OPEN_JOB: Final = OpenJob()

PII_FIELDS: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType(
    {
        "CustomerContact": ("name", "phone", "email"),
        "DeliveryAddress": (
            "country",
            "region",
            "city",
            "district",
            "street",
            "postalCode",
            "summary",
        ),
        "ProofOfDelivery": ("signerName", "photoRef"),
    }
)


# Personal fields on types that also hold other data (e.g. a personal field on Order): each
# must carry the personal() marker in the schema, and has a row in every role's grants.
PII_ON_MIXED_TYPES: Final[Mapping[str, tuple[str, ...]]] = MappingProxyType({})

# Scalar field names that are personal data wherever they appear: such a field without the
# marker stops start-up, so a contact detail cannot slip onto another type unmasked.
PERSONAL_NAMES: Final = ("phone", "email", "street", "postalcode", "signername")


def pii_fields() -> frozenset[str]:
    return frozenset(_ordered_pii_fields())


def _ordered_pii_fields() -> list[str]:
    listed = [*PII_FIELDS.items(), *PII_ON_MIXED_TYPES.items()]
    return [f"{t}.{f}" for t, fields in listed for f in fields]


# Partial means "this field's own partial mask"; a field without one cannot be granted Partial.
_PARTIAL_MASKS: Final[Mapping[str, Callable[[str], str]]] = MappingProxyType(
    {"CustomerContact.phone": partial_phone, "DeliveryAddress.postalCode": partial_postal}
)

_GRANTS: Final[Mapping[Role, Mapping[str, Grant]]] = {
    Role.CUSTOMER: {
        "CustomerContact.name": Grant(CLEAR),
        "CustomerContact.phone": Grant(CLEAR),
        "CustomerContact.email": Grant(CLEAR),
        "DeliveryAddress.country": Grant(CLEAR),
        "DeliveryAddress.region": Grant(CLEAR),
        "DeliveryAddress.city": Grant(CLEAR),
        "DeliveryAddress.district": Grant(CLEAR),
        "DeliveryAddress.street": Grant(CLEAR),
        "DeliveryAddress.postalCode": Grant(CLEAR),
        "DeliveryAddress.summary": Grant(CITY),
        "ProofOfDelivery.signerName": Grant(CLEAR),
        "ProofOfDelivery.photoRef": Grant(CLEAR),
    },
    # Knows only an order number and one factor: enough to recognise the order, not to
    # locate or contact the customer.
    Role.TRACKER: {
        "CustomerContact.name": Grant(FIRST_CHAR),
        "CustomerContact.phone": Grant(PARTIAL),
        "CustomerContact.email": Grant(EMAIL_LOCAL1),
        "DeliveryAddress.country": Grant(CLEAR),
        "DeliveryAddress.region": Grant(CLEAR),
        "DeliveryAddress.city": Grant(CLEAR),
        "DeliveryAddress.district": Grant(DENY),
        "DeliveryAddress.street": Grant(DENY),
        "DeliveryAddress.postalCode": Grant(DENY),
        "DeliveryAddress.summary": Grant(CITY),
        "ProofOfDelivery.signerName": Grant(FIRST_CHAR),
        "ProofOfDelivery.photoRef": Grant(DENY),
    },
    # Agents and admins see clear values only through the audited reveal.
    Role.AGENT: {
        "CustomerContact.name": Grant(FIRST_CHAR),
        "CustomerContact.phone": Grant(PARTIAL),
        "CustomerContact.email": Grant(EMAIL_LOCAL1),
        "DeliveryAddress.country": Grant(CLEAR),
        "DeliveryAddress.region": Grant(CLEAR),
        "DeliveryAddress.city": Grant(CLEAR),
        "DeliveryAddress.district": Grant(CLEAR),
        "DeliveryAddress.street": Grant(DENY),
        "DeliveryAddress.postalCode": Grant(PARTIAL),
        "DeliveryAddress.summary": Grant(CITY),
        "ProofOfDelivery.signerName": Grant(FIRST_CHAR),
        "ProofOfDelivery.photoRef": Grant(DENY),
    },
    # Needs to call and reach the customer, only while the job is open.
    Role.INSTALLER: {
        "CustomerContact.name": Grant(FIRST_CHAR, when=OPEN_JOB),
        "CustomerContact.phone": Grant(CLEAR, when=OPEN_JOB),
        "CustomerContact.email": Grant(DENY),
        "DeliveryAddress.country": Grant(CLEAR, when=OPEN_JOB),
        "DeliveryAddress.region": Grant(CLEAR, when=OPEN_JOB),
        "DeliveryAddress.city": Grant(CLEAR, when=OPEN_JOB),
        "DeliveryAddress.district": Grant(CLEAR, when=OPEN_JOB),
        "DeliveryAddress.street": Grant(CLEAR, when=OPEN_JOB),
        "DeliveryAddress.postalCode": Grant(CLEAR, when=OPEN_JOB),
        "DeliveryAddress.summary": Grant(CITY, when=OPEN_JOB),
        "ProofOfDelivery.signerName": Grant(DENY),
        "ProofOfDelivery.photoRef": Grant(DENY),
    },
    Role.ADMIN: {
        "CustomerContact.name": Grant(FIRST_CHAR),
        "CustomerContact.phone": Grant(PARTIAL),
        "CustomerContact.email": Grant(EMAIL_LOCAL1),
        "DeliveryAddress.country": Grant(CLEAR),
        "DeliveryAddress.region": Grant(CLEAR),
        "DeliveryAddress.city": Grant(CLEAR),
        "DeliveryAddress.district": Grant(CLEAR),
        "DeliveryAddress.street": Grant(DENY),
        "DeliveryAddress.postalCode": Grant(PARTIAL),
        "DeliveryAddress.summary": Grant(CITY),
        "ProofOfDelivery.signerName": Grant(FIRST_CHAR),
        "ProofOfDelivery.photoRef": Grant(DENY),
    },
}

POLICY: Final[Mapping[tuple[Role, str], Grant]] = MappingProxyType(
    {(role, f): grant for role, grants in _GRANTS.items() for f, grant in grants.items()}
)

# What the audited reveal may show an agent or admin in clear.
REVEALABLE: Final[frozenset[str]] = pii_fields()


def decide(role: Role, field: str, *, job_open: bool = False) -> Rule:
    """The rule for this viewer; anything not granted, or whose condition fails, is Deny."""
    grant = POLICY.get((role, field))
    if grant is None:
        return DENY
    if grant.when is not None and not grant.when.holds(job_open=job_open):
        return DENY
    return grant.rule


def apply(
    rule: Rule,
    field: str,
    value: str | None,
    *,
    address: Mapping[str, str | None] | None = None,
) -> str | None:
    """Turn a clear value into what the viewer may see. Generalize reads only `address`
    (country, region, city), never `value`, so no label is ever cut from a street string."""
    if isinstance(rule, Deny):
        return None
    if isinstance(rule, Generalize):
        if address is None:
            return None
        return generalize_address(
            address.get("country"), address.get("region"), address.get("city"), rule.level
        )
    if value is None:
        return None
    if isinstance(rule, Clear):
        return value
    if isinstance(rule, FirstChar):
        return first_char(value)
    if isinstance(rule, EmailLocal1):
        return email_local1(value)
    if isinstance(rule, Partial):
        mask = _PARTIAL_MASKS.get(field)
        return None if mask is None else mask(value)  # no partial form: fail closed
    return None  # unreachable for a well-typed Rule; fail closed anyway


def validate_policy(
    schema: strawberry.Schema, policy: Mapping[tuple[Role, str], Grant] = POLICY
) -> None:
    """Start-up check that the policy and the schema name the same PII fields, and that every
    such field has an explicit grant for every role: the fields of the listed PII types, and
    every field marked personal() on any type of the schema. Raises PolicyError listing all
    problems."""
    problems: list[str] = []
    known = pii_fields()
    type_map = schema._schema.type_map
    schema_fields: set[str] = set()
    for type_name in PII_FIELDS:
        gql_type = type_map.get(type_name)
        if gql_type is None:
            problems.append(f"PII type {type_name} is missing from the schema")
            continue
        if not isinstance(gql_type, GraphQLObjectType):
            problems.append(f"PII type {type_name} is not an object type")
            continue
        schema_fields.update(f"{type_name}.{f}" for f in gql_type.fields)
    present_types = {t for t in PII_FIELDS if isinstance(type_map.get(t), GraphQLObjectType)}
    marked = marked_fields(schema)
    problems.extend(marker_problems(schema, marked, pii_fields(), PII_ON_MIXED_TYPES, PII_FIELDS))
    for key in sorted(known | {f for _, f in policy}):
        type_name = key.partition(".")[0]
        if key not in known:
            problems.append(f"{key} has grants but is not a listed PII field")
        elif type_name in present_types and key not in schema_fields:
            problems.append(f"{key} is in the policy but not in the schema")
    for key in sorted(schema_fields | marked):
        for role in Role:
            if (role, key) not in policy:
                problems.append(f"{key} has no grant for role {role}")
    for (role, key), grant in sorted(policy.items(), key=lambda item: item[0]):
        if isinstance(grant.rule, Partial) and key not in _PARTIAL_MASKS:
            problems.append(f"{key} grants Partial to {role} but has no partial mask")
    if problems:
        raise PolicyError(problems)


def policy_table() -> list[dict[str, str]]:
    """The policy as rows for documentation, in role and field order."""
    ordered = _ordered_pii_fields()
    rows: list[dict[str, str]] = []
    for role in Role:
        for key in ordered:
            grant = POLICY.get((role, key), Grant(DENY))
            rows.append(
                {
                    "role": str(role),
                    "field": key,
                    "rule": grant.rule.name,
                    "condition": grant.when.name if grant.when is not None else "",
                }
            )
    return rows
