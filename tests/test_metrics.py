"""/metrics: scraped after real requests, asserting the series a dashboard would read."""

from __future__ import annotations

import base64
import time
from collections.abc import AsyncIterator, Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families
from starlette.testclient import TestClient

from connectors import Outcome, SourceHealth
from connectors.pull import BreakerState
from gateway.app import create_app
from gateway.events import WebhookSecret
from gateway.metrics import MAX_OPERATION_NAME_LENGTH, MAX_OPERATION_NAMES, Metrics
from gateway.sources import Pulling
from resolvers.order import query as query_module
from tests.conftest import (
    Clock,
    Gateway,
    cloud_event,
    make_settings,
    placed,
    running_gateway,
    shipment_event,
)
from tests.connectors.test_ups_client import CLIENT_ID, CLIENT_SECRET, FakeUps
from tests.resolvers.pii_matrix import ORDER, order_events
from tests.resolvers.test_subscriptions import Live, subscribe

Samples = dict[tuple[str, frozenset[tuple[str, str]]], float]


async def scrape(gw: Gateway) -> Samples:
    response = await gw.client.get("/metrics")
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/plain; version=")
    return parse(response.text)


def parse(text: str) -> Samples:
    return {
        (sample.name, frozenset(sample.labels.items())): sample.value
        for family in text_string_to_metric_families(text)
        for sample in family.samples
    }


def value(samples: Samples, name: str, **labels: str) -> float:
    return samples.get((name, frozenset(labels.items())), 0.0)


async def test_http_requests_are_counted_by_route_template_not_raw_path(
    sqlite_gateway: Gateway,
) -> None:
    gw = sqlite_gateway
    assert (
        await gw.client.post("/ingest/no-such-connector-SO-123", content=b"{}")
    ).status_code == 404
    assert (await gw.client.get("/readyz")).status_code == 200
    assert (await gw.client.get("/no/such/path/SO-999")).status_code == 404
    response = await gw.client.get("/metrics")
    samples = parse(response.text)
    assert "SO-123" not in response.text and "SO-999" not in response.text
    connector = {"route": "/ingest/{connector_id}", "method": "POST"}
    assert value(samples, "orderlens_http_requests_total", **connector, status="404") == 1
    assert value(samples, "orderlens_http_request_duration_seconds_count", **connector) == 1
    readyz = {"route": "/readyz", "method": "GET", "status": "200"}
    assert value(samples, "orderlens_http_requests_total", **readyz) == 1
    unmatched = {"route": "unmatched", "method": "GET", "status": "404"}
    assert value(samples, "orderlens_http_requests_total", **unmatched) == 1


