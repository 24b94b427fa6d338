"""GraphQL types of the sources (connector instances) and how current each one is."""

from __future__ import annotations

from datetime import datetime

import strawberry


@strawberry.type(description="How current one source's part of the timeline is.")
class SourceFreshness:
    source: str
    events: int
    last_occurred_at: datetime
    last_received_at: datetime
    last_synced_at: datetime | None = strawberry.field(
        description="When the gateway last heard from this source at all (any order): its "
        "last successful pull, or its last delivery."
    )
    stale: bool = strawberry.field(
        description="A pulled source that has not synced for three of its intervals: this "
        "part of the timeline may be behind."
    )


@strawberry.type(description="A configured source (connector instance) and how current it is.")
class SourceStatus:
    id: str
    type: str
    kind: str
    mode: str
    last_synced_at: datetime | None
    stale: bool
    dead_letters: int = strawberry.field(description="Payloads kept for replay.")
    parked: int = strawberry.field(description="Events waiting for their order or shipment.")
    breaker: str | None = strawberry.field(
        description="Pulled sources: closed, open (not called until a cool-down passes) or "
        "half_open (one trial call)."
    )
    last_error: str | None = strawberry.field(
        description="Pulled sources: the current problem, cleared by the next success."
    )
    consecutive_failures: int
