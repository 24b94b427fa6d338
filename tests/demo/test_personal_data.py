"""The simulator's fake customers: realistic, valid, sent where each system carries them, and
handed to the gateway by the connectors only under the keys it seals."""

from __future__ import annotations

import json
import random
import re
from collections import Counter
from datetime import UTC, datetime
from typing import Any

import phonenumbers
import pytest

from connectors import to_draft
from gateway.demo import Simulator
from gateway.demo.addresses import CHINA
from gateway.demo.catalog import DOMESTIC, INTERNATIONAL
from gateway.demo.lifecycle import OrderPlanner
from gateway.demo.people import customer, phone, proof_of_delivery
from gateway.events import EventDraft
from tests.demo.endpoints import Endpoints, Event, kind, pulled

CJK_NAME = re.compile(r"[\u4e00-\u9fff]{2,4}")
EMAIL = re.compile(r"[^@\s]+@[a-z0-9-]+(\.[a-z0-9-]+)+")
PII_KEYS = {
    "contact": {"name", "phone", "email"},
    "delivery_address": {"country", "region", "city", "district", "street", "postal_code"},
    "proof_of_delivery": {"signer_name", "photo_ref"},
}
POSTAL = {
    "CN": r"\d{6}",
    "SG": r"\d{6}",
    "DE": r"\d{5}",
    "US": r"\d{5}",
    "KR": r"\d{5}",
    "AU": r"\d{4}",
    "JP": r"\d{3}-\d{4}",
    "NL": r"\d{4} [A-Z]{2}",
    "GB": r"[A-Z]{1,2}\d{1,2} \d[A-Z]{2}",
}


@pytest.fixture(scope="module")
def backfill(history: tuple[Endpoints, Simulator]) -> tuple[Endpoints, Simulator]:
    return history


@pytest.fixture(scope="module")
def events(backfill: tuple[Endpoints, Simulator]) -> list[tuple[str, Event]]:
    """What the connectors made of the native payloads."""
    endpoints, sim = backfill
    return list(endpoints.events()) + [("ups", e) for e in pulled(sim.ups)]


@pytest.fixture(scope="module")
def planned() -> list[Event]:
    """Many more orders than a backfill sends, planned directly, for the statistics."""
    planner = OrderPlanner(random.Random(11))
    day = datetime(2026, 11, 1, 9, tzinfo=UTC)
    return [
        event.cloudevent()
        for n in range(600)
        for event in planner.plan(f"SAL-ORD-2026-{n:05d}", day)
        if event.milestone in {"placed", "confirmed", "delivered"}
    ]


def placed(event: Event) -> bool:
    return kind(event) == "order.placed"


def personal(events: list[Event], key: str) -> list[dict[str, Any]]:
    return [e["data"][key] for e in events if key in e["data"]]


def assert_valid_contact(contact: dict[str, Any], country: str) -> None:
    assert set(contact) == PII_KEYS["contact"]
    number = phonenumbers.parse(contact["phone"], "CN")
    assert phonenumbers.is_valid_number(number), contact["phone"]
    assert phonenumbers.region_code_for_number(number) == country, contact
    assert EMAIL.fullmatch(contact["email"]) and contact["email"].count("@") == 1, contact
    if country == "CN":
        assert CJK_NAME.fullmatch(contact["name"]), contact["name"]
    else:
        assert re.fullmatch(r"[A-Za-zÀ-ÿ' -]+", contact["name"]), contact["name"]


def test_every_contact_is_valid(events: list[tuple[str, Event]], planned: list[Event]) -> None:
    for sample in ([e for _, e in events], planned):
        addresses = {e["subject"]: e["data"]["delivery_address"] for e in sample if placed(e)}
        for address in addresses.values():
            assert set(address) <= PII_KEYS["delivery_address"] and all(address.values())
            assert {"country", "city", "street", "postal_code"} <= set(address)
            assert re.fullmatch(POSTAL[address["country"]], address["postal_code"]), address
        contacts = [(e["data"]["contact"], e["subject"]) for e in sample if "contact" in e["data"]]
        for contact, order in contacts:
            assert_valid_contact(contact, addresses[order]["country"])


