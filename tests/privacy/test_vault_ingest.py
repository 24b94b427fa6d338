"""Personal data sent with events is sealed in the privacy tables; the event keeps only a
keyed commitment, on SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from gateway.db.tables import events
from privacy.tables import customers, deliveries, order_contacts
from tests.conftest import Gateway, cloud_event, placed, shipment_event

CONTACT = {"name": "王秀英", "phone": "+86 138 1234 5678", "email": "Xiuying.Wang@example.cn"}
ADDRESS = {
    "country": "CN",
    "region": "浙江省",
    "city": "杭州市",
    "district": "西湖区",
    "street": "文三路 90 号 3 幢 1201 室",
    "postal_code": "310012",
}


def placed_with_pii(order: str = "SO-000001", **kw: Any) -> dict[str, Any]:
    event = placed(order, **kw)
    event["data"]["contact"] = CONTACT
    event["data"]["delivery_address"] = ADDRESS
    return event


async def test_contact_and_address_are_sealed_and_readable_through_the_vault(
    gateway: Gateway,
) -> None:
    response = await gateway.post_events("erp", [placed_with_pii()])
    assert response.status_code == 200, response.text
    logged = response.json()["results"][0]["receipt"]["event"]
    assert "contact" not in logged["data"] and "delivery_address" not in logged["data"]
    assert len(logged["data"]["pii_commit"]) == 44  # base64 of an HMAC-SHA256

    async with gateway.runtime.engine.connect() as conn:
        raw = (
            await conn.execute(
                select(customers, order_contacts).join(
                    order_contacts, order_contacts.c.customer_id == customers.c.id
                )
            )
        ).one()
        document = await conn.scalar(select(events.c.document))
        found = await gateway.runtime.vault.order_pii(conn, ["SO-000001", "SO-404"])
    for column in ("name", "phone", "email", "district", "street", "postal_code"):
        assert b"\xe7\x8e\x8b" not in raw._mapping[column].data  # sealed, not text
    assert raw.city == "杭州市"  # kept in clear for generalized views
    assert "王秀英" not in (document or "") and "文三路" not in (document or "")

    pii = found["SO-000001"]
    assert set(found) == {"SO-000001"}
    assert pii.customer_ref == "CUST-0001" and not pii.erased
    assert pii.contact is not None and pii.contact.name == "王秀英"
    assert pii.address is not None and pii.address.street == ADDRESS["street"]
    assert "王秀英" not in repr(pii) and "文三路" not in repr(pii)


async def test_lookup_by_phone_and_email_normalizes_and_compares_exactly(gateway: Gateway) -> None:
    other = placed_with_pii("SO-000002", customer_ref="CUST-0002")
    other["data"]["contact"] = {**CONTACT, "phone": "+86 139 0000 1111", "email": "b@example.cn"}
    await gateway.post_events("erp", [placed_with_pii(), other])
    vault = gateway.runtime.vault
    async with gateway.runtime.engine.connect() as conn:
        assert await vault.orders_by_phone(conn, "13812345678") == ["SO-000001"]
        assert await vault.orders_by_phone(conn, "+8613812345678") == ["SO-000001"]
        assert await vault.orders_by_email(conn, "xiuying.wang@EXAMPLE.cn") == ["SO-000001"]
        assert await vault.orders_by_phone(conn, "+86 137 0000 0000") == []


async def test_a_later_confirmation_updates_the_contact_of_the_same_customer(
    gateway: Gateway,
) -> None:
    confirmed = cloud_event("order.confirmed", "SO-000001")
    confirmed["data"]["contact"] = {**CONTACT, "phone": "+86 139 9999 8888"}
    await gateway.post_events("erp", [placed_with_pii(), confirmed])
    async with gateway.runtime.engine.connect() as conn:
        pii = (await gateway.runtime.vault.order_pii(conn, ["SO-000001"]))["SO-000001"]
        assert await gateway.runtime.vault.orders_by_phone(conn, "13999998888") == ["SO-000001"]
        assert await gateway.runtime.vault.orders_by_phone(conn, "13812345678") == []
    assert pii.contact is not None and pii.contact.phone == "+86 139 9999 8888"


async def test_proof_of_delivery_is_sealed_per_shipment(gateway: Gateway) -> None:
    steps = ["picked_up", "in_transit", "out_for_delivery"]
    delivered = shipment_event(
        "delivered", data={"proof_of_delivery": {"signer_name": "李雷", "photo_ref": "pod/1.jpg"}}
    )
    response = await gateway.post_events(
        "courier", [placed_with_pii(), *(shipment_event(s) for s in steps), delivered]
    )
    assert response.json()["accepted"] == 5, response.text
    async with gateway.runtime.engine.connect() as conn:
        row = (await conn.execute(select(deliveries))).one()
        pii = (await gateway.runtime.vault.order_pii(conn, ["SO-000001"]))["SO-000001"]
    assert row.shipment_id == "SHP-1" and b"pod/1.jpg" not in row.photo_ref.data
    assert pii.proofs["SHP-1"].signer_name == "李雷"


async def test_personal_data_on_the_wrong_milestone_is_refused_and_sealed_as_a_dead_letter(
    gateway: Gateway,
) -> None:
    wrong = shipment_event("in_transit", data={"contact": CONTACT})
    response = await gateway.post_events("courier", [placed(), wrong])
    result = response.json()["results"][1]
    assert result["status"] == "rejected"
    assert "personal data is only accepted on" in " ".join(result["errors"])
    assert "王秀英" not in response.text
    [letter] = await gateway.dead_letters()
    assert "王秀英".encode() in letter.payload  # kept whole, for replay after a fix
    async with gateway.runtime.engine.connect() as conn:
        assert await conn.scalar(select(customers.c.id)) is None


async def test_personal_data_does_not_change_the_event_identity(gateway: Gateway) -> None:
    first = placed_with_pii(id="erp-1")
    again = {**first, "data": {**first["data"], "contact": {**CONTACT, "name": "Someone"}}}
    bodies = [(await gateway.post_events("erp", [e])).json() for e in (first, again)]
    assert [b["results"][0]["status"] for b in bodies] == ["accepted", "duplicate"]


async def test_errors_do_not_echo_a_key_that_could_be_personal_data(gateway: Gateway) -> None:
    odd = placed_with_pii()
    odd["data"]["contact"] = {**CONTACT, "王秀英 13812345678": "x"}
    response = await gateway.post_events("erp", [odd])
    assert response.status_code == 422
    assert "<key>: unknown field" in response.text
    assert "王秀英" not in response.text and "13812345678" not in response.text
