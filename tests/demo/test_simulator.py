"""The demo simulator speaks each system's native format: every delivery passes its
connector's own signature check and translates into exactly the steps that were planned."""

from __future__ import annotations

import asyncio
import re
from collections import Counter, defaultdict
from datetime import datetime, timedelta

from gateway.demo import PUSHED, Simulator
from gateway.events.taxonomy import Layer, Milestone, parse_event_type
from gateway.timeline.transitions import transition_error
from tests.demo.endpoints import (
    START,
    Endpoints,
    Event,
    as_json,
    backfilled,
    kind,
    pulled,
)

ORDER_NUMBER = re.compile(r"SAL-ORD-20\d\d-\d{5}")


def all_events(endpoints: Endpoints, sim: Simulator) -> list[tuple[str, Event]]:
    return list(endpoints.events()) + [("ups", e) for e in pulled(sim.ups)]


def orders_of_parcels(events: list[tuple[str, Event]]) -> dict[str, str]:
    """Tracking number -> order, from the warehouses' labels (how the gateway links them)."""
    return {
        e["data"]["shipment"]["tracking_number"]: e["subject"]
        for _, e in events
        if kind(e) == "shipment.label_created"
    }


def keyed(events: list[tuple[str, Event]]) -> set[tuple[str, str, str, str | None]]:
    """(system, order, milestone, parcel) of each translated event."""
    parcels = orders_of_parcels(events)
    found = set()
    for system, event in events:
        subject = event["subject"]
        number = event["data"].get("shipment", {}).get("tracking_number")
        order = parcels[subject.removeprefix("tracking:")] if ":" in subject else subject
        found.add((system, order, kind(event), number if "shipment" in kind(event) else None))
    return found


# --- native formats --------------------------------------------------------------------------


def test_backfill_speaks_each_system_natively(history: tuple[Endpoints, Simulator]) -> None:
    endpoints, sim = history
    stats = sim.stats
    assert stats.orders == 60 and stats.ups_scans > 0
    assert stats.failures == stats.rejected == stats.problems == stats.dropped == 0, stats
    assert stats.deliveries == len(endpoints.received) == sum(stats.by_system.values())
    assert set(stats.by_system) == set(PUSHED)
    names: dict[str, set[str]] = defaultdict(set)
    for delivery in endpoints.received:
        if delivery.system == "erp":
            document = as_json(delivery)
            assert document["doctype"] == "Sales Order" and document["docstatus"] in (1, 2)
            names["erp"].add(document["name"])
        elif delivery.system == "wms":
            body = as_json(delivery)
            kinds = {"Order Allocated", "Order Packed Out", "Order Canceled", "Shipment Update"}
            assert body["webhook_type"] in kinds
            names["wms"].add(body.get("fulfillment", body)["partner_order_id"])
        elif delivery.system == "wms-xml":
            found = re.search(rb"<DepositorOrderNumber>(.+?)<", delivery.body)
            assert delivery.body.startswith(b"<?xml") and found
            names["wms-xml"].add(found[1].decode())
        elif delivery.system == "easypost":
            event = as_json(delivery)
            assert event["object"] == "Event" and event["result"]["object"] == "Tracker"
            assert event["description"] in {"tracker.created", "tracker.updated"}
        else:
            assert delivery.headers["content-type"] == "application/cloudevents-batch+json"
            names["inhouse"] |= {e["subject"] for e in as_json(delivery)}
    # One order number everywhere: the ERPNext Sales Order's name.
    assert len(names["erp"]) >= 50 and all(ORDER_NUMBER.fullmatch(n) for n in names["erp"])
    assert names["wms"] | names["wms-xml"] | names["inhouse"] <= names["erp"]


def test_native_payloads_translate_into_the_planned_steps(
    history: tuple[Endpoints, Simulator],
) -> None:
    endpoints, sim = history
    got = keyed(all_events(endpoints, sim))
    planned = {
        (
            s.system,
            s.order,
            s.kind,
            str(s.native["tracking"]) if s.layer is Layer.SHIPMENT else None,
        )
        for s in sim.reported()
    }
    assert got <= planned, sorted(got - planned)[:5]  # nothing the simulator did not mean
    reported = sim.reported()
    late = {
        (s.system, s.order, s.kind, str(s.native["tracking"]))
        for s in reported
        if s.native.get("late")
    }
    held = planned - got  # only scans a carrier has yet to upload
    assert held <= late and len(held) <= 5, sorted(held)


