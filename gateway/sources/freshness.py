"""How current each source is: when the gateway last heard from it, and whether that is late.

The sequencer records every source's last commit and the pull runner every successful sync
(connector_state), so every replica answers the same. A pulled source is stale when it has
not synced for three of its intervals; a pushed source cannot be late by our clock alone.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from connectors import Instance, PullConnector

STALE_AFTER_PULLS = 3


@dataclass(frozen=True, slots=True)
class SourceState:
    last_synced_at: datetime | None
    stale: bool


def pulled(instance: Instance | None) -> bool:
    return (
        instance is not None
        and isinstance(instance.connector, PullConnector)
        and instance.pull_every is not None
    )


def source_state(
    source: str,
    synced: Mapping[str, datetime],
    instances: Mapping[str, Instance],
    now: datetime,
) -> SourceState:
    last = synced.get(source)
    instance = instances.get(source)
    if not pulled(instance):
        return SourceState(last, stale=False)
    assert instance is not None and instance.pull_every is not None
    late = last is None or (now - last).total_seconds() > STALE_AFTER_PULLS * instance.pull_every
    return SourceState(last, stale=late)