async def test_graphql_operations_by_name_and_outcome(
    sqlite_gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    gw = sqlite_gateway
    await gw.graphql('query Track { order(number: "SO-404") { number } }')
    await gw.graphql('query Track { order(number: "SO-405") { number } }')
    await gw.graphql('{ order(number: "SO-404") { number } }')
    await gw.graphql("query Broken { order(number: ")  # syntax error
    await gw.graphql('query Typo { order(number: "SO-1") { nope } }')  # validation error
    await gw.graphql('query Long { order(number: "") { number } }')  # BadArgument

    async def crash(*args: object) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(query_module, "load_order", crash)
    await gw.graphql('query Track { order(number: "SO-1") { number } }')
    samples = await scrape(gw)
    ops = "orderlens_graphql_operations_total"
    assert value(samples, ops, operation="Track", outcome="ok") == 2
    assert value(samples, ops, operation="anonymous", outcome="ok") == 1
    assert value(samples, ops, operation="unknown", outcome="user_error") == 1
    assert value(samples, ops, operation="Typo", outcome="user_error") == 1
    assert value(samples, ops, operation="Long", outcome="user_error") == 1
    assert value(samples, ops, operation="Track", outcome="error") == 1


def test_operation_names_are_bounded_in_length_and_number() -> None:
    metrics = Metrics()
    assert metrics.operation_label("x" * 500) == "x" * MAX_OPERATION_NAME_LENGTH
    assert metrics.operation_label("no spaces please") == "invalid"
    for index in range(MAX_OPERATION_NAMES):
        metrics.operation_label(f"Op{index}")
    assert metrics.operation_label("OneTooMany") == "other"
    assert metrics.operation_label("Op7") == "Op7"  # names already seen keep their label


async def test_ingestion_results_by_source(sqlite_gateway: Gateway) -> None:
    gw = sqlite_gateway
    order = placed("SO-000001")
    assert (await gw.post_events("erp", [order], webhook_id="msg-a")).status_code == 200
    assert (await gw.post_events("erp", [order], webhook_id="msg-a")).status_code == 200
    assert (await gw.post_events("erp", [order], webhook_id="msg-b")).status_code == 200
    delivered = shipment_event("delivered", "SO-000001")
    backwards = cloud_event("order.placed", "SO-000001", id="evt-again")
    answer = await gw.post_events("wms", [delivered, backwards, {"specversion": "0.3"}])
    assert answer.status_code == 207
    assert (await gw.post_events("erp", b"not json")).status_code == 400
    unknown = WebhookSecret(
        "whsec_" + base64.b64encode(b"nobody-knows-this-secret-0123456").decode()
    )
    wrong = await gw.post_events("erp", [placed("SO-2")], secret=unknown)
    assert wrong.status_code == 401
    samples = await scrape(gw)
    events, deliveries = "orderlens_ingest_events_total", "orderlens_ingest_deliveries_total"
    assert value(samples, events, source="erp", result="accepted") == 1
    assert value(samples, events, source="erp", result="duplicate") == 1
    wms = {
        result: value(samples, events, source="wms", result=result)
        for result in ("accepted", "rejected")
    }
    assert sum(wms.values()) == 3 and wms["rejected"] >= 1
    assert value(samples, deliveries, source="erp", result="ok") == 2
    assert value(samples, deliveries, source="erp", result="replayed") == 1
    assert value(samples, deliveries, source="wms", result="partial") == 1
    assert value(samples, deliveries, source="erp", result="dead_letter") == 1
    assert value(samples, deliveries, source="unverified", result="refused") == 1


async def test_commit_batch_sizes_and_latency(sqlite_gateway: Gateway) -> None:
    gw = sqlite_gateway
    orders = [placed(f"SO-00010{i}") for i in range(3)]
    assert (await gw.post_events("erp", orders)).status_code == 200
    assert (await gw.post_events("erp", [placed("SO-000200")])).status_code == 200
    samples = await scrape(gw)
    batches = gw.runtime.sequencer.batches_committed
    assert batches == 2
    assert value(samples, "orderlens_commit_batch_size_count") == batches
    assert value(samples, "orderlens_commit_batch_size_sum") == 4
    assert value(samples, "orderlens_commit_batch_size_bucket", le="1.0") == 1
    assert value(samples, "orderlens_commit_duration_seconds_count") == batches
    assert value(samples, "orderlens_commit_duration_seconds_sum") > 0


@pytest.fixture
async def ups() -> AsyncIterator[FakeUps]:
    server = FakeUps()
    await server.start()
    yield server
    await server.stop()


async def test_pull_runner_state_per_instance(
    sqlite_url: str, tmp_path: Path, clock: Clock, ups: FakeUps
) -> None:
    path = tmp_path / "connectors.toml"
    path.write_text(
        '[connectors.ups]\ntype = "ups"\npull_every = 3600\n'
        f'options = {{ base_url = "{ups.base_url}", client_id = "{CLIENT_ID}" }}\n'
        'secrets = { client_secret = "UPS_SECRET" }\n'
    )
    settings = make_settings(
        sqlite_url, tmp_path, connectors_file=path, env={"UPS_SECRET": CLIENT_SECRET}
    )
    async with running_gateway(settings, clock) as gw:
        [pulling] = [p for p in gw.runtime.background if isinstance(p, Pulling)]
        assert (await pulling.runner.poll("ups")).outcome is Outcome.SYNCED
        samples = await scrape(gw)
    state = "orderlens_pull_breaker_state"
    assert value(samples, state, instance="ups", state="closed") == 1
    assert value(samples, state, instance="ups", state="open") == 0
    assert value(samples, "orderlens_pull_consecutive_failures", instance="ups") == 0
    assert value(samples, "orderlens_pull_stale", instance="ups") == 0
    synced = value(samples, "orderlens_pull_last_success_timestamp_seconds", instance="ups")
    assert synced > 0


async def test_an_open_breaker_shows_with_its_failures(sqlite_gateway: Gateway) -> None:
    failing = SourceHealth(
        instance_id="courier-x",
        pull_every=60,
        last_attempt_at=datetime(2026, 11, 23, tzinfo=UTC),
        last_success_at=None,
        last_error="timed out after 10 s",
        consecutive_failures=5,
        breaker=BreakerState.OPEN,
        stale=True,
    )
    sqlite_gateway.runtime.metrics.pull_health = lambda: {"courier-x": failing}
    samples = await scrape(sqlite_gateway)
    state = "orderlens_pull_breaker_state"
    assert value(samples, state, instance="courier-x", state="open") == 1
    assert value(samples, state, instance="courier-x", state="closed") == 0
    assert value(samples, "orderlens_pull_consecutive_failures", instance="courier-x") == 5
    assert value(samples, "orderlens_pull_stale", instance="courier-x") == 1
    assert (
        "orderlens_pull_last_success_timestamp_seconds",
        frozenset({("instance", "courier-x")}),
    ) not in samples


@pytest.fixture
def live(sqlite_url: str, tmp_path: Path, clock: Clock) -> Iterator[Live]:
    app = create_app(make_settings(sqlite_url, tmp_path), clock=clock)
    with TestClient(app) as client:
        yield Live(client, clock)


def active_subscriptions(live: Live) -> float:
    samples = parse(live.client.get("/metrics").text)
    return value(samples, "orderlens_subscriptions_active")


def test_active_subscriptions_are_counted_while_open(live: Live) -> None:
    live.post(order_events())
    assert active_subscriptions(live) == 0
    with live.connect("admin") as (ws, verification):
        subscribe(ws, verification)
        assert ws.receive_json()["payload"]["data"]["orderUpdates"]["number"] == ORDER
        assert active_subscriptions(live) == 1
        ws.send_json({"id": "1", "type": "complete"})
        live.post([cloud_event("order.confirmed", ORDER)])  # wakes it up to end
    for _ in range(50):
        if active_subscriptions(live) == 0:
            break
        time.sleep(0.02)
    assert active_subscriptions(live) == 0


def test_two_apps_in_one_process_keep_their_own_series() -> None:
    first, second = Metrics(), Metrics()
    first.ingest_refused("erp", "refused")
    assert "orderlens_ingest_deliveries_total{" in first.exposition().decode()
    assert "orderlens_ingest_deliveries_total{" not in second.exposition().decode()
