"""The gateway's connector endpoints in miniature, for simulator tests that need no database:
each delivery is checked with its connector's own signature check and translated by its
connector (as POST /ingest/<id> would), and every UPS record is read back through the UPS
connector, as the gateway's pull would."""

from __future__ import annotations

import json
import tomllib
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from connectors import Instance, PushConnector, SignatureError, Translation, parse_instances
from connectors.ups import CONNECTOR as UPS_CONNECTOR
from gateway.demo import DemoConnectors, Simulator, SimulatorConfig, UpsTracking
from gateway.ingest import translate

START = datetime(2026, 11, 20, 8, 0, 17, tzinfo=UTC)
CONNECTORS = DemoConnectors.generate()
Event = dict[str, Any]


@dataclass
class Clock:
    now: datetime = START

    def __call__(self) -> datetime:
        return self.now


@dataclass(frozen=True)
class Received:
    system: str
    headers: dict[str, str]
    body: bytes
    events: tuple[Event, ...]  # what the connector made of it


def instances(connectors: DemoConnectors = CONNECTORS) -> dict[str, Instance]:
    document = tomllib.loads(connectors.toml("http://ups.test/api"))
    return {i.id: i for i in parse_instances(document, connectors.env)}


@dataclass
class Endpoints:
    """POST /ingest/<id> stand-in: verifies, translates and records every delivery."""

    clock: Clock
    status: Callable[[int], int] = lambda n: 200
    received: list[Received] = field(default_factory=list)
    requests: int = 0
    on_request: Callable[[], None] = lambda: None
    instances: dict[str, Instance] = field(default_factory=instances)

    def __call__(self, request: httpx.Request) -> httpx.Response:
        self.requests += 1
        self.on_request()
        system = request.url.path.removeprefix("/ingest/")
        instance = self.instances[system]
        connector = instance.connector
        assert isinstance(connector, PushConnector), system  # UPS is pulled, never posted to
        headers = dict(request.headers)
        try:
            connector.verify(instance.config, headers, request.content, self.clock())
        except SignatureError as exc:
            return httpx.Response(401, json={"error": str(exc)})
        status = self.status(self.requests)
        if status != 200:
            return httpx.Response(status, json={"error": "simulated"})
        content_type = headers["content-type"]
        translation = translate(instance, request.content, content_type, self.clock())
        assert not translation.problems, (system, translation.problems)
        self.received.append(Received(system, headers, request.content, translation.events))
        results = [{"index": n, "status": "accepted"} for n in range(len(translation.events))]
        return httpx.Response(200, json={"source": system, "results": results})

    def events(self) -> Iterator[tuple[str, Event]]:
        for delivery in self.received:
            yield from ((delivery.system, event) for event in delivery.events)


def pulled(ups: UpsTracking) -> list[Event]:
    """What the gateway's UPS connector makes of the fake UPS's current answers."""
    events: list[Event] = []
    for number in sorted(ups.parcels):
        answer = ups.response(number)
        if answer is not None:
            translation: Translation = UPS_CONNECTOR.translate(answer, content_type="json")
            assert not translation.problems, translation.problems
            events += translation.events
    return events


def simulator(endpoints: Endpoints, **config: Any) -> Simulator:
    client = httpx.AsyncClient(transport=httpx.MockTransport(endpoints))
    options: dict[str, Any] = {"live_interval": 0.001} | config
    settings = SimulatorConfig("http://gateway.test", CONNECTORS.secrets, **options)
    return Simulator(settings, client, clock=endpoints.clock)


async def backfilled(**config: Any) -> tuple[Endpoints, Simulator]:
    endpoints = Endpoints(Clock())
    sim = simulator(endpoints, **config)
    await sim.backfill()
    return endpoints, sim


def kind(event: Event) -> str:
    return str(event["type"]).removeprefix("io.orderlens.")


def body_text(received: Received) -> str:
    return received.body.decode()


def as_json(received: Received) -> Any:
    return json.loads(received.body)
