"""The ASGI application: routes, one lifespan, nothing else."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta

from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.routing import Mount, Route, WebSocketRoute
from starlette.types import ASGIApp
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL

from gateway.graphql_view import GraphQLView
from gateway.ingest import ingest_events, ingest_from_connector
from gateway.metrics import HttpMetricsMiddleware, Metrics, metrics_endpoint
from gateway.request_id import RequestIdMiddleware
from gateway.runtime import Runtime
from gateway.settings import Settings
from gateway.sources import start_pulling
from gateway.web.assets import STATIC_ROUTE, StaticAssets
from gateway.wellknown import LOG_KEY_PATH, checkpoint, liveness, log_key, readiness
from resolvers import build_schema

CONNECTION_INIT_TIMEOUT = timedelta(seconds=10)


def create_app(
    settings: Settings | None = None,
    *,
    clock: Callable[[], datetime] = lambda: datetime.now(UTC),
) -> Starlette:
    settings = settings or Settings.from_env()
    metrics = Metrics()

    @asynccontextmanager
    async def lifespan(app: Starlette) -> AsyncIterator[None]:
        runtime = await Runtime.start(settings, clock=clock, metrics=metrics)
        pulling = await start_pulling(runtime)
        if pulling is not None:
            runtime.background.append(pulling)
            metrics.pull_health = pulling.runner.health
        app.state.runtime = runtime
        try:
            yield
        finally:
            await runtime.close()

    graphql = GraphQLView(
        schema=build_schema(
            introspection=settings.graphiql, observe_operation=metrics.graphql_operation
        ),
        graphql_ide="graphiql" if settings.graphiql else None,
        allow_queries_via_get=False,
        # The maintained protocol only; the legacy graphql-ws one has no auth handshake.
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        # A socket that never says connection_init is closed (4408) instead of held a minute.
        connection_init_wait_timeout=CONNECTION_INIT_TIMEOUT,
    )
    routes = [
        Route("/graphql", graphql, methods=["GET", "POST"]),
        WebSocketRoute("/graphql", graphql),
        Route("/ingest/events", ingest_events, methods=["POST"]),
        Route("/ingest/{connector_id}", ingest_from_connector, methods=["POST"]),
        Route(LOG_KEY_PATH, log_key, methods=["GET"]),
        Route("/log/checkpoint", checkpoint, methods=["GET"]),
        Route("/livez", liveness, methods=["GET"]),
        Route("/readyz", readiness, methods=["GET"]),
        # The old name, kept for probes configured before /livez existed: liveness, not readiness.
        Route("/healthz", liveness, methods=["GET"]),
        Mount("/static", StaticAssets(), name=STATIC_ROUTE),
        Route("/metrics", metrics_endpoint, methods=["GET"]),
    ]
    middleware = [Middleware(HttpMetricsMiddleware, metrics=metrics)]
    return _Gateway(routes=routes, middleware=middleware, lifespan=lifespan)


class _Gateway(Starlette):
    def build_middleware_stack(self) -> ASGIApp:
        # Outside Starlette's own error middleware, so that its 500 carries the request id.
        return RequestIdMiddleware(super().build_middleware_stack())
