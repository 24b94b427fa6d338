"""Options of one ShipHero instance.

```toml
[connectors.wms]
type = "shiphero"
options = { timezone = "UTC" }
secrets = { webhook_secret = "SHIPHERO_WEBHOOK_SECRETS" }
```

ShipHero returns a `shared_signature_secret` once per registered webhook (`webhook_create`),
so an instance subscribed to four webhook types holds up to four secrets: `webhook_secret`
takes one, or several separated by commas. ShipHero's timestamps (`allocated_at`,
`created_at`) carry no UTC offset; `timezone` says which zone they are in (UTC unless the
account is known to report local time).
"""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, SecretStr, field_validator

MAX_SECRETS = 16


class ShipHeroConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, hide_input_in_errors=True)

    webhook_secret: SecretStr
    timezone: str = "UTC"

    @field_validator("webhook_secret")
    @classmethod
    def _secrets(cls, value: SecretStr) -> SecretStr:
        parts = value.get_secret_value().split(",")
        if any(not part.strip() for part in parts):
            raise ValueError("one or more non-empty secrets, comma separated")
        if len(parts) > MAX_SECRETS:
            raise ValueError(f"at most {MAX_SECRETS} secrets")
        return value

    @field_validator("timezone")
    @classmethod
    def _zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError("not an IANA time zone name (e.g. UTC, America/New_York)") from None
        return value

    def secrets(self) -> list[bytes]:
        """The configured secrets as HMAC keys (ShipHero signs with the secret's UTF-8 bytes)."""
        return [part.strip().encode() for part in self.webhook_secret.get_secret_value().split(",")]

    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
