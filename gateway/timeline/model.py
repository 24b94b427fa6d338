"""Read models derived from the log: plain frozen values, never ORM rows."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from gateway.events import (
    MILESTONES,
    Layer,
    Milestone,
    Reason,
    Visibility,
    parse_iso,
)


@dataclass(frozen=True, slots=True)
class LoggedEvent:
    """One committed event, as read back from its logged CloudEvent document."""

    id: str
    order_number: str
    seq: int
    source: str
    layer: Layer
    milestone: Milestone
    reason: Reason | None
    visibility: Visibility
    shipment_id: str | None
    occurred_at: datetime
    received_at: datetime
    document: dict[str, Any]  # the CloudEvent exactly as logged
    leaf_index: int = -1
    leaf_hash: bytes = b""

    @property
    def data(self) -> dict[str, Any]:
        data: dict[str, Any] = self.document["data"]
        return data

    @property
    def sort_key(self) -> tuple[datetime, int]:
        return (self.occurred_at, self.seq)

    @classmethod
    def from_document(
        cls, document: str | dict[str, Any], leaf_index: int = -1, leaf_hash: bytes = b""
    ) -> LoggedEvent:
        doc = json.loads(document) if isinstance(document, str) else document
        data = doc["data"]
        layer = Layer(data["layer"])
        shipment = data.get("shipment")
        return cls(
            id=doc["id"],
            order_number=doc["subject"],
            seq=data["seq"],
            source=doc["source"],
            layer=layer,
            milestone=MILESTONES[layer](data["milestone"]),
            reason=Reason(data["reason"]) if data.get("reason") else None,
            visibility=Visibility(data["visibility"]),
            shipment_id=shipment["id"] if shipment else None,
            occurred_at=parse_iso(doc["time"]),
            received_at=parse_iso(data["received_at"]),
            document=doc,
            leaf_index=leaf_index,
            leaf_hash=leaf_hash,
        )


@dataclass(frozen=True, slots=True)
class ShipmentView:
    order_number: str
    shipment_id: str
    position: int
    status: str
    last_event_at: datetime
    carrier: str | None = None
    tracking_number: str | None = None
    service_level: str | None = None
    status_reason: str | None = None
    carrier_edd: dict[str, Any] | None = None
    original_carrier_edd: dict[str, Any] | None = None
    packages: tuple[dict[str, Any], ...] = ()
    last_location: dict[str, Any] | None = None


@dataclass(frozen=True, slots=True)
class OrderView:
    number: str
    status: str
    updated_at: datetime
    event_count: int
    last_seq: int
    customer_ref: str | None = None
    promised_date: date | None = None
    carrier_edd: date | None = None
    placed_at: datetime | None = None
    lines: tuple[dict[str, Any], ...] = ()
    # source name -> {"last_occurred_at", "last_received_at", "events"}
    sources: dict[str, dict[str, Any]] = field(default_factory=dict)
    # visibility -> number of events, so each viewer's page count needs no extra query
    visibility_counts: dict[str, int] = field(default_factory=dict)
    shipments: tuple[ShipmentView, ...] = ()
