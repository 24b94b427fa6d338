"""ERPNext (Frappe): Sales Orders and Delivery Notes, pushed by Frappe webhooks or pulled over
the REST API.

The mapping depends on the instance (its site's time zone, what a delivery note marks), yet
`translate` must stay pure: `CONNECTOR.translate` maps with the defaults (UTC, "dispatch"),
and `CONNECTOR.bind(config)` returns the mapping of one instance, which the gateway uses
(`Instance.translate`). Mapping table: `connectors/erpnext/parse.py`.

Frappe set-up, per doctype (Sales Order, Delivery Note): a Webhook with Doc Event `on_change`
(covers submit, cancel, and the status/per_delivered updates a delivery note makes on its
order), Request Structure JSON, body `{{ doc | tojson }}` (or any JSON keeping `doctype`,
`name` and the mapped fields), Enable Security with a secret, URL `/ingest/<instance id>`.
For districts, add to Sales Order a Custom Field `shipping_county` fetched from
`shipping_address_name.county` (option `district_field`).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import ClassVar

import httpx
from pydantic import BaseModel

from connectors.erpnext.client import ErpNextClient
from connectors.erpnext.codes import MAPPING_VERSION
from connectors.erpnext.config import ErpNextConfig
from connectors.erpnext.parse import Mapper
from connectors.erpnext.signature import HEADER, sign, verify_signature
from connectors.sdk import Kind, PullConnector, PushConnector, Translation, Verified


def _config(config: BaseModel) -> ErpNextConfig:
    if not isinstance(config, ErpNextConfig):
        raise TypeError(f"erpnext expects an ErpNextConfig, got {type(config).__name__}")
    return config


class ErpNextConnector(PushConnector, PullConnector):
    name: ClassVar[str] = "erpnext"
    kind: ClassVar[Kind] = Kind.ERP
    label: ClassVar[str] = "ERPNext / Frappe (Sales Order, Delivery Note)"
    mapping_version: ClassVar[str] = MAPPING_VERSION
    config_model: ClassVar[type[BaseModel]] = ErpNextConfig

    _default = Mapper(
        zone=ErpNextConfig().zone,
        marks="dispatch",
        mapping_version=MAPPING_VERSION,
        district_field=ErpNextConfig().district_field,
    )

    def bind(self, config: BaseModel) -> Mapper:
        """The pure mapping of one instance: `timezone`, `delivery_note_marks`, `district_field`."""
        options = _config(config)
        return Mapper(
            zone=options.zone,
            marks=options.delivery_note_marks,
            mapping_version=MAPPING_VERSION,
            district_field=options.district_field,
        )

    def translate(
        self, payload: bytes, *, content_type: str, received_at: datetime | None = None
    ) -> Translation:
        return self._default.translate(payload, content_type=content_type)

    def verify(
        self, config: BaseModel, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> Verified:
        secret = _config(config).webhook_secret
        return verify_signature(secret.get_secret_value() if secret else None, headers, body)

    def client(self, config: BaseModel, http: httpx.AsyncClient) -> ErpNextClient:
        return ErpNextClient(_config(config), http)


CONNECTOR = ErpNextConnector()

__all__ = [
    "CONNECTOR",
    "HEADER",
    "MAPPING_VERSION",
    "ErpNextClient",
    "ErpNextConfig",
    "ErpNextConnector",
    "Mapper",
    "sign",
]
