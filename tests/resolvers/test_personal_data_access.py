"""Every personal field for every role through GraphQL queries; object-level access; the
audited reveal; audit records; timelines filtered by visibility."""

from __future__ import annotations

from typing import Any

import pytest

from gateway.ledger import verify_document
from privacy import Role
from tests.conftest import Gateway, cloud_event
from tests.resolvers.pii_matrix import (
    CONTACT,
    CUSTOMER_REF,
    INSTALLER,
    MATRIX,
    ORDER,
    ORDER_QUERY,
    job_closed,
    order_events,
)

# role name -> (token role, subject, customer_ref, verification)
CALLERS: dict[str, tuple[Role | None, str, str | None, str | None]] = {
    "customer": (Role.CUSTOMER, "user-1", CUSTOMER_REF, None),
    "tracker": (None, "", None, "5678"),
    "agent": (Role.AGENT, "agent-1", None, None),
    "admin": (Role.ADMIN, "admin-1", None, None),
    "installer": (Role.INSTALLER, INSTALLER, None, None),
    "installer_without_open_job": (Role.INSTALLER, "partner-9", None, None),
    "other_customer": (Role.CUSTOMER, "user-2", "CUST-0002", None),
    "anonymous": (None, "", None, None),
    "tracker_with_wrong_factor": (None, "", None, "1234"),
}


async def seed(gateway: Gateway) -> None:
    response = await gateway.post_events("erp", order_events())
    assert response.json()["accepted"] == 5, response.text


async def ask(gateway: Gateway, caller: str, query: str = ORDER_QUERY) -> dict[str, Any]:
    role, subject, customer_ref, verification = CALLERS[caller]
    return await gateway.graphql(
        query,
        {"number": ORDER, "verification": verification},
        as_=role,
        subject=subject,
        customer_ref=customer_ref,
    )


@pytest.mark.parametrize("caller", sorted(MATRIX))
async def test_each_role_sees_each_personal_field_as_the_policy_says(
    gateway: Gateway, caller: str
) -> None:
    await seed(gateway)
    answer = await ask(gateway, caller)
    assert "errors" not in answer, answer
    assert answer["data"]["order"] == MATRIX[caller]


async def test_installer_loses_access_when_the_job_closes(gateway: Gateway) -> None:
    await seed(gateway)
    assert (await ask(gateway, "installer"))["data"]["order"] is not None
    await gateway.post_events("erp", [job_closed()])
    assert (await ask(gateway, "installer"))["data"]["order"] is None


async def test_tracker_can_use_the_postal_code_and_an_expired_token_sees_nothing(
    gateway: Gateway,
) -> None:
    await seed(gateway)
    by_postal = await gateway.graphql(
        ORDER_QUERY, {"number": ORDER, "verification": " 310012 "}, as_=None
    )
    assert by_postal["data"]["order"]["contact"]["phone"] == "138****5678"
    too_long = await gateway.graphql(
        ORDER_QUERY, {"number": ORDER, "verification": "9" * 40}, as_=None
    )
    assert too_long["data"]["order"] is None
    token = gateway.token(Role.AGENT)
    gateway.clock.advance(hours=9)  # tokens live 8 hours
    stale = await gateway.client.post(
        "/graphql",
        json={"query": ORDER_QUERY, "variables": {"number": ORDER}},
        headers={"authorization": f"Bearer {token}"},
    )
    # Judged by the gateway's clock (the test's), whatever the day the suite runs on.
    assert stale.status_code == 401, stale.text
    assert stale.json() == {"errors": [{"message": "token expired"}]}
    assert "data" not in stale.json()


async def test_a_malformed_token_is_a_401_before_any_graphql_runs(gateway: Gateway) -> None:
    for value in ("Bearer not-a-jwt", "Basic abc", "Bearer "):
        response = await gateway.client.post(
            "/graphql", json={"query": "{ __typename }"}, headers={"authorization": value}
        )
        assert response.status_code == 401
        assert response.headers["www-authenticate"].startswith("Bearer")
        assert "errors" in response.json()


