"""End to end: the demo's systems feed a real gateway (on SQLite) through its connectors,
configured as `orderlens demo` configures them; UPS is pulled from the demo's fake UPS.

One run serves every test here: a 60-order backfill, a few live ticks as the demo runs them,
then ticks of a day each until every order has run its course, the gateway pulling UPS after
each."""

from __future__ import annotations

import asyncio
import contextlib
import io
import re
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from gateway.db.tables import dead_letters, events, orders, parked_events
from gateway.demo import SYSTEMS, DemoConnectors, Simulator, SimulatorConfig, SimulatorStats
from gateway.demo.addresses import ABROAD, CHINA
from gateway.demo.fake_ups import FakeUps
from gateway.demo.native import UpsTracking
from gateway.demo.runner import print_banner, pull_now
from gateway.ledger import verify_document
from privacy import Role
from tests.conftest import Clock, Gateway, make_settings, running_gateway

LIVE_TICKS = 30
LIVE_DAYS = 10
Row = dict[str, Any]
TIMELINE = """query($n: String!) { order(number: $n) {
  status sources { source }
  shipments { carrier trackingNumber status }
  timeline(first: 100) { edges { node { layer milestone source occurredAt } } }
  verificationBundle } }"""


@dataclass
class Snapshot:
    stats: SimulatorStats
    events: list[Row]
    statuses: dict[str, str]
    dead_letters: int
    parked: int
    track_requests: int


@dataclass
class Run:
    backfill: Snapshot
    final: Snapshot
    banner: str
    banner_answers: list[dict[str, Any]]
    timelines: dict[str, dict[str, Any]] = field(default_factory=dict)
    vkey: str = ""


async def snapshot(gw: Gateway, sim: Simulator, ups: UpsTracking) -> Snapshot:
    await pull_now(gw.runtime, "ups")
    async with gw.runtime.engine.connect() as conn:
        for _ in range(100):  # parked events are released in the background
            if not await conn.scalar(select(func.count()).select_from(parked_events)):
                break
            await asyncio.sleep(0.02)
        columns = [events.c.order_number, events.c.source, events.c.layer, events.c.milestone]
        columns += [events.c.shipment_id, events.c.occurred_at]
        rows = [dict(r._mapping) for r in await conn.execute(select(*columns))]
        statuses = dict((await conn.execute(select(orders.c.number, orders.c.status))).all())
        letters = await conn.scalar(select(func.count()).select_from(dead_letters))
        parked = await conn.scalar(select(func.count()).select_from(parked_events))
    return Snapshot(sim.stats, rows, statuses, letters or 0, parked or 0, ups.track_requests)


