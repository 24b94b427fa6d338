"""Options of an EasyPost instance (validated at start-up; secrets never show in a repr)."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field, SecretStr


class EasyPostConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # The `webhook_secret` set on the EasyPost webhook (POST /v2/webhooks).
    webhook_secret: SecretStr
    # During a rotation, deliveries signed with the previous secret are accepted too.
    previous_webhook_secret: SecretStr | None = None
    # Freshness window for the X-Timestamp header, when EasyPost sends one.
    max_skew_seconds: int = Field(default=300, ge=30, le=3600)
