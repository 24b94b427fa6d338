"""Events that cannot join an order yet wait (parked, sealed) until something links them.

* Couriers know tracking numbers, not orders: their events have the subject
  `tracking:<number>`. If an order's shipment (or package) carries that number, the event
  joins that order and shipment; otherwise it waits for `tracking:<number>`.
* A warehouse or courier may report on an order before the ERP announced it (its webhook is
  late, or the order was typed wrongly): with `require_known_order`, such events wait for
  `order:<number>` instead of starting an order nobody placed.

Whenever a commit links a tracking number or places an order, what waited for it is replayed
through the sequencer.
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

from connectors import TRACKING_SUBJECT, to_draft
from gateway.db import Writer
from gateway.db.tables import orders, parked_events, tracking_links
from gateway.events import EventDraft, Layer, OrderMilestone
from gateway.sequencer import PayloadSealer, Sequencer, Submission
from gateway.timeline import LoggedEvent
from privacy import Vault

log = logging.getLogger(__name__)

ORDER_KEY = "order:"


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


def needs_linking(submissions: Sequence[Submission], *, require_known_order: bool) -> bool:
    """Whether `resolve` has anything to look up; if not, every submission is ready as is."""
    return require_known_order or any(tracking_number(s.draft) for s in submissions)


async def resolve(
    conn: AsyncConnection, submissions: Sequence[Submission], *, require_known_order: bool
) -> tuple[list[Submission], list[tuple[Submission, str]]]:
    """Split into (ready to log, (to park, what it waits for))."""
    numbers = {n for s in submissions if (n := tracking_number(s.draft))}
    links: dict[str, tuple[str, str]] = {}
    if numbers:
        rows = await conn.execute(
            select(tracking_links).where(tracking_links.c.tracking_number.in_(sorted(numbers)))
        )
        links = {r.tracking_number: (r.order_number, r.shipment_id) for r in rows}
    candidates: list[Submission] = []
    waiting: list[tuple[Submission, str]] = []
    for submission in submissions:
        number = tracking_number(submission.draft)
        if number is None:
            candidates.append(submission)
        elif number in links:
            order, shipment = links[number]
            candidates.append(replace(submission, draft=linked(submission.draft, order, shipment)))
        else:
            waiting.append((submission, f"{TRACKING_SUBJECT}{number}"))
    if not require_known_order:
        return candidates, waiting
    placed = await _placed_orders(conn, {s.draft.order_number for s in candidates})
    ready = []
    for submission in candidates:
        number = submission.draft.order_number
        if number in placed or _places_order(submission.draft):
            ready.append(submission)
        else:
            waiting.append((submission, f"{ORDER_KEY}{number}"))
    return ready, waiting


def _places_order(draft: EventDraft) -> bool:
    return draft.layer is Layer.ORDER and draft.milestone is OrderMilestone.PLACED


async def _placed_orders(conn: AsyncConnection, numbers: set[str]) -> set[str]:
    if not numbers:
        return set()
    rows = await conn.execute(
        select(orders.c.number).where(
            orders.c.number.in_(sorted(numbers)), orders.c.placed_at.is_not(None)
        )
    )
    return set(rows.scalars())


async def park(
    conn: AsyncConnection,
    vault: PayloadSealer,
    waiting: Sequence[tuple[Submission, str]],
    now: datetime,
) -> list[str]:
    ids = []
    for submission, key in waiting:
        parked_id = uuid.uuid4()
        await conn.execute(
            insert(parked_events).values(
                id=str(parked_id),
                source=submission.draft.source,
                waiting_for=key,
                received_at=now,
                event=vault.seal_dead_letter(parked_id, submission.raw),
            )
        )
        ids.append(str(parked_id))
    return ids


def unblocked_keys(events: Iterable[LoggedEvent]) -> set[str]:
    """What committed events link: tracking numbers on shipments, orders being placed."""
    keys: set[str] = set()
    for event in events:
        if event.layer is Layer.ORDER and event.milestone is OrderMilestone.PLACED:
            keys.add(f"{ORDER_KEY}{event.order_number}")
        if event.layer is not Layer.SHIPMENT:
            continue
        shipment = event.data.get("shipment") or {}
        numbers = [shipment.get("tracking_number")]
        numbers += [p.get("tracking_number") for p in event.data.get("packages") or []]
        keys.update(f"{TRACKING_SUBJECT}{n}" for n in numbers if n)
    return keys


class Releaser:
    """Sequencer listener: when a commit links what was waiting, replay it."""

    def __init__(self, writer: Writer, sequencer: Sequencer, vault: Vault) -> None:
        self._writer = writer
        self._sequencer = sequencer
        self._vault = vault
        self._tasks: set[asyncio.Task[int]] = set()

    async def on_commit(self, events: Sequence[LoggedEvent]) -> None:
        keys = unblocked_keys(events)
        if keys:
            # Not awaited here: the sequencer calls its listeners from its own loop, and a
            # release submits to that same sequencer.
            task = asyncio.create_task(self.release(keys))
            self._tasks.add(task)
            task.add_done_callback(self._tasks.discard)

    async def release(self, keys: Iterable[str]) -> int:
        async with self._writer.engine.connect() as conn:
            rows = (
                await conn.execute(
                    select(parked_events)
                    .where(parked_events.c.waiting_for.in_(sorted(set(keys))))
                    .order_by(parked_events.c.received_at)
                )
            ).all()
            if not rows:
                return 0
            submissions = [self._submission(row) for row in rows]
            # Order keys are released because the order now exists: no second check needed.
            ready, still = await resolve(conn, submissions, require_known_order=False)
        if not ready:
            return 0
        try:
            await self._sequencer.submit(ready)
        except Exception:
            log.exception("releasing %d parked events failed; they stay parked", len(ready))
            return 0
        waiting = {id(submission) for submission, _ in still}
        released = [
            row.id for row, s in zip(rows, submissions, strict=True) if id(s) not in waiting
        ]
        async with self._writer.transaction() as conn:
            await conn.execute(delete(parked_events).where(parked_events.c.id.in_(released)))
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
