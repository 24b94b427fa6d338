"""EasyPost tracker webhooks: a push connector (HMAC-signed Events, see signature.py)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel

from connectors.easypost.codes import MAPPING_VERSION, map_detail
from connectors.easypost.config import EasyPostConfig
from connectors.easypost.parse import SOURCE_URI, translate
from connectors.easypost.signature import sign, verify
from connectors.sdk import Kind, PushConnector, Translation, Verified


class EasyPostConnector(PushConnector):
    name: ClassVar[str] = "easypost"
    kind: ClassVar[Kind] = Kind.COURIER
    label: ClassVar[str] = "EasyPost tracker webhooks"
    mapping_version: ClassVar[str] = MAPPING_VERSION
    config_model: ClassVar[type[BaseModel]] = EasyPostConfig

    def translate(
        self, payload: bytes, *, content_type: str, received_at: datetime | None = None
    ) -> Translation:
        return translate(payload)

    def verify(
        self, config: BaseModel, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> Verified:
        if not isinstance(config, EasyPostConfig):
            raise TypeError(f"the easypost connector needs an EasyPostConfig, got {type(config)}")
        return verify(config, headers, body, now)


CONNECTOR = EasyPostConnector()

__all__ = [
    "CONNECTOR",
    "MAPPING_VERSION",
    "SOURCE_URI",
    "EasyPostConfig",
    "EasyPostConnector",
    "map_detail",
    "sign",
    "translate",
    "verify",
]
