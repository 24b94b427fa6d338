"""Shared fixtures: a gateway on each database backend, signed ingestion, a GraphQL client.

PostgreSQL and Redis tests run whenever the servers are reachable; with CI=true a missing
server is a failure, not a skip.
"""

from __future__ import annotations

import json
import os
import secrets
import socket
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from starlette.applications import Starlette

from connectors.webhooks import signature_headers
from gateway.app import create_app
from gateway.events import WebhookSecret
from gateway.ingest import list_dead_letters
from gateway.runtime import Runtime
from gateway.sequencer import DeadLetter
from gateway.settings import DevKeys, Settings
from privacy import Role

# Each test run gets its own database on the server and its own cache namespace, so two runs
# (a developer's and CI's, or two worktrees) never drop each other's tables or keys. The
# configured URL names the server and the database to connect to for CREATE DATABASE.
RUN_ID = f"{os.getpid()}_{secrets.token_hex(3)}"
POSTGRES_SERVER_URL = os.environ.get(
    "ORDERLENS_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/test"
)
RUN_DATABASE = f"orderlens_test_{RUN_ID}"
POSTGRES_URL = POSTGRES_SERVER_URL.rsplit("/", 1)[0] + "/" + RUN_DATABASE
REDIS_URL = (
    os.environ.get("ORDERLENS_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
    + f"?namespace=orderlens-test-{RUN_ID}"
)
SECRETS = {
    "erp": WebhookSecret("whsec_" + "ZXJwLXRlc3Qtc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWY="),
    "wms": WebhookSecret("whsec_" + "d21zLXRlc3Qtc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWY="),
    "courier": WebhookSecret("whsec_" + "Y291cmllci10ZXN0LXNlY3JldC0wMTIzNDU2Nzg5YWI="),
}
START = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1):
            return True
    except OSError:
        return False


def require_server(name: str, host: str, port: int) -> None:
    if _reachable(host, port):
        return
    message = f"{name} is not reachable on {host}:{port}"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{message}; CI must provide it")
    pytest.skip(message)


def _asyncpg_dsn(url: str) -> str:
    return url.replace("postgresql+asyncpg", "postgresql")


_run_database_created = False


async def reset_postgres() -> None:
    """An empty public schema in this run's own database (created on first use)."""
    import asyncpg

    global _run_database_created
    if not _run_database_created:
        admin = await asyncpg.connect(_asyncpg_dsn(POSTGRES_SERVER_URL))
        try:
            await admin.execute(f'CREATE DATABASE "{RUN_DATABASE}"')
        finally:
            await admin.close()
        _run_database_created = True
    conn = await asyncpg.connect(_asyncpg_dsn(POSTGRES_URL))
    try:
        await conn.execute("DROP SCHEMA IF EXISTS public CASCADE; CREATE SCHEMA public;")
    finally:
        await conn.close()


async def _drop_run_database() -> None:
    import asyncpg

    admin = await asyncpg.connect(_asyncpg_dsn(POSTGRES_SERVER_URL))
    try:
        await admin.execute(f'DROP DATABASE IF EXISTS "{RUN_DATABASE}" WITH (FORCE)')
    finally:
        await admin.close()


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    if _run_database_created:
        import asyncio

        asyncio.run(_drop_run_database())


@pytest.fixture(params=["sqlite", "postgres"])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    if request.param == "sqlite":
        return f"sqlite+aiosqlite:///{tmp_path / 'orderlens.db'}"
    require_server("PostgreSQL", "127.0.0.1", 5432)
    await reset_postgres()
    return POSTGRES_URL


@pytest.fixture
def sqlite_url(tmp_path: Path) -> str:
    return f"sqlite+aiosqlite:///{tmp_path / 'orderlens.db'}"


@dataclass
class Clock:
    now: datetime = START + timedelta(days=3)

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def make_settings(database_url: str, tmp_path: Path, **overrides: Any) -> Settings:
    base = Settings(
        database_url=database_url,
        data_dir=tmp_path / "keys",
        ingest_secrets=SECRETS,
        auto_migrate=True,
        graphiql=True,
        dev_keys=DevKeys.CREATE,
    )
    return replace(base, **overrides)


