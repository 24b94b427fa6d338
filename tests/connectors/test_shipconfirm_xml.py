"""XML ship confirmations (X12 945 as XML) -> normalized events: fixtures against golden output,
hostile XML refused, malformed documents, re-delivery and out-of-order arrival.

Regenerate the golden files after a deliberate mapping change with
`ORDERLENS_UPDATE_GOLDEN=1 pytest tests/connectors/test_shipconfirm_xml.py` and review the diff.
"""

from __future__ import annotations

import json
import os
import time
from pathlib import Path

import pytest

from connectors import Kind, PayloadError, PushConnector, Translation, load
from connectors.shipconfirm_xml import CONNECTOR, MAPPING_VERSION
from gateway.events import OrderMilestone, ShipmentMilestone
from gateway.timeline.transitions import transition_error
from tests.connectors.golden import as_golden, drafts

FIXTURES = Path(__file__).parent.parent / "fixtures" / "shipconfirm_xml"
SCENARIOS = sorted(FIXTURES.glob("*.xml"))
# Consignee data in the fixtures' ShipTo blocks: it must never come out.
PERSONAL = [
    "Fixture Person",
    "Synthetic Road",
    "310000",
    "138 0000",
    "Placeholder Customer",
    "Nowhere Ave",
    "89431",
    "Hangzhou",
    "Sparks",
]


def translate(body: bytes | str, content_type: str = "application/xml") -> Translation:
    raw = body.encode() if isinstance(body, str) else body
    return CONNECTOR.translate(raw, content_type=content_type)


def fixture(name: str) -> str:
    return (FIXTURES / f"{name}.xml").read_text()


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_each_fixture_translates_to_its_golden_output(path: Path) -> None:
    translation = translate(path.read_bytes())
    golden = path.with_name(f"{path.stem}.events.json")
    if os.environ.get("ORDERLENS_UPDATE_GOLDEN") == "1":
        golden.write_text(json.dumps(as_golden(translation), indent=2, ensure_ascii=False) + "\n")
    assert as_golden(translation) == json.loads(golden.read_text())
    for draft in drafts(translation):
        assert draft.details["raw"]["mapping_version"] == MAPPING_VERSION
    output = json.dumps(as_golden(translation))
    assert not [word for word in PERSONAL if word in output]


def test_the_connector_is_a_registered_push_connector_for_a_wms() -> None:
    assert load("shipconfirm_xml") is CONNECTOR
    assert isinstance(CONNECTOR, PushConnector) and CONNECTOR.kind is Kind.WMS


def test_a_complete_confirmation_ships_the_order_and_labels_each_parcel() -> None:
    shipped, first, second = drafts(translate(fixture("confirm_complete")))  # namespaced XML
    assert shipped.order_number == "SAL-ORD-2026-00088"
    assert shipped.milestone is OrderMilestone.SHIPPED
    assert [line["quantity"] for line in shipped.details["lines"]] == [1, 2]  # "2.000" is 2
    assert shipped.details["location"] == {
        "hub_id": "PVG1",
        "hub_name": "Pudong Distribution Center",
        "city": "Shanghai",
        "country": "CN",
    }
    assert first.milestone is ShipmentMilestone.LABEL_CREATED
    assert first.occurred_at.isoformat() == "2026-11-21T07:42:00+00:00"  # 15:42 at +08:00
    assert first.details["shipment"]["carrier"] == "ups"  # SCAC UPSN
    assert second.details["packages"] == [
        {"id": "003123450000000024", "tracking_number": "1Z999AA10123456812", "weight_grams": 4250}
    ]
    assert {first.shipment_id, second.shipment_id} == {"PVG1-SHP-0007731-1", "PVG1-SHP-0007731-2"}


def test_back_orders_make_a_partial_shipment_and_cancelled_lines_are_left_out() -> None:
    partial, label = drafts(translate(fixture("confirm_backorder")))
    assert partial.milestone is OrderMilestone.PARTIALLY_SHIPPED
    assert partial.details["raw"]["code"] == "BP"
    assert [line["sku"] for line in partial.details["lines"]] == ["AC-9000-IN"]
    assert label.details["packages"][0]["weight_grams"] == 17237  # 38 lb
    no_status = fixture("confirm_complete").replace("<Status>CC</Status>", "")
    short = no_status.replace(
        "<QuantityShipped>2.000</QuantityShipped>", "<QuantityShipped>1</QuantityShipped>"
    )
    assert drafts(translate(no_status))[0].milestone is OrderMilestone.SHIPPED
    assert drafts(translate(short))[0].milestone is OrderMilestone.PARTIALLY_SHIPPED


def test_unknown_codes_are_problems_not_guesses() -> None:
    result = translate(fixture("confirm_unknown_status"))
    assert [e["type"] for e in result.events] == ["io.orderlens.shipment.label_created"]
    assert "Lines/Line[1]/Status: unknown line status 'ZZ'" in result.problems


