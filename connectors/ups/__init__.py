"""UPS Track API v1: a pull connector polling each open tracking number (see client.py)."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

import httpx
from pydantic import BaseModel

from connectors.sdk import Kind, PullConnector, Translation
from connectors.ups.client import Cursor, UpsTrackClient
from connectors.ups.codes import MAPPING_VERSION, map_activity
from connectors.ups.config import TrackingNumbers, UpsConfig
from connectors.ups.parse import SOURCE_URI, translate


class UpsConnector(PullConnector):
    name: ClassVar[str] = "ups"
    kind: ClassVar[Kind] = Kind.COURIER
    label: ClassVar[str] = "UPS Track API v1 (polling)"
    mapping_version: ClassVar[str] = MAPPING_VERSION
    config_model: ClassVar[type[BaseModel]] = UpsConfig

    def translate(
        self, payload: bytes, *, content_type: str, received_at: datetime | None = None
    ) -> Translation:
        return translate(payload)

    def client(self, config: BaseModel, http: httpx.AsyncClient) -> UpsTrackClient:
        if not isinstance(config, UpsConfig):
            raise TypeError(f"the ups connector needs a UpsConfig, got {type(config).__name__}")
        return UpsTrackClient(config, http)


CONNECTOR = UpsConnector()

__all__ = [
    "CONNECTOR",
    "MAPPING_VERSION",
    "SOURCE_URI",
    "Cursor",
    "TrackingNumbers",
    "UpsConfig",
    "UpsConnector",
    "UpsTrackClient",
    "map_activity",
    "translate",
]
