"""Options of one ship-confirmation instance.

```toml
[connectors.dc-pudong]
type = "shipconfirm_xml"
secrets = { secret = "DC_PUDONG_WEBHOOK_SECRET" }     # whsec_..., Standard Webhooks
```
"""

from __future__ import annotations

from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from connectors.webhooks import DEFAULT_TOLERANCE
from gateway.events import WebhookSecret


class ShipConfirmConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    secret: SecretStr  # a Standard Webhooks secret, whsec_<base64>
    tolerance_seconds: Annotated[int, Field(ge=1, le=3600)] = DEFAULT_TOLERANCE

    @field_validator("secret")
    @classmethod
    def _valid_secret(cls, value: SecretStr) -> SecretStr:
        WebhookSecret(value.get_secret_value())  # raises without echoing the value
        return value

    def webhook_secret(self) -> WebhookSecret:
        return WebhookSecret(self.secret.get_secret_value())
