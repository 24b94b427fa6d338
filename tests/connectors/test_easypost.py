"""EasyPost tracker webhooks: signatures, recorded (scrubbed) Events -> normalized events."""

from __future__ import annotations

import hashlib
import hmac
import json
import random
import unicodedata
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path
from typing import Any

import pytest

from connectors import PayloadError, PushConnector, SignatureError, Translation, load
from connectors.easypost import CONNECTOR, MAPPING_VERSION, SOURCE_URI, EasyPostConfig, map_detail
from gateway.events import Reason, ShipmentMilestone
from gateway.timeline.transitions import transition_error
from tests.connectors.golden import drafts

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "easypost"
SCENARIOS = sorted(p.stem for p in FIXTURES.glob("*.json") if not p.stem.endswith(".events"))
SECRET = "whsec-easypost-test-0123456789"
NOW = datetime(2025, 6, 12, 19, 3, tzinfo=UTC)
SM = ShipmentMilestone


def payload(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def translate(body: bytes) -> Translation:
    return CONNECTOR.translate(body, content_type="application/json")


def config(**options: Any) -> EasyPostConfig:
    return EasyPostConfig.model_validate({"webhook_secret": SECRET, **options})


def signature(secret: str, body: bytes) -> str:
    """Computed here independently of the connector, as EasyPost's client libraries do."""
    key = unicodedata.normalize("NFKD", secret).encode("utf-8")
    return "hmac-sha256-hex=" + hmac.new(key, body, hashlib.sha256).hexdigest()


# -- signatures -------------------------------------------------------------------------


def test_valid_signature_gives_the_event_id_and_body_hash_as_delivery_id() -> None:
    body = payload("delivered_signed")
    verified = CONNECTOR.verify(config(), {"X-Hmac-Signature": signature(SECRET, body)}, body, NOW)
    assert verified.delivery_id is not None
    assert verified.delivery_id.startswith("evt_5c1e7a0e9b2f11f0a1b2c3d4e5f60718:")
    # A retry whose envelope changed is a new delivery (its events still deduplicate by id).
    retried = body.replace(b'"id"', b' "id"', 1)
    headers = {"X-Hmac-Signature": signature(SECRET, retried)}
    assert CONNECTOR.verify(config(), headers, retried, NOW).delivery_id != verified.delivery_id
    # Header names are case-insensitive; a duplicated delivery verifies to the same id.
    again = CONNECTOR.verify(config(), {"x-hmac-signature": signature(SECRET, body)}, body, NOW)
    assert again == verified


@pytest.mark.parametrize(
    ("headers", "message"),
    [
        ({}, "missing X-Hmac-Signature"),
        ({"X-Hmac-Signature": ""}, "missing X-Hmac-Signature"),
        ({"X-Hmac-Signature": "sha256=" + "0" * 64}, "hmac-sha256-hex=<64 hex digits>"),
        ({"X-Hmac-Signature": "hmac-sha256-hex=abc"}, "hmac-sha256-hex=<64 hex digits>"),
        ({"X-Hmac-Signature": "hmac-sha256-hex=" + "0" * 64}, "does not match"),
        ({"X-Hmac-Signature": signature("another-secret", b"")}, "does not match"),
    ],
)
def test_missing_malformed_or_wrong_signatures_are_refused(
    headers: dict[str, str], message: str
) -> None:
    body = payload("delivered_signed")
    with pytest.raises(SignatureError, match=message) as caught:
        CONNECTOR.verify(config(), headers, body, NOW)
    assert SECRET not in str(caught.value)


def test_a_tampered_body_is_refused() -> None:
    body = payload("delivered_signed")
    header = signature(SECRET, body)
    tampered = body.replace(b'"signed_by": "J DOE"', b'"signed_by": "MALLORY"')
    assert tampered != body
    with pytest.raises(SignatureError, match="does not match"):
        CONNECTOR.verify(config(), {"X-Hmac-Signature": header}, tampered, NOW)


def test_signature_with_a_wrong_secret_is_refused() -> None:
    body = payload("out_of_order_attempt")
    with pytest.raises(SignatureError, match="does not match"):
        CONNECTOR.verify(config(), {"X-Hmac-Signature": signature(SECRET + "x", body)}, body, NOW)


def test_the_secret_is_nfkd_normalized() -> None:
    composed = "caf\u00e9-\ufb01-secret"  # é precomposed and the "fi" ligature
    body = payload("created_pre_transit")
    nfkd = signature(composed, body)
    raw = "hmac-sha256-hex=" + hmac.new(composed.encode(), body, hashlib.sha256).hexdigest()
    assert nfkd != raw
    cfg = config(webhook_secret=composed)
    assert CONNECTOR.verify(cfg, {"X-Hmac-Signature": nfkd}, body, NOW).delivery_id
    with pytest.raises(SignatureError):
        CONNECTOR.verify(cfg, {"X-Hmac-Signature": raw}, body, NOW)


def test_previous_secret_is_accepted_during_rotation() -> None:
    body = payload("return_to_sender")
    cfg = config(webhook_secret="new-secret-value", previous_webhook_secret=SECRET)
    assert CONNECTOR.verify(cfg, {"X-Hmac-Signature": signature(SECRET, body)}, body, NOW)
    assert CONNECTOR.verify(
        cfg, {"X-Hmac-Signature": signature("new-secret-value", body)}, body, NOW
    )


def test_x_timestamp_when_present_must_be_fresh() -> None:
    body = payload("delivered_signed")
    headers = {"X-Hmac-Signature": signature(SECRET, body)}
    fresh = format_datetime(NOW - timedelta(seconds=90))  # RFC 2822
    assert CONNECTOR.verify(config(), {**headers, "X-Timestamp": fresh}, body, NOW)
    stale = format_datetime(NOW - timedelta(minutes=10))
    with pytest.raises(SignatureError, match="outside the 300 s window"):
        CONNECTOR.verify(config(), {**headers, "X-Timestamp": stale}, body, NOW)
    future = (NOW + timedelta(minutes=6)).isoformat()
    with pytest.raises(SignatureError, match="outside"):
        CONNECTOR.verify(config(), {**headers, "x-timestamp": future}, body, NOW)
    with pytest.raises(SignatureError, match="not an RFC 2822"):
        CONNECTOR.verify(config(), {**headers, "X-Timestamp": "yesterday"}, body, NOW)
    # Without the header (older deliveries) only the body signature can be checked.
    assert CONNECTOR.verify(config(), headers, body, NOW + timedelta(days=30))


def test_a_signed_body_that_is_not_json_has_no_delivery_id() -> None:
    body = b"not json"
    verified = CONNECTOR.verify(config(), {"X-Hmac-Signature": signature(SECRET, body)}, body, NOW)
    assert verified.delivery_id is None
    with pytest.raises(PayloadError, match="not valid JSON"):
        translate(body)


# -- translation ------------------------------------------------------------------------


def test_scenarios_are_recorded() -> None:
    assert {"delivered_signed", "out_of_order_attempt", "not_a_tracker"} <= set(SCENARIOS)


@pytest.mark.parametrize("name", SCENARIOS)
def test_translation_matches_golden_output(name: str) -> None:
    golden = json.loads((FIXTURES / f"{name}.events.json").read_text())
    result = translate(payload(name))
    assert {
        "events": list(result.events),
        "problems": list(result.problems),
        "ignored": result.ignored,
    } == golden


@pytest.mark.parametrize("name", SCENARIOS)
def test_every_event_passes_ingest_validation_in_order(name: str) -> None:
    previous: ShipmentMilestone | None = None
    times = []
    for draft in drafts(translate(payload(name))):
        assert draft.order_number.startswith("tracking:")
        assert draft.source_uri == SOURCE_URI
        assert draft.details["raw"]["mapping_version"] == MAPPING_VERSION
        assert isinstance(draft.milestone, ShipmentMilestone)
        assert transition_error(previous, draft.milestone) is None, draft.source_event_id
        previous = draft.milestone
        times.append(draft.occurred_at)
    assert times == sorted(times)


def test_details_in_any_order_give_the_same_events() -> None:
    document = json.loads(payload("out_of_order_attempt"))
    expected = translate(payload("out_of_order_attempt"))
    assert [e["type"].rsplit(".", 1)[1] for e in expected.events] == [
        "label_created",
        "picked_up",
        "in_transit",
        "out_for_delivery",
        "delivery_attempted",
        "out_for_delivery",
    ]
    details = document["result"]["tracking_details"]
    for seed in range(5):
        random.Random(seed).shuffle(details)
        assert translate(json.dumps(document).encode()) == expected


def test_duplicated_and_overlapping_deliveries_give_the_same_ids() -> None:
    body = payload("delivered_signed")
    first, second = translate(body), translate(body)
    assert [e["id"] for e in first.events] == [e["id"] for e in second.events]
    assert len({e["id"] for e in first.events}) == len(first.events)
    # tracker.created with the first two scans, then tracker.updated with all of them.
    document = json.loads(body)
    document["description"] = "tracker.created"
    document["id"] = "evt_00000000000000000000000000000001"
    document["result"]["tracking_details"] = document["result"]["tracking_details"][:2]
    document["result"]["status"], document["result"]["signed_by"] = "in_transit", None
    early = translate(json.dumps(document).encode())
    assert [e["id"] for e in early.events] == [e["id"] for e in first.events[:2]]


def test_signer_goes_to_proof_of_delivery_only() -> None:
    result = translate(payload("delivered_signed"))
    delivered = result.events[-1]
    assert delivered["type"] == "io.orderlens.shipment.delivered"
    assert delivered["data"]["proof_of_delivery"] == {"signer_name": "J DOE"}
    assert delivered["data"]["reason"] == Reason.DELIVERED_SIGNED
    assert (
        delivered["data"]["raw"]["text"] == "Delivered, Left with Individual, signed by [redacted]"
    )
    for event in result.events:
        public = {k: v for k, v in event["data"].items() if k != "proof_of_delivery"}
        text = json.dumps({**event, "data": public})
        assert "DOE" not in text and "08540" not in text and "07102" not in text
    assert drafts(result)[-1].pii == {"proof_of_delivery": {"signer_name": "J DOE"}}


def test_estimate_rides_on_the_newest_event() -> None:
    events = translate(payload("out_of_order_attempt")).events
    assert events[-1]["data"]["edd"] == {
        "date": "2025-11-19",
        "kind": "scheduled",
        "window_end": "20:00",
    }
    assert all("edd" not in e["data"] for e in events[:-1])
    created = translate(payload("created_pre_transit")).events
    assert created[-1]["data"]["edd"] == {"date": "2025-11-24", "kind": "scheduled"}


def test_unknown_before_known_is_registered_and_after_is_dropped() -> None:
    events = translate(payload("created_pre_transit")).events
    assert [e["type"].rsplit(".", 1)[1] for e in events] == ["registered", "label_created"]
    document = json.loads(payload("created_pre_transit"))
    document["result"]["tracking_details"][1]["datetime"] = "2025-11-21T01:00:00Z"
    later = translate(json.dumps(document).encode()).events
    assert [e["type"].rsplit(".", 1)[1] for e in later] == ["label_created"]


def test_non_tracker_events_are_ignored() -> None:
    result = translate(payload("not_a_tracker"))
    assert result.events == () and result.problems == ()
    assert result.ignored and "batch.updated" in result.ignored


def test_tracker_error_and_unknown_statuses_are_problems() -> None:
    assert "could not track" in translate(payload("tracker_error")).problems[0]
    result = translate(payload("unknown_status"))
    assert any("'in_limbo'" in p for p in result.problems)
    assert any("datetime" in p for p in result.problems)
    assert [e["type"] for e in result.events] == ["io.orderlens.shipment.picked_up"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"{", "not valid JSON"),
        (b"[]", "Event"),
        (b'{"object": "Tracker", "tracking_code": "X"}', "Event"),
        (b'{"object": "Event", "description": "tracker.updated", "result": {}}', "Tracker"),
    ],
)
def test_malformed_payloads_are_refused_with_a_reason(body: bytes, message: str) -> None:
    with pytest.raises(PayloadError, match=message):
        translate(body)


