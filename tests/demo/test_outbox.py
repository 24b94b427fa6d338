"""The simulator against a gateway that fails: what is retried, what is dropped, what counts."""

from __future__ import annotations

import asyncio
import json
import logging
from datetime import datetime
from typing import Any

import httpx
import pytest

from gateway.demo import Simulator, SimulatorConfig
from tests.demo.endpoints import CONNECTORS, START, Clock, Endpoints, simulator


async def test_server_errors_are_counted_and_retried(caplog: pytest.LogCaptureFixture) -> None:
    endpoints = Endpoints(Clock(), status=lambda n: 500 if n <= 3 else 200)
    sim = simulator(endpoints, concurrency=1)
    stop = asyncio.Event()
    endpoints.on_request = lambda: stop.set() if endpoints.requests >= 6 else None
    with caplog.at_level(logging.WARNING, logger="gateway.demo.simulator"):
        await asyncio.wait_for(sim.run_live(stop), timeout=5)
    assert sim.stats.failures == 3 and sim.stats.dropped == 0
    assert sim.stats.deliveries == len(endpoints.received) >= 1
    assert any("HTTP 500" in record.getMessage() for record in caplog.records)
    # The failed delivery is retried as it was: the first one through is the order's save.
    assert json.loads(endpoints.received[0].body)["doctype"] == "Sales Order"


async def test_server_down_never_ends_run_live() -> None:
    endpoints = Endpoints(Clock(), status=lambda n: 500)
    sim = simulator(endpoints, concurrency=1)
    stop = asyncio.Event()
    endpoints.on_request = lambda: stop.set() if endpoints.requests >= 7 else None
    await asyncio.wait_for(sim.run_live(stop), timeout=5)
    assert sim.stats.failures == 7 and sim.stats.dropped == 1 and sim.stats.deliveries == 0


async def test_unfixable_answers_drop_only_that_delivery() -> None:
    endpoints = Endpoints(Clock(), status=lambda n: 422)
    await (sim := simulator(endpoints, orders=5)).backfill()
    assert sim.stats.failures == sim.stats.dropped >= 5 and sim.stats.deliveries == 0


async def test_unreachable_gateway_is_a_failure_not_a_crash() -> None:
    # No client given: the simulator opens (and closes) its own. Port 9 (discard) is closed.
    stop = asyncio.Event()
    readings: list[datetime] = []

    def clock() -> datetime:  # read once per tick and once per POST; stop after a few
        readings.append(START)
        if len(readings) >= 6:
            stop.set()
        return START

    config = SimulatorConfig("http://127.0.0.1:9", CONNECTORS.secrets, live_interval=0.001)
    sim = Simulator(config, clock=clock)
    await asyncio.wait_for(sim.run_live(stop), timeout=5)
    assert sim.stats.failures == 3 and sim.stats.deliveries == 0


async def test_rejections_and_problems_in_a_207_are_counted() -> None:
    def handler(request: httpx.Request) -> httpx.Response:
        results = [{"index": 0, "status": "rejected", "errors": ["illegal transition"]}]
        answer: dict[str, Any] = {"results": results, "problems": ["lr_no is not a number"]}
        return httpx.Response(207, json=answer)

    client = httpx.AsyncClient(transport=httpx.MockTransport(handler))
    config = SimulatorConfig("http://gw", CONNECTORS.secrets, orders=3)
    stats = await Simulator(config, client, clock=Clock()).backfill()
    assert stats.rejected == stats.problems == stats.deliveries >= 1 and stats.failures == 0


def test_config_needs_every_pushed_system_and_hides_secrets() -> None:
    partial = {k: v for k, v in CONNECTORS.secrets.items() if k != "easypost"}
    with pytest.raises(ValueError, match="easypost"):
        SimulatorConfig("http://gw", partial)
    shown = repr(SimulatorConfig("http://gw", CONNECTORS.secrets)) + repr(CONNECTORS)
    assert not any(secret in shown for secret in CONNECTORS.secrets.values())
    assert CONNECTORS.ups_client_secret not in shown