@dataclass
class Gateway:
    """A running app plus helpers to push signed events and run GraphQL."""

    app: Starlette
    client: httpx.AsyncClient
    clock: Clock
    sent: int = 0
    statements: list[str] = field(default_factory=list)

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.app.state.runtime
        return runtime

    async def post_events(
        self,
        source: str,
        events: list[dict[str, Any]] | dict[str, Any] | bytes,
        *,
        webhook_id: str | None = None,
        secret: WebhookSecret | None = None,
        timestamp: datetime | None = None,
        content_type: str = "application/cloudevents-batch+json",
    ) -> httpx.Response:
        body = events if isinstance(events, bytes) else json.dumps(events).encode()
        self.sent += 1
        headers = signature_headers(
            secret or SECRETS[source],
            webhook_id or f"msg_{self.sent}_{id(body)}",
            body,
            int((timestamp or self.clock()).timestamp()),
        )
        headers["content-type"] = content_type
        return await self.client.post("/ingest/events", content=body, headers=headers)

    async def dead_letters(self) -> list[DeadLetter]:
        async with self.runtime.engine.connect() as conn:
            return await list_dead_letters(conn, self.runtime.vault)

    def token(self, role: Role, subject: str = "tester", customer_ref: str | None = None) -> str:
        return self.runtime.auth.issue(
            role=role, subject=subject, customer_ref=customer_ref, now=self.clock()
        )

    async def graphql(
        self,
        query: str,
        variables: dict[str, Any] | None = None,
        *,
        as_: Role | None = Role.ADMIN,
        subject: str = "tester",
        customer_ref: str | None = None,
        **headers: str,
    ) -> dict[str, Any]:
        """Run a query as an administrator unless told otherwise (as_=None: anonymous)."""
        if as_ is not None and "authorization" not in headers:
            headers["authorization"] = f"Bearer {self.token(as_, subject, customer_ref)}"
        response = await self.client.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result


@asynccontextmanager
async def running_gateway(settings: Settings, clock: Clock) -> AsyncIterator[Gateway]:
    app = create_app(settings, clock=clock)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            yield Gateway(app, client, clock)


@pytest.fixture
async def gateway(database_url: str, tmp_path: Path, clock: Clock) -> AsyncIterator[Gateway]:
    async with running_gateway(make_settings(database_url, tmp_path), clock) as gw:
        yield gw


@pytest.fixture
async def sqlite_gateway(sqlite_url: str, tmp_path: Path, clock: Clock) -> AsyncIterator[Gateway]:
    async with running_gateway(make_settings(sqlite_url, tmp_path), clock) as gw:
        yield gw


EventFactory = Callable[..., dict[str, Any]]


def cloud_event(
    type_: str,
    order: str = "SO-000001",
    *,
    id: str | None = None,
    time: datetime | None = None,
    source: str = "urn:test",
    **data: Any,
) -> dict[str, Any]:
    """A valid normalized input CloudEvent; `data` keys are passed through as given."""
    cloud_event.counter += 1  # type: ignore[attr-defined]
    return {
        "specversion": "1.0",
        "id": id or f"evt-{cloud_event.counter}",  # type: ignore[attr-defined]
        "source": source,
        "type": f"io.orderlens.{type_}",
        "subject": order,
        "time": (time or START).isoformat().replace("+00:00", "Z"),
        "datacontenttype": "application/json",
        "data": data,
    }


cloud_event.counter = 0  # type: ignore[attr-defined]


def placed(order: str = "SO-000001", **kw: Any) -> dict[str, Any]:
    kw.setdefault("customer_ref", "CUST-0001")
    return cloud_event(
        "order.placed",
        order,
        promised_date="2026-11-25",
        lines=[
            {"line_id": "1", "sku": "WM-8KG", "description": "Washing machine 8 kg", "quantity": 1}
        ],
        **kw,
    )


def shipment_event(
    milestone: str, order: str = "SO-000001", shipment: str = "SHP-1", **kw: Any
) -> dict[str, Any]:
    data: dict[str, Any] = {
        "shipment": {"id": shipment, "carrier": "sf-express", "tracking_number": "SF1234567890"}
    }
    data.update(kw.pop("data", {}))
    return cloud_event(f"shipment.{milestone}", order, **kw, **data)
