"""Planned events: what the simulator will post, when, and as which source.

Everything random comes from the caller's seeded `random.Random`, including CloudEvent ids, so
the same seed and clock give byte-identical events. ERP and WMS write UTC times; carriers write
local times with an offset, as their feeds do.
"""

from __future__ import annotations

import random
import uuid
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Final

from gateway.demo.catalog import ERP_CODES, WMS_CODES, raw
from gateway.events.taxonomy import Layer, Milestone, ShipmentMilestone, Visibility, event_type

ERP_URI: Final = "urn:demo:erp"
WMS_URI: Final = "urn:demo:wms"


@dataclass(frozen=True, slots=True)
class PlannedEvent:
    order: str
    source: str  # the webhook sender that posts it: erp | wms | courier
    uri: str  # the CloudEvent source
    layer: Layer
    milestone: Milestone
    at: datetime
    event_id: str
    data: dict[str, object]
    utc_offset: int | None = None  # hours; None writes UTC with "Z"
    shipment: str | None = None

    def cloudevent(self) -> dict[str, object]:
        return {
            "specversion": "1.0",
            "id": self.event_id,
            "source": self.uri,
            "type": event_type(self.layer, self.milestone),
            "subject": self.order,
            "time": rfc3339(self.at, self.utc_offset),
            "datacontenttype": "application/json",
            "data": self.data,
        }

    def restamped(self, at: datetime) -> PlannedEvent:
        """The same event happening earlier (live mode hurries orders along)."""
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
    """Collects one order's planned events; each source writes its own kind of event."""

    rng: random.Random
    order: str
    events: list[PlannedEvent] = field(default_factory=list)

    def emit(
        self,
        source: str,
        uri: str,
        layer: Layer,
        milestone: Milestone,
        at: datetime,
        data: dict[str, object],
        utc_offset: int | None = None,
        shipment: str | None = None,
    ) -> None:
        # CloudEvent ids come from the seeded generator, never from the OS, for repeatability.
        event_id = str(uuid.UUID(int=self.rng.getrandbits(128), version=4))
        at = at.replace(microsecond=0)
        event = PlannedEvent(
            self.order, source, uri, layer, milestone, at, event_id, data, utc_offset, shipment
        )
        self.events.append(event)

    def erp(self, layer: Layer, milestone: Milestone, at: datetime, **data: object) -> None:
        data = {"visibility": Visibility.CUSTOMER.value, "raw": raw(ERP_CODES, milestone)} | data
        self.emit("erp", ERP_URI, layer, milestone, at, data)

    def wms(
        self, milestone: Milestone, at: datetime, visibility: Visibility, **data: object
    ) -> None:
        layer = Layer.SHIPMENT if milestone is ShipmentMilestone.LABEL_CREATED else Layer.ORDER
        data = {"visibility": visibility.value, "raw": raw(WMS_CODES, milestone)} | data
        self.emit("wms", WMS_URI, layer, milestone, at, data)

    def minutes(self, low: float, high: float) -> timedelta:
        return timedelta(minutes=self.rng.uniform(low, high))


def done(script: Script) -> list[PlannedEvent]:
    """The script in time order (stable, so same-second events keep their causal order)."""
    return sorted(script.events, key=lambda event: event.at)