def test_bad_tracking_code_is_a_problem() -> None:
    document = json.loads(payload("return_to_sender"))
    document["result"]["tracking_code"] = "../etc/passwd"
    result = translate(json.dumps(document).encode())
    assert result.events == () and "tracking reference" in result.problems[0]


@pytest.mark.parametrize(
    ("status", "detail", "message", "milestone", "reason"),
    [
        ("unknown", "unknown", "", SM.REGISTERED, None),
        ("pre_transit", "label_created", "Label created", SM.LABEL_CREATED, None),
        ("in_transit", "received_at_origin_facility", "Accepted", SM.PICKED_UP, None),
        ("in_transit", "departed_facility", "Departed", SM.IN_TRANSIT, Reason.DEPARTED_FACILITY),
        ("in_transit", "weather_delay", "Delayed", SM.IN_TRANSIT, Reason.WEATHER_DELAY),
        (
            "in_transit",
            "transferred_to_destination_carrier",
            "",
            SM.IN_TRANSIT,
            Reason.TRANSFERRED_TO_LAST_MILE_CARRIER,
        ),
        ("out_for_delivery", "out_for_delivery", "", SM.OUT_FOR_DELIVERY, None),
        ("available_for_pickup", "arrived_at_pickup_location", "", SM.AVAILABLE_FOR_PICKUP, None),
        ("delivered", "arrived_at_destination", "Delivered", SM.DELIVERED, None),
        ("failure", "refused", "Refused", SM.EXCEPTION, Reason.CONSIGNEE_REFUSED),
        ("failure", "damaged", "", SM.EXCEPTION, Reason.CARRIER_DAMAGED_PARCEL),
        ("failure", "lost", "", SM.EXCEPTION, Reason.CARRIER_PARCEL_LOST),
        ("failure", "missorted", "", SM.EXCEPTION, Reason.CARRIER_SORTING_ERROR),
        (
            "failure",
            "delivery_exception",
            "Notice Left (No Authorized Recipient Available)",
            SM.DELIVERY_ATTEMPTED,
            Reason.CONSIGNEE_NOT_AVAILABLE,
        ),
        (
            "failure",
            "address_correction",
            "Insufficient Address",
            SM.EXCEPTION,
            Reason.CONSIGNEE_INCORRECT_ADDRESS,
        ),
        ("return_to_sender", "return", "Return to Sender Processed", SM.RETURNING, None),
        ("cancelled", "cancelled", "", SM.CANCELLED, None),
    ],
)
def test_mapping_table(
    status: str, detail: str, message: str, milestone: ShipmentMilestone, reason: Reason | None
) -> None:
    mapped = map_detail(status, detail, message)
    assert mapped is not None
    assert (mapped.milestone, mapped.reason) == (milestone, reason)


@pytest.mark.parametrize("status", ["error", "", "in_limbo"])
def test_unknown_statuses_are_not_guessed(status: str) -> None:
    assert map_detail(status, "", "") is None


def test_connector_declaration() -> None:
    assert isinstance(CONNECTOR, PushConnector)
    assert load("easypost") is CONNECTOR
    assert CONNECTOR.kind.value == "courier"
    assert SECRET not in repr(config()) and SECRET not in str(config().model_dump())
    with pytest.raises(TypeError):
        CONNECTOR.verify(object(), {}, b"", NOW)  # type: ignore[arg-type]