async def test_timeline_shows_each_viewer_only_the_events_meant_for_it(gateway: Gateway) -> None:
    await seed(gateway)
    internal = cloud_event("order.picking", ORDER, visibility="internal")
    await gateway.post_events("erp", [internal])
    query = """query($number: String!, $verification: String) {
      order(number: $number, verification: $verification) {
        eventCount timeline(first: 50) { totalCount edges { node { milestone visibility } } }
      } }"""
    seen = {}
    for caller in ("admin", "agent", "customer", "tracker"):
        order = (await ask(gateway, caller, query))["data"]["order"]
        visibilities = {e["node"]["visibility"] for e in order["timeline"]["edges"]}
        assert order["eventCount"] == order["timeline"]["totalCount"]
        assert order["timeline"]["totalCount"] == len(order["timeline"]["edges"])
        seen[caller] = visibilities
    assert "INTERNAL" in seen["agent"] and "INTERNAL" in seen["admin"]
    assert seen["customer"] <= {"PUBLIC", "CUSTOMER"} and "CUSTOMER" in seen["customer"]
    assert seen["tracker"] == {"PUBLIC"}


async def test_a_trackers_verification_bundle_redacts_what_it_cannot_see_and_still_verifies(
    gateway: Gateway,
) -> None:
    await seed(gateway)
    query = """query($number: String!, $verification: String) {
      order(number: $number, verification: $verification) { verificationBundle } }"""
    answer = await ask(gateway, "tracker", query)
    bundle = answer["data"]["order"]["verificationBundle"]
    redacted = [e for e in bundle["events"] if e.get("redacted")]
    assert redacted and len(bundle["events"]) == 5
    report = verify_document(bundle, gateway.runtime.signer.vkey)
    assert report.ok, report.problems
    assert "王" not in str(bundle) and "138 1234" not in str(bundle)


REVEAL = """mutation($number: String!, $ticket: String) {
  revealCustomerContact(orderNumber: $number, purpose: DELIVERY_PROBLEM, ticket: $ticket) {
    revealed {
      contact { name phone email }
      deliveryAddress { street postalCode summary }
      proofsOfDelivery { shipmentId proof { signerName photoRef } }
    }
    auditEventId
    userErrors { field message }
  } }"""
SIZE = "{ log { checkpoint { treeSize } } }"
AUDIT = """query($number: String) {
  auditRecords(orderNumber: $number) {
    eventId orderNumber action actor role purpose fields ticket policyVersion
    receipt { leafIndex checkpoint }
  } }"""


async def test_an_agent_reveals_in_clear_and_the_reveal_is_audited_without_values(
    gateway: Gateway,
) -> None:
    await seed(gateway)
    answer = await gateway.graphql(
        REVEAL, {"number": ORDER, "ticket": "CS-1042"}, as_=Role.AGENT, subject="agent-7"
    )
    payload = answer["data"]["revealCustomerContact"]
    assert payload["userErrors"] == []
    assert payload["revealed"]["contact"] == {k: CONTACT[k] for k in ("name", "phone", "email")}
    assert payload["revealed"]["proofsOfDelivery"][0]["proof"]["signerName"] == "李雷"

    records = (await gateway.graphql(AUDIT, {"number": ORDER}))["data"]["auditRecords"]
    [record] = records
    assert record["eventId"] == payload["auditEventId"]
    assert (record["actor"], record["role"], record["purpose"], record["ticket"]) == (
        "agent-7",
        "agent",
        "delivery_problem",
        "CS-1042",
    )
    assert "CustomerContact.phone" in record["fields"] and record["policyVersion"]
    assert record["receipt"]["leafIndex"] >= 5
    assert "王" not in str(record) and "138 1234" not in str(record)


