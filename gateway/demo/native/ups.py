"""What UPS knows about the demo's parcels, as its Track API v1 answers (newest scan first).

The simulator does not push UPS events: it records each scan here, and the demo's fake UPS
server (`gateway/demo/fake_ups.py`) answers the gateway's polls from it. A scan the carrier
uploads late is recorded with the scan after next, so a poll in between misses it.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, timezone
from typing import Any, Final

from gateway.demo.catalog import Carrier, Place
from gateway.demo.people import Customer
from gateway.demo.script import PlannedEvent
from gateway.events import Reason

# Scan kind -> UPS status type, scan code, statusCode and description.
SCANS: Final = {
    "picked_up": ("P", "PU", "038", "Pickup Scan"),
    "arrived": ("I", "AR", "005", "Arrived at Facility"),
    "departed": ("I", "DP", "005", "Departed from Facility"),
    "dest_country": ("I", "IP", "005", "Import Scan"),
    "customs": ("I", "CP", "012", "Your package is being processed by customs"),
    "customs_released": ("I", "CR", "014", "Cleared Customs"),
    "rescheduled": ("I", "RS", "136", "The delivery date has been updated"),
    "out_for_delivery": ("I", "OT", "021", "Out For Delivery Today"),
    "attempted": ("X", "48", "022", "The receiver was not available for delivery"),
    "exception": ("X", "X1", "048", "Exception: Action Required"),
    "delivered": ("D", "KB", "011", "DELIVERED"),
}
EXCEPTIONS: Final = {  # why a parcel is held up -> statusCode and description
    Reason.WEATHER_DELAY.value: ("051", "Severe weather conditions have delayed delivery"),
    Reason.CARRIER_DAMAGED_PARCEL.value: ("059", "The package was damaged and is repackaged"),
    Reason.CARRIER_SORTING_ERROR.value: ("048", "The package was incorrectly sorted"),
    Reason.CARRIER_VEHICLE_ISSUE.value: ("048", "A mechanical failure has caused a delay"),
    Reason.CARRIER_CAPACITY.value: ("048", "Due to operating conditions, delivery may be delayed"),
    Reason.CUSTOMS_DELAY.value: ("123", "The package is being held by a government agency"),
}
SERVICE_CODE: Final = "065"  # UPS Worldwide Saver


def _stamp(at: datetime) -> tuple[str, str]:
    return f"{at:%Y%m%d}", f"{at:%H%M%S}"


@dataclass
class Parcel:
    number: str
    carrier: Carrier
    weight_grams: int
    origin: Place
    recipient: Customer
    activity: list[tuple[datetime, dict[str, Any]]] = field(default_factory=list)
    held: list[tuple[int, datetime, dict[str, Any]]] = field(default_factory=list)
    scans: int = 0
    edd: dict[str, Any] | None = None
    delivery: dict[str, Any] | None = None  # deliveryInformation, once delivered
    delivered: tuple[str, str] | None = None  # local date and time of the delivery


class UpsTracking:
    """The fake UPS's records, filled by the simulator, read by the fake Track API."""

    def __init__(self) -> None:
        self.parcels: dict[str, Parcel] = {}
        self.track_requests = 0  # answered by the fake Track API

    def scan(self, step: PlannedEvent) -> int:
        """Record one scan; returns how many late scans became visible with it."""
        native = step.native
        number, carrier = str(native["tracking"]), native["carrier"]
        origin, recipient = native["warehouse"], native["recipient"]
        assert isinstance(carrier, Carrier) and isinstance(origin, Place)
        assert isinstance(recipient, Customer)
        parcel = self.parcels.setdefault(
            number, Parcel(number, carrier, int(str(native["weight_grams"])), origin, recipient)
        )
        parcel.scans += 1
        released = [(at, a) for n, at, a in parcel.held if n <= parcel.scans]
        parcel.held = [held for held in parcel.held if held[0] > parcel.scans]
        activity = _activity(step)
        if native.get("late"):
            parcel.held.append((parcel.scans + 2, step.at, activity))
            shown = released
        else:
            shown = [*released, (step.at, activity)]
        parcel.activity = sorted(parcel.activity + shown, key=lambda item: item[0])
        edd = step.data.get("edd")
        if isinstance(edd, dict):
            parcel.edd = edd
        if native["scan"] == "delivered":
            proof = step.data.get("proof_of_delivery")
            signer = proof.get("signer_name") if isinstance(proof, dict) else None
            where = "Residential" if signer else "Front Door"
            parcel.delivery = {"location": where, "receivedBy": signer or ""}
            parcel.delivered = (activity["date"], activity["time"])
        return len(released)

    def response(self, number: str) -> bytes | None:
        """The Track API's answer, or None when UPS has no scan for the number yet."""
        parcel = self.parcels.get(number)
        if parcel is None or not parcel.activity:
            return None
        activities = [a for _, a in reversed(parcel.activity)]  # newest first, as UPS lists
        package: dict[str, Any] = {
            "trackingNumber": number,
            "packageCount": 1,
            "service": {"code": SERVICE_CODE, "description": parcel.carrier.service_level},
            "weight": {"unitOfMeasurement": "KGS", "weight": f"{parcel.weight_grams / 1000:.2f}"},
            "packageAddress": [
                _address("ORIGIN", "ACME APPLIANCES EXPORT", parcel.origin.city, "CN"),
                _address(
                    "DESTINATION",
                    parcel.recipient.name,
                    parcel.recipient.address["city"],
                    parcel.recipient.address["country"],
                ),
            ],
            "currentStatus": activities[0]["status"],
            **_estimate(parcel),
            "activity": activities,
        }
        if parcel.delivery is not None:
            package["deliveryInformation"] = parcel.delivery | {"signature": {"image": ""}}
        shipment = {"inquiryNumber": number, "warnings": [], "package": [package]}
        return json.dumps({"trackResponse": {"shipment": [shipment]}}).encode()