def test_the_sales_order_address_reads_back(backfill: tuple[Endpoints, Simulator]) -> None:
    """ERPNext prints the address through its template; the connector reads back the same
    country, city and postal code and street, and the district from the order's county field."""
    endpoints, sim = backfill
    sent = {s.order: s.data["delivery_address"] for s in sim.reported() if s.kind == "order.placed"}
    read = {e["subject"]: e["data"]["delivery_address"] for _, e in endpoints.events() if placed(e)}
    assert read.keys() == sent.keys() and len(read) >= 50
    for order, address in read.items():
        meant = sent[order]
        assert isinstance(meant, dict)
        assert (address["country"], address["city"]) == (meant["country"], meant["city"])
        assert address["postal_code"] == meant["postal_code"]
        assert (address["street"], address["district"]) == (meant["street"], meant["district"])


def test_every_phone_pattern_gives_valid_numbers() -> None:
    rng = random.Random(5)
    for place in (*DOMESTIC, *INTERNATIONAL):
        for _ in range(600 if place.domestic else 200):
            number = phonenumbers.parse(phone(rng, place), "CN")
            assert phonenumbers.is_valid_number(number), (place.city, number)
            assert phonenumbers.region_code_for_number(number) == place.country


def test_phone_formats_vary(planned: list[Event]) -> None:
    phones = [c["phone"] for c in personal(planned, "contact")]
    chinese = [p for p in phones if phonenumbers.parse(p, "CN").country_code == 86]
    assert any(re.fullmatch(r"1\d{10}", p) for p in chinese)
    assert any(re.fullmatch(r"\+86 1\d\d \d{4} \d{4}", p) for p in chinese)
    assert any(re.fullmatch(r"\+86-1\d\d-\d{4}-\d{4}", p) for p in chinese)
    networks = {str(phonenumbers.parse(p, "CN").national_number)[:2] for p in chinese}
    assert networks == {"13", "15", "16", "17", "18", "19"}
    assert len({phonenumbers.parse(p, "CN").country_code for p in phones}) >= 6


def test_mostly_chinese_customers_a_quarter_abroad(
    events: list[tuple[str, Event]], planned: list[Event]
) -> None:
    # 600 planned orders, then the 60 of a backfill (a small sample: a wider margin).
    for sample, low, high in ((planned, 0.2, 0.3), ([e for _, e in events], 0.1, 0.4)):
        addresses = [e["data"]["delivery_address"] for e in sample if placed(e)]
        abroad = sum(a["country"] != "CN" for a in addresses) / len(addresses)
        assert low <= abroad <= high, abroad
    countries = Counter(a["country"] for a in personal(planned, "delivery_address"))
    assert set(countries) == {place.country for place in (*DOMESTIC, *INTERNATIONAL)}
    names = [c["name"] for c in personal(planned, "contact")]
    assert any(len(name) == 4 for name in names if CJK_NAME.fullmatch(name))  # 欧阳娜娜
    assert len(set(names)) > 100


def test_the_address_is_where_the_carrier_delivers(planned: list[Event]) -> None:
    where: dict[str, dict[str, Any]] = {}
    delivered: dict[str, set[str]] = {}
    for event in planned:
        if kind(event) == "order.placed":
            where[event["subject"]] = event["data"]["delivery_address"]
        elif kind(event) == "shipment.delivered":
            location = event["data"]["location"]
            delivered.setdefault(event["subject"], set()).add(location["city"])
            assert location["country"] == where[event["subject"]]["country"]
    assert len(delivered) > 300
    chinese_names = {city: book.city for city, book in CHINA.items()}
    for order, cities in delivered.items():
        address = where[order]
        assert {chinese_names.get(city, city) for city in cities} == {address["city"]}, order
    shanghai = [a for a in where.values() if a["city"] == "上海市"]
    assert shanghai and all(a["region"] == "上海市" for a in shanghai)
    assert any(re.search(r"\d+号 \d+栋 \d{3,4}室$", a["street"]) for a in shanghai)


