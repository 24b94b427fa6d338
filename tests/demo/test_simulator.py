"""The demo simulator, against a fake endpoint that checks signatures and records what arrives."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from typing import Any

import httpx
import pytest

from gateway.demo import Simulator, SimulatorConfig, SimulatorStats
from gateway.events.taxonomy import Layer, Reason, parse_event_type
from gateway.ingest.webhooks import WebhookSecret, verify
from tests.conftest import SECRETS as GATEWAY_SECRETS
from tests.conftest import Gateway

START = datetime(2026, 11, 20, 8, 0, 17, tzinfo=UTC)
SECRETS = {name: WebhookSecret.generate() for name in ("erp", "wms", "courier")}
Event = dict[str, Any]


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@dataclass
class Endpoint:
    """POST /ingest/events stand-in: verifies Standard Webhooks, records every delivery."""

    clock: Clock
    status: Callable[[int], int] = lambda n: 200
    deliveries: list[tuple[str, str, bytes]] = field(default_factory=list)  # source, id, body
    requests: int = 0
    on_request: Callable[[], None] = lambda: None

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        self.on_request()
        assert request.url.path == "/ingest/events"
        assert request.headers["content-type"] == "application/cloudevents-batch+json"
        delivery = verify(SECRETS, request.headers, request.content, int(self.clock().timestamp()))
        status = self.status(self.requests)
        if status != 200:
            return httpx.Response(status, json={"error": "simulated"})
        self.deliveries.append((delivery.source, delivery.webhook_id, request.content))
        events = json.loads(request.content)
        return httpx.Response(200, json={"accepted": len(events), "duplicate": 0, "rejected": 0})

    def events(self) -> list[tuple[str, Event]]:
        return [(src, e) for src, _, body in self.deliveries for e in json.loads(body)]

    def unique(self) -> list[Event]:
        seen: set[str] = set()
        firsts = []
        for _, event in self.events():
            if event["id"] not in seen:
                seen.add(event["id"])
                firsts.append(event)
        return firsts


def simulator(endpoint: Endpoint, **config: Any) -> Simulator:
    client = httpx.AsyncClient(transport=httpx.MockTransport(endpoint))
    settings = SimulatorConfig("http://gateway.test", SECRETS, **{"live_interval": 0.001} | config)
    return Simulator(settings, client, clock=endpoint.clock)


async def backfilled(**config: Any) -> tuple[Endpoint, Simulator, SimulatorStats]:
    endpoint = Endpoint(Clock())
    sim = simulator(endpoint, **config)
    return endpoint, sim, await sim.backfill()


@pytest.fixture(scope="module")
def history() -> tuple[Endpoint, SimulatorStats]:
    endpoint, _, stats = asyncio.run(backfilled())
    return endpoint, stats


# --- the input schema of POST /ingest/events, restated independently -----------------------

TOP = {"specversion", "id", "source", "type", "subject", "time", "datacontenttype", "data"}
SHAPES = {
    "raw": {"code", "text", "mapping_version"},
    "shipment": {"id", "carrier", "tracking_number", "service_level"},
    "location": {"city", "region", "country", "hub_id", "hub_name"},
    "edd": {"date", "window_start", "window_end", "kind"},
}
# Personal data: only under these keys (sealed by the gateway), only on these event kinds.
PII_KEYS = {
    "contact": {"name", "phone", "email"},
    "delivery_address": {"country", "region", "city", "district", "street", "postal_code"},
    "proof_of_delivery": {"signer_name", "photo_ref"},
}
PII_KINDS = {
    "contact": {"order.placed", "order.confirmed"},
    "delivery_address": {"order.placed", "order.confirmed"},
    "proof_of_delivery": {"shipment.delivered"},
}
INTERNAL = {"allocated", "picking", "picked"}
CLOCK = re.compile(r"^([01]\d|2[0-3]):[0-5]\d$")
TIME = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d)$")


def schema_problems(event: Event) -> Iterator[str]:
    if set(event) != TOP or event["specversion"] != "1.0" or not event["id"]:
        yield "envelope"
    if event["datacontenttype"] != "application/json" or not TIME.match(event["time"]):
        yield "datacontenttype or time"
    if not re.fullmatch(r"urn:demo:(erp|wms|courier:[a-z-]+)", event["source"]):
        yield "source"
    if not re.fullmatch(r"SO-\d{6}", event["subject"]):
        yield "subject"
    layer, milestone = parse_event_type(event["type"])
    data = event["data"]
    allowed = set(SHAPES) | set(PII_KEYS) | {"reason", "visibility", "packages", "promised_date"}
    yield from (f"unknown key {k}" for k in set(data) - allowed - {"customer_ref", "lines"})
    for key, keys in SHAPES.items():
        if key in data and (not set(data[key]) <= keys or not all(data[key].values())):
            yield f"{key} shape"
    for key, keys in PII_KEYS.items():
        if key in data and (not set(data[key]) <= keys or not all(data[key].values())):
            yield f"{key} shape"
        if key in data and f"{layer.value}.{milestone}" not in PII_KINDS[key]:
            yield f"{key} on {layer.value}.{milestone}"
    if "reason" in data and data["reason"] not in set(Reason):
        yield "reason"
    if data.get("visibility") not in {"public", "customer", "internal"}:
        yield "visibility"
    if milestone in INTERNAL and data["visibility"] != "internal":
        yield "warehouse steps are internal"
    if layer is Layer.SHIPMENT and "id" not in data.get("shipment", {}):
        yield "shipment.id required"
    if layer is not Layer.SHIPMENT and {"shipment", "packages", "edd"} & set(data):
        yield "shipment-only field"
    if layer is not Layer.ORDER and {"promised_date", "customer_ref", "lines"} & set(data):
        yield "order-only field"
    if not re.fullmatch(r"[A-Z]{2}", data.get("location", {}).get("country", "CN")):
        yield "country"
    for package in data.get("packages", []):
        if set(package) != {"id", "tracking_number", "weight_grams"} or package["weight_grams"] < 1:
            yield "package"
    if "edd" in data:
        edd = data["edd"]
        date.fromisoformat(edd["date"])
        if edd["kind"] not in {"scheduled", "rescheduled", "window"}:
            yield "edd.kind"
        if not all(CLOCK.match(edd[k]) for k in ("window_start", "window_end") if k in edd):
            yield "edd window"
    if "promised_date" in data:
        date.fromisoformat(data["promised_date"])
    if milestone == "placed":
        if not re.fullmatch(r"[A-Za-z0-9_-]{1,64}", data.get("customer_ref", "")):
            yield "customer_ref"
        if set(data.get("contact", {})) != PII_KEYS["contact"]:
            yield "order.placed carries the customer's contact"
        if set(data.get("delivery_address", {})) != PII_KEYS["delivery_address"]:
            yield "order.placed carries the delivery address"
        lines = data.get("lines") or [{}]
        for line in lines:
            if set(line) != {"line_id", "sku", "description", "quantity"} or line["quantity"] < 1:
                yield "line"
    elif {"customer_ref", "lines"} & set(data):
        yield "customer_ref and lines belong on order.placed"


def at(event: Event) -> datetime:
    return datetime.fromisoformat(event["time"])


def kind(event: Event) -> str:
    return str(event["type"]).removeprefix("io.orderlens.")


def shipment_of(event: Event) -> str | None:
    shipment: dict[str, str] = event["data"].get("shipment", {})
    return shipment.get("id")


def strings(value: object, skip: frozenset[str] = frozenset()) -> Iterator[str]:
    """Every string in `value` (keys included), except under the keys in `skip`."""
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for key, item in value.items():
            if key not in skip:
                yield key
                yield from strings(item, skip)
    elif isinstance(value, list):
        for item in value:
            yield from strings(item, skip)


# --- backfill ------------------------------------------------------------------------------


def test_backfill_is_valid_input(history: tuple[Endpoint, SimulatorStats]) -> None:
    endpoint, stats = history
    events = endpoint.events()
    assert stats.orders == 60
    assert len({e["subject"] for _, e in events}) >= 50
    assert stats.failures == stats.rejected == stats.dropped == 0
    assert stats.events_sent == len(events) and stats.batches == len(endpoint.deliveries)
    assert len({webhook_id for _, webhook_id, _ in endpoint.deliveries}) == stats.batches
    assert all(len(json.loads(body)) <= 50 for _, _, body in endpoint.deliveries)
    for _, event in events:
        assert list(schema_problems(event)) == [], event
        assert at(event) <= START


def test_each_source_posts_only_its_own_layers(history: tuple[Endpoint, SimulatorStats]) -> None:
    erp = {"order.placed", "order.confirmed", "order.payment_captured", "order.cancelled"}
    erp |= {"order.refunded"}
    wms = {"order.backordered", "order.allocated", "order.picking", "order.picked"}
    wms |= {"order.packed", "shipment.label_created"}
    for source, event in history[0].events():
        if source == "erp":
            assert kind(event) in erp or kind(event).startswith("service."), event
            assert event["source"] == "urn:demo:erp"
        elif source == "wms":
            assert kind(event) in wms and event["source"] == "urn:demo:wms", event
        else:
            assert kind(event).startswith("shipment.") and kind(event) not in wms, event
            assert event["source"].startswith("urn:demo:courier:")


ORDER_RANK = {"placed": 0, "confirmed": 1, "payment_captured": 2, "backordered": 3}
ORDER_RANK |= {"allocated": 4, "picking": 5, "picked": 6, "packed": 7, "cancelled": 8}
ORDER_RANK |= {"refunded": 9}
SHIPMENT_RANK = {"label_created": 0, "picked_up": 1, "in_transit": 2, "exception": 2}
SHIPMENT_RANK |= {"out_for_delivery": 3, "delivery_attempted": 3, "delivered": 4}
SERVICE_RANK = {"installation_offered": 0, "installation_booked": 1, "technician_en_route": 2}
SERVICE_RANK |= {"technician_on_site": 3, "commissioned": 4}
RANKS = {"order": ORDER_RANK, "shipment": SHIPMENT_RANK, "service": SERVICE_RANK}


def assert_plausible(events: list[Event], *, paced: bool = True) -> None:
    """Per order, each layer (and each shipment) moves forward in time; pacing is realistic.

    Live mode hurries orders along on purpose, so its pacing is not checked.
    """
    streams: dict[tuple[str, str], list[tuple[datetime, int, Event]]] = defaultdict(list)
    for event in events:
        layer, milestone = kind(event).split(".")
        stream = event["data"]["shipment"]["id"] if layer == "shipment" else layer
        streams[event["subject"], stream].append((at(event), RANKS[layer][milestone], event))
    for (order, stream), items in streams.items():
        items.sort(key=lambda item: item[:2])
        ranks = [rank for _, rank, _ in items]
        assert ranks == sorted(ranks), (order, stream, [kind(e) for *_, e in items])
        first = {kind(e): when for when, _, e in reversed(items)}
        if stream == "order":
            assert kind(items[0][2]) == "order.placed"
            if paced and "order.payment_captured" in first:
                assert first["order.payment_captured"] - first["order.placed"] < timedelta(
                    minutes=20
                )
        elif stream != "service":
            packed = min(
                at(e) for e in events if e["subject"] == order and kind(e) == "order.packed"
            )
            assert kind(items[0][2]) == "shipment.label_created" and items[0][0] >= packed
            if paced and "shipment.delivered" in first:
                transit = first["shipment.delivered"] - first["shipment.picked_up"]
                assert timedelta(hours=10) < transit < timedelta(days=12)


SHIPMENT_KINDS_AFTER_PICKUP = {f"shipment.{m}" for m, rank in SHIPMENT_RANK.items() if rank >= 2}


def test_milestones_follow_a_plausible_order(history: tuple[Endpoint, SimulatorStats]) -> None:
    assert_plausible(history[0].unique())


def test_history_has_every_stage_and_incident(history: tuple[Endpoint, SimulatorStats]) -> None:
    events = sorted(history[0].unique(), key=at)
    kinds = Counter(kind(e) for e in events)
    by_order: dict[str, set[str]] = defaultdict(set)
    for event in events:
        by_order[event["subject"]].add(kind(event))
    erp_only = {"order.placed", "order.confirmed", "order.payment_captured"}
    erp_only.add("service.installation_offered")
    assert sum(kinds <= erp_only for kinds in by_order.values()) >= 1  # just placed
    assert sum("shipment.delivered" in kinds for kinds in by_order.values()) >= 15
    in_transit = [k for k in by_order.values() if "shipment.in_transit" in k]
    assert sum("shipment.delivered" not in k for k in in_transit) >= 5
    cancelled = [k for k in by_order.values() if "order.cancelled" in k]
    assert cancelled and all("shipment.label_created" not in k for k in cancelled)

    def after(event: Event) -> list[Event]:
        return [e for e in events if shipment_of(e) == shipment_of(event) and at(e) > at(event)]

    attempts = [e for e in events if kind(e) == "shipment.delivery_attempted"]
    assert attempts and all(e["data"]["reason"] == "consignee_not_home" for e in attempts)
    for attempt in attempts:  # the van comes back the next day
        if later := after(attempt):
            assert kind(later[0]) == "shipment.out_for_delivery"
            assert at(later[0]).date() == at(attempt).date() + timedelta(days=1)
    exceptions = [e for e in events if kind(e) == "shipment.exception"]
    assert exceptions
    for exception in exceptions:  # followed by recovery, with a later estimate
        if later := after(exception):
            assert kind(later[0]) == "shipment.in_transit"
            assert later[0]["data"]["edd"]["kind"] == "rescheduled"
    promised: dict[str, str] = {}
    for event in events:
        promised[event["subject"]] = event["data"].get(
            "promised_date", promised.get(event["subject"])
        )
    slips = [
        e
        for e in events
        if e["data"].get("edd", {}).get("kind") == "rescheduled"
        and e["data"]["edd"]["date"] > promised[e["subject"]]
    ]
    assert slips
    shipments: dict[str, set[str | None]] = defaultdict(set)
    for event in events:
        shipments[event["subject"]].add(shipment_of(event))
    assert any(len(ids - {None}) == 2 for ids in shipments.values())  # split orders
    carriers = {e["data"]["shipment"]["carrier"] for e in events if shipment_of(e)}
    assert {"sf-express", "jd-logistics"} <= carriers and carriers & {"dhl", "ups"}
    countries = {e["data"]["location"]["country"] for e in events if "location" in e["data"]}
    assert "CN" in countries and len(countries) >= 3
    assert kinds["service.installation_booked"] >= 1


def test_duplicates_and_out_of_order_posts(history: tuple[Endpoint, SimulatorStats]) -> None:
    endpoint, stats = history
    sent = endpoint.events()
    copies = Counter(json.dumps(e, sort_keys=True) for _, e in sent)
    ids = Counter(e["id"] for _, e in sent)
    assert stats.duplicates_sent == sum(n - 1 for n in ids.values()) >= 1
    assert sum(n - 1 for n in copies.values()) == stats.duplicates_sent  # byte-identical re-sends
    assert all(src == "courier" for src, e in sent if ids[e["id"]] > 1)
    arrivals: dict[str, list[datetime]] = defaultdict(list)
    for event in endpoint.unique():
        if event["source"].startswith("urn:demo:courier:"):
            arrivals[event["data"]["shipment"]["id"]].append(at(event))
    disordered = [s for s, times in arrivals.items() if times != sorted(times)]
    assert len(disordered) >= 1 and stats.reordered_sent >= 1


PHONE = re.compile(r"\+\d|(?:\d[ -]?){9,}")
STREET = re.compile(
    r"\b(street|straße|strasse|st\.|road|rd\.|avenue|ave|boulevard|blvd|lane|alley|apartment|"
    r"apt|suite|flat|unit|blk|floor|room|building|lu|jie|hao|dao)\b|[路街道号栋室楼层]",
    re.IGNORECASE,
)
PERSONAL = frozenset(PII_KEYS)


def test_personal_data_only_where_the_gateway_seals_it(
    history: tuple[Endpoint, SimulatorStats],
) -> None:
    """Outside data.contact, data.delivery_address and data.proof_of_delivery: no PII at all."""
    endpoint, _ = history
    carried: Counter[tuple[str, str]] = Counter()
    for _, event in endpoint.events():
        outside = {k: v for k, v in event.items() if k != "data"}
        outside["data"] = {k: v for k, v in event["data"].items() if k not in PERSONAL}
        assert "@" not in json.dumps(outside, ensure_ascii=False), event
        # The CloudEvent id (a UUID) and time are digit runs by nature; so are tracking numbers.
        for text in strings(event, skip=PERSONAL | {"id", "time", "tracking_number"}):
            assert not PHONE.search(text), text
            assert not STREET.search(text), text
        if "customer_ref" in event["data"]:
            assert re.fullmatch(r"CUST-[0-9A-F]{6}", event["data"]["customer_ref"])
        carried.update((key, kind(event)) for key in PERSONAL & set(event["data"]))
        if kind(event) in {"order.placed", "shipment.delivered"}:
            assert PERSONAL & set(event["data"]), event  # always sent where it belongs
    assert {(key, k) for key, kinds in PII_KINDS.items() for k in kinds} >= set(carried)
    assert carried["contact", "order.confirmed"] >= 1  # a few confirmations correct the contact
    assert set(carried) >= {(k, "order.placed") for k in ("contact", "delivery_address")}


async def test_same_seed_same_bytes_other_seed_other_events() -> None:
    first, _, _ = await backfilled()
    again, _, _ = await backfilled()
    other, _, _ = await backfilled(seed=8)
    assert [body for *_, body in first.deliveries] == [body for *_, body in again.deliveries]
    assert {e["id"] for _, e in first.events()}.isdisjoint(e["id"] for _, e in other.events())
    assert {e["subject"] for _, e in first.events()} != {e["subject"] for _, e in other.events()}


# --- live ----------------------------------------------------------------------------------


async def test_run_live_advances_orders() -> None:
    endpoint, sim, _ = await backfilled()
    backfilled_orders = {e["subject"] for _, e in endpoint.events()}
    seen = len(endpoint.deliveries)
    stop = asyncio.Event()

    def step() -> None:  # each request is a minute later; stop after a few live ticks
        endpoint.clock.now += timedelta(minutes=1)
        if endpoint.requests >= seen + 30:
            stop.set()

    endpoint.on_request = step
    before = len(endpoint.events())
    await asyncio.wait_for(sim.run_live(stop), timeout=5)
    live = [event for _, event in endpoint.events()[before:]]
    assert len(endpoint.deliveries) > seen
    moved_on = {e["subject"] for e in live if kind(e) in SHIPMENT_KINDS_AFTER_PICKUP}
    assert moved_on & backfilled_orders  # old orders got further along the road
    assert any(kind(e) == "order.placed" for e in live)  # and new orders came in
    assert all(at(e) >= START for e in live)
    assert_plausible(endpoint.unique(), paced=False)
    for event in live:
        assert list(schema_problems(event)) == [], event
    assert sim.stats.failures == 0


async def test_server_errors_are_counted_and_retried(caplog: pytest.LogCaptureFixture) -> None:
    endpoint = Endpoint(Clock(), status=lambda n: 500 if n <= 3 else 200)
    sim = simulator(endpoint)
    stop = asyncio.Event()
    endpoint.on_request = lambda: stop.set() if endpoint.requests >= 6 else None
    with caplog.at_level(logging.WARNING, logger="gateway.demo.simulator"):
        await asyncio.wait_for(sim.run_live(stop), timeout=5)
    assert sim.stats.failures == 3 and sim.stats.dropped == 0
    assert sim.stats.batches == len(endpoint.deliveries) >= 1
    assert any("HTTP 500" in record.getMessage() for record in caplog.records)
    # The failed batch is retried under the same webhook-id (the Standard Webhooks retry rule).
    assert endpoint.deliveries[0][1].endswith("_000001")


async def test_server_down_never_ends_run_live() -> None:
    endpoint = Endpoint(Clock(), status=lambda n: 500)
    sim = simulator(endpoint)
    stop = asyncio.Event()
    endpoint.on_request = lambda: stop.set() if endpoint.requests >= 7 else None
    await asyncio.wait_for(sim.run_live(stop), timeout=5)
    assert sim.stats.failures == 7 and sim.stats.dropped == 1 and sim.stats.batches == 0


async def test_unfixable_answers_drop_only_that_batch() -> None:
    endpoint = Endpoint(Clock(), status=lambda n: 422)
    stats = await simulator(endpoint, orders=5).backfill()
    assert stats.failures == stats.dropped >= 3 and stats.batches == 0


async def test_unreachable_gateway_is_a_failure_not_a_crash() -> None:
    # No client given: the simulator opens (and closes) its own. Port 9 (discard) is closed.
    stop = asyncio.Event()
    readings: list[datetime] = []

    def clock() -> datetime:  # read once per tick and once per POST; stop after a few
        readings.append(START)
        if len(readings) >= 6:
            stop.set()
        return START

    config = SimulatorConfig("http://127.0.0.1:9", SECRETS, live_interval=0.001)
    sim = Simulator(config, clock=clock)
    await asyncio.wait_for(sim.run_live(stop), timeout=5)
    assert sim.stats.failures == 3 and sim.stats.batches == 0


async def test_rejections_in_a_207_are_counted() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        results = [{"index": 0, "status": "rejected", "errors": ["data.x: unknown field"]}]
        return httpx.Response(207, json={"accepted": 0, "rejected": 1, "results": results})

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    sim = Simulator(SimulatorConfig("http://gw", SECRETS, orders=3), client, clock=Clock())
    stats = await sim.backfill()
    assert stats.rejected == stats.batches >= 1 and stats.failures == 0


def test_config_needs_every_source_secret() -> None:
    with pytest.raises(ValueError, match="courier"):
        SimulatorConfig("http://gw", {"erp": SECRETS["erp"], "wms": SECRETS["wms"]})
    assert "whsec_***" in repr(SimulatorConfig("http://gw", SECRETS))


async def test_the_real_gateway_accepts_everything(sqlite_gateway: Gateway) -> None:
    """End to end: the real endpoint parses, dedups and sequences every simulated event."""
    answers: Counter[str] = Counter()

    async def record(response: httpx.Response) -> None:
        await response.aread()
        answers.update(result["status"] for result in response.json().get("results", []))

    sqlite_gateway.client.event_hooks["response"].append(record)
    config = SimulatorConfig("http://test", GATEWAY_SECRETS, orders=25, live_interval=0.001)
    sim = Simulator(config, sqlite_gateway.client, clock=sqlite_gateway.clock)
    await sim.backfill()
    for _ in range(10):
        sqlite_gateway.clock.advance(minutes=2)
        assert await sim.tick()
    stats = sim.stats
    assert stats.failures == stats.rejected == 0
    assert answers["duplicate"] == stats.duplicates_sent
    assert answers["accepted"] == stats.events_sent - stats.duplicates_sent
