"""The sources as the process sees them: pulling the pull connectors (`pulling`), how fresh each
source is (`freshness`) and the health of every configured source (`health`)."""

from gateway.sources.freshness import (
    STALE_AFTER_PULLS,
    SourceState,
    pulled,
    source_state,
)
from gateway.sources.health import (
    INGEST_SECRETS_MODE,
    INGEST_SECRETS_TYPE,
    ConnectorHealth,
    connector_health,
    instance_mode,
    source_health,
)
from gateway.sources.ports import HealthHandles, PullHandles
from gateway.sources.pulling import FINAL_SHIPMENT_STATES, Pulling, start_pulling

__all__ = [
    "HealthHandles",
    "PullHandles",
    "FINAL_SHIPMENT_STATES",
    "INGEST_SECRETS_MODE",
    "INGEST_SECRETS_TYPE",
    "STALE_AFTER_PULLS",
    "ConnectorHealth",
    "Pulling",
    "SourceState",
    "connector_health",
    "instance_mode",
    "pulled",
    "source_health",
    "source_state",
    "start_pulling",
]
