"""UPS Track API v1: recorded (scrubbed) responses -> normalized events, against golden files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from connectors import PayloadError, PullConnector, Translation, load
from connectors.ups import CONNECTOR, MAPPING_VERSION, SOURCE_URI, UpsConfig, map_activity
from gateway.events import Reason, ShipmentMilestone
from gateway.timeline.transitions import transition_error
from tests.connectors.golden import as_golden, drafts

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ups"
SCENARIOS = sorted(p.stem for p in FIXTURES.glob("*.json") if not p.stem.endswith(".events"))
SM = ShipmentMilestone


def payload(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def translate(body: bytes) -> Translation:
    return CONNECTOR.translate(body, content_type="application/json")


def test_scenarios_are_recorded() -> None:
    assert {"out_for_delivery", "delivered_signed", "exception_attempt", "not_found"} <= set(
        SCENARIOS
    )


@pytest.mark.parametrize("name", SCENARIOS)
def test_translation_matches_golden_output(name: str) -> None:
    golden = json.loads((FIXTURES / f"{name}.events.json").read_text())
    assert as_golden(translate(payload(name))) == golden


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_event_passes_ingest_validation_in_order(name: str) -> None:
    result = translate(payload(name))
    previous: ShipmentMilestone | None = None
    times = []
    for draft in drafts(result):
        assert draft.order_number.startswith("tracking:")
        assert draft.source_uri == SOURCE_URI
        assert draft.details["raw"]["mapping_version"] == MAPPING_VERSION
        assert draft.visibility.value == "public"
        assert isinstance(draft.milestone, ShipmentMilestone)
        assert transition_error(previous, draft.milestone) is None, draft.source_event_id
        previous = draft.milestone
        times.append(draft.occurred_at)
    assert times == sorted(times)


def test_newest_first_activities_come_out_oldest_first() -> None:
    result = translate(payload("out_for_delivery"))
    assert [e["type"].rsplit(".", 1)[1] for e in result.events] == [
        "label_created",
        "picked_up",
        "in_transit",
        "in_transit",
        "out_for_delivery",
    ]
    # UTC from gmtDate/gmtTime; the label scan has only a local time and borrows the offset
    # of its nearest neighbour (-04:00): 09:01:02 local is 13:01:02Z.
    assert result.events[0]["time"] == "2025-06-10T13:01:02Z"
    assert result.events[-1]["data"]["edd"] == {
        "date": "2025-06-12",
        "kind": "window",
        "window_start": "12:00",
        "window_end": "16:00",
    }
    assert all("edd" not in e["data"] for e in result.events[:-1])


def test_activity_order_does_not_change_the_events() -> None:
    document = json.loads(payload("exception_attempt"))
    package = document["trackResponse"]["shipment"][0]["package"][0]
    package["activity"] = list(reversed(package["activity"]))
    assert translate(json.dumps(document).encode()) == translate(payload("exception_attempt"))


def test_a_repeated_poll_gives_the_same_ids() -> None:
    first, second = translate(payload("delivered_signed")), translate(payload("delivered_signed"))
    assert [e["id"] for e in first.events] == [e["id"] for e in second.events]
    assert len({e["id"] for e in first.events}) == len(first.events)
    # A poll before the newest scan gave a subset of the same ids.
    document = json.loads(payload("out_for_delivery"))
    package = document["trackResponse"]["shipment"][0]["package"][0]
    package["activity"] = package["activity"][1:]
    ids_then = {e["id"] for e in translate(json.dumps(document).encode()).events}
    ids_now = {e["id"] for e in translate(payload("out_for_delivery")).events}
    assert ids_then < ids_now


def test_signer_goes_to_proof_of_delivery_only() -> None:
    result = translate(payload("delivered_signed"))
    delivered = result.events[-1]
    assert delivered["type"] == "io.orderlens.shipment.delivered"
    assert delivered["data"]["proof_of_delivery"] == {"signer_name": "ROE"}
    assert delivered["data"]["reason"] == Reason.DELIVERED_SIGNED
    assert "ROE" not in delivered["data"]["raw"]["text"]
    assert "[redacted]" in delivered["data"]["raw"]["text"]
    for event in result.events:
        public = {
            **event,
            "data": {k: v for k, v in event["data"].items() if k != "proof_of_delivery"},
        }
        text = json.dumps(public)
        assert "ROE" not in text and "12 ELM ST" not in text and "78701" not in text
    draft = drafts(result)[-1]
    assert draft.pii == {"proof_of_delivery": {"signer_name": "ROE"}}
    assert "proof_of_delivery" not in draft.details


def test_attempts_and_exceptions_carry_reasons() -> None:
    events = translate(payload("exception_attempt")).events
    kinds = [(e["type"].rsplit(".", 1)[1], e["data"].get("reason")) for e in events]
    assert ("exception", "weather_delay") in kinds
    assert ("delivery_attempted", "consignee_not_available") in kinds
    assert events[-1]["data"]["edd"] == {
        "date": "2025-11-19",
        "kind": "rescheduled",
        "window_end": "20:00",
    }


def test_returns_move_to_returning_then_returned() -> None:
    events = translate(payload("returned")).events
    assert [e["type"].rsplit(".", 1)[1] for e in events] == [
        "out_for_delivery",
        "exception",
        "returning",
        "returned",
    ]
    assert events[1]["data"]["reason"] == "consignee_refused"


def test_not_found_warning_is_ignored_not_dead_lettered() -> None:
    result = translate(payload("not_found"))
    assert result.events == () and result.problems == ()
    assert result.ignored and "TW0001" in result.ignored


@pytest.mark.parametrize(("name", "code"), [("invalid_number", "TV1002"), ("auth_error", "250003")])
def test_error_shapes_become_problems(name: str, code: str) -> None:
    result = translate(payload(name))
    assert result.events == ()
    assert len(result.problems) == 1 and code in result.problems[0]


def test_unknown_status_type_is_a_problem_and_the_rest_still_maps() -> None:
    result = translate(payload("unknown_status"))
    assert any("'NA'" in p for p in result.problems)
    assert any("no readable date" in p for p in result.problems)
    assert [e["type"] for e in result.events] == ["io.orderlens.shipment.picked_up"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"<html>", "not valid JSON"),
        (b"\xff\xfe", "not valid JSON"),
        (b"[]", "JSON object"),
        (b'{"shipment": []}', "not a UPS track response"),
        (b'{"trackResponse": {"shipment": {}}}', "must be an array"),
    ],
)
def test_malformed_payloads_are_refused_with_a_reason(body: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        translate(body)


def test_bad_tracking_number_is_a_problem() -> None:
    document = json.loads(payload("returned"))
    document["trackResponse"]["shipment"][0]["package"][0]["trackingNumber"] = "1Z 99/../x"
    result = translate(json.dumps(document).encode())
    assert result.events == () and "tracking reference" in result.problems[0]


@pytest.mark.parametrize(
    ("status_type", "code", "status_code", "description", "milestone", "reason"),
    [
        ("M", "MP", "", "Shipper created a label", SM.LABEL_CREATED, None),
        ("MV", "", "", "Billing information voided", SM.CANCELLED, None),
        ("P", "", "", "Pickup", SM.PICKED_UP, None),
        ("I", "OR", "", "Origin Scan", SM.PICKED_UP, None),
        ("I", "DP", "005", "Departed from Facility", SM.IN_TRANSIT, Reason.DEPARTED_FACILITY),
        ("I", "IP", "", "Import Scan", SM.IN_TRANSIT, Reason.ARRIVED_AT_DESTINATION_COUNTRY),
        (
            "I",
            "XX",
            "092",
            "Customs Clearance in Progress",
            SM.IN_TRANSIT,
            Reason.CUSTOMS_PROCESSING,
        ),
        (
            "I",
            "XX",
            "",
            "Your package was released by the customs agency.",
            SM.IN_TRANSIT,
            Reason.CUSTOMS_RELEASED,
        ),
        ("O", "", "", "Out for delivery", SM.OUT_FOR_DELIVERY, None),
        ("I", "", "161", "Delivered to UPS Access Point", SM.AVAILABLE_FOR_PICKUP, None),
        ("D", "", "", "DELIVERED TO UPS ACCESS POINT", SM.AVAILABLE_FOR_PICKUP, None),
        ("D", "", "", "Picked up by customer", SM.DELIVERED, Reason.PICKED_UP_BY_CUSTOMER),
        (
            "X",
            "",
            "",
            "The receiving business was closed. We'll attempt delivery next business day.",
            SM.DELIVERY_ATTEMPTED,
            Reason.CONSIGNEE_BUSINESS_CLOSED,
        ),
        (
            "X",
            "",
            "062",
            "Delivery Attempted: Funds Required",
            SM.DELIVERY_ATTEMPTED,
            Reason.HELD_FOR_PAYMENT,
        ),
        (
            "X",
            "",
            "",
            "We've misrouted the package. This may cause a delay.",
            SM.EXCEPTION,
            Reason.CARRIER_SORTING_ERROR,
        ),
        ("X", "", "005", "UPS is working to resolve the issue", SM.EXCEPTION, None),
        (
            "X",
            "",
            "",
            "Your package was damaged in transit.",
            SM.EXCEPTION,
            Reason.CARRIER_DAMAGED_PARCEL,
        ),
        ("X", "", "059", "Damage Reported", SM.EXCEPTION, Reason.CARRIER_DAMAGED_PARCEL),
        ("RS", "", "", "Returning to Sender: In Transit", SM.RETURNING, None),
        ("RS", "", "034", "Returned to Sender", SM.RETURNED, None),
        ("W", "", "", "Warehouse scan", SM.IN_TRANSIT, None),
    ],
)
def test_mapping_table(
    status_type: str,
    code: str,
    status_code: str,
    description: str,
    milestone: ShipmentMilestone,
    reason: Reason | None,
) -> None:
    mapped = map_activity(status_type, code, status_code, description)
    assert mapped is not None
    assert (mapped.milestone, mapped.reason) == (milestone, reason)


@pytest.mark.parametrize("status_type", ["NA", "U", "", "Q"])
def test_unknown_types_are_not_guessed(status_type: str) -> None:
    assert map_activity(status_type, "", "", "whatever") is None


def test_connector_declaration() -> None:
    assert isinstance(CONNECTOR, PullConnector)
    assert load("ups") is CONNECTOR
    assert CONNECTOR.kind.value == "courier" and CONNECTOR.mapping_version == MAPPING_VERSION
    config = UpsConfig.model_validate({"client_id": "app-id", "client_secret": "s3cr3t-value"})
    assert "s3cr3t-value" not in repr(config) and "s3cr3t-value" not in str(config.model_dump())
    assert config.base_url == "https://onlinetools.ups.com/api"
    assert config.oauth_url == "https://onlinetools.ups.com/security/v1/oauth/token"
    cie = UpsConfig.model_validate(
        {"client_id": "a", "client_secret": "b", "base_url": "https://wwwcie.ups.com/api/"}
    )
    assert cie.oauth_url == "https://wwwcie.ups.com/security/v1/oauth/token"
    with pytest.raises(ValueError, match="http"):
        UpsConfig.model_validate({"client_id": "a", "client_secret": "b", "base_url": "ftp://x"})
    with pytest.raises(TypeError):
        CONNECTOR.client(object(), None)  # type: ignore[arg-type]
