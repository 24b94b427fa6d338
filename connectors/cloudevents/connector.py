"""The generic CloudEvents connector as an instance type, for in-house systems that send the
normalized format to their own endpoint (POST /ingest/<id>) with their own secret."""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from connectors.cloudevents.parse import MAX_EVENTS_PER_BATCH
from connectors.sdk import Kind, PayloadError, Translation, Verified
from connectors.standard_webhooks import verify_standard_webhook
from gateway.ingest.webhooks import WebhookSecret


class CloudEventsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    secret: SecretStr  # a Standard Webhooks secret, whsec_...
    tolerance_seconds: int = 300

    @field_validator("secret")
    @classmethod
    def _valid_secret(cls, value: SecretStr) -> SecretStr:
        WebhookSecret(value.get_secret_value())  # raises without echoing the value
        return value


class CloudEventsConnector:
    name: ClassVar[str] = "cloudevents"
    kind: ClassVar[Kind] = Kind.GENERIC
    label: ClassVar[str] = "Normalized CloudEvents (in-house systems)"
    mapping_version: ClassVar[str] = "cloudevents-1"
    config_model: ClassVar[type[BaseModel]] = CloudEventsConfig

    def translate(self, payload: bytes, *, content_type: str) -> Translation:
        try:
            document = json.loads(payload)
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise PayloadError(f"body is not valid JSON: {exc}") from None
        items = document if isinstance(document, list) else [document]
        if not items or len(items) > MAX_EVENTS_PER_BATCH:
            raise PayloadError(f"a batch holds 1 to {MAX_EVENTS_PER_BATCH} events")
        if not all(isinstance(item, dict) for item in items):
            raise PayloadError("every event must be a JSON object")
        return Translation(events=tuple(items))

    def verify(
        self, config: BaseModel, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> Verified:
        assert isinstance(config, CloudEventsConfig)
        secret = WebhookSecret(config.secret.get_secret_value())
        return verify_standard_webhook(secret, headers, body, now, config.tolerance_seconds)


CONNECTOR = CloudEventsConnector()
