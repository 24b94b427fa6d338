"""Every kind of dead letter survives any number of failing replays, and lands once when a
replay finally succeeds (`orderlens deadletters replay`)."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from connectors import PayloadError, Translation
from connectors.cloudevents import CloudEventsConnector
from gateway.cli import main
from gateway.ingest import ReplayReport, list_dead_letters, replay_dead_letters
from gateway.sequencer import NORMALIZED, DeadLetter
from tests.conftest import (
    START,
    Clock,
    Gateway,
    cloud_event,
    make_settings,
    placed,
    running_gateway,
)
from tests.connectors.test_push_endpoint import CONFIG, SECRET, courier_scan, push


@pytest.fixture
async def gw(database_url: str, tmp_path: Path, clock: Clock) -> AsyncIterator[Gateway]:
    """The in-house connector instance of the push tests, beside the Standard Webhooks sources
    of /ingest/events: dead letters come from both endpoints."""
    path = tmp_path / "connectors.toml"
    path.write_text(CONFIG)
    settings = make_settings(
        database_url, tmp_path, connectors_file=path, env={"INHOUSE_SECRET": SECRET}
    )
    async with running_gateway(settings, clock) as gateway:
        yield gateway


TRACKING = "1Z999AA10123456784"
UPS_SHIPMENT = {"id": "SHP-7", "carrier": "ups", "tracking_number": TRACKING}


async def letter(gw: Gateway, letter_id: str) -> DeadLetter:
    async with gw.runtime.engine.connect() as conn:
        [found] = await list_dead_letters(conn, gw.runtime.vault, status=None, ids=[letter_id])
    return found


async def replay_twice_while_failing(gw: Gateway, kept: DeadLetter) -> DeadLetter:
    """Two failing replays: the letter stays pending and listed, its payload untouched."""
    for attempt in (1, 2):
        gw.clock.advance(minutes=5)
        report = await replay_dead_letters(gw.runtime)
        assert report.counts == {"replayed": 0, "failed": 1, "skipped": 0}, report.lines
        assert f"still failing (attempt {attempt})" in report.lines[0]
    now = await letter(gw, kept.id)
    assert (now.status, now.payload, now.attempts) == ("pending", kept.payload, 2)
    assert now.last_attempt_at == gw.clock() and now.replayed_at is None
    assert [d.id for d in await gw.dead_letters()] == [kept.id]  # still listed, no new letter
    return now


async def replay_succeeds_once(gw: Gateway, letter_id: str) -> ReplayReport:
    gw.clock.advance(minutes=5)
    report = await replay_dead_letters(gw.runtime)
    assert report.counts == {"replayed": 1, "failed": 0, "skipped": 0}, report.lines
    done = await letter(gw, letter_id)
    assert (done.status, done.attempts, done.replayed_at) == ("replayed", 3, gw.clock())
    assert await gw.dead_letters() == []
    # Replaying again is a no-op that says so.
    again = await replay_dead_letters(gw.runtime)
    assert again.counts == {"replayed": 0, "failed": 0, "skipped": 0} and again.lines == []
    named = await replay_dead_letters(gw.runtime, ids=[letter_id])
    assert named.counts["skipped"] == 1
    assert named.lines == [f"{letter_id}: already replayed ({gw.clock():%Y-%m-%d %H:%M:%S}); "
                           "nothing to do"]  # fmt: skip
    assert (await letter(gw, letter_id)).attempts == 3
    return report


async def timeline(gw: Gateway, number: str) -> list[tuple[str, str]]:
    query = "query($n: String!) { order(number: $n) { timeline { edges { node { milestone "
    query += "occurredAt } } } } }"
    order = (await gw.graphql(query, {"n": number}))["data"]["order"]
    return [(e["node"]["milestone"], e["node"]["occurredAt"]) for e in order["timeline"]["edges"]]


async def test_a_body_that_is_not_json_keeps_its_payload_across_replays(
    gw: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A sender that pads its buffer with NUL bytes: not JSON for this gateway version.
    body = json.dumps(placed("SO-000040")).encode() + b"\x00\x00"
    answer = await gw.post_events("erp", body, content_type="application/json")
    assert answer.status_code == 400 and "not valid JSON" in answer.json()["error"]
    [kept] = await gw.dead_letters()
    still = await replay_twice_while_failing(gw, kept)
    assert still.reason.startswith("body is not valid JSON")

    read = CloudEventsConnector.translate

    def upgraded(
        self: CloudEventsConnector,
        payload: bytes,
        *,
        content_type: str,
        received_at: datetime | None = None,
    ) -> Translation:
        return read(self, payload.rstrip(b"\x00"), content_type=content_type)

    monkeypatch.setattr(CloudEventsConnector, "translate", upgraded)  # a gateway upgrade
    report = await replay_succeeds_once(gw, kept.id)
    assert report.lines == [f"{kept.id}: ingested (1 accepted)"]
    assert [m for m, _ in await timeline(gw, "SO-000040")] == ["placed"]


async def test_an_invalid_event_stays_pending_however_often_it_is_replayed(
    gw: Gateway, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = placed("SO-000041")
    bad["data"]["colour"] = "red"
    answer = await gw.post_events("erp", [bad])
    assert answer.status_code == 422
    [kept] = await gw.dead_letters()
    still = await replay_twice_while_failing(gw, kept)
    assert still.reason.startswith("data.colour: unknown field")
    assert json.loads(still.payload)["data"]["colour"] == "red"

    settings = gw.runtime.settings
    monkeypatch.setenv("ORDERLENS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ORDERLENS_DATA_DIR", str(settings.data_dir))
    assert await asyncio.to_thread(main, ["deadletters", "list"]) == 0
    [row, total] = capsys.readouterr().out.strip().splitlines()
    assert row.startswith(kept.id) and " 2 replays " in row and "data.colour" in row
    assert total == "1 pending dead letter(s)"


async def test_an_illegal_milestone_move_lands_once_the_missing_event_arrives(gw: Gateway) -> None:
    number = "SO-000042"
    erp: list[dict[str, Any]] = [
        placed(number, time=START),
        cloud_event("order.packed", number, time=START + timedelta(hours=2)),
        cloud_event("order.return_requested", number, time=START + timedelta(days=3)),
    ]
    answer = await gw.post_events("erp", erp)
    assert [r["status"] for r in answer.json()["results"]] == ["accepted", "accepted", "rejected"]
    [kept] = await gw.dead_letters()
    assert kept.content_type == NORMALIZED
    still = await replay_twice_while_failing(gw, kept)
    assert still.reason == (
        f"illegal transition for order {number}: return_requested cannot follow packed"
    )

    shipped = cloud_event("order.shipped", number, time=START + timedelta(days=1))
    assert (await gw.post_events("erp", [shipped])).json()["accepted"] == 1  # the late ERP event
    await replay_succeeds_once(gw, kept.id)
    assert [m for m, _ in await timeline(gw, number)] == [
        "placed",
        "packed",
        "shipped",
        "return_requested",
    ]
    status = await gw.graphql("query($n: String!) { order(number: $n) { status } }", {"n": number})
    assert status["data"]["order"]["status"] == "RETURN_REQUESTED"


async def test_a_connector_payload_its_mapping_could_not_read_lands_after_the_fix(
    gw: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(
        self: CloudEventsConnector,
        payload: bytes,
        *,
        content_type: str,
        received_at: datetime | None = None,
    ) -> Translation:
        raise PayloadError("mapping v1 cannot read this document")

    with monkeypatch.context() as patch:
        patch.setattr(CloudEventsConnector, "translate", broken)
        assert (await push(gw, [placed("SO-000043")], delivery="m1")).status_code == 400
        [kept] = await gw.dead_letters()
        still = await replay_twice_while_failing(gw, kept)
    assert still.reason == "mapping v1 cannot read this document"
    assert still.content_type == "application/json"  # re-translated by its connector
    await replay_succeeds_once(gw, kept.id)
    assert [m for m, _ in await timeline(gw, "SO-000043")] == ["placed"]


async def test_a_parked_courier_scan_refused_on_release_lands_after_the_late_scan(
    gw: Gateway,
) -> None:
    number, t = "SO-000044", START
    back_to_depot = courier_scan("in_transit", TRACKING, time=t + timedelta(hours=30))
    assert (await push(gw, [back_to_depot], delivery="c1")).json()["parked"] == 1

    erp = [
        placed(number, time=t),
        cloud_event("shipment.label_created", number, time=t + timedelta(hours=2),
                    shipment=UPS_SHIPMENT),
        cloud_event("shipment.out_for_delivery", number, time=t + timedelta(hours=26),
                    shipment=UPS_SHIPMENT),
    ]  # fmt: skip
    assert (await gw.post_events("erp", erp)).json()["accepted"] == 3
    for _ in range(100):  # released, and refused, in the background after the linking commit
        letters = await gw.dead_letters()
        if letters:
            break
        await asyncio.sleep(0.02)
    [kept] = letters
    assert kept.source == "inhouse" and kept.content_type == NORMALIZED
    still = await replay_twice_while_failing(gw, kept)
    assert still.reason == (
        "illegal transition for shipment SHP-7: milestone would move backwards from "
        "out_for_delivery to in_transit without an exception or return"
    )

    attempted = cloud_event(
        "shipment.delivery_attempted",
        number,
        time=t + timedelta(hours=28),
        shipment=UPS_SHIPMENT,
        reason="consignee_not_home",
    )
    answer = await gw.post_events("courier", [attempted])
    assert answer.json()["accepted"] == 1, answer.text
    await replay_succeeds_once(gw, kept.id)
    assert [m for m, _ in await timeline(gw, number)] == [
        "placed",
        "label_created",
        "out_for_delivery",
        "delivery_attempted",
        "in_transit",
    ]
