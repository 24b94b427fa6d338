"""Payloads that could not be ingested, kept with the reason so nothing is lost.

The record and its write are the sequencer's (`gateway.sequencer.rejections`: it refuses
events too); this module reads letters back and counts replays. `orderlens deadletters
replay` re-processes them once the cause is fixed: a replay that still fails keeps the payload
and records the new reason and the attempt; only a replay that succeeds marks the letter
replayed, once.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import datetime
from typing import Any
from uuid import UUID

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import dead_letters
from gateway.sequencer import DeadLetter, PayloadSealer


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
