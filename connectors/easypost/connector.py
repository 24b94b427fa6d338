"""The EasyPost connector type: tracker webhooks (push)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar

from pydantic import BaseModel

from connectors.easypost.mapping import MAPPING_VERSION
from connectors.easypost.models import EasyPostConfig
from connectors.easypost.parse import translate
from connectors.easypost.signature import verify
from connectors.sdk import Kind, Translation, Verified


class EasyPostConnector:
    name: ClassVar[str] = "easypost"
    kind: ClassVar[Kind] = Kind.COURIER
    label: ClassVar[str] = "EasyPost tracker webhooks"
    mapping_version: ClassVar[str] = MAPPING_VERSION
    config_model: ClassVar[type[BaseModel]] = EasyPostConfig

    def translate(self, payload: bytes, *, content_type: str) -> Translation:
        return translate(payload)

    def verify(
        self, config: BaseModel, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> Verified:
        if not isinstance(config, EasyPostConfig):
            raise TypeError(f"the easypost connector needs an EasyPostConfig, got {type(config)}")
        return verify(config, headers, body, now)


CONNECTOR = EasyPostConnector()
