"""What a caller hands the sequencer, and what it gets back for each draft."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal, Protocol

from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.events import EventDraft
from gateway.sequencer.rejections import PayloadSealer


@dataclass(frozen=True, slots=True)
class Submission:
    draft: EventDraft
    raw: bytes  # the event as the source sent it, kept if it is dead-lettered
    webhook_id: str | None = None
    # Set when replaying this dead letter: a rejection stays in it instead of making a new one.
    replaying: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Literal["accepted", "duplicate", "rejected"]
    event_id: str | None = None
    receipt: dict[str, Any] | None = None
    error: str | None = None
    dead_letter_id: str | None = None


class PersonalDataStore(PayloadSealer, Protocol):
    """Where the personal part of an event goes (privacy.Vault): sealed in the same
    transaction as the event, which carries only the returned keyed commitment."""

    async def store(
        self,
        conn: AsyncConnection,
        *,
        order_number: str,
        customer_ref: str | None,
        shipment_id: str | None,
        pii: Mapping[str, Any],
        now: datetime,
    ) -> str: ...
