"""Options of a `cloudevents` instance: an in-house system that sends the normalized format to
its own endpoint (POST /ingest/<id>) with its own Standard Webhooks secret."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

from gateway.events import WebhookSecret


class CloudEventsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    secret: SecretStr  # a Standard Webhooks secret, whsec_...
    tolerance_seconds: int = 300

    @field_validator("secret")
    @classmethod
    def _valid_secret(cls, value: SecretStr) -> SecretStr:
        WebhookSecret(value.get_secret_value())  # raises without echoing the value
        return value

    def webhook_secret(self) -> WebhookSecret:
        return WebhookSecret(self.secret.get_secret_value())
