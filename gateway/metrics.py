"""Prometheus metrics: one registry per app, the instruments, and what fills them.

Every label has a bounded set of values: HTTP routes are templates (`/ingest/{connector_id}`,
never an order number or an id from the path), sources and pull instances are configured
names, GraphQL operation names are checked, shortened and capped in number. No label carries
personal data. Each app has its own `CollectorRegistry`, so several apps in one process (the
tests) never share or collide on a series.
"""

from __future__ import annotations

import re
import time
from collections.abc import AsyncIterator, Callable, Iterable, Mapping
from contextlib import asynccontextmanager
from typing import Any

from prometheus_client import (
    CONTENT_TYPE_LATEST,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    generate_latest,
)
from prometheus_client.metrics_core import GaugeMetricFamily, Metric
from prometheus_client.registry import Collector
from starlette.requests import Request
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from connectors import SourceHealth
from connectors.pull import BreakerState

MAX_OPERATION_NAMES = 200  # distinct GraphQL operation names before the rest become "other"
MAX_OPERATION_NAME_LENGTH = 64
_GRAPHQL_NAME = re.compile(r"[_A-Za-z][_0-9A-Za-z]*")
BATCH_SIZE_BUCKETS = (1, 2, 5, 10, 20, 50, 100, 200, 500, 1000)
# An ingestion answer's HTTP status, as a word (other statuses have their own reason words).
_DELIVERY_OUTCOMES = {200: "ok", 207: "partial", 400: "dead_letter", 422: "rejected"}

PullHealth = Callable[[], Mapping[str, SourceHealth]]


class Metrics:
    """The gateway's instruments, in a registry of their own."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        registry = self.registry
        self.http_requests = Counter(
            "orderlens_http_requests",
            "HTTP requests by route template, method and status.",
            ["route", "method", "status"],
            registry=registry,
        )
        self.http_latency = Histogram(
            "orderlens_http_request_duration_seconds",
            "Time to answer an HTTP request, by route template and method.",
            ["route", "method"],
            registry=registry,
        )
        self.graphql_operations = Counter(
            "orderlens_graphql_operations",
            "GraphQL operations by operation name and outcome (ok, user_error, error).",
            ["operation", "outcome"],
            registry=registry,
        )
        self.ingest_events = Counter(
            "orderlens_ingest_events",
            "Ingested events by source and result (accepted, duplicate, rejected, parked).",
            ["source", "result"],
            registry=registry,
        )
        self.ingest_deliveries = Counter(
            "orderlens_ingest_deliveries",
            "Ingestion deliveries (one request or pulled payload) by source and outcome: ok, "
            "partial, rejected, dead_letter, ignored, refused, too_large, "
            "unsupported_media_type, conflict, replayed, not_committed.",
            ["source", "result"],
            registry=registry,
        )
        self.commit_batch_size = Histogram(
            "orderlens_commit_batch_size",
            "Submissions per sequencer commit (group commit batch).",
            buckets=BATCH_SIZE_BUCKETS,
            registry=registry,
        )
        self.commit_latency = Histogram(
            "orderlens_commit_duration_seconds",
            "Time of one sequencer commit, checkpoint signing included.",
            registry=registry,
        )
        self.commit_failures = Counter(
            "orderlens_commit_failures", "Sequencer commits that failed.", registry=registry
        )
        self.subscriptions = Gauge(
            "orderlens_subscriptions_active", "Open GraphQL subscriptions.", registry=registry
        )
        # Set by the lifespan when this process runs the pull connectors.
        self.pull_health: PullHealth = dict
        registry.register(_PullCollector(self))
        self._operation_names: set[str] = set()

    # -- what the rest of the gateway calls ------------------------------------------------

    def http_request(self, route: str, method: str, status: int, seconds: float) -> None:
        self.http_requests.labels(route, method, str(status)).inc()
        self.http_latency.labels(route, method).observe(seconds)

    def graphql_operation(self, name: str, outcome: str) -> None:
        self.graphql_operations.labels(self.operation_label(name), outcome).inc()

    def commit_batch(self, size: int, seconds: float, committed: bool) -> None:
        """The sequencer's hook: called once per batch it tried to commit."""
        if not committed:
            self.commit_failures.inc()
            return
        self.commit_batch_size.observe(size)
        self.commit_latency.observe(seconds)

    def ingest_answer(self, source: str, status: int, answer: Mapping[str, Any]) -> None:
        """Count one ingestion answer: each event by its status, the delivery by its outcome."""
        for result in answer.get("results", ()):
            self.ingest_events.labels(source, result["status"]).inc()
        self.ingest_deliveries.labels(source, delivery_outcome(status, answer)).inc()

    def ingest_refused(self, source: str, reason: str) -> None:
        """A delivery that was not processed (bad signature, too large, a replay...)."""
        self.ingest_deliveries.labels(source, reason).inc()

    @asynccontextmanager
    async def subscription(self) -> AsyncIterator[None]:
        """Held by each open subscription (an async context manager, to sit beside the
        broker's in one `async with`)."""
        self.subscriptions.inc()
        try:
            yield
        finally:
            self.subscriptions.dec()

    # -- helpers ---------------------------------------------------------------------------

    def operation_label(self, name: str) -> str:
        """A client-chosen name as a label: checked, shortened, and at most
        MAX_OPERATION_NAMES distinct ones (the rest are "other")."""
        if _GRAPHQL_NAME.fullmatch(name) is None:
            return "invalid"
        name = name[:MAX_OPERATION_NAME_LENGTH]
        if name not in self._operation_names:
            if len(self._operation_names) >= MAX_OPERATION_NAMES:
                return "other"
            self._operation_names.add(name)
        return name

    def exposition(self) -> bytes:
        return generate_latest(self.registry)


