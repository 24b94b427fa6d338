"""One idempotency store: the answer given to a request, kept under (scope, key).

A repeat of the same request (same fingerprint) gets the stored answer again; the key reused
for a different request is a conflict. Both ingest endpoints use it with scope = the source
and key = the delivery id (the body's hash when a source sends none); anything else that must
answer a retried request once (a mutation with an idempotency key) can use it the same way.
Only final answers are kept: a request that failed and should be retried is not remembered.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError

from gateway.db import Writer
from gateway.db.tables import webhook_deliveries


def fingerprint(request: bytes) -> bytes:
    """What identifies a request's content: its SHA-256."""
    return hashlib.sha256(request).digest()


@dataclass(frozen=True, slots=True)
class StoredAnswer:
    status: int
    body: str  # JSON, exactly as first sent


@dataclass(frozen=True, slots=True)
class KeyReused:
    """The key was used before for a request with another fingerprint."""


class IdempotencyStore:
    def __init__(self, writer: Writer) -> None:
        self._writer = writer

    async def recall(self, scope: str, key: str, digest: bytes) -> StoredAnswer | KeyReused | None:
        """The stored answer for this request; KeyReused; None if the key is new."""
        async with self._writer.engine.connect() as conn:
            earlier = (
                await conn.execute(
                    select(webhook_deliveries).where(
                        webhook_deliveries.c.source == scope,
                        webhook_deliveries.c.webhook_id == key,
                    )
                )
            ).first()
        if earlier is None:
            return None
        if earlier.body_sha256 != digest:
            return KeyReused()
        return StoredAnswer(earlier.status_code, earlier.response)

    async def remember(
        self, scope: str, key: str, digest: bytes, answer: StoredAnswer, now: datetime
    ) -> None:
        try:
            async with self._writer.transaction() as conn:
                await conn.execute(
                    insert(webhook_deliveries).values(
                        source=scope,
                        webhook_id=key,
                        body_sha256=digest,
                        status_code=answer.status,
                        response=answer.body,
                        received_at=now.astimezone(UTC),
                    )
                )
        except IntegrityError:
            # A concurrent retry of the same request got there first; for ingestion its
            # events were deduplicated by identity, so both answers describe the same log.
            pass
