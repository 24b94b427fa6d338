"""ShipHero webhooks -> normalized events: recorded (scrubbed) fixtures against golden output,
the fallbacks and limits of the source, malformed bodies, re-delivery and out-of-order arrival.

Regenerate the golden files after a deliberate mapping change with
`ORDERLENS_UPDATE_GOLDEN=1 pytest tests/connectors/test_shiphero.py` and review the diff.
"""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest

from connectors import Kind, PayloadError, PushConnector, Translation, load
from connectors.shiphero import CONNECTOR, MAPPING_VERSION, ShipHeroConfig
from gateway.events import OrderMilestone, ShipmentMilestone, parse_event_type
from gateway.timeline.transitions import transition_error
from tests.connectors.golden import as_golden, drafts

FIXTURES = Path(__file__).parent.parent / "fixtures" / "shiphero"
SCENARIOS = sorted(p for p in FIXTURES.glob("*.json") if not p.name.endswith(".events.json"))
RECEIVED_AT = datetime(2026, 11, 21, 12, 0, 5, tzinfo=UTC)
# Personal data in the fixtures' shipping addresses and gift note: it must never come out.
PERSONAL = [
    "Testy",
    "McFixture",
    "Synthetic Lane",
    "Sample Person",
    "Placeholder Road",
    "Another Sample",
    "Example Street",
    "62704",
    "62705",
    "89501",
    "Happy birthday",
]


def translate(body: bytes | dict[str, Any], **kw: Any) -> Translation:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return CONNECTOR.translate(raw, content_type="application/json", **kw)


def fixture(name: str) -> dict[str, Any]:
    document: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_bytes())
    return document


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_each_fixture_translates_to_its_golden_output(path: Path) -> None:
    translation = translate(path.read_bytes(), received_at=RECEIVED_AT)
    golden = path.with_name(f"{path.stem}.events.json")
    if os.environ.get("ORDERLENS_UPDATE_GOLDEN") == "1":
        golden.write_text(json.dumps(as_golden(translation), indent=2, ensure_ascii=False) + "\n")
    assert as_golden(translation) == json.loads(golden.read_text())
    for draft in drafts(translation):
        assert draft.details["raw"]["mapping_version"] == MAPPING_VERSION
    output = json.dumps(as_golden(translation))
    assert not [word for word in PERSONAL if word in output]


def test_the_connector_is_a_registered_push_connector_for_a_wms() -> None:
    assert load("shiphero") is CONNECTOR
    assert isinstance(CONNECTOR, PushConnector) and CONNECTOR.kind is Kind.WMS
    assert CONNECTOR.config_model is ShipHeroConfig


def test_a_shipment_update_names_the_order_by_partner_order_id_and_one_shipment_per_parcel() -> (
    None
):
    partial, label = drafts(translate(fixture("shipment_update_partial")))
    assert partial.order_number == "SAL-ORD-2026-00042"  # partner_order_id, not WEB-100042
    assert partial.milestone is OrderMilestone.PARTIALLY_SHIPPED
    assert [line["sku"] for line in partial.details["lines"]] == ["WM-8KG"]  # Package #1 only
    assert label.milestone is ShipmentMilestone.LABEL_CREATED and label.shipment_id == "415518042-1"
    assert label.details["shipment"] == {
        "id": "415518042-1",
        "carrier": "ups",
        "tracking_number": "1Z999AA10123456784",
        "service_level": "Ground",
    }
    assert label.details["location"] == {"hub_id": "76733", "hub_name": "Primary"}
    assert str(label.visibility) == "public" and str(partial.visibility) == "customer"


def test_order_number_falls_back_to_shiphero_order_number_and_says_so() -> None:
    [shipped] = drafts(translate(fixture("shipment_update_pickup_legacy")))
    assert shipped.order_number == "WEB-100077" and shipped.milestone is OrderMilestone.SHIPPED
    assert "order named by ShipHero order_number" in shipped.details["raw"]["text"]
    # "Pickup" is no tracking number: no shipment that no courier will ever scan.
    assert "no tracking number for package 1" in shipped.details["raw"]["text"]


def test_packages_reported_up_to_total_packages_mean_shipped() -> None:
    last = drafts(translate(fixture("shipment_update_last_package")))
    assert [d.milestone for d in last] == [OrderMilestone.SHIPPED, ShipmentMilestone.LABEL_CREATED]
    both = drafts(translate(fixture("shipment_update_two_packages")))
    assert [d.shipment_id for d in both] == [None, "415519007-1", "415519007-2"]
    assert both[2].details["packages"] == [
        {"id": "415519007-2", "tracking_number": "794622222222"}  # blanks dropped
    ]
    without_total = fixture("shipment_update_partial")
    del without_total["total_packages"], without_total["fulfillment"]["total_packages"]
    assert drafts(translate(without_total))[0].milestone is OrderMilestone.SHIPPED


def test_allocation_is_internal_with_its_lines_and_kit_components_left_out() -> None:
    [allocated] = drafts(translate(fixture("order_allocated")))
    assert (
        allocated.milestone is OrderMilestone.ALLOCATED and str(allocated.visibility) == "internal"
    )
    assert [line["line_id"] for line in allocated.details["lines"]] == [
        "WEB-100042-1",
        "WEB-100042-2",
    ]
    assert allocated.occurred_at == datetime(2026, 11, 20, 10, 3, 1, tzinfo=UTC)


