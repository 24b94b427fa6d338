"""Pure translation of one EasyPost webhook Event (`tracker.created` / `tracker.updated`) into
normalized shipment events.

A tracker Event carries the whole history (`result.tracking_details`), so every delivery
re-sends earlier scans: each detail becomes one event whose id is derived from the tracking
code, the UTC time and a digest of the scan (status, status_detail, scrubbed message, source),
so re-deliveries and later updates produce the same ids and deduplicate. Details are emitted
oldest first whatever order they arrive in.

`datetime` is ISO 8601; EasyPost gives it in the scan's local zone when it knows the location
and in UTC otherwise (a time without an offset is read as UTC). The newest event carries the
delivery estimate (`carrier_detail.est_delivery_date_local`, else `est_delivery_date`); the
newest delivered event carries `signed_by` in `proof_of_delivery`, and that name is cut out of
every message before it becomes `raw.text`.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Mapping
from datetime import UTC, date, datetime
from typing import Any

from connectors.easypost.codes import MAPPING_VERSION, NOT_TRACKED, Mapped, map_detail
from connectors.sdk import PayloadError, Translation, raw_status, safe_json, scrub
from gateway.events import Reason, ShipmentMilestone

SOURCE_URI = "urn:easypost:tracker"
_TRACKING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
_GRAMS_PER_OUNCE = 28.349523125
_NO_EDD = {
    ShipmentMilestone.DELIVERED,
    ShipmentMilestone.RETURNING,
    ShipmentMilestone.RETURNED,
    ShipmentMilestone.CANCELLED,
}


def translate(payload: bytes) -> Translation:
    try:
        document = safe_json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"body is not valid JSON: {exc}") from None
    if not isinstance(document, dict) or document.get("object") != "Event":
        raise PayloadError('not an EasyPost webhook: expected an object with "object": "Event"')
    description = _str(document.get("description"))
    if not description.startswith("tracker."):
        return Translation(ignored=f"EasyPost event {description[:60]!r} is not about a tracker")
    tracker = document.get("result")
    if not isinstance(tracker, dict) or tracker.get("object") != "Tracker":
        raise PayloadError(f"a {description[:60]} Event must carry a Tracker in `result`")
    return _tracker(tracker)


def _tracker(tracker: Mapping[str, Any]) -> Translation:
    code = _str(tracker.get("tracking_code"))
    if not _TRACKING.match(code):
        return Translation(problems=("tracker: tracking_code missing or not a tracking reference",))
    problems: list[str] = []
    if _str(tracker.get("status")) == NOT_TRACKED:
        problems.append(f"EasyPost could not track {code} (tracker status 'error')")
    signer = _str(tracker.get("signed_by"))[:100]
    parsed: list[tuple[datetime, int, Mapping[str, Any], Mapped, str]] = []
    for index, item in enumerate(_list(tracker.get("tracking_details"))):
        detail = _dict(item)
        when = _time(detail.get("datetime"))
        status, sub = _str(detail.get("status")), _str(detail.get("status_detail"))
        message = scrub(_str(detail.get("message")) or _str(detail.get("description")), [signer])
        mapped = map_detail(status, sub, message) if when else None
        if when is None:
            problems.append(f"{code} detail {index}: datetime missing or not ISO 8601")
        elif mapped is None:
            problems.append(f"{code} detail {index}: unknown EasyPost status {status[:40]!r}")
        else:
            parsed.append((when, index, detail, mapped, message))
    parsed.sort(key=lambda item: (item[0], item[1]))
    parsed = _without_late_unknowns(parsed)
    if not parsed and not problems:
        return Translation(ignored=f"EasyPost tracker for {code} has no tracking details yet")
    last_delivered = max(
        (i for i, p in enumerate(parsed) if p[3].milestone is ShipmentMilestone.DELIVERED),
        default=None,
    )
    common = {
        "shipment": _shipment(tracker, code),
        "packages": [{"id": code, "tracking_number": code, **_weight(tracker)}],
    }
    events = []
    for position, (when, _, detail, mapped, message) in enumerate(parsed):
        data: dict[str, Any] = {"visibility": "public"}
        reason = mapped.reason
        if position == last_delivered and signer:
            reason = reason or Reason.DELIVERED_SIGNED
            data["proof_of_delivery"] = {"signer_name": signer}
        if reason is not None:
            data["reason"] = reason.value
        status, sub = _str(detail.get("status")), _str(detail.get("status_detail"))
        raw_code = f"{status}/{sub}" if sub else status
        data["raw"] = raw_status(raw_code[:64], message, MAPPING_VERSION)
        data.update(common)
        location = _location(_dict(detail.get("tracking_location")))
        if location:
            data["location"] = location
        if position == len(parsed) - 1 and mapped.milestone not in _NO_EDD:
            edd = _edd(tracker)
            if edd:
                data["edd"] = edd
        scan = "|".join((status, sub, message, _str(detail.get("source"))))
        digest = hashlib.sha256(scan.encode()).hexdigest()[:12]
        events.append(
            {
                "specversion": "1.0",
                "id": f"easypost:{code}:{when:%Y%m%dT%H%M%SZ}:{digest}",
                "source": SOURCE_URI,
                "type": f"io.orderlens.shipment.{mapped.milestone.value}",
                "subject": f"tracking:{code}",
                "time": f"{when:%Y-%m-%dT%H:%M:%SZ}",
                "datacontenttype": "application/json",
                "data": data,
            }
        )
    return Translation(events=tuple(events), problems=tuple(problems))


def _without_late_unknowns(
    parsed: list[tuple[datetime, int, Mapping[str, Any], Mapped, str]],
) -> list[tuple[datetime, int, Mapping[str, Any], Mapped, str]]:
    """`unknown` means "no carrier data yet": once a known status came, it says nothing."""
    kept, known = [], False
    for item in parsed:
        if item[3].milestone is ShipmentMilestone.REGISTERED and known:
            continue
        known = known or item[3].milestone is not ShipmentMilestone.REGISTERED
        kept.append(item)
    return kept


def _time(value: Any) -> datetime | None:
    try:
        moment = datetime.fromisoformat(_str(value))
    except ValueError:
        return None
    return (moment if moment.tzinfo else moment.replace(tzinfo=UTC)).astimezone(UTC)


def _edd(tracker: Mapping[str, Any]) -> dict[str, Any] | None:
    """The carrier's estimate in the destination's local time (date, and "by" time when
    given), else the date of `est_delivery_date`."""
    detail = _dict(tracker.get("carrier_detail"))
    local = _str(detail.get("est_delivery_date_local"))
    try:
        day: date | None = date.fromisoformat(local[:10]) if local else None
    except ValueError:
        day = None
    if day is not None:
        edd: dict[str, Any] = {"date": day.isoformat(), "kind": "scheduled"}
        by = re.match(r"^([01]\d|2[0-3]):([0-5]\d)", _str(detail.get("est_delivery_time_local")))
        return {**edd, "window_end": by.group(0)} if by else edd
    try:
        day = datetime.fromisoformat(_str(tracker.get("est_delivery_date"))).date()
    except ValueError:
        return None
    return {"date": day.isoformat(), "kind": "scheduled"}


def _location(location: Mapping[str, Any]) -> dict[str, str]:
    """City level only: the zip code is dropped."""
    found: dict[str, str] = {}
    city, region = _str(location.get("city"))[:100], _str(location.get("state"))[:100]
    country = _str(location.get("country")).upper()
    if city:
        found["city"] = city
    if region:
        found["region"] = region
    if re.fullmatch(r"[A-Z]{2}", country):
        found["country"] = country
    return found


def _shipment(tracker: Mapping[str, Any], code: str) -> dict[str, Any]:
    shipment: dict[str, Any] = {"id": code, "tracking_number": code}
    carrier = _str(tracker.get("carrier")).lower()[:64]
    service = _str(_dict(tracker.get("carrier_detail")).get("service"))[:64]
    if carrier:
        shipment["carrier"] = carrier
    if service:
        shipment["service_level"] = service
    return shipment


def _weight(tracker: Mapping[str, Any]) -> dict[str, int]:
    weight = tracker.get("weight")  # ounces
    if not isinstance(weight, int | float) or isinstance(weight, bool):
        return {}
    grams = round(weight * _GRAMS_PER_OUNCE)
    return {"weight_grams": grams} if 0 < grams <= 10_000_000 else {}


def _str(value: Any) -> str:
    return value.strip() if isinstance(value, str) else ""


def _dict(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
