"""EasyPost tracker webhooks for SF Express, JD Logistics and DHL: a `tracker.updated` Event
whenever EasyPost's refresh of a tracker finds new scans (several at once when they came
within one refresh interval), each carrying the tracker's whole history (`tracking_details`),
the carrier's estimate and, once delivered, `signed_by`. A scan the carrier uploads late is
missing from the next update and shows up, in its place by time, in a later one."""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

from gateway.demo.catalog import Carrier, Place
from gateway.demo.native.delivery import JSON, Delivery
from gateway.demo.script import EASYPOST, PlannedEvent
from gateway.events import Reason

# Scan kind -> EasyPost status and status_detail.
STATUSES: Final = {
    "picked_up": ("in_transit", "received_at_origin_facility"),
    "arrived": ("in_transit", "arrived_at_facility"),
    "departed": ("in_transit", "departed_facility"),
    "dest_country": ("in_transit", "arrived_at_facility"),
    "customs": ("in_transit", "customs_processing"),
    "customs_released": ("in_transit", "status_update"),
    "rescheduled": ("in_transit", "status_update"),
    "out_for_delivery": ("out_for_delivery", "out_for_delivery"),
    "attempted": ("failure", "attempted_delivery"),
    "exception": ("failure", "status_update"),
    "delivered": ("delivered", "arrived_at_destination"),
}
INCIDENTS: Final = {  # why a parcel is held up -> status_detail
    Reason.WEATHER_DELAY.value: "weather_delay",
    Reason.CARRIER_DAMAGED_PARCEL.value: "damaged",
    Reason.CARRIER_SORTING_ERROR.value: "missorted",
    Reason.CUSTOMS_DELAY.value: "customs_issue",
}
OUNCES_PER_GRAM: Final = 1 / 28.349523125
REFRESH: Final = timedelta(hours=4)  # EasyPost re-checks a carrier's tracking about this often


def iso_z(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}"


@dataclass
class Tracker:
    id: str
    code: str
    carrier: Carrier
    weight_grams: int
    created: datetime
    details: list[dict[str, Any]] = field(default_factory=list)
    held: list[tuple[int, dict[str, Any]]] = field(default_factory=list)  # (show at scan n, ..)
    scans: int = 0
    status: str = "unknown"
    edd: dict[str, Any] | None = None
    signed_by: str | None = None