def test_naive_timestamps_are_read_in_the_instance_time_zone() -> None:
    config = ShipHeroConfig.model_validate({"webhook_secret": "s", "timezone": "America/New_York"})
    bound = CONNECTOR.bind(config)
    body = json.dumps(fixture("order_allocated")).encode()
    [event] = bound.translate(body, content_type="application/json").events
    assert event["time"] == "2026-11-20T15:03:01Z"  # 10:03 EST
    with_offset = fixture("order_allocated") | {"allocated_at": "2026-11-20T10:03:01+08:00"}
    [event] = bound.translate(json.dumps(with_offset).encode(), content_type="x").events
    assert event["time"] == "2026-11-20T02:03:01Z"
    with pytest.raises(ValueError, match="IANA"):
        ShipHeroConfig.model_validate({"webhook_secret": "s", "timezone": "Mars/Olympus"})


def test_timestamp_less_webhooks_need_the_receipt_time() -> None:
    canceled = fixture("order_canceled")
    alone = translate(canceled)
    assert alone.events == () and alone.problems == (
        "Order Canceled: no timestamp in the payload and no receipt time given",
    )
    [cancelled] = drafts(translate(canceled, received_at=RECEIVED_AT))
    assert cancelled.milestone is OrderMilestone.CANCELLED
    assert cancelled.occurred_at == RECEIVED_AT
    later = translate(canceled, received_at=datetime(2026, 11, 22, tzinfo=UTC))
    assert later.events[0]["id"] == cancelled.source_event_id  # the id never depends on it


def test_packed_out_is_placed_only_when_it_names_the_order() -> None:
    bare = translate(fixture("order_packed_out"), received_at=RECEIVED_AT)
    assert bare.events == () and "names no order" in bare.problems[0]
    named = fixture("order_packed_out") | {"partner_order_id": "SAL-ORD-2026-00042"}
    [packed] = drafts(translate(named, received_at=RECEIVED_AT))
    assert packed.milestone is OrderMilestone.PACKED and packed.order_number == "SAL-ORD-2026-00042"
    assert packed.source_event_id == "shiphero:order:972271706:packed:24156034"


def test_test_deliveries_and_other_webhook_types_are_ignored() -> None:
    assert translate(fixture("test_delivery")).ignored == "ShipHero test delivery (Shipment Update)"
    assert translate({"webhook_type": "Order Allocated", "test": 1}).ignored
    assert "no timeline milestone" in (translate(fixture("inventory_update")).ignored or "")
    assert translate({"webhook_type": "Order Deallocated", "order_id": 1}).ignored


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{not json", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[1, 2]", "must be a JSON object"),
        (b'{"fulfillment": {}}', "no webhook_type"),
    ],
)
def test_unreadable_bodies_are_payload_errors(body: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        translate(body)


def test_unusable_parts_are_problems_naming_what_is_wrong() -> None:
    assert translate({"webhook_type": "Shipment Update"}).problems == (
        "Shipment Update: no fulfillment object",
    )
    no_order = fixture("shipment_update_partial")
    no_order["fulfillment"].update(partner_order_id=None, order_number="")
    assert "names no order" in translate(no_order).problems[0]
    bad_number = fixture("shipment_update_partial")
    bad_number["fulfillment"]["partner_order_id"] = "Order #243"
    assert "'Order #243' is not 1-64 letters" in translate(bad_number).problems[0]
    bad_tracking = fixture("shipment_update_partial")
    bad_tracking["packages"][0]["shipping_label"]["tracking_number"] = "1Z<script>"
    result = translate(bad_tracking)
    assert [e["type"] for e in result.events] == ["io.orderlens.order.partially_shipped"]
    assert result.problems == (
        "Shipment Update: package 1: its tracking number is not 1-64 letters, digits, '.', "
        "'_' or '-'; left unlinked",
    )
    bad_line = fixture("order_allocated")
    bad_line["line_items"][0].update(partner_line_item_id="a b", id=None, sku="")
    assert "a line item has no usable id or sku" in translate(bad_line).problems[0]
    bad_time = fixture("order_allocated") | {"allocated_at": "yesterday"}
    assert translate(bad_time, received_at=RECEIVED_AT).problems == (
        "Order Allocated: timestamp yesterday is not ISO 8601",
    )
    odd_cancel = fixture("order_canceled") | {"fulfillment-status": "on_hold"}
    assert "unknown fulfillment-status 'on_hold'" in translate(odd_cancel).problems[0]


def test_a_duplicated_delivery_yields_the_same_events() -> None:
    for path in SCENARIOS:
        first = translate(path.read_bytes(), received_at=RECEIVED_AT)
        again = translate(path.read_bytes(), received_at=RECEIVED_AT)
        assert first == again
    ids = [
        e["id"]
        for path in SCENARIOS
        for e in translate(path.read_bytes(), received_at=RECEIVED_AT).events
    ]
    assert len(ids) == len(set(ids))  # distinct webhooks never collide


def test_out_of_order_deliveries_keep_their_own_times_and_order_by_occurrence() -> None:
    """The last package's update arrives first, then the first package's, then the
    allocation: each event keeps ShipHero's time, and in occurrence order every milestone
    move is one the timeline accepts."""
    arrival = ["shipment_update_last_package", "shipment_update_partial", "order_allocated"]
    events = [d for name in arrival for d in drafts(translate(fixture(name)))]
    order_events = sorted(
        (d for d in events if d.layer.value == "order"), key=lambda d: d.occurred_at
    )
    assert [d.milestone for d in order_events] == [
        OrderMilestone.ALLOCATED,
        OrderMilestone.PARTIALLY_SHIPPED,
        OrderMilestone.SHIPPED,
    ]
    current = None
    for draft in order_events:
        assert transition_error(current, draft.milestone) is None
        current = draft.milestone
    parcels = {d.shipment_id for d in events if d.layer.value == "shipment"}
    assert parcels == {"415518042-1", "415518042-2"}  # one shipment per parcel
    assert all(parse_event_type(d.type)[1] for d in events)
