"""Operations on connector instances and dead letters, behind the CLI (and tests)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select

from connectors.runner import SourceHealth
from gateway.freshness import pulled, read_sync_times, source_state
from gateway.ingest.replay import ReplayReport, replay_dead_letters
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


def _pairs(rows: Any) -> dict[Any, Any]:
    return {key: value for key, value in rows}


__all__ = ["ConnectorHealth", "ReplayReport", "connector_health", "replay_dead_letters"]