class EasyPostFeed:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._trackers: dict[str, Tracker] = {}

    def update(self, scans: list[PlannedEvent]) -> Delivery:
        """One refresh of a tracker that found `scans` (same parcel, oldest first)."""
        first, last = scans[0], scans[-1]
        code, carrier = str(first.native["tracking"]), first.native["carrier"]
        assert isinstance(carrier, Carrier)
        tracker = self._trackers.get(code)
        created = tracker is None
        if tracker is None:
            tracker_id = f"trk_{self._rng.getrandbits(128):032x}"
            weight = int(str(first.native["weight_grams"]))
            tracker = Tracker(tracker_id, code, carrier, weight, first.at)
            self._trackers[code] = tracker
        previous = tracker.status
        late = sum(self._record(tracker, step) for step in scans)
        if tracker.details:
            tracker.status = str(tracker.details[-1]["status"])
            newest = tracker.details[-1]["_utc"]
            for _, held in tracker.held:  # this update shows a later scan without it
                held["_overtaken"] = held["_overtaken"] or newest > held["_utc"]
        body = self._event(tracker, last.at, previous, created)
        encoded = json.dumps(body, ensure_ascii=False).encode()
        return Delivery(EASYPOST, last.at, encoded, JSON, delivery_id=body["id"], late=late)

    def _record(self, tracker: Tracker, step: PlannedEvent) -> int:
        """Add one scan to the tracker (or hold it back); returns how many scans it shows
        that an earlier update left out although it showed a later one."""
        tracker.scans += 1
        released = [d for n, d in tracker.held if n <= tracker.scans]
        tracker.held = [(n, d) for n, d in tracker.held if n > tracker.scans]
        detail = self._detail(step, tracker.carrier)
        if step.native.get("late"):
            tracker.held.append((tracker.scans + 2, detail | {"_overtaken": False}))
            shown = released
        else:
            shown = [*released, detail]
        tracker.details = sorted(tracker.details + shown, key=lambda d: str(d["_utc"]))
        if isinstance(step.data.get("edd"), dict):
            tracker.edd = step.data["edd"]  # type: ignore[assignment]
        proof = step.data.get("proof_of_delivery")
        if isinstance(proof, dict) and proof.get("signer_name"):
            tracker.signed_by = str(proof["signer_name"])
        return sum(1 for d in released if d["_overtaken"])

    def _detail(self, step: PlannedEvent, carrier: Carrier) -> dict[str, Any]:
        kind = str(step.native["scan"])
        status, detail = STATUSES[kind]
        if kind == "exception":
            detail = INCIDENTS.get(str(step.data.get("reason")), detail)
        code, message = carrier.code(kind)
        proof = step.data.get("proof_of_delivery")
        if isinstance(proof, dict) and proof.get("signer_name"):
            message += f", signed by {proof['signer_name']}"  # as carriers write it
        place = step.native["place"]
        assert isinstance(place, Place)
        local = timezone(timedelta(hours=place.utc_offset))
        location = step.data.get("location")
        city = location.get("city") if isinstance(location, dict) else place.city
        return {
            "object": "TrackingDetail",
            "message": message,
            "description": "",
            "status": status,
            "status_detail": detail,
            "datetime": step.at.astimezone(local).isoformat(timespec="seconds"),
            "source": carrier.native,
            "carrier_code": code,
            "tracking_location": {
                "object": "TrackingLocation",
                "city": city,
                "state": place.region,
                "country": place.country,
                "zip": None,
            },
            "_utc": iso_z(step.at),  # sort key, dropped before sending
        }

    def _event(
        self, tracker: Tracker, at: datetime, previous: str, created: bool
    ) -> dict[str, Any]:
        latest = tracker.details[-1] if tracker.details else {}
        edd = tracker.edd or {}
        carrier_detail: dict[str, Any] = {
            "object": "CarrierDetail",
            "service": tracker.carrier.service_level,
            "container_type": None,
            "est_delivery_date_local": edd.get("date"),
            "est_delivery_time_local": f"{edd['window_end']}:00" if edd.get("window_end") else None,
        }
        delivered = tracker.status == "delivered"
        result = {
            "object": "Tracker",
            "id": tracker.id,
            "mode": "production",
            "tracking_code": tracker.code,
            "status": tracker.status,
            "status_detail": latest.get("status_detail", "unknown"),
            "created_at": iso_z(tracker.created),
            "updated_at": iso_z(at),
            "signed_by": tracker.signed_by if delivered else None,
            "weight": round(tracker.weight_grams * OUNCES_PER_GRAM, 1),
            "est_delivery_date": f"{edd['date']}T00:00:00Z" if edd.get("date") else None,
            "shipment_id": None,
            "carrier": tracker.carrier.native,
            "finalized": delivered,
            "is_return": False,
            "public_url": f"https://track.easypost.com/{tracker.id}",
            "tracking_details": [
                {k: v for k, v in d.items() if not k.startswith("_")} for d in tracker.details
            ],
            "carrier_detail": carrier_detail,
            "fees": [],
        }
        return {
            "object": "Event",
            "id": f"evt_{self._rng.getrandbits(128):032x}",
            "mode": "production",
            "api_version": "2",
            "description": "tracker.created" if created else "tracker.updated",
            "previous_attributes": {} if created else {"status": previous},
            "created_at": iso_z(at),
            "updated_at": iso_z(at),
            "status": "pending",
            "pending_urls": [],
            "completed_urls": [],
            "result": result,
        }
