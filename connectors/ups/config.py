"""Options of a UPS instance (validated at start-up; the secret never shows in a repr)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

# Where the numbers to poll come from: the gateway's list of open UPS tracking numbers (those
# on shipments that are not delivered, returned or cancelled). Set it on the validated config
# with `config.model_copy(update={"open_tracking_numbers": store.open_ups_numbers})`.
TrackingNumbers = Callable[[], Awaitable[Sequence[str]]]


class UpsConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    # The API base (the OpenAPI `servers` URL): production, or https://wwwcie.ups.com/api.
    base_url: str = "https://onlinetools.ups.com/api"
    # OAuth client-credentials endpoint; by default /security/v1/oauth/token on the API host
    # (UPS serves it beside /api, not under it).
    token_url: str | None = None
    client_id: str = Field(min_length=1)
    client_secret: SecretStr
    transaction_src: str = Field(default="orderlens", min_length=1, max_length=64)
    locale: str = Field(default="en_US", pattern=r"^[a-z]{2}_[A-Z]{2}$")
    timeout: float = Field(default=10.0, gt=0, le=120)  # seconds, per HTTP request
    batch_size: int = Field(default=10, ge=1, le=100)  # tracking numbers per fetch
    concurrency: int = Field(default=4, ge=1, le=20)  # requests in flight within a batch
    # Fixed numbers to poll in addition to the open ones (small setups, tests).
    tracking_numbers: tuple[str, ...] = ()
    open_tracking_numbers: TrackingNumbers | None = Field(default=None, exclude=True, repr=False)

    @field_validator("base_url", "token_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError("must be an http(s) URL")
        return value.rstrip("/")

    @property
    def oauth_url(self) -> str:
        if self.token_url:
            return self.token_url
        parts = urlsplit(self.base_url)
        return f"{parts.scheme}://{parts.netloc}/security/v1/oauth/token"
