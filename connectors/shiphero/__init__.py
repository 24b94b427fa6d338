"""ShipHero (WMS) webhooks: Order Allocated, Order Packed Out, Order Canceled, Shipment Update.

Push only. `verify` checks `x-shiphero-hmac-sha256` (see `signature.py`: no timestamp, so no
replay window; dedup by `x-shiphero-message-id`); `translate` maps the body (see `parse.py`
for the mapping table and the source's limits).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel

from connectors.sdk import Kind, PushConnector, Translation, Verified
from connectors.shiphero.config import ShipHeroConfig
from connectors.shiphero.parse import MAPPING_VERSION, Context, translate
from connectors.shiphero.signature import MESSAGE_ID_HEADER, SIGNATURE_HEADER, sign, verify


class ShipHeroConnector(PushConnector):
    name: ClassVar[str] = "shiphero"
    kind: ClassVar[Kind] = Kind.WMS
    label: ClassVar[str] = "ShipHero webhooks"
    mapping_version: ClassVar[str] = MAPPING_VERSION
    config_model: ClassVar[type[BaseModel]] = ShipHeroConfig

    def __init__(self, config: ShipHeroConfig | None = None) -> None:
        self._zone = config.zone() if config is not None else Context().zone

    def bind(self, config: BaseModel) -> ShipHeroConnector:
        """This connector reading naive timestamps in the instance's time zone."""
        assert isinstance(config, ShipHeroConfig)
        return ShipHeroConnector(config)

    def translate(
        self, payload: bytes, *, content_type: str, received_at: datetime | None = None
    ) -> Translation:
        """`received_at` (when the gateway received the delivery) dates the webhook types
        that carry no timestamp of their own; it never changes an event id."""
        return translate(payload, context=Context(zone=self._zone, received_at=received_at))

    def verify(
        self, config: BaseModel, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> Verified:
        assert isinstance(config, ShipHeroConfig)
        return verify(config, headers, body)


CONNECTOR = ShipHeroConnector()

__all__ = [
    "CONNECTOR",
    "MAPPING_VERSION",
    "MESSAGE_ID_HEADER",
    "SIGNATURE_HEADER",
    "ShipHeroConfig",
    "ShipHeroConnector",
    "sign",
]