@pytest.mark.parametrize("caller", ["customer", "other_customer", "installer"])
async def test_reveal_is_refused_to_other_roles_without_a_trace_or_an_oracle(
    gateway: Gateway, caller: str
) -> None:
    # Issue 10, hole 6: a refusal used to add a reveal_denied record to an existing order only
    # (the public tree size moved), so any customer token could spam a victim's permanent
    # timeline and learn which order numbers exist.
    await seed(gateway)
    role, subject, customer_ref, _ = CALLERS[caller]
    before = await gateway.graphql(SIZE)
    answers = [
        await gateway.graphql(
            REVEAL, {"number": number}, as_=role, subject=subject, customer_ref=customer_ref
        )
        for number in (ORDER, "SO-404")
    ]
    existing, missing = (a["data"]["revealCustomerContact"] for a in answers)
    assert existing == missing
    assert existing["revealed"] is None
    assert existing["userErrors"] == [
        {"field": None, "message": "only agents and administrators may reveal personal data"}
    ]
    assert (await gateway.graphql(AUDIT, {"number": ORDER}))["data"]["auditRecords"] == []
    assert await gateway.graphql(SIZE) == before


async def test_reveal_input_errors_are_typed_and_anonymous_callers_get_nothing(
    gateway: Gateway,
) -> None:
    await seed(gateway)
    anonymous = await gateway.graphql(REVEAL, {"number": ORDER}, as_=None)
    assert anonymous["data"]["revealCustomerContact"]["revealed"] is None
    bad_ticket = await gateway.graphql(
        REVEAL, {"number": ORDER, "ticket": "call Wang on 138..."}, as_=Role.AGENT
    )
    assert bad_ticket["data"]["revealCustomerContact"]["userErrors"][0]["field"] == "ticket"
    unknown = await gateway.graphql(REVEAL, {"number": "SO-404"}, as_=Role.AGENT)
    assert unknown["data"]["revealCustomerContact"]["userErrors"][0]["field"] == "orderNumber"
    free_text = await gateway.graphql(
        REVEAL.replace("DELIVERY_PROBLEM", '"because"'), {"number": ORDER}, as_=Role.AGENT
    )
    assert "errors" in free_text
    assert (await gateway.graphql(AUDIT, {"number": ORDER}))["data"]["auditRecords"] == []


async def test_only_administrators_read_audit_records(gateway: Gateway) -> None:
    await seed(gateway)
    for role in (Role.AGENT, Role.CUSTOMER, None):
        answer = await gateway.graphql(
            AUDIT, {"number": ORDER}, as_=role, customer_ref=CUSTOMER_REF
        )
        assert answer["data"] is None
        assert "only administrators" in answer["errors"][0]["message"]


async def test_staff_find_orders_by_phone_or_email_and_others_cannot(gateway: Gateway) -> None:
    await seed(gateway)
    query = """query($phone: String, $email: String) {
      ordersByContact(phone: $phone, email: $email) { number contact { phone } } }"""
    by_phone = await gateway.graphql(query, {"phone": "138-1234-5678"}, as_=Role.AGENT)
    assert [o["number"] for o in by_phone["data"]["ordersByContact"]] == [ORDER]
    assert by_phone["data"]["ordersByContact"][0]["contact"]["phone"] == "138****5678"
    by_email = await gateway.graphql(query, {"email": "XIUYING.wang@example.cn"})
    assert [o["number"] for o in by_email["data"]["ordersByContact"]] == [ORDER]
    assert (await gateway.graphql(query, {"phone": "13900000000"}))["data"]["ordersByContact"] == []
    bad = await gateway.graphql(query, {"phone": "not a phone"})
    assert "not a valid phone" in bad["errors"][0]["message"]
    refused = await gateway.graphql(
        query, {"phone": "13812345678"}, as_=Role.CUSTOMER, customer_ref=CUSTOMER_REF
    )
    assert refused["data"] is None and "only agents" in refused["errors"][0]["message"]