def test_test_transmissions_are_ignored() -> None:
    assert translate(fixture("confirm_test_transmission")).ignored == "test transmission (usage=T)"


BILLION_LAUGHS = """<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<ShipmentConfirmation><Header><DepositorOrderNumber>&lol9;</DepositorOrderNumber></Header>
</ShipmentConfirmation>"""
EXTERNAL_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE ShipmentConfirmation [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<ShipmentConfirmation><Header><DepositorOrderNumber>&xxe;</DepositorOrderNumber></Header>
</ShipmentConfirmation>"""
EXTERNAL_DTD = """<?xml version="1.0"?>
<!DOCTYPE ShipmentConfirmation SYSTEM "http://127.0.0.1:9/evil.dtd">
<ShipmentConfirmation/>"""
PARAMETER_ENTITY = """<?xml version="1.0"?>
<!DOCTYPE d [<!ENTITY % remote SYSTEM "http://127.0.0.1:9/x.dtd"> %remote;]>
<ShipmentConfirmation/>"""


@pytest.mark.parametrize(
    "hostile",
    [BILLION_LAUGHS, EXTERNAL_ENTITY, EXTERNAL_DTD, PARAMETER_ENTITY],
    ids=["billion-laughs", "external-entity", "external-dtd", "parameter-entity"],
)
def test_entity_expansion_and_external_references_are_refused(hostile: str) -> None:
    started = time.perf_counter()
    with pytest.raises(PayloadError, match="XML refused") as info:
        translate(hostile)
    assert time.perf_counter() - started < 1.0  # refused before any expansion
    assert "root:" not in str(info.value)  # nothing of /etc/passwd


@pytest.mark.parametrize(
    ("body", "content_type", "message"),
    [
        ("<ShipmentConfirmation>", "application/xml", "not well-formed XML"),
        ("", "application/xml", "not well-formed XML"),
        ("<Order/>", "text/xml", "root element must be ShipmentConfirmation, got 'Order'"),
        (fixture("confirm_complete"), "application/json", "not 'application/json'"),
    ],
)
def test_unreadable_documents_are_payload_errors(
    body: str, content_type: str, message: str
) -> None:
    with pytest.raises(PayloadError, match=message):
        translate(body, content_type)


def test_missing_identity_or_time_are_problems_naming_the_element() -> None:
    complete = fixture("confirm_complete")
    no_order = complete.replace("SAL-ORD-2026-00088", "")
    assert translate(no_order).problems[0].startswith("Header/DepositorOrderNumber: missing")
    naive = complete.replace("2026-11-21T15:42:00+08:00", "2026-11-21T15:42:00")
    assert translate(naive).problems[0].startswith("Header/ShipDateTime")
    bad_tracking = complete.replace("1Z999AA10123456803", "1Z/../../etc")
    result = translate(bad_tracking)
    assert "Packages/Package[1]/TrackingNumber: not 1-64 letters" in result.problems[0]
    assert "no tracking number for package 1" in result.events[0]["data"]["raw"]["text"]
    assert len(result.events) == 2  # the order and the one parcel that can be tracked
    bad_line = complete.replace("<SKU>HOSE-1M</SKU>", "")
    assert "Lines/Line[2]: needs LineNumber, SKU" in translate(bad_line).problems[0]


def test_without_a_shipment_id_the_ids_still_come_from_the_content() -> None:
    body = fixture("confirm_complete").replace("<ShipmentId>PVG1-SHP-0007731</ShipmentId>", "")
    first, again = translate(body), translate(body)
    assert first == again and first.events[0]["id"].startswith("shipconfirm:SAL-ORD-2026-00088-")


def test_a_duplicated_delivery_yields_the_same_events() -> None:
    for path in SCENARIOS:
        assert translate(path.read_bytes()) == translate(path.read_bytes())
    ids = [e["id"] for path in SCENARIOS for e in translate(path.read_bytes()).events]
    assert len(ids) == len(set(ids))


def test_out_of_order_confirmations_keep_their_ship_times() -> None:
    """The back order's confirmation arrives before the first partial one: ordered by ship
    time, partially_shipped then shipped, a move the timeline accepts."""
    arrival = ["confirm_backorder_rest", "confirm_backorder"]
    events = [d for name in arrival for d in drafts(translate(fixture(name)))]
    orders = sorted((d for d in events if d.layer.value == "order"), key=lambda d: d.occurred_at)
    assert [d.milestone for d in orders] == [
        OrderMilestone.PARTIALLY_SHIPPED,
        OrderMilestone.SHIPPED,
    ]
    assert transition_error(orders[0].milestone, orders[1].milestone) is None
    parcels = [d.shipment_id for d in events if d.layer.value == "shipment"]
    assert len(parcels) == len(set(parcels)) == 3
