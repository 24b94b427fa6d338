"""Operations on connector instances and dead letters, behind the CLI (and tests)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update

from connectors.runner import SourceHealth
from gateway.freshness import pulled, read_sync_times, source_state
from gateway.ingest.deadletters import DeadLetter, list_dead_letters
from gateway.ingest.delivery import NORMALIZED, NotCommitted, deliver, ingest_normalized
from gateway.pulling import Pulling
from gateway.runtime import Runtime
from gateway.tables import dead_letters, parked_events


@dataclass(frozen=True, slots=True)
class ConnectorHealth:
    id: str
    type: str
    kind: str
    mode: str
    last_synced_at: datetime | None
    stale: bool
    dead_letters: int
    parked: int
    # From the pull runner of this process, when it runs here (not in a separate CLI).
    breaker: str | None = None
    last_error: str | None = None
    consecutive_failures: int = 0


def _runner_health(runtime: Runtime) -> dict[str, SourceHealth]:
    for part in runtime.background:
        if isinstance(part, Pulling):
            return part.runner.health()
    return {}


async def connector_health(runtime: Runtime) -> list[ConnectorHealth]:
    now = runtime.clock()
    live = _runner_health(runtime)
    async with runtime.engine.connect() as conn:
        synced = await read_sync_times(conn)
        letters: dict[str, int] = _pairs(
            (
                await conn.execute(
                    select(dead_letters.c.source, func.count())
                    .where(dead_letters.c.status == "pending")
                    .group_by(dead_letters.c.source)
                )
            ).all()
        )
        parked: dict[str, int] = _pairs(
            (
                await conn.execute(
                    select(parked_events.c.source, func.count()).group_by(parked_events.c.source)
                )
            ).all()
        )
    rows = []
    for instance in runtime.connectors.values():
        state = source_state(instance.id, synced, runtime.connectors, now)
        rows.append(
            ConnectorHealth(
                id=instance.id,
                type=instance.connector.name,
                kind=instance.kind.value,
                mode=f"pull every {instance.pull_every:g} s"
                if pulled(instance)
                else f"push /ingest/{instance.id}",
                last_synced_at=state.last_synced_at,
                stale=state.stale,
                dead_letters=int(letters.get(instance.id, 0)),
                parked=int(parked.get(instance.id, 0)),
                breaker=live[instance.id].breaker.value if instance.id in live else None,
                last_error=live[instance.id].last_error if instance.id in live else None,
                consecutive_failures=(
                    live[instance.id].consecutive_failures if instance.id in live else 0
                ),
            )
        )
    return rows


@dataclass
class ReplayReport:
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"replayed": 0, "failed": 0, "skipped": 0}
    )

    @property
    def failed(self) -> int:
        return self.counts["failed"]


async def replay_dead_letters(
    runtime: Runtime, *, ids: Sequence[str] = (), source: str | None = None
) -> ReplayReport:
    """Re-process pending dead letters. Each replayed letter is marked `replayed`; whatever
    still fails becomes a new dead letter with the current reason, so nothing is lost."""
    async with runtime.engine.connect() as conn:
        pending = await list_dead_letters(conn, runtime.vault)
    wanted = [d for d in pending if (not ids or d.id in ids) and source in (None, d.source)]
    report = ReplayReport()
    for letter in wanted:
        try:
            status = await _replay(runtime, letter)
        except NotCommitted:
            report.counts["failed"] += 1
            report.lines.append(f"{letter.id}: the log is unavailable; left pending")
            continue
        if status is None:
            report.counts["skipped"] += 1
            report.lines.append(f"{letter.id}: source {letter.source} is not configured; skipped")
            continue
        async with runtime.writer.transaction() as conn:
            await conn.execute(
                update(dead_letters).where(dead_letters.c.id == letter.id).values(status="replayed")
            )
        ok = status < 300 and status != 207
        report.counts["replayed" if ok else "failed"] += 1
        verdict = "ingested" if ok else f"still failing (status {status}); see the new dead letter"
        report.lines.append(f"{letter.id}: {verdict}")
    return report


async def _replay(runtime: Runtime, letter: DeadLetter) -> int | None:
    instance = runtime.connectors.get(letter.source)
    delivery = f"replay:{uuid.uuid4()}"
    if instance is not None and letter.content_type != NORMALIZED:
        status, _ = await deliver(
            runtime,
            instance,
            letter.payload,
            content_type=letter.content_type,
            delivery_id=delivery,
        )
        return status
    if instance is None and letter.source not in runtime.settings.ingest_secrets:
        return None
    try:
        document = json.loads(letter.payload)
    except ValueError:
        document = None
    items = document if isinstance(document, list) else [document]
    if not all(isinstance(item, dict) for item in items):
        # Still not events: keep it, with the reason, under the same source.
        return 400
    status, _ = await ingest_normalized(runtime, letter.source, items, delivery_id=delivery)
    return status


def _pairs(rows: Any) -> dict[Any, Any]:
    return {key: value for key, value in rows}
