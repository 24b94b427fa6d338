"""Pulling sources: the runner (one loop per pulled instance) and its resilience policies."""

from connectors.pull.resilience import (
    MAX_RETRY_AFTER,
    Backoff,
    BreakerState,
    CircuitBreaker,
    PullPolicy,
    TokenBucket,
    describe,
    retry_after_seconds,
)
from connectors.pull.runner import (
    CursorStore,
    CycleResult,
    MemoryCursorStore,
    Outcome,
    PullRunner,
    SourceHealth,
)

__all__ = [
    "MAX_RETRY_AFTER",
    "Backoff",
    "BreakerState",
    "CircuitBreaker",
    "CursorStore",
    "CycleResult",
    "MemoryCursorStore",
    "Outcome",
    "PullPolicy",
    "PullRunner",
    "SourceHealth",
    "TokenBucket",
    "describe",
    "retry_after_seconds",
]