def delivery_outcome(status: int, answer: Mapping[str, Any]) -> str:
    if status >= 500:
        return "not_committed"
    if "ignored" in answer:
        return "ignored"
    return _DELIVERY_OUTCOMES.get(status, "other")


class _PullCollector(Collector):
    """Pull runner state per instance, read when scraped (it lives in the runner)."""

    def __init__(self, metrics: Metrics) -> None:
        self._metrics = metrics

    def describe(self) -> Iterable[Metric]:
        return []  # no fixed series: instances are known only once the runner runs

    def collect(self) -> Iterable[Metric]:
        health = sorted(self._metrics.pull_health().items())
        breaker = GaugeMetricFamily(
            "orderlens_pull_breaker_state",
            "Circuit breaker state per pull instance (1 for the current state).",
            labels=["instance", "state"],
        )
        failures = GaugeMetricFamily(
            "orderlens_pull_consecutive_failures",
            "Failed pull cycles in a row per instance (what the breaker counts).",
            labels=["instance"],
        )
        stale = GaugeMetricFamily(
            "orderlens_pull_stale",
            "1 when the instance has not synced within its freshness window.",
            labels=["instance"],
        )
        synced = GaugeMetricFamily(
            "orderlens_pull_last_success_timestamp_seconds",
            "When each instance last delivered a page (Unix time).",
            labels=["instance"],
        )
        for instance, state in health:
            for candidate in BreakerState:
                breaker.add_metric([instance, candidate.value], float(state.breaker is candidate))
            failures.add_metric([instance], state.consecutive_failures)
            stale.add_metric([instance], float(state.stale))
            if state.last_success_at is not None:
                synced.add_metric([instance], state.last_success_at.timestamp())
        return [breaker, failures, stale, synced]


class HttpMetricsMiddleware:
    """Pure ASGI: counts and times each HTTP request by the route template that served it."""

    def __init__(self, app: ASGIApp, metrics: Metrics) -> None:
        self.app = app
        self.metrics = metrics

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        status = 500  # what the client gets if the app raises before answering

        async def send_status(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        try:
            await self.app(scope, receive, send_status)
        finally:
            # The router put the matched route into the (shared) scope; no match is a 404.
            route = getattr(scope.get("route"), "path", None) or "unmatched"
            seconds = time.perf_counter() - started
            self.metrics.http_request(route, scope["method"], status, seconds)


async def metrics_endpoint(request: Request) -> Response:
    """GET /metrics in the Prometheus text format."""
    metrics: Metrics = request.app.state.runtime.metrics
    return Response(metrics.exposition(), media_type=CONTENT_TYPE_LATEST)
