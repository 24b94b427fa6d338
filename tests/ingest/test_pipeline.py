"""The pipeline's contracts on their own: a source's check, and the two answer styles."""

from __future__ import annotations

import json
from datetime import UTC, datetime

import pytest

from connectors.sdk import PayloadError
from gateway.ingest import (
    CLOUDEVENTS_ANSWER,
    CONNECTOR_ANSWER,
    cloudevents_source,
    normalized_source,
)
from gateway.ingest.answers import answer, unreadable
from gateway.sequencer import NORMALIZED
from tests.conftest import cloud_event, placed

NOW = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)


def test_the_cloudevents_source_checks_each_event_on_its_own() -> None:
    source = cloudevents_source("erp")
    body = json.dumps([placed(), cloud_event("order.teleported", id="bad-1")]).encode()
    checks = source.check(body, "application/json", NOW)
    good, bad = checks.events
    assert good.draft is not None and good.draft.source == "erp" and not good.errors
    assert bad.draft is None and bad.event_id == "bad-1"
    assert "unknown order milestone 'teleported'" in bad.errors[0]
    assert (checks.problems, checks.ignored) == ((), None)
    assert source.rejects_as == "application/json" and not source.require_known_order
    with pytest.raises(PayloadError, match="batch is empty"):
        source.check(b"[]", "application/json", NOW)


def test_the_cloudevents_format_cannot_name_a_tracking_number() -> None:
    """Why /ingest/events never parks: only connector events may wait for a tracking link."""
    scan = cloud_event("shipment.in_transit", "tracking:1Z999", shipment={"id": "1Z999"})
    body = json.dumps([scan]).encode()
    [refused] = cloudevents_source("courier").check(body, "application/json", NOW).events
    assert refused.draft is None and refused.errors[0].startswith("subject:")
    [linkable] = normalized_source("courier").check(body, NORMALIZED, NOW).events
    assert linkable.draft is not None and linkable.draft.order_number == "tracking:1Z999"


def test_each_answer_style_keeps_its_endpoints_contract() -> None:
    results = {0: {"index": 0, "status": "rejected"}, 1: {"index": 1, "status": "rejected"}}
    status, body = answer(CLOUDEVENTS_ANSWER, "erp", "msg_1", results)
    assert status == 422
    assert list(body) == ["source", "webhook_id", "accepted", "duplicate", "rejected", "results"]
    status, body = answer(CONNECTOR_ANSWER, "inhouse", "d1", results)
    assert status == 207
    assert list(body) == ["source", "accepted", "duplicate", "parked", "rejected", "results"]
    assert answer(CONNECTOR_ANSWER, "inhouse", "d1", {})[0] == 200
    assert unreadable(CLOUDEVENTS_ANSWER, "erp", "bad", "L1") == (
        400,
        {"error": "bad", "dead_letter_id": "L1"},
    )
    assert unreadable(CONNECTOR_ANSWER, "inhouse", "bad", "L1")[1]["source"] == "inhouse"
