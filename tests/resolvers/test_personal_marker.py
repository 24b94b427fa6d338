"""The real schema marks exactly the policy's personal fields, and a personal field added
anywhere without grants (on Order, or on a new type) stops build_schema, naming it."""

from __future__ import annotations

import importlib

import pytest
import strawberry
from strawberry.tools import merge_types

from privacy import PolicyError, Role, marked_fields, personal
from privacy.policy import pii_fields
from resolvers import build_schema, schema
from resolvers.order import Order

schema_module = importlib.import_module("resolvers.schema")


@strawberry.type(name="Order")
class OrderWithVatNumber(Order):
    vat_number: str | None = personal()


@strawberry.type(name="Query")
class QueryOfOrderWithVatNumber:
    order: OrderWithVatNumber | None


@strawberry.type(description="A service partner.")
class Installer:
    company: str
    mobile: str | None = personal()


@strawberry.type
class InstallerQuery:
    installer: Installer | None


def test_the_real_schema_marks_exactly_the_policy_fields() -> None:
    assert marked_fields(schema) == pii_fields()
    build_schema(introspection=False)  # passes the start-up check


def test_a_personal_field_on_order_without_grants_stops_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(schema_module, "Query", QueryOfOrderWithVatNumber)
    monkeypatch.setattr(schema_module, "Subscription", None)  # it serves the real Order
    with pytest.raises(PolicyError) as excinfo:
        build_schema()
    assert list(excinfo.value.problems) == [
        "Order.vatNumber is marked personal but is not a listed PII field",
        *(f"Order.vatNumber has no grant for role {role}" for role in Role),
    ]


def test_a_personal_field_on_a_new_type_without_grants_stops_start_up(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    extended = merge_types("Query", (schema_module.Query, InstallerQuery))
    monkeypatch.setattr(schema_module, "Query", extended)
    with pytest.raises(PolicyError) as excinfo:
        build_schema()
    assert "Installer.mobile has no grant for role tracker" in excinfo.value.problems
    assert all("Installer.mobile" in problem for problem in excinfo.value.problems)
