"""Runs the pull connectors inside the gateway process: their cursors live in the database,
and every page goes through the same ingest pipeline as a push (translate, validate, link,
commit, dead-letter what cannot be used)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

import httpx
from sqlalchemy import func, insert, select, update

from connectors import Instance, Page, PullRunner
from gateway.db.tables import connector_state, shipments, tracking_links
from gateway.events import Layer, milestones_where
from gateway.ingest import connector_source, ingest
from gateway.sources.freshness import pulled
from gateway.sources.ports import PullHandles

# One client for every pull connector (connection pooling); each fetch has its own timeout.
HTTP_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


class DatabaseCursors:
    """Cursor store over connector_state: shared by replicas and kept across restarts."""

    def __init__(self, runtime: PullHandles) -> None:
        self._runtime = runtime

    async def load(self, instance_id: str) -> str | None:
        async with self._runtime.engine.connect() as conn:
            cursor: str | None = await conn.scalar(
                select(connector_state.c.cursor).where(connector_state.c.instance_id == instance_id)
            )
        return cursor

    async def save(self, instance_id: str, cursor: str | None, synced_at: datetime) -> None:
        values = {"cursor": cursor, "last_synced_at": synced_at, "updated_at": synced_at}
        async with self._runtime.writer.transaction() as conn:
            done = await conn.execute(
                update(connector_state)
                .where(connector_state.c.instance_id == instance_id)
                .values(values)
            )
            if done.rowcount == 0:
                await conn.execute(
                    insert(connector_state).values(instance_id=instance_id, **values)
                )


class Pulling:
    """The running pull runner and the HTTP client it owns; `close()` stops both."""

    def __init__(self, runner: PullRunner, http: httpx.AsyncClient) -> None:
        self.runner = runner
        self._http = http

    async def close(self) -> None:
        await self.runner.stop()
        await self._http.aclose()


# A courier's shipment needs no more polling once it reached one of these.
FINAL_SHIPMENT_STATES = tuple(
    m.value for m in milestones_where(Layer.SHIPMENT, lambda r: r.terminal)
)


async def open_tracking_numbers(runtime: PullHandles, carrier: str) -> list[str]:
    """Tracking numbers of this carrier's shipments (and their packages) still on their way."""
    async with runtime.engine.connect() as conn:
        rows = await conn.execute(
            select(tracking_links.c.tracking_number)
            .join(
                shipments,
                (shipments.c.order_number == tracking_links.c.order_number)
                & (shipments.c.shipment_id == tracking_links.c.shipment_id),
            )
            .where(
                func.lower(shipments.c.carrier) == carrier,
                shipments.c.status.not_in(FINAL_SHIPMENT_STATES),
            )
            .order_by(tracking_links.c.tracking_number)
        )
        return list(rows.scalars())


def with_open_numbers(runtime: PullHandles, instance: Instance) -> Instance:
    """Courier pull connectors that poll per tracking number learn which ones are open."""
    if "open_tracking_numbers" not in type(instance.config).model_fields:
        return instance
    carrier = instance.connector.name

    async def numbers() -> list[str]:
        return await open_tracking_numbers(runtime, carrier)

    config = instance.config.model_copy(update={"open_tracking_numbers": numbers})
    return replace(instance, config=config)


async def start_pulling(runtime: PullHandles) -> Pulling | None:
    instances = [with_open_numbers(runtime, i) for i in runtime.connectors.values() if pulled(i)]
    if not instances:
        return None

    async def deliver_page(instance: Instance, page: Page) -> None:
        # NotCommitted propagates: the runner keeps the cursor and fetches the page again.
        source = connector_source(instance)
        for payload in page.payloads:
            status, answer = await ingest(
                runtime, source, payload, content_type=page.content_type, delivery_id=None
            )
            runtime.metrics.ingest_answer(instance.id, status, answer)

    http = httpx.AsyncClient(timeout=HTTP_TIMEOUT, headers={"user-agent": "orderlens"})
    runner = PullRunner(
        instances, http=http, deliver=deliver_page, cursors=DatabaseCursors(runtime)
    )
    await runner.start()
    return Pulling(runner, http)
