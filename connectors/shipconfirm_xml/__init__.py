"""Warehouse ship confirmations as XML (an X12 945 rendered as XML), pushed by a 3PL.

Push only. Deliveries are signed with Standard Webhooks `v1` (`webhook-id`,
`webhook-timestamp`, `webhook-signature`: HMAC-SHA256 over `id.timestamp.body` with a
`whsec_` secret; standardwebhooks.com), the generic scheme a 3PL's integration platform can
produce without custom code. It has a timestamp, so deliveries older or newer than
`tolerance_seconds` (5 minutes by default) are refused, and `webhook-id` is the delivery id
the gateway dedups on. See `parse.py` for the format and the mapping table.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel

from connectors.sdk import Kind, PushConnector, Translation, Verified
from connectors.shipconfirm_xml.codes import MAPPING_VERSION
from connectors.shipconfirm_xml.config import ShipConfirmConfig
from connectors.shipconfirm_xml.parse import translate
from connectors.webhooks import verify_standard_webhook


class ShipConfirmXmlConnector(PushConnector):
    name: ClassVar[str] = "shipconfirm_xml"
    kind: ClassVar[Kind] = Kind.WMS
    label: ClassVar[str] = "Warehouse ship confirmation (X12 945 as XML)"
    mapping_version: ClassVar[str] = MAPPING_VERSION
    config_model: ClassVar[type[BaseModel]] = ShipConfirmConfig

    def translate(
        self, payload: bytes, *, content_type: str, received_at: datetime | None = None
    ) -> Translation:
        return translate(payload, content_type=content_type)

    def verify(
        self, config: BaseModel, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> Verified:
        assert isinstance(config, ShipConfirmConfig)
        return verify_standard_webhook(
            config.webhook_secret(), headers, body, now, config.tolerance_seconds
        )


CONNECTOR = ShipConfirmXmlConnector()

__all__ = ["CONNECTOR", "MAPPING_VERSION", "ShipConfirmConfig", "ShipConfirmXmlConnector"]
