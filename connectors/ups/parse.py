"""Pure translation of one UPS Track API v1 response into normalized shipment events.

One event per `activity`, whatever order UPS lists them in (newest first), emitted oldest
first. The time is UTC, from `gmtDate` + `gmtTime`, else from the local `date` + `time` and
`gmtOffset` (an activity without an offset borrows the nearest one of the same package; with
none at all the local time is read as UTC). The id is deterministic: tracking number, UTC
time and status type/code, so a re-poll produces the same ids and deduplicates.

The newest event carries the carrier's delivery estimate (`deliveryDate` SDD/RDD and
`deliveryTime` window); the newest delivered event carries the signer from
`deliveryInformation.receivedBy` in `proof_of_delivery`, which is the only place a name may go:
names (signer, ship-to) are cut out of every description before it becomes `raw.text`.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime, timedelta, timezone
from typing import Any

from connectors.sdk import PayloadError, Translation, raw_status, safe_json, scrub
from connectors.sdk.numbers import finite_number
from connectors.ups.codes import MAPPING_VERSION, Mapped, delivered_reason, map_activity
from gateway.events import ShipmentMilestone

SOURCE_URI = "urn:ups:track"
CARRIER = "ups"
NOT_FOUND = "TW0001"
_TRACKING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_OFFSET = re.compile(r"^([+-])(\d{2}):?(\d{2})$")
_NO_EDD = {
    ShipmentMilestone.DELIVERED,
    ShipmentMilestone.RETURNING,
    ShipmentMilestone.RETURNED,
    ShipmentMilestone.CANCELLED,
}
_GRAMS_PER = {"LBS": 453.59237, "LB": 453.59237, "KGS": 1000.0, "KG": 1000.0}


def translate(payload: bytes) -> Translation:
    try:
        document = safe_json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"body is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise PayloadError("a UPS track response is a JSON object")
    if "trackResponse" not in document:
        errors = _errors(document)
        if errors is None:
            raise PayloadError("not a UPS track response: no trackResponse and no response.errors")
        return Translation(problems=tuple(f"UPS refused the inquiry: {e}" for e in errors))
    shipments = _dict(document["trackResponse"]).get("shipment")
    if not isinstance(shipments, list):
        raise PayloadError("trackResponse.shipment must be an array")
    events: list[dict[str, Any]] = []
    problems: list[str] = []
    warnings: list[str] = []
    for s_index, shipment in enumerate(shipments):
        if not isinstance(shipment, dict):
            problems.append(f"shipment {s_index}: not an object")
            continue
        warnings += [_coded(w) for w in _list(shipment.get("warnings"))]
        for p_index, package in enumerate(_list(shipment.get("package"))):
            where = f"shipment {s_index} package {p_index}"
            if not isinstance(package, dict):
                problems.append(f"{where}: not an object")
                continue
            _package(package, where, events, problems)
    if not events and not problems:
        return Translation(ignored=f"UPS has no activity ({'; '.join(warnings) or 'empty'})")
    return Translation(events=tuple(events), problems=tuple(problems))


def _package(
    package: Mapping[str, Any], where: str, events: list[dict[str, Any]], problems: list[str]
) -> None:
    number = _str(package.get("trackingNumber"))
    if not _TRACKING.match(number):
        problems.append(f"{where}: trackingNumber missing or not a tracking reference")
        return
    activities = _list(package.get("activity"))
    delivery = _dict(package.get("deliveryInformation"))
    signer = _str(delivery.get("receivedBy"))[:100]
    names = [signer, *_address_names(package)]
    offsets = [_str(_dict(a).get("gmtOffset")) for a in activities]
    parsed: list[tuple[datetime, int, Mapping[str, Any], Mapped]] = []
    for index, activity in enumerate(activities):
        activity = _dict(activity)
        status = _dict(activity.get("status"))
        status_type, code = _str(status.get("type")).upper(), _str(status.get("code")).upper()
        when = _when(activity, _nearest(offsets, index))
        if when is None:
            problems.append(f"{number} activity {index}: no readable date and time")
            continue
        mapped = map_activity(
            status_type, code, _str(status.get("statusCode")), _str(status.get("description"))
        )
        if mapped is None:
            problems.append(
                f"{number} activity {index}: unknown UPS status type {status_type!r}"
                f" (code {code!r}); not mapped"
            )
            continue
        parsed.append((when, index, activity, mapped))
    # Oldest first; UPS lists newest first, so on a tie the later index is the older scan.
    parsed.sort(key=lambda item: (item[0], -item[1]))
    last_delivered = max(
        (i for i, p in enumerate(parsed) if p[3].milestone is ShipmentMilestone.DELIVERED),
        default=None,
    )
    common = {
        "shipment": _shipment(package, number),
        "packages": [{"id": number, "tracking_number": number, **_weight(package)}],
    }
    for position, (when, _, activity, mapped) in enumerate(parsed):
        status = _dict(activity.get("status"))
        data: dict[str, Any] = {"visibility": "public"}
        reason = mapped.reason
        if position == last_delivered:
            reason = reason or delivered_reason(_str(delivery.get("location")), bool(signer))
            if signer:
                data["proof_of_delivery"] = {"signer_name": signer}
        if reason is not None:
            data["reason"] = reason.value
        status_type, code = _str(status.get("type")).upper(), _str(status.get("code")).upper()
        raw_code = f"{status_type}/{code}" if code else status_type
        data["raw"] = raw_status(
            raw_code[:64], scrub(_str(status.get("description")), names), MAPPING_VERSION
        )
        data.update(common)
        location = _location(_dict(activity.get("location")))
        if location:
            data["location"] = location
        if position == len(parsed) - 1:
            edd = _edd(package)
            if edd and mapped.milestone not in _NO_EDD:
                data["edd"] = edd
        suffix = f"{status_type}-{code}" if code else status_type
        events.append(
            {
                "specversion": "1.0",
                "id": f"ups:{number}:{when:%Y%m%dT%H%M%SZ}:{suffix}"[:200],
                "source": SOURCE_URI,
                "type": f"io.orderlens.shipment.{mapped.milestone.value}",
                "subject": f"tracking:{number}",
                "time": f"{when:%Y-%m-%dT%H:%M:%SZ}",
                "datacontenttype": "application/json",
                "data": data,
            }
        )


def _when(activity: Mapping[str, Any], fallback_offset: str) -> datetime | None:
    gmt = _stamp(_str(activity.get("gmtDate")), _str(activity.get("gmtTime")), UTC)
    if gmt is not None:
        return gmt
    offset = _offset(_str(activity.get("gmtOffset")) or fallback_offset) or UTC
    local = _stamp(_str(activity.get("date")), _str(activity.get("time")) or "000000", offset)
    return local.astimezone(UTC) if local else None


def _stamp(day: str, clock: str, tz: timezone) -> datetime | None:
    if not day or not clock or not clock.isdigit() or len(clock) > 6:
        return None
    try:
        return datetime.strptime(day + clock.zfill(6), "%Y%m%d%H%M%S").replace(tzinfo=tz)
    except ValueError:
        return None


def _offset(text: str) -> timezone | None:
    match = _OFFSET.match(text)
    if not match:
        return None
    sign, hours, minutes = match.groups()
    delta = timedelta(hours=int(hours), minutes=int(minutes))
    return timezone(-delta if sign == "-" else delta) if delta < timedelta(hours=15) else None


def _nearest(offsets: list[str], index: int) -> str:
    """The gmtOffset of the activity closest to `index` that has one, or ""."""
    for distance in range(1, len(offsets)):
        for other in (index + distance, index - distance):
            if 0 <= other < len(offsets) and _offset(offsets[other]):
                return offsets[other]
    return ""


def _edd(package: Mapping[str, Any]) -> dict[str, Any] | None:
    dates = {
        _str(d.get("type")).upper(): _str(d.get("date"))
        for d in map(_dict, _list(package.get("deliveryDate")))
    }
    if dates.get("DEL"):
        return None
    kind, day = ("rescheduled", dates.get("RDD")) if dates.get("RDD") else ("scheduled", None)
    day = day or dates.get("SDD")
    try:
        parsed = datetime.strptime(day or "", "%Y%m%d").replace(tzinfo=UTC).date()
    except ValueError:
        return None
    edd: dict[str, Any] = {"date": date.isoformat(parsed), "kind": kind}
    window = _dict(package.get("deliveryTime"))
    window_type = _str(window.get("type")).upper()
    start, end = _clock(window.get("startTime")), _clock(window.get("endTime"))
    if window_type in ("EDW", "CDW", "IDW") and start and end:
        edd.update(window_start=start, window_end=end, kind="window")
    elif window_type == "CMT" and end:
        edd["window_end"] = end
    return edd


def _clock(value: Any) -> str | None:
    text = _str(value)
    if not text.isdigit() or len(text) > 6:
        return None
    text = text.zfill(6)
    hours, minutes = int(text[:2]), int(text[2:4])
    return f"{hours:02d}:{minutes:02d}" if hours < 24 and minutes < 60 else None


def _location(location: Mapping[str, Any]) -> dict[str, str]:
    """City level only: never the street, postal code or a name."""
    address = _dict(location.get("address"))
    found: dict[str, str] = {}
    city, region = _str(address.get("city"))[:100], _str(address.get("stateProvince"))[:100]
    country = (_str(address.get("countryCode")) or _str(address.get("country"))).upper()
    if city:
        found["city"] = city
    if region:
        found["region"] = region
    if re.fullmatch(r"[A-Z]{2}", country):
        found["country"] = country
    slic = _str(location.get("slic"))
    if slic and found:
        found["hub_id"] = slic[:64]
    return found


def _shipment(package: Mapping[str, Any], number: str) -> dict[str, Any]:
    service = _dict(package.get("service"))
    level = (_str(service.get("description")) or _str(service.get("code")))[:64]
    shipment = {"id": number, "carrier": CARRIER, "tracking_number": number}
    return {**shipment, "service_level": level} if level else shipment


def _weight(package: Mapping[str, Any]) -> dict[str, int]:
    weight = _dict(package.get("weight"))
    per_unit = _GRAMS_PER.get(_str(weight.get("unitOfMeasurement")).upper())
    value = finite_number(_str(weight.get("weight")), maximum=1_000_000)
    grams = round(value * per_unit) if per_unit and value is not None else 0
    return {"weight_grams": grams} if 0 < grams <= 10_000_000 else {}


def _address_names(package: Mapping[str, Any]) -> list[str]:
    return [
        _str(_dict(entry).get(key))
        for entry in _list(package.get("packageAddress"))
        for key in ("name", "attentionName")
    ]


def _errors(document: Mapping[str, Any]) -> list[str] | None:
    errors = _dict(document.get("response")).get("errors")
    if not isinstance(errors, list) or not errors:
        return None
    return [_coded(error) for error in errors]


def _coded(item: Any) -> str:
    entry = _dict(item)
    return f"{_str(entry.get('code'))[:20]} {_str(entry.get('message'))[:160]}".strip()


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else str(value) if isinstance(value, int) else ""


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