def _activity(step: PlannedEvent) -> dict[str, Any]:
    kind = str(step.native["scan"])
    status_type, code, status_code, description = SCANS[kind]
    if kind == "exception":
        status_code, description = EXCEPTIONS.get(
            str(step.data.get("reason")), (status_code, description)
        )
    place = step.native["place"]
    assert isinstance(place, Place)
    offset = timedelta(hours=place.utc_offset)
    date, time = _stamp(step.at.astimezone(timezone(offset)))
    gmt_date, gmt_time = _stamp(step.at.astimezone(UTC))
    location = step.data.get("location")
    city = location.get("city") if isinstance(location, dict) else place.city
    hub = location.get("hub_id") if isinstance(location, dict) else None
    address = {"city": city, "stateProvince": place.region, "country": place.country}
    where: dict[str, Any] = {"address": address | {"countryCode": place.country}}
    if hub:
        where["slic"] = hub
    hours, minutes = divmod(abs(place.utc_offset) * 60, 60)
    return {
        "date": date,
        "time": time,
        "gmtDate": gmt_date,
        "gmtTime": gmt_time,
        "gmtOffset": f"{'-' if place.utc_offset < 0 else '+'}{hours:02d}:{minutes:02d}",
        "location": where,
        "status": {
            "type": status_type,
            "code": code,
            "statusCode": status_code,
            "description": description,
        },
    }


def _address(kind: str, name: str, city: str, country: str) -> dict[str, Any]:
    address = {"city": city, "country": country, "countryCode": country}
    return {"type": kind, "name": name, "attentionName": name, "address": address}


def _estimate(parcel: Parcel) -> dict[str, Any]:
    """deliveryDate / deliveryTime: the delivery itself, else the current estimate."""
    if parcel.delivered is not None:
        date, time = parcel.delivered
        return {
            "deliveryDate": [{"type": "DEL", "date": date}],
            "deliveryTime": {"type": "DEL", "endTime": time},
        }
    edd = parcel.edd
    if edd is None:
        return {}
    kind = "RDD" if edd.get("kind") == "rescheduled" else "SDD"
    day = str(edd["date"]).replace("-", "")
    estimate: dict[str, Any] = {"deliveryDate": [{"type": kind, "date": day}]}
    if edd.get("window_start") and edd.get("window_end"):
        start, end = (str(edd[k]).replace(":", "") + "00" for k in ("window_start", "window_end"))
        estimate["deliveryTime"] = {"type": "EDW", "startTime": start, "endTime": end}
    return estimate
