"""Planned events: what happens to an order, when, and which system reports it.

Each planned step is written as the normalized event the gateway should end up with (`data`),
tagged with the connector instance that reports it (`system`) and with hints for that
system's native format (`native`: warehouse, package numbers, scan kind...). The native
encoders (`gateway/demo/native/`) turn steps into what the system really sends.

Everything random comes from the caller's seeded `random.Random`, so the same seed and clock
give byte-identical payloads. Carriers' scans keep the local time of where they happened.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Final

from gateway.demo.catalog import raw
from gateway.events import Layer, Milestone, Visibility, event_type

# The connector instances of the demo (POST /ingest/<id>, and every logged event's source).
ERP: Final = "erp"  # ERPNext: Sales Orders
WMS: Final = "wms"  # ShipHero: the merchant's own warehouses
WMS_XML: Final = "wms-xml"  # a cross-border 3PL's X12 945 ship confirmations
UPS: Final = "ups"  # UPS Track API, pulled by the gateway
EASYPOST: Final = "easypost"  # EasyPost tracker webhooks, for the other carriers
INHOUSE: Final = "inhouse"  # in-house systems sending normalized CloudEvents
SYSTEMS: Final = (ERP, WMS, WMS_XML, UPS, EASYPOST, INHOUSE)
PUSHED: Final = (ERP, WMS, WMS_XML, EASYPOST, INHOUSE)

# In-house senders, as CloudEvent sources.
PAYMENTS: Final = "urn:demo:inhouse:payments"
INSTALLATIONS: Final = "urn:demo:inhouse:installations"
SERVICE_DESK: Final = "urn:demo:inhouse:service-desk"


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    order: str
    system: str  # the connector instance that reports it (see SYSTEMS)
    layer: Layer
    milestone: Milestone
    at: datetime
    event_id: str  # a seeded UUID: the CloudEvent id in-house, a seed for native ids elsewhere
    data: dict[str, object]  # the normalized event the gateway should end up with
    utc_offset: int | None = None  # hours; None writes UTC with "Z"
    shipment: str | None = None  # the planner's shipment key
    native: dict[str, object] = field(default_factory=dict)  # hints for the native encoder

    @property
    def kind(self) -> str:
        return f"{self.layer.value}.{self.milestone}"

    def cloudevent(self) -> dict[str, object]:
        """The step as a normalized CloudEvent (what in-house systems send as is)."""
        return {
            "specversion": "1.0",
            "id": self.event_id,
            "source": str(self.native.get("uri", f"urn:demo:{self.system}")),
            "type": event_type(self.layer, self.milestone),
            "subject": self.order,
            "time": rfc3339(self.at, self.utc_offset),
            "datacontenttype": "application/json",
            "data": self.data,
        }

    def restamped(self, at: datetime) -> PlannedEvent:
        """The same step happening earlier (live mode hurries orders along)."""
        data = self.data
        edd = data.get("edd")
        if isinstance(edd, dict) and edd.get("kind") == "window":
            # An out-for-delivery window is for the day the van actually goes out.
            day = local_date(at, self.utc_offset or 0).isoformat()
            data = data | {"edd": edd | {"date": day}}
        return replace(self, at=at, data=data)


def rfc3339(at: datetime, utc_offset: int | None) -> str:
    if utc_offset is None:
        return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return at.astimezone(timezone(timedelta(hours=utc_offset))).isoformat(timespec="seconds")


def local_date(at: datetime, utc_offset: int) -> date:
    return (at + timedelta(hours=utc_offset)).date()


def at_local(day: date, utc_offset: int, hour: float) -> datetime:
    return datetime(day.year, day.month, day.day, tzinfo=UTC) + timedelta(hours=hour - utc_offset)


@dataclass(slots=True)
class Script:
    """Collects one order's planned steps."""

    rng: random.Random
    order: str
    events: list[PlannedEvent] = field(default_factory=list)

    def emit(
        self,
        system: str,
        layer: Layer,
        milestone: Milestone,
        at: datetime,
        data: dict[str, object],
        *,
        utc_offset: int | None = None,
        shipment: str | None = None,
        native: dict[str, object] | None = None,
    ) -> None:
        # Ids come from the seeded generator, never from the OS, for repeatability.
        event_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        event = PlannedEvent(
            self.order,
            system,
            layer,
            milestone,
            at.replace(microsecond=0),
            event_id,
            data,
            utc_offset,
            shipment,
            native or {},
        )
        self.events.append(event)

    def erp(
        self,
        milestone: Milestone,
        at: datetime,
        native: dict[str, object] | None = None,
        **data: object,
    ) -> None:
        """A Sales Order change in ERPNext (order layer)."""
        data = {"visibility": Visibility.CUSTOMER.value} | data
        self.emit(ERP, Layer.ORDER, milestone, at, data, native=native)

    def inhouse(
        self, uri: str, layer: Layer, milestone: Milestone, at: datetime, **data: object
    ) -> None:
        """A step an in-house system sends in the normalized format itself."""
        data = {"visibility": Visibility.CUSTOMER.value, "raw": raw(milestone)} | data
        self.emit(INHOUSE, layer, milestone, at, data, native={"uri": uri})

    def minutes(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.rng.uniform(low, high))


def done(script: Script) -> list[PlannedEvent]:
    """The script in time order (stable, so same-second steps keep their causal order)."""
    return sorted(script.events, key=lambda event: event.at)
