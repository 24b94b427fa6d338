"""Issue 10, hole 1: a later event naming another customer cannot take an order over."""

from __future__ import annotations

from gateway.timeline import read_orders
from privacy import Role
from tests.conftest import Gateway, cloud_event
from tests.resolvers.pii_matrix import CUSTOMER_REF, ORDER, ORDER_QUERY, order_events

ATTACKER = "CUST-ATTACKER"
REFUSED = (
    f"order {ORDER} already has an owner and this event names another customer: "
    "the owner of an order is set once (a change needs an audited transfer)"
)


async def owner(gateway: Gateway) -> str | None:
    async with gateway.runtime.engine.connect() as conn:
        return (await read_orders(conn, [ORDER]))[ORDER].customer_ref


async def test_a_later_event_naming_another_customer_is_refused_and_kept(gateway: Gateway) -> None:
    response = await gateway.post_events("erp", order_events())
    assert response.json()["accepted"] == 5, response.text
    takeover = cloud_event("order.payment_captured", ORDER, customer_ref=ATTACKER)
    for source in ("courier", "erp"):  # neither another source nor the ERP itself may
        answer = (await gateway.post_events(source, [takeover])).json()
        assert answer["accepted"] == 0, answer
        assert answer["results"][0]["status"] == "rejected"
        assert answer["results"][0]["errors"] == [REFUSED]
        assert ATTACKER not in str(answer) and CUSTOMER_REF not in str(answer)
    letters = await gateway.dead_letters()
    assert [letter.reason for letter in letters] == [REFUSED, REFUSED]
    assert all(ATTACKER.encode() in letter.payload for letter in letters)  # nothing lost
    assert await owner(gateway) == CUSTOMER_REF

    stolen = await gateway.graphql(
        ORDER_QUERY, {"number": ORDER}, as_=Role.CUSTOMER, subject="u", customer_ref=ATTACKER
    )
    assert stolen["data"]["order"] is None
    mine = await gateway.graphql(
        ORDER_QUERY, {"number": ORDER}, as_=Role.CUSTOMER, subject="u", customer_ref=CUSTOMER_REF
    )
    assert mine["data"]["order"]["number"] == ORDER


async def test_the_same_owner_or_none_is_accepted(gateway: Gateway) -> None:
    await gateway.post_events("erp", order_events())
    same = cloud_event("order.payment_captured", ORDER, customer_ref=CUSTOMER_REF)
    unnamed = cloud_event("order.confirmed", ORDER)
    answer = (await gateway.post_events("erp", [same, unnamed])).json()
    assert [r["status"] for r in answer["results"]] == ["accepted", "accepted"], answer
    assert await owner(gateway) == CUSTOMER_REF