async def banner_check(gw: Gateway) -> tuple[str, list[dict[str, Any]]]:
    """The banner, and the answers to its example queries run with its agent token."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        await print_banner(gw.runtime, "http://test", ups_url="http://127.0.0.1:1/api")
    banner = out.getvalue()
    agent, admin = (re.search(rf"^  {role}: +(\S+)$", banner, re.M) for role in ("agent", "admin"))
    assert agent is not None and admin is not None
    examples = []  # (token, query): the agent's examples start two spaces in
    for paragraph in banner.split("\n\n"):
        if start := re.search(r"^  (query|mutation) \{", paragraph, re.M):
            examples.append((agent[1], paragraph[start.start() :].strip()))
    examples += [(admin[1], line.strip()) for line in banner.splitlines() if "{ sources {" in line]
    answers = []
    for token, query in examples:
        headers = {"authorization": f"Bearer {token}"}
        response = await gw.client.post("/graphql", json={"query": query}, headers=headers)
        answers.append(response.json())
    return banner, answers


async def demo_run(tmp: Path) -> Run:
    connectors = DemoConnectors.generate()
    tracking = UpsTracking()
    ups = FakeUps(tracking, connectors.ups_client_id, connectors.ups_client_secret)
    await ups.start()
    try:
        # As `orderlens demo`: its sources are connector instances, no ORDERLENS_INGEST_SECRETS.
        base = make_settings(f"sqlite+aiosqlite:///{tmp / 'orderlens.db'}", tmp, ingest_secrets={})
        settings = connectors.configure(base, ups.base_url)
        clock = Clock()
        async with running_gateway(settings, clock) as gw:
            config = SimulatorConfig("http://test", connectors.secrets, ups=tracking)
            sim = Simulator(config, gw.client, clock=clock)
            await sim.backfill()
            first = await snapshot(gw, sim, tracking)
            banner, answers = await banner_check(gw)
            for _ in range(LIVE_TICKS):  # live, as the demo runs: a few orders hurried along
                clock.advance(minutes=2)
                assert await sim.tick()
            for _ in range(LIVE_DAYS):
                clock.advance(days=1)
                assert await sim.tick()
                await pull_now(gw.runtime, "ups")
            final = await snapshot(gw, sim, tracking)
            run = Run(first, final, banner, answers, vkey=gw.runtime.signer.vkey)
            # The token middleware checks the real time, order access the test clock (days
            # ahead now): mint the token now, valid past the test clock.
            token = gw.runtime.auth.issue(role=Role.AGENT, subject="agent", ttl=timedelta(days=30))
            for number in mixed_orders(final)[:3]:
                variables = {"n": number}
                answer = await gw.graphql(TIMELINE, variables, authorization=f"Bearer {token}")
                run.timelines[number] = answer["data"]["order"]
            return run
    finally:
        await ups.stop()


def mixed_orders(shot: Snapshot) -> list[str]:
    """Delivered orders whose events came from the ERP, a warehouse and a courier."""
    sources: dict[str, set[str]] = defaultdict(set)
    for row in shot.events:
        sources[row["order_number"]].add(row["source"])
    return sorted(
        number
        for number, found in sources.items()
        if shot.statuses[number] == "delivered"
        and "erp" in found
        and found & {"wms", "wms-xml"}
        and found & {"ups", "easypost"}
    )


@pytest.fixture(scope="module")
def run(tmp_path_factory: pytest.TempPathFactory) -> Run:
    return asyncio.run(demo_run(tmp_path_factory.mktemp("demo")))


def full_lifecycles(shot: Snapshot) -> list[str]:
    """Orders placed, paid, shipped and delivered, every parcel from label to doorstep."""
    kinds: dict[str, set[tuple[str, str]]] = defaultdict(set)
    parcels: dict[str, dict[str, set[str]]] = defaultdict(lambda: defaultdict(set))
    for row in shot.events:
        kinds[row["order_number"]].add((row["layer"], row["milestone"]))
        if row["shipment_id"]:
            parcels[row["order_number"]][row["shipment_id"]].add(row["milestone"])
    needed = {("order", "placed"), ("order", "payment_captured"), ("order", "shipped")}
    stages = {"label_created", "picked_up", "in_transit", "out_for_delivery", "delivered"}
    return [
        number
        for number, found in kinds.items()
        if needed <= found
        and parcels[number]
        and all(stages <= seen for seen in parcels[number].values())
        and shot.statuses[number] == "delivered"
    ]


def test_backfill_arrives_through_the_connectors(run: Run) -> None:
    shot = run.backfill
    stats = shot.stats
    assert stats.failures == stats.rejected == stats.problems == stats.dropped == 0, stats
    assert len(shot.statuses) >= 50 and all(
        re.fullmatch(r"SAL-ORD-\d{4}-\d{5}", n) for n in shot.statuses
    )
    assert {row["source"] for row in shot.events} == set(SYSTEMS)
    assert shot.dead_letters == 0 and shot.parked == 0
    assert stats.replayed == stats.duplicates_sent >= 1  # re-sent deliveries, answered again
    statuses = Counter(shot.statuses.values())
    assert statuses["delivered"] >= 15 and statuses["shipped"] + statuses["out_for_delivery"] >= 5
    assert len(full_lifecycles(shot)) >= 15


def test_ups_scans_arrive_by_pull(run: Run) -> None:
    shot = run.backfill
    pulled = [row for row in shot.events if row["source"] == "ups"]
    assert shot.track_requests > 0 and len(pulled) == shot.stats.ups_scans
    # Each joined the parcel the 3PL's ship confirmation announced.
    shipped_by_3pl = {
        (row["order_number"], row["shipment_id"])
        for row in shot.events
        if row["source"] == "wms-xml" and row["shipment_id"]
    }
    assert {(row["order_number"], row["shipment_id"]) for row in pulled} <= shipped_by_3pl


def test_every_order_runs_its_course(run: Run) -> None:
    shot = run.final
    assert shot.stats.failures == shot.stats.rejected == shot.stats.problems == 0
    assert shot.dead_letters == 0 and shot.parked == 0
    done = full_lifecycles(shot)
    assert len(done) >= 50
    others = {shot.statuses[n] for n in shot.statuses if n not in done}
    assert others <= {"cancelled", "refunded", "delivered", "shipped"}, others
    kinds = Counter((row["source"], row["milestone"]) for row in shot.events)
    assert kinds["wms", "packed"] >= 1  # ShipHero's Packed Out, dated on receipt
    assert kinds["ups", "delivered"] >= 1 and kinds["easypost", "delivered"] >= 1


def test_one_timeline_mixes_erp_warehouse_and_courier(run: Run) -> None:
    assert run.timelines
    for number, order in run.timelines.items():
        nodes = [edge["node"] for edge in order["timeline"]["edges"]]
        sources = [node["source"] for node in nodes]
        assert sources[0] == "erp" and nodes[0]["milestone"] == "placed", number
        assert {"erp", "inhouse"} <= set(sources) and set(sources) & {"wms", "wms-xml"}
        assert set(sources) & {"ups", "easypost"}
        times = [node["occurredAt"] for node in nodes]
        assert times == sorted(times)  # one chronology across the systems
        assert order["status"] == "DELIVERED"
        assert all(s["status"] == "DELIVERED" for s in order["shipments"])
        assert verify_document(order["verificationBundle"], run.vkey).ok


def test_the_banner_shows_real_orders_and_working_queries(run: Run) -> None:
    example = re.search(r'order\(number: "(SAL-ORD-\d{4}-\d{5})"\)', run.banner)
    assert example and example[1] in run.backfill.statuses
    assert "ups       UPS Track API, pulled every 5 s" in run.banner
    assert len(run.banner_answers) == 4  # three as the agent, the sources as the admin
    for answer in run.banner_answers:
        assert "errors" not in answer, answer
    order = run.banner_answers[0]["data"]["order"]
    assert order["timeline"]["totalCount"] >= 5 and len(order["sources"]) >= 3
    assert run.banner_answers[1]["data"]["revealCustomerContact"]["revealed"]
    assert run.banner_answers[2]["data"]["order"]["verificationBundle"]
    health = {s["id"]: s for s in run.banner_answers[3]["data"]["sources"]}
    assert set(health) >= set(SYSTEMS) and health["ups"]["mode"] == "pull every 5 s"


def test_the_agent_sees_the_district_of_a_demo_order(run: Run) -> None:
    """The ERPNext feed carries the Address's county, so the district is not sealed away."""
    districts = {d.name for book in CHINA.values() for d in book.districts} | {
        name for options in ABROAD.values() for name, _, _ in options
    }
    address = run.banner_answers[0]["data"]["order"]["deliveryAddress"]
    assert address["district"] in districts  # the agent's policy shows the district clear
