"""The generic CloudEvents connector: normalized events from in-house systems, posted to
POST /ingest/events (batch parsing: `parse_batch`) or, as an instance of type `cloudevents`,
to their own endpoint POST /ingest/<id>, signed with Standard Webhooks."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel

from connectors.cloudevents.config import CloudEventsConfig
from connectors.cloudevents.parse import (
    MAX_EVENTS_PER_BATCH,
    Parsed,
    ParsedBatch,
    PayloadError,
    Rejected,
    parse_batch,
    translate,
)
from connectors.sdk import Kind, PushConnector, Translation, Verified, parse_event
from connectors.webhooks import verify_standard_webhook


class CloudEventsConnector(PushConnector):
    name: ClassVar[str] = "cloudevents"
    kind: ClassVar[Kind] = Kind.GENERIC
    label: ClassVar[str] = "Normalized CloudEvents (in-house systems)"
    mapping_version: ClassVar[str] = "cloudevents-1"
    config_model: ClassVar[type[BaseModel]] = CloudEventsConfig

    def translate(
        self, payload: bytes, *, content_type: str, received_at: datetime | None = None
    ) -> Translation:
        return translate(payload)

    def verify(
        self, config: BaseModel, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> Verified:
        assert isinstance(config, CloudEventsConfig)
        return verify_standard_webhook(
            config.webhook_secret(), headers, body, now, config.tolerance_seconds
        )


CONNECTOR = CloudEventsConnector()

__all__ = [
    "CONNECTOR",
    "MAX_EVENTS_PER_BATCH",
    "CloudEventsConfig",
    "CloudEventsConnector",
    "Parsed",
    "ParsedBatch",
    "PayloadError",
    "Rejected",
    "parse_batch",
    "parse_event",
]