SYSTEM_KINDS = {
    "erp": {"order.placed", "order.on_hold", "order.cancelled", "order.partially_shipped"},
    "wms": {"order.allocated", "order.packed", "order.cancelled", "order.partially_shipped"},
    "wms-xml": {"order.shipped", "shipment.label_created"},
    "inhouse": {"order.confirmed", "order.payment_captured", "order.refunded"},
}
SYSTEM_KINDS["erp"] |= {"order.shipped"}
SYSTEM_KINDS["wms"] |= {"order.shipped", "shipment.label_created"}


def test_each_system_reports_only_what_it_knows(history: tuple[Endpoints, Simulator]) -> None:
    by_system: dict[str, set[str]] = defaultdict(set)
    for system, event in all_events(*history):
        by_system[system].add(kind(event))
    for system, kinds in SYSTEM_KINDS.items():
        extra = {k for k in by_system[system] - kinds if not k.startswith("service.")}
        assert not extra, (system, extra)
    assert all(k.startswith("service.") for k in by_system["inhouse"] - SYSTEM_KINDS["inhouse"])
    for courier in ("easypost", "ups"):
        assert by_system[courier] and all(k.startswith("shipment.") for k in by_system[courier])
        assert "shipment.label_created" not in by_system[courier]
    assert by_system["erp"] >= {"order.placed", "order.shipped", "order.on_hold"}
    assert by_system["wms"] >= {"order.allocated", "shipment.label_created"}


def illegal_moves(events: list[tuple[str, Event]]) -> list[tuple[str, str, str, str]]:
    """Per order (and per parcel), moves in time order that the gateway's own rules refuse."""
    parcels = orders_of_parcels(events)
    streams: dict[tuple[str, str], dict[str, tuple[datetime, Milestone]]] = defaultdict(dict)
    for _, event in events:
        layer, milestone = parse_event_type(event["type"])
        if layer is Layer.SERVICE:
            continue
        subject = event["subject"]
        order = parcels[subject.removeprefix("tracking:")] if ":" in subject else subject
        stream = event["data"]["shipment"]["tracking_number"] if layer is Layer.SHIPMENT else ""
        streams[order, stream][event["id"]] = (datetime.fromisoformat(event["time"]), milestone)
    problems = []
    for (order, stream), items in streams.items():
        state: Milestone | None = None
        for _, milestone in sorted(items.values(), key=lambda item: item[0]):
            if (error := transition_error(state, milestone)) is not None:
                problems.append((order, stream, str(state), error))
            state = milestone
    return problems


def test_every_order_moves_legally_in_time(history: tuple[Endpoints, Simulator]) -> None:
    """So none of the events will be dead-lettered as an illegal transition."""
    assert illegal_moves(all_events(*history)) == []


def test_history_has_every_stage_and_incident(history: tuple[Endpoints, Simulator]) -> None:
    events = all_events(*history)
    parcels = orders_of_parcels(events)
    by_order: dict[str, set[str]] = defaultdict(set)
    for _, event in events:
        subject = event["subject"]
        by_order[parcels.get(subject.removeprefix("tracking:"), str(subject))].add(kind(event))
    assert sum(k <= {"order.placed", "order.payment_captured"} for k in by_order.values()) >= 1
    assert sum("shipment.delivered" in k for k in by_order.values()) >= 15
    moving = [k for k in by_order.values() if "shipment.in_transit" in k]
    assert sum("shipment.delivered" not in k for k in moving) >= 5
    cancelled = [k for k in by_order.values() if "order.cancelled" in k]
    assert cancelled and all("shipment.label_created" not in k for k in cancelled)
    kinds = Counter(kind(e) for _, e in events)
    for incident in ("order.on_hold", "shipment.exception", "shipment.delivery_attempted"):
        assert kinds[incident] >= 1, incident
    assert kinds["service.installation_booked"] >= 1
    labels = [e for _, e in events if kind(e) == "shipment.label_created"]
    per_order = Counter(e["subject"] for e in labels)
    assert max(per_order.values()) == 2  # split orders: parcels and a large appliance
    carriers = {e["data"]["shipment"]["carrier"] for e in labels}
    assert {"sfexpress", "jdlogistics", "ups"} <= carriers
    countries = {e["data"].get("location", {}).get("country") for _, e in events} - {None}
    assert "CN" in countries and len(countries) >= 3
    promised = {
        e["subject"]: e["data"]["promised_date"] for _, e in events if kind(e) == "order.placed"
    }
    estimates = [e for _, e in events if "edd" in e["data"]]
    order_of = {e["id"]: parcels[e["subject"].removeprefix("tracking:")] for e in estimates}
    slips = [e for e in estimates if e["data"]["edd"]["date"] > promised[order_of[e["id"]]]]
    assert slips  # a carrier's estimate moved past the merchant's promise


