"""The health of every configured source (sync times, dead letters, parked events, the pull
runner's breaker), behind `orderlens connectors` and the `sources` query."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncEngine

from connectors import Instance, Kind, SourceHealth
from gateway.settings import Settings
from gateway.sources.freshness import pulled, source_state
from gateway.sources.ports import HealthHandles
from gateway.sources.pulling import Pulling
from gateway.timeline import read_parked_counts, read_pending_dead_letters, read_sync_times


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


# How a source declared in ORDERLENS_INGEST_SECRETS (not a connector instance) is listed.
INGEST_SECRETS_TYPE = "cloudevents"
INGEST_SECRETS_MODE = "push /ingest/events (ORDERLENS_INGEST_SECRETS)"


def _runner_health(runtime: HealthHandles) -> dict[str, SourceHealth]:
    for part in runtime.background:
        if isinstance(part, Pulling):
            return part.runner.health()
    return {}


async def connector_health(runtime: HealthHandles) -> list[ConnectorHealth]:
    return await source_health(
        runtime.engine,
        runtime.settings,
        runtime.connectors,
        runtime.clock(),
        live=_runner_health(runtime),
    )


async def source_health(
    engine: AsyncEngine,
    settings: Settings,
    instances: Mapping[str, Instance],
    now: datetime,
    *,
    live: Mapping[str, SourceHealth] | None = None,
) -> list[ConnectorHealth]:
    """Every configured source: the connector instances, then the ORDERLENS_INGEST_SECRETS
    sources. Needs only the database, so `orderlens connectors` opens no keys."""
    live = live or {}
    async with engine.connect() as conn:
        synced = await read_sync_times(conn)
        letters = await read_pending_dead_letters(conn)
        parked = await read_parked_counts(conn)
    rows = []
    for instance in instances.values():
        state = source_state(instance.id, synced, instances, now)
        rows.append(
            ConnectorHealth(
                id=instance.id,
                type=instance.connector.name,
                kind=instance.kind.value,
                mode=instance_mode(instance),
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
    for name in sorted(settings.ingest_secrets):
        state = source_state(name, synced, instances, now)  # pushed: never stale by our clock
        rows.append(
            ConnectorHealth(
                id=name,
                type=INGEST_SECRETS_TYPE,
                kind=Kind.GENERIC.value,
                mode=INGEST_SECRETS_MODE,
                last_synced_at=state.last_synced_at,
                stale=state.stale,
                dead_letters=int(letters.get(name, 0)),
                parked=int(parked.get(name, 0)),
            )
        )
    return rows


def instance_mode(instance: Instance) -> str:
    if pulled(instance):
        return f"pull every {instance.pull_every:g} s"
    return f"push /ingest/{instance.id}"
