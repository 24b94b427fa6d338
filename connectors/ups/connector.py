"""The UPS connector type: Track API v1, polled per tracking number."""

from __future__ import annotations

from typing import ClassVar

import httpx
from pydantic import BaseModel

from connectors.sdk import Kind, Translation
from connectors.ups.client import UpsTrackClient
from connectors.ups.mapping import MAPPING_VERSION
from connectors.ups.models import UpsConfig
from connectors.ups.parse import translate


class UpsConnector:
    name: ClassVar[str] = "ups"
    kind: ClassVar[Kind] = Kind.COURIER
    label: ClassVar[str] = "UPS Track API v1 (polling)"
    mapping_version: ClassVar[str] = MAPPING_VERSION
    config_model: ClassVar[type[BaseModel]] = UpsConfig

    def translate(self, payload: bytes, *, content_type: str) -> Translation:
        return translate(payload)

    def client(self, config: BaseModel, http: httpx.AsyncClient) -> UpsTrackClient:
        if not isinstance(config, UpsConfig):
            raise TypeError(f"the ups connector needs a UpsConfig, got {type(config).__name__}")
        return UpsTrackClient(config, http)


CONNECTOR = UpsConnector()
