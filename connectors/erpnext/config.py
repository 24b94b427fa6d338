"""The options of one ERPNext instance.

A push-only instance needs `webhook_secret`; a pulled one needs `base_url`, `api_key` and
`api_secret`. `timezone` is the site's time zone (System Settings > Time Zone): Frappe writes
every datetime naive in it, so the mapping needs it to put events on the right instant.
"""

from __future__ import annotations

from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import httpx
from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator


class ErpNextConfig(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    base_url: str | None = None  # https://erp.example.com (pull only)
    api_key: str | None = None  # the API user's key: half of `Authorization: token key:secret`
    api_secret: SecretStr | None = None
    webhook_secret: SecretStr | None = None  # the Webhook DocType's "Webhook Secret" (push)
    timezone: str = "UTC"  # the site's time zone, an IANA name such as "Asia/Shanghai"
    page_size: int = Field(default=20, ge=1, le=500)  # changed documents per doctype per pull
    timeout: float = Field(default=30.0, gt=0, le=300)  # seconds per HTTP request
    # What submitting a Delivery Note means on this site, which decides what ERPNext's own
    # "delivered" (per_delivered, delivery_status) becomes. "dispatch": the goods left the
    # warehouse with a transporter (the usual case; couriers report the actual delivery).
    # "handover": delivery notes are submitted when the customer has the goods (own fleet).
    delivery_note_marks: Literal["dispatch", "handover"] = "dispatch"
    # The Sales Order field that holds the shipping Address's `county`, mapped to the delivery
    # address's district: ERPNext keeps no address fields on the order, so add a Custom Field
    # (Data) with Fetch From `shipping_address_name.county` (v15 names it `custom_...`).
    # The printed address cannot tell a district from a second street line, so without this
    # field a district stays in the sealed street. None: districts are not read.
    district_field: str | None = Field(
        default="custom_shipping_county", pattern=r"^[a-z][a-z0-9_]{0,139}$"
    )

    @field_validator("timezone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError):
            raise ValueError(f"unknown time zone {value!r} (use an IANA name)") from None
        return value

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is None:
            return None
        try:
            url = httpx.URL(value)
        except httpx.InvalidURL:
            raise ValueError("base_url is not a URL") from None
        if url.scheme not in {"http", "https"} or not url.host:
            raise ValueError("base_url must be an http(s) URL such as https://erp.example.com")
        if url.userinfo or url.query:
            raise ValueError("base_url must not carry credentials or a query")
        return value.rstrip("/")

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)
