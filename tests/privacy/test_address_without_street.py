"""A delivery address with only country, region and city (as marketplaces and ERPs often send
it) is accepted, sealed like any other and shown masked with its street null."""

from __future__ import annotations

from privacy import Role
from tests.conftest import Gateway, placed

CITY_ONLY = {"country": "CN", "region": "浙江省", "city": "杭州市"}
QUERY = """query($n: String!) { order(number: $n) {
  deliveryAddress { country region city district street postalCode summary } } }"""


async def test_an_address_without_a_street_is_accepted_and_shown_with_street_null(
    gateway: Gateway,
) -> None:
    event = placed("SO-000070", customer_ref="CUST-0070")
    event["data"]["delivery_address"] = CITY_ONLY
    answer = await gateway.post_events("erp", [event])
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 1

    async with gateway.runtime.engine.connect() as conn:
        found = await gateway.runtime.vault.order_pii(conn, ["SO-000070"])
    address = found["SO-000070"].address
    assert address is not None and (address.city, address.street) == ("杭州市", None)

    place = {"country": "CN", "region": "浙江省", "city": "杭州市", "district": None}
    for role, customer_ref in ((Role.ADMIN, None), (Role.CUSTOMER, "CUST-0070")):
        shown = await gateway.graphql(
            QUERY, {"n": "SO-000070"}, as_=role, customer_ref=customer_ref
        )
        assert "errors" not in shown, shown
        assert shown["data"]["order"]["deliveryAddress"] == {
            **place,
            "street": None,
            "postalCode": None,
            "summary": "浙江省杭州市",
        }, role
    agent = await gateway.graphql(QUERY, {"n": "SO-000070"}, as_=Role.AGENT)
    assert agent["data"]["order"]["deliveryAddress"]["street"] is None
    assert agent["data"]["order"]["deliveryAddress"]["summary"] == "浙江省杭州市"


async def test_an_empty_street_is_still_refused_with_the_field_named(gateway: Gateway) -> None:
    event = placed("SO-000071")
    event["data"]["delivery_address"] = {**CITY_ONLY, "street": "  "}
    answer = await gateway.post_events("erp", [event])
    assert answer.status_code == 422
    [error] = answer.json()["results"][0]["errors"]
    assert error.startswith("data.delivery_address.street: String should have at least 1")
