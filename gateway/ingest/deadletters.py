"""Payloads that could not be ingested, kept with the reason so nothing is lost.

A dead letter holds the bytes exactly as received, sealed (they may hold personal data) under
a system key bound to the letter's id. `orderlens deadletters replay` re-processes them once
the cause is fixed: a replay that still fails keeps the payload and records the new reason and
the attempt; only a replay that succeeds marks the letter replayed, once.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.events import uuid7
from gateway.tables import dead_letters
from privacy import Sealed

# The content type of dead letters holding one normalized event (the sequencer's, and those
# a connector's translation produced): replayed as normalized events, not re-translated.
NORMALIZED = "application/vnd.orderlens.event+json"


class PayloadSealer(Protocol):
    def seal_dead_letter(self, letter_id: UUID, payload: bytes) -> Sealed: ...

    def open_dead_letter(self, letter_id: UUID, sealed: Sealed) -> bytes: ...


@dataclass(frozen=True, slots=True)
class DeadLetter:
    id: str
    source: str
    reason: str
    payload: bytes
    received_at: datetime
    content_type: str = "application/json"
    webhook_id: str | None = None
    status: str = "pending"
    attempts: int = 0
    last_attempt_at: datetime | None = None
    replayed_at: datetime | None = None

    @classmethod
    def create(
        cls,
        *,
        source: str,
        reason: str,
        payload: bytes,
        now: datetime,
        webhook_id: str | None = None,
        content_type: str = "application/json",
    ) -> DeadLetter:
        return cls(uuid7(), source, reason, payload, now, content_type, webhook_id)


def dead_letter_row(letter: DeadLetter, sealer: PayloadSealer) -> dict[str, Any]:
    return {
        "id": letter.id,
        "source": letter.source,
        "webhook_id": letter.webhook_id,
        "received_at": letter.received_at,
        "reason": letter.reason,
        "content_type": letter.content_type,
        "payload": sealer.seal_dead_letter(UUID(letter.id), letter.payload),
        "status": letter.status,
        "attempts": letter.attempts,
    }


async def store_dead_letters(
    conn: AsyncConnection, sealer: PayloadSealer, letters: Sequence[DeadLetter]
) -> None:
    if letters:
        await conn.execute(insert(dead_letters), [dead_letter_row(d, sealer) for d in letters])


async def list_dead_letters(
    conn: AsyncConnection,
    sealer: PayloadSealer,
    *,
    status: str | None = "pending",
    ids: Collection[str] = (),
) -> list[DeadLetter]:
    """Letters with this status (None: any), oldest first; only these ids when given."""
    query = select(dead_letters).order_by(dead_letters.c.received_at, dead_letters.c.id)
    if status is not None:
        query = query.where(dead_letters.c.status == status)
    if ids:
        query = query.where(dead_letters.c.id.in_(sorted(set(ids))))
    rows = await conn.execute(query)
    return [
        DeadLetter(
            r.id,
            r.source,
            r.reason,
            sealer.open_dead_letter(UUID(r.id), r.payload),
            r.received_at,
            r.content_type,
            r.webhook_id,
            r.status,
            r.attempts,
            r.last_attempt_at,
            r.replayed_at,
        )
        for r in rows
    ]


async def record_attempt(
    conn: AsyncConnection, letter_id: str, *, failure: str | None, now: datetime
) -> bool:
    """Count one replay of a pending letter. A failure replaces the reason and leaves the
    letter pending (its payload untouched); success marks it replayed. False if the letter
    was no longer pending (another replay got there first)."""
    values: dict[str, Any] = {
        "attempts": dead_letters.c.attempts + 1,
        "last_attempt_at": now,
    }
    if failure is None:
        values.update(status="replayed", replayed_at=now)
    else:
        values["reason"] = failure
    result = await conn.execute(
        update(dead_letters)
        .where(dead_letters.c.id == letter_id, dead_letters.c.status == "pending")
        .values(**values)
    )
    return bool(result.rowcount)
