"""Payloads that could not be ingested, kept with the reason so nothing is lost.

A dead letter holds the bytes exactly as received, sealed (they may hold personal data) under
a system key bound to the letter's id. `orderlens deadletters` (a later issue) lists and
replays them once the cause is fixed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.events import uuid7
from gateway.tables import dead_letters
from privacy import Sealed


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
    }


async def store_dead_letters(
    conn: AsyncConnection, sealer: PayloadSealer, letters: Sequence[DeadLetter]
) -> None:
    if letters:
        await conn.execute(insert(dead_letters), [dead_letter_row(d, sealer) for d in letters])


async def list_dead_letters(
    conn: AsyncConnection, sealer: PayloadSealer, *, status: str = "pending"
) -> list[DeadLetter]:
    rows = await conn.execute(
        select(dead_letters)
        .where(dead_letters.c.status == status)
        .order_by(dead_letters.c.received_at)
    )
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
        )
        for r in rows
    ]
