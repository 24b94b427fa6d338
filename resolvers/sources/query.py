"""Query fields about the configured sources: staff see how current each is and what waits."""

from __future__ import annotations

import strawberry

from gateway.sources import connector_health
from resolvers.context import Info
from resolvers.errors import Forbidden
from resolvers.sources.types import SourceStatus


@strawberry.type
class SourcesQuery:
    @strawberry.field(
        description="Staff only: configured sources, how current each is, and what waits."
    )
    async def sources(self, info: Info) -> list[SourceStatus]:
        context = info.context
        if not context.viewer.is_staff or context.viewer.expired(context.runtime.clock()):
            raise Forbidden("only agents and administrators can see source health")
        return [
            SourceStatus(
                id=h.id,
                type=h.type,
                kind=h.kind,
                mode=h.mode,
                last_synced_at=h.last_synced_at,
                stale=h.stale,
                dead_letters=h.dead_letters,
                parked=h.parked,
                breaker=h.breaker,
                last_error=h.last_error,
                consecutive_failures=h.consecutive_failures,
            )
            for h in await connector_health(context.runtime)
        ]
