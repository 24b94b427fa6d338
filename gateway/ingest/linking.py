"""Courier events know tracking numbers, not orders: link them, or park them until linked.

A connector gives such an event the subject `tracking:<number>`. If an order's shipment (or
package) already carries that number, the event joins that order and shipment. Otherwise it is
parked, sealed, and released as soon as an event that claims the number is committed, from
whichever source (a WMS shipment update, an ERP delivery note).
"""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import datetime
from typing import Any

from sqlalchemy import delete, insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from connectors.sdk import TRACKING_SUBJECT, to_draft
from gateway.db import Writer
from gateway.events import EventDraft, Layer
from gateway.ingest.sequencer import Sequencer, Submission
from gateway.tables import parked_events, tracking_links
from gateway.timeline.model import LoggedEvent
from privacy.vault import Vault

log = logging.getLogger(__name__)


def tracking_number(draft: EventDraft) -> str | None:
    if draft.order_number.startswith(TRACKING_SUBJECT):
        return draft.order_number[len(TRACKING_SUBJECT) :]
    return None


def linked(draft: EventDraft, order_number: str, shipment_id: str) -> EventDraft:
    """The draft as part of its order: the order's subject and the order's shipment id."""
    details = dict(draft.details)
    if isinstance(details.get("shipment"), dict):
        details["shipment"] = {**details["shipment"], "id": shipment_id}
    return replace(draft, order_number=order_number, shipment_id=shipment_id, details=details)


async def resolve(
    conn: AsyncConnection, submissions: Sequence[Submission]
) -> tuple[list[Submission], list[Submission]]:
    """Split into (ready to log, to park); ready ones carry their order's subject."""
    numbers = {n for s in submissions if (n := tracking_number(s.draft))}
    links: dict[str, tuple[str, str]] = {}
    if numbers:
        rows = await conn.execute(
            select(tracking_links).where(tracking_links.c.tracking_number.in_(sorted(numbers)))
        )
        links = {r.tracking_number: (r.order_number, r.shipment_id) for r in rows}
    ready: list[Submission] = []
    waiting: list[Submission] = []
    for submission in submissions:
        number = tracking_number(submission.draft)
        if number is None:
            ready.append(submission)
        elif number in links:
            order, shipment = links[number]
            ready.append(replace(submission, draft=linked(submission.draft, order, shipment)))
        else:
            waiting.append(submission)
    return ready, waiting


async def park(
    conn: AsyncConnection, vault: Vault, submissions: Sequence[Submission], now: datetime
) -> list[str]:
    ids = []
    for submission in submissions:
        number = tracking_number(submission.draft)
        assert number is not None
        parked_id = uuid.uuid4()
        sealed = vault.seal_dead_letter(parked_id, submission.raw)
        await conn.execute(
            insert(parked_events).values(
                id=str(parked_id),
                source=submission.draft.source,
                tracking_number=number,
                received_at=now,
                event=sealed,
            )
        )
        ids.append(str(parked_id))
    return ids


def claimed_numbers(events: Iterable[LoggedEvent]) -> set[str]:
    """Tracking numbers that committed events attach to an order's shipment."""
    numbers: set[str] = set()
    for event in events:
        if event.layer is not Layer.SHIPMENT:
            continue
        shipment = event.data.get("shipment") or {}
        numbers.update(n for n in [shipment.get("tracking_number")] if n)
        numbers.update(
            p["tracking_number"]
            for p in event.data.get("packages") or []
            if p.get("tracking_number")
        )
    return numbers


class Releaser:
    """Sequencer listener: when a commit links tracking numbers, replay what was parked."""

    def __init__(self, writer: Writer, sequencer: Sequencer, vault: Vault) -> None:
        self._writer = writer
        self._sequencer = sequencer
        self._vault = vault
        self._tasks: set[asyncio.Task[int]] = set()

    async def on_commit(self, events: Sequence[LoggedEvent]) -> None:
        numbers = claimed_numbers(events)
        if numbers:
            # Not awaited here: the sequencer calls its listeners from its own loop, and a
            # release submits to that same sequencer.
            task = asyncio.create_task(self.release(numbers))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def release(self, numbers: Iterable[str]) -> int:
        async with self._writer.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(parked_events)
                    .where(parked_events.c.tracking_number.in_(sorted(set(numbers))))
                    .order_by(parked_events.c.received_at)
                )
            ).all()
            if not rows:
                return 0
            submissions = [self._submission(row) for row in rows]
            ready, _ = await resolve(conn, submissions)
        try:
            await self._sequencer.submit(ready)
        except Exception:
            log.exception("releasing %d parked events failed; they stay parked", len(ready))
            return 0
        async with self._writer.transaction() as conn:
            await conn.execute(
                delete(parked_events).where(parked_events.c.id.in_([r.id for r in rows]))
            )
        log.info("released %d parked events", len(ready))
        return len(ready)

    def _submission(self, row: Any) -> Submission:
        raw = self._vault.open_dead_letter(uuid.UUID(row.id), row.event)
        draft = to_draft(json.loads(raw), source=row.source)
        if not isinstance(draft, EventDraft):  # it validated when parked
            raise RuntimeError(f"parked event {row.id} no longer validates")
        return Submission(draft, raw)

    async def close(self) -> None:
        for task in list(self._tasks):
            task.cancel()
        await asyncio.gather(*self._tasks, return_exceptions=True)
