"""The generic CloudEvents connector: normalized events from in-house systems."""

from connectors.cloudevents.parse import (
    MAX_EVENTS_PER_BATCH,
    Parsed,
    ParsedBatch,
    PayloadError,
    Rejected,
    parse_batch,
    parse_event,
)

__all__ = [
    "MAX_EVENTS_PER_BATCH",
    "Parsed",
    "ParsedBatch",
    "PayloadError",
    "Rejected",
    "parse_batch",
    "parse_event",
]
