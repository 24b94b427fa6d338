"""ERPNext mapping: recorded Frappe documents against their golden normalized events, and the
snapshot semantics (re-delivery, re-pull, newest-first) against the gateway's own rules."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors import PayloadError, Translation
from connectors.erpnext import CONNECTOR, ErpNextConfig, Mapper
from gateway.events import build_document
from gateway.timeline.model import LoggedEvent
from gateway.timeline.project import current_milestone
from gateway.timeline.transitions import transition_error
from tests.connectors.golden import as_golden, drafts

FIXTURES = Path(__file__).parent.parent / "fixtures" / "erpnext"
SCENARIOS: dict[str, dict[str, Any]] = json.loads((FIXTURES / "scenarios.json").read_text())
BERLIN = ErpNextConfig(timezone="Europe/Berlin")
HANDOVER = ErpNextConfig(timezone="Europe/Berlin", delivery_note_marks="handover")
# Personal data in the fixtures: it may appear only in contact / delivery_address.
PII = ("Jane Doe", "王小明", "John Roe", "0000000", "0000 0000", "555 0100", "@example.com",
       "Hauptstr", "世纪大道", "Example Ave")  # fmt: skip


def payload(name: str) -> bytes:
    return (FIXTURES / name).read_bytes()


def mapper(config: ErpNextConfig = BERLIN) -> Mapper:
    return CONNECTOR.bind(config)


def translate(name: str, config: ErpNextConfig = BERLIN) -> Translation:
    return mapper(config).translate(payload(name), content_type="application/json")


@pytest.mark.parametrize("scenario", sorted(SCENARIOS))
def test_fixture_translates_to_its_golden_events(scenario: str) -> None:
    spec = SCENARIOS[scenario]
    translation = translate(spec["payload"], ErpNextConfig(**spec["config"]))
    golden = json.loads((FIXTURES / f"{scenario}.events.json").read_text(encoding="utf-8"))
    assert as_golden(translation) == golden
    for event, draft in zip(translation.events, drafts(translation), strict=True):
        assert draft.details["raw"]["mapping_version"] == CONNECTOR.mapping_version
        public = {k: v for k, v in event["data"].items() if k not in draft.pii}
        leaked = [p for p in PII if p in json.dumps({**event, "data": public}, ensure_ascii=False)]
        assert not leaked, f"personal data outside contact/delivery_address: {leaked}"
    assert not any(p in problem for problem in translation.problems for p in PII)


def test_every_fixture_has_a_scenario_and_golden() -> None:
    payloads = {p.name for p in FIXTURES.glob("*.json")} - {"scenarios.json"}
    payloads = {p for p in payloads if not p.endswith(".events.json")}
    assert payloads == {spec["payload"] for spec in SCENARIOS.values()}
    goldens = {p.name.removesuffix(".events.json") for p in FIXTURES.glob("*.events.json")}
    assert goldens == set(SCENARIOS)


def test_the_connector_object_maps_with_utc_and_dispatch() -> None:
    body = payload("so_partly_delivered_webhook.json")
    default = CONNECTOR.translate(body, content_type="application/json")
    assert default == mapper(ErpNextConfig()).translate(body, content_type="application/json")
    assert default.events[1]["type"] == "io.orderlens.order.partially_shipped"
    assert default.events[1]["time"] == "2026-11-20T16:41:09.771204Z"  # naive read as UTC


def test_site_time_zone_moves_the_instant_not_the_ids() -> None:
    shanghai = translate(
        "so_partly_delivered_webhook.json", ErpNextConfig(timezone="Asia/Shanghai")
    )
    berlin = translate("so_partly_delivered_webhook.json")
    assert [e["id"] for e in shanghai.events] == [e["id"] for e in berlin.events]
    times = [
        (datetime.fromisoformat(b["time"]) - datetime.fromisoformat(s["time"])).total_seconds()
        for s, b in zip(shanghai.events, berlin.events, strict=True)
    ]
    assert times == [7 * 3600.0, 7 * 3600.0]  # CST is UTC+8, CET UTC+1 in November


def test_redelivery_and_every_snapshot_repeat_the_same_placed_id() -> None:
    first = translate("so_partly_delivered_webhook.json")
    assert translate("so_partly_delivered_webhook.json") == first  # a duplicate delivery
    ids = {
        name: [e["id"] for e in translate(name).events]
        for name in (
            "so_on_hold_webhook.json",
            "so_partly_delivered_webhook.json",
            "so_fully_delivered_webhook.json",
            "so_completed_rest.json",
        )
    }
    placed = {events[0] for events in ids.values()}
    assert placed == {"erpnext:Sales Order:SAL-ORD-2026-00042:placed"}
    # The fully delivered and the completed snapshot prove the same milestone: same id.
    assert ids["so_fully_delivered_webhook.json"] == ids["so_completed_rest.json"]


class Gateway:
    """The sequencer's rules in miniature: dedup by id, then the transition check against
    the state in force at the moment the event says it happened (gateway/sequencer/)."""

    def __init__(self) -> None:
        self.past: dict[str, list[LoggedEvent]] = {}
        self.ids: set[str] = set()
        self.rejected: list[str] = []

    def send(self, translation: Translation) -> None:
        for draft in drafts(translation):
            if draft.source_event_id in self.ids:
                continue
            past = self.past.setdefault(draft.order_number, [])
            before = [e for e in past if e.occurred_at <= draft.occurred_at]
            current = current_milestone(before, draft.layer, draft.shipment_id)
            problem = transition_error(current, draft.milestone)
            if problem is not None:
                self.rejected.append(f"{draft.source_event_id}: {problem}")
                continue
            seq = len(past) + 1
            document = build_document(
                draft, event_id=f"e{seq}", seq=seq, prev=None, received_at=datetime.now(UTC)
            )
            past.append(LoggedEvent.from_document(document, seq - 1))
            assert draft.source_event_id is not None
            self.ids.add(draft.source_event_id)

    def milestones(self, order: str) -> list[str]:
        events = sorted(self.past[order], key=lambda e: e.sort_key)
        return [f"{e.layer.value}.{e.milestone.value}" for e in events]


DISPATCH_FLOW = (
    "so_submitted_rest.json",  # another order: must not interfere
    "so_on_hold_webhook.json",
    "so_partly_delivered_webhook.json",
    "dn_submitted_webhook.json",
    "so_fully_delivered_webhook.json",
    "so_completed_rest.json",
)


@pytest.mark.parametrize("order", ["oldest first", "newest first"])
def test_snapshots_in_any_order_give_one_legal_timeline(order: str) -> None:
    gateway = Gateway()
    names = DISPATCH_FLOW if order == "oldest first" else tuple(reversed(DISPATCH_FLOW))
    for name in names:
        gateway.send(translate(name))
    for name in names:  # and everything again, as a re-pull would
        gateway.send(translate(name))
    assert gateway.rejected == []
    assert gateway.milestones("SAL-ORD-2026-00042") == [
        "order.placed",
        "order.on_hold",
        "shipment.label_created",  # the note was posted seconds before it updated the order
        "order.partially_shipped",
        "order.shipped",
    ]


def test_handover_flow_with_a_return_is_legal() -> None:
    gateway = Gateway()
    for name in (
        "so_partly_delivered_webhook.json",
        "dn_submitted_webhook.json",
        "so_completed_rest.json",
        "dn_return_webhook.json",
    ):
        gateway.send(translate(name, HANDOVER))
    assert gateway.rejected == []
    assert gateway.milestones("SAL-ORD-2026-00042") == [
        "order.placed",
        "shipment.delivered",
        "order.partially_delivered",
        "order.delivered",
        "order.completed",
        "order.return_requested",
        "order.return_received",
    ]


def test_a_cancelled_delivery_note_cancels_its_shipment() -> None:
    gateway = Gateway()
    for name in ("dn_submitted_webhook.json", "dn_cancelled_webhook.json"):
        gateway.send(translate(name))
    assert gateway.rejected == []
    assert gateway.milestones("SAL-ORD-2026-00042") == [
        "shipment.label_created",
        "shipment.cancelled",
    ]


def so(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(payload("so_partly_delivered_webhook.json"))
    document.update(changes)
    return document


def run(document: dict[str, Any], config: ErpNextConfig = BERLIN) -> Translation:
    return mapper(config).translate(json.dumps(document).encode(), content_type="text/plain")


def types(translation: Translation) -> list[str]:
    return [e["type"].removeprefix("io.orderlens.") for e in translation.events]


def test_a_customer_id_that_is_the_persons_name_keeps_placed_out() -> None:
    translation = run(so(customer="JaneDoe"))
    assert types(translation) == ["order.partially_shipped"]
    assert "customer's own name" in translation.problems[0]
    assert "Jane" not in translation.problems[0]


def test_an_unreadable_address_is_a_problem_and_placed_goes_without_it() -> None:
    translation = run(so(shipping_address="Somewhere 5<br>Atlantis"))
    placed = translation.events[0]
    assert placed["type"] == "io.orderlens.order.placed"
    assert "delivery_address" not in placed["data"] and "contact" in placed["data"]
    assert translation.problems == (
        "Sales Order SAL-ORD-2026-00042: shipping_address: the last line is not a country "
        "this connector knows; delivery_address is not sent",
    )


def test_item_rows_without_code_or_quantity_are_skipped_with_a_problem() -> None:
    items = so()["items"]
    items[1]["qty"] = 0
    items[2]["item_code"] = None
    translation = run(so(items=items))
    assert [line["sku"] for line in translation.events[0]["data"]["lines"]] == ["WM-8KG"]
    assert len(translation.problems) == 2 and "items row 2" in translation.problems[0]


def test_no_items_means_no_placed() -> None:
    translation = run(so(items=None))
    assert types(translation) == ["order.partially_shipped"]
    assert "items is missing" in translation.problems[0]


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"per_delivered": "50"}, ["order.placed", "order.partially_shipped"]),
        ({"per_delivered": 100, "delivery_status": ""}, ["order.placed", "order.shipped"]),
        ({"per_delivered": 0, "delivery_status": "Not Delivered"}, ["order.placed"]),
        ({"per_delivered": 0, "delivery_status": "Not Applicable"}, ["order.placed"]),
        ({"docstatus": 2}, ["order.placed", "order.cancelled"]),
        ({"status": "Closed"}, ["order.placed", "order.partially_shipped"]),
        ({"status": "To Pay"}, ["order.placed", "order.partially_shipped"]),
    ],
)
def test_status_combinations(changes: dict[str, Any], expected: list[str]) -> None:
    translation = run(so(**changes))
    assert types(translation) == expected and translation.problems == ()
    drafts(translation)


def test_closed_after_partial_delivery_completes_on_handover_sites() -> None:
    translation = run(so(status="Closed"), HANDOVER)
    assert types(translation) == ["order.placed", "order.partially_delivered", "order.completed"]
    assert translation.events[2]["data"]["reason"] == "merchant_request"


def test_holds_recur_so_each_hold_snapshot_is_its_own_event() -> None:
    first = run(so(status="On Hold", modified="2026-11-19 11:20:31.906410"))
    second = run(so(status="On Hold", modified="2026-11-22 08:00:00.000000"))
    assert first.events[-1]["id"] != second.events[-1]["id"]


@pytest.mark.parametrize(
    ("changes", "problem"),
    [
        ({"name": "SO/2026/1"}, "cannot be an order number"),
        ({"docstatus": None}, "docstatus is missing"),
        ({"delivery_status": "Shipped Somehow"}, "unknown delivery_status"),
        ({"creation": None, "transaction_date": None, "modified": "yesterday"}, "no readable"),
        ({"contact_email": "not-an-email"}, "contact_email is not an email address"),
        ({"delivery_date": "24.11.2026"}, "delivery_date is not a date"),
    ],
)
def test_sales_order_problems(changes: dict[str, Any], problem: str) -> None:
    translation = run(so(**changes))
    assert any(problem in p for p in translation.problems), translation.problems
    drafts(translation)


def dn(**changes: Any) -> dict[str, Any]:
    document: dict[str, Any] = json.loads(payload("dn_submitted_webhook.json"))
    document.update(changes)
    return document


def test_tracking_numbers_are_normalized_and_bad_ones_reported() -> None:
    spaced = run(dn(lr_no=" 1z 999 aa1 0123456784 "))
    assert spaced.events[0]["data"]["shipment"]["tracking_number"] == "1Z999AA10123456784"
    bad = run(dn(lr_no="#12/34"))
    assert types(bad) == ["shipment.registered"]
    assert "lr_no is not a tracking number" in bad.problems[0]


def test_a_delivery_note_without_times_is_a_problem() -> None:
    translation = run(dn(posting_date=None, modified=None))
    assert translation.events == () and "no readable posting_date" in translation.problems[0]


def test_posting_time_falls_back_to_modified() -> None:
    translation = run(dn(posting_time="25:99:00"))
    assert translation.events[0]["time"] == "2026-11-20T15:41:09.401100Z"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"data": [{"name": "SO-1"}]}', "document list"),
        (b'{"data": "SO-1"}', "must be a Frappe document"),
        (b'{"name": "SO-1", "docstatus": 1}', "no doctype"),
        (b'{"doctype": "Sales Order", "name": "  "}', "has no name"),
    ],
)
def test_unreadable_payloads_raise_payload_error(body: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        CONNECTOR.translate(body, content_type="application/json")


def test_the_district_field_is_configurable_and_checked() -> None:
    def address(config: ErpNextConfig) -> dict[str, Any]:
        data: dict[str, Any] = translate("so_submitted_rest.json", config).events[0]["data"]
        return data["delivery_address"]  # type: ignore[no-any-return]

    assert address(BERLIN)["district"] == "浦东新区"
    unset = address(ErpNextConfig(timezone="Europe/Berlin", district_field=None))
    assert "district" not in unset and unset["street"] == "世纪大道100号, 浦东新区, 上海"
    with pytest.raises(ValueError, match="district_field"):
        ErpNextConfig(district_field="County; drop")
