"""The dead-letter record, and keeping one in the transaction that refused its event.

The sequencer is the lowest stage that refuses events (a milestone that cannot follow, a leaf
too large), so the record lives here; ingest keeps its own refusals with the same record and
lists and replays them (`gateway.ingest.deadletters`). A dead letter holds the bytes exactly
as received, sealed (they may hold personal data) under a system key bound to the letter's id.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import dead_letters
from gateway.events import uuid7
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