def test_duplicates_are_resent_deliveries_and_scans_arrive_late(
    history: tuple[Endpoints, Simulator],
) -> None:
    endpoints, sim = history
    ids = {"wms": "x-shiphero-message-id", "wms-xml": "webhook-id", "inhouse": "webhook-id"}
    seen: dict[tuple[str, bytes], dict[str, str]] = {}
    repeats = 0
    for delivery in endpoints.received:
        key = (delivery.system, delivery.body)
        if key in seen:  # the same bytes under the same delivery id, as senders retry
            repeats += 1
            name = ids.get(delivery.system)
            assert name is None or seen[key][name] == delivery.headers[name]
        seen[key] = delivery.headers
    assert repeats == sim.stats.duplicates_sent >= 1
    # EasyPost: a scan first shown after an update that already showed a later one.
    newest: dict[str, datetime] = {}
    shown: set[tuple[str, str]] = set()
    late = 0
    for delivery in endpoints.received:
        if delivery.system != "easypost":
            continue
        tracker = as_json(delivery)["result"]
        code = tracker["tracking_code"]
        for detail in tracker["tracking_details"]:
            when = datetime.fromisoformat(detail["datetime"])
            if (code, detail["datetime"]) not in shown and when < newest.get(code, when):
                late += 1
            shown.add((code, detail["datetime"]))
        times = [datetime.fromisoformat(d["datetime"]) for d in tracker["tracking_details"]]
        newest[code] = max([*times, newest.get(code, min(times, default=START))])
    assert late >= 1 and sim.stats.late_scans >= late


async def test_same_seed_same_bytes_other_seed_other_payloads() -> None:
    first, _ = await backfilled(orders=12)
    again, _ = await backfilled(orders=12)
    other, _ = await backfilled(orders=12, seed=8)

    def bodies(endpoints: Endpoints) -> list[bytes]:
        return [d.body for d in endpoints.received]

    assert bodies(first) == bodies(again)
    orders = [
        {e["subject"] for _, e in x.events() if kind(e) == "order.placed"} for x in (first, other)
    ]
    assert orders[0] and orders[0] != orders[1]
    assert set(bodies(first)).isdisjoint(bodies(other))


# --- live ----------------------------------------------------------------------------------


async def test_run_live_advances_orders() -> None:
    endpoints, sim = await backfilled(orders=15)
    backfilled_orders = {e["subject"] for _, e in endpoints.events()}
    before = len(endpoints.received)
    stop = asyncio.Event()

    def step() -> None:  # each request is a minute later; stop after a few live ticks
        endpoints.clock.now += timedelta(minutes=1)
        if endpoints.requests >= before + 40:
            stop.set()

    endpoints.on_request = step
    await asyncio.wait_for(sim.run_live(stop), timeout=5)
    assert len(endpoints.received) > before
    events = all_events(endpoints, sim)
    parcels = orders_of_parcels(events)
    live = [e for d in endpoints.received[before:] for e in d.events]
    scanned = {parcels[e["subject"].removeprefix("tracking:")] for e in live if ":" in e["subject"]}
    assert scanned & backfilled_orders  # old orders got further along the road
    assert {e["subject"] for e in live if kind(e) == "order.placed"} - backfilled_orders  # new
    assert illegal_moves(events) == []  # hurried along, still in a legal order
    assert sim.stats.failures == sim.stats.problems == 0