def test_proof_of_delivery(planned: list[Event]) -> None:
    names = {e["subject"]: e["data"]["contact"]["name"] for e in planned if "contact" in e["data"]}
    delivered = [e for e in planned if kind(e) == "shipment.delivered"]
    by_customer = stand_ins = safe_place = 0
    for event in delivered:
        proof = event["data"].get("proof_of_delivery")
        if proof is None:  # left in a safe place: nobody signed
            safe_place += 1
            assert event["data"]["reason"] == "delivered_safe_place"
            continue
        assert set(proof) == {"signer_name"} and proof["signer_name"]
        if proof["signer_name"] == names[event["subject"]]:
            by_customer += 1
        else:
            stand_ins += 1
            signer = proof["signer_name"]
            assert re.search(r"代收$|^(Reception|Concierge|Neighbour|Front desk|Family)", signer)
    assert by_customer > stand_ins > 0 and safe_place > 0


def test_some_confirmations_correct_the_phone(planned: list[Event]) -> None:
    placed = {e["subject"]: e["data"]["contact"] for e in planned if kind(e) == "order.placed"}
    corrected = [e for e in planned if kind(e) == "order.confirmed" and "contact" in e["data"]]
    assert 5 <= len(corrected) <= 0.15 * len(placed)
    for event in corrected:
        before, after = placed[event["subject"]], event["data"]["contact"]
        assert after["phone"] != before["phone"]
        assert (after["name"], after["email"]) == (before["name"], before["email"])


def test_the_connectors_seal_the_personal_data(events: list[tuple[str, Event]]) -> None:
    """Every translated event is valid gateway input, and personal data lands in draft.pii."""
    sealed: Counter[tuple[str, str]] = Counter()
    for system, event in events:
        draft = to_draft(event, source=system)
        assert isinstance(draft, EventDraft), (draft, event)
        personal_keys = set(PII_KEYS) & set(event["data"])
        assert set(draft.pii) == personal_keys
        assert not set(PII_KEYS) & set(draft.details)
        sealed.update((key, system) for key in personal_keys)
    assert set(sealed) == {
        ("contact", "erp"),
        ("delivery_address", "erp"),
        ("contact", "inhouse"),  # the service desk's corrected phone number
        ("proof_of_delivery", "easypost"),
        ("proof_of_delivery", "ups"),
    }


def test_personal_data_travels_natively_and_nowhere_else(
    backfill: tuple[Endpoints, Simulator], events: list[tuple[str, Event]]
) -> None:
    """Each personal value the simulator sent is in a native payload (a Sales Order, a
    ship-to block, a tracker's signer, a UPS answer), and none of them is anywhere in what
    the connectors hand the gateway outside the sealed keys."""
    endpoints, sim = backfill
    wire = [d.body.decode() for d in endpoints.received]
    answers = (sim.ups.response(n) for n in sim.ups.parcels)
    wire += [json.dumps(json.loads(a), ensure_ascii=False) for a in answers if a is not None]
    wire_text = "\n".join(wire)
    values = {(field, value) for field, value in sim.personal_data()}
    assert {field for field, _ in values} == {
        "contact.name",
        "contact.phone",
        "contact.email",
        "delivery_address.street",
        "delivery_address.district",
        "delivery_address.postal_code",
        "proof_of_delivery.signer_name",
    }
    for field, value in values:
        assert value in wire_text, field
    outside = json.dumps(
        [to_draft(e, source=s).details for s, e in events],  # type: ignore[union-attr]
        ensure_ascii=False,
    )
    for field, value in values:
        if field != "delivery_address.postal_code":  # short digit runs occur by chance
            assert value not in outside, field


def test_same_seed_same_people() -> None:
    def people(seed: int) -> list[object]:
        rng = random.Random(seed)
        people = [customer(rng, place) for place in (*DOMESTIC, *INTERNATIONAL) * 3]
        return [*people, *(proof_of_delivery(rng, p, False) for p in people)]

    assert people(3) == people(3) != people(4)
