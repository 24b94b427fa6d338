"""The normalized event: its wire shape, the one validator, and the builder's helpers.

Every connector's output and every event posted to /ingest/events is a CloudEvent of this
shape (`io.orderlens.<layer>.<milestone>`, `data` as documented in the README), checked by
`parse_event` (or `to_draft`, which also accepts a courier's tracking subject). Every model
forbids unknown keys: that is what keeps personal data out of events. A sender that adds
`customer_name` gets an error naming the field instead of silently logging it forever.

Couriers know tracking numbers, not order numbers: their events use the subject
`tracking:<tracking number>` and the gateway links them to the order whose shipment carries
that tracking number (parking them until a WMS or ERP event makes the link).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from typing import Annotated, Any, Literal

from pydantic import (
    AwareDatetime,
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
)

from connectors.sdk.screen import screen_envelope, screen_event
from gateway.events import (
    EventDraft,
    Layer,
    Milestone,
    OrderMilestone,
    Reason,
    ShipmentMilestone,
    Visibility,
    default_visibility,
    parse_event_type,
)

TRACKING_SUBJECT = "tracking:"
_TRACKING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")

ShortText = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]
Code = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=64)]
Ref = Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$")]
Clock = Annotated[str, StringConstraints(pattern=r"^([01][0-9]|2[0-3]):[0-5][0-9]$")]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Raw(Strict):
    code: Code | None = None
    text: Annotated[str, StringConstraints(max_length=300)] | None = None
    mapping_version: Code | None = None


class ShipmentRef(Strict):
    id: Ref
    carrier: Code | None = None
    tracking_number: Ref | None = None
    service_level: Code | None = None


class Job(Strict):
    """An installation or service job on the order, and the partner who holds it."""

    id: Ref
    partner: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_.:-]{1,64}$")]


class Package(Strict):
    id: Ref
    tracking_number: Ref | None = None
    weight_grams: Annotated[int, Field(gt=0, le=10_000_000)] | None = None


class Location(Strict):
    """City-level only: never a street address (see the privacy notes in the README)."""

    city: ShortText | None = None
    region: ShortText | None = None
    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")] | None = None
    hub_id: Code | None = None
    hub_name: ShortText | None = None


class Edd(Strict):
    date: date
    window_start: Clock | None = None
    window_end: Clock | None = None
    kind: Literal["scheduled", "rescheduled", "window"] = "scheduled"


class Line(Strict):
    line_id: Ref
    sku: Code
    description: Annotated[str, StringConstraints(strip_whitespace=True, max_length=200)]
    quantity: Annotated[int, Field(ge=1, le=100_000)]


Name = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=100)]


class Contact(Strict):
    """Personal data: sealed on arrival, never written into an event."""

    name: Name | None = None
    phone: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=32)] | None
    ) = None
    email: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=3, max_length=254)]
        | None
    ) = None


class DeliveryAddress(Strict):
    """Personal data. Country, region and city are kept in clear for generalization; the rest
    is sealed."""

    country: Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
    region: ShortText | None = None
    city: ShortText
    district: ShortText | None = None
    # Marketplaces and ERPs often send only country, region and city.
    street: (
        Annotated[str, StringConstraints(strip_whitespace=True, min_length=1, max_length=300)]
        | None
    ) = None
    postal_code: Annotated[str, StringConstraints(strip_whitespace=True, max_length=16)] | None = (
        None
    )


class ProofOfDelivery(Strict):
    signer_name: Name | None = None
    photo_ref: Annotated[str, StringConstraints(strip_whitespace=True, max_length=300)] | None = (
        None
    )


class EventData(Strict):
    reason: Reason | None = None
    visibility: Visibility | None = None
    raw: Raw | None = None
    shipment: ShipmentRef | None = None
    packages: Annotated[list[Package], Field(max_length=100)] | None = None
    location: Location | None = None
    edd: Edd | None = None
    promised_date: date | None = None
    customer_ref: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9_-]{1,64}$")] | None = None
    lines: Annotated[list[Line], Field(min_length=1, max_length=500)] | None = None
    job: Job | None = None
    # Personal data, only where the milestone needs it; split off before the event is built.
    contact: Contact | None = None
    delivery_address: DeliveryAddress | None = None
    proof_of_delivery: ProofOfDelivery | None = None


class CloudEventIn(Strict):
    specversion: Literal["1.0"]
    id: Annotated[str, StringConstraints(min_length=1, max_length=200)]
    source: Annotated[str, StringConstraints(min_length=1, max_length=300)]
    type: Annotated[str, StringConstraints(min_length=1, max_length=120)]
    subject: Annotated[str, StringConstraints(pattern=r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")]
    time: AwareDatetime
    datacontenttype: Literal["application/json"] = "application/json"
    dataschema: Annotated[str, StringConstraints(max_length=300)] | None = None
    data: EventData = EventData()

    def data_fields(self) -> dict[str, Any]:
        return self.data.model_dump(mode="json", exclude_none=True)


ORDER_ONLY_FIELDS = ("promised_date", "customer_ref", "lines")
# Personal data and the only milestones allowed to carry it.
PII_FIELDS: dict[str, frozenset[Milestone]] = {
    "contact": frozenset({OrderMilestone.PLACED, OrderMilestone.CONFIRMED}),
    "delivery_address": frozenset({OrderMilestone.PLACED, OrderMilestone.CONFIRMED}),
    "proof_of_delivery": frozenset({ShipmentMilestone.DELIVERED}),
}
SHIPMENT_ONLY_FIELDS = ("shipment", "packages", "edd")


def parse_event(item: Any, *, source: str) -> EventDraft | list[str]:
    """One CloudEvent -> EventDraft, or the list of everything wrong with it."""
    if not isinstance(item, dict):
        return [f"event must be a JSON object, got {type(item).__name__}"]
    try:
        event = CloudEventIn.model_validate(item)
    except ValidationError as exc:
        return [_describe(error) for error in exc.errors()] + screen_envelope(item)
    # Shape before meaning: a type that is not `io.orderlens.<a-z_>.<a-z_>` is never echoed.
    envelope_errors = screen_envelope(item)
    if envelope_errors:
        return envelope_errors
    try:
        layer, milestone = parse_event_type(event.type)
    except ValueError as exc:
        return [f"type: {exc}"]
    envelope = {"id": event.id, "source": event.source, "subject": event.subject}
    if event.dataschema is not None:
        envelope["dataschema"] = event.dataschema
    errors, data = screen_event(envelope, event.data_fields())
    errors += _layer_rules(layer, milestone, data)
    if errors:
        return errors
    # Unless the source says otherwise, the milestone table's default (warehouse-internal
    # steps internal, shipment scans public, ...).
    visibility = event.data.visibility or default_visibility(milestone)
    pii = {k: v for k, v in data.items() if k in PII_FIELDS}
    details = {k: v for k, v in data.items() if k not in {"reason", "visibility", *PII_FIELDS}}
    shipment = event.data.shipment
    return EventDraft(
        source=source,
        source_event_id=event.id,
        source_uri=event.source,
        order_number=event.subject,
        layer=layer,
        milestone=milestone,
        occurred_at=event.time,
        reason=event.data.reason,
        visibility=visibility,
        shipment_id=shipment.id if shipment else None,
        details=details,
        pii=pii,
    )


def _layer_rules(layer: Layer, milestone: object, data: dict[str, Any]) -> list[str]:
    errors: list[str] = []
    if layer is not Layer.ORDER:
        errors += [
            f"data.{name}: only allowed on order events"
            for name in ORDER_ONLY_FIELDS
            if name in data
        ]
    if layer is not Layer.SHIPMENT:
        errors += [
            f"data.{name}: only allowed on shipment events"
            for name in SHIPMENT_ONLY_FIELDS
            if name in data
        ]
    if layer is not Layer.SERVICE and "job" in data:
        errors.append("data.job: only allowed on service events")
    if layer is Layer.SHIPMENT and "shipment" not in data:
        errors.append("data.shipment: required on shipment events (at least its id)")
    errors += [
        f"data.{name}: personal data is only accepted on "
        + " or ".join(sorted(m.value for m in allowed))
        for name, allowed in PII_FIELDS.items()
        if name in data and milestone not in allowed
    ]
    if milestone is OrderMilestone.PLACED:
        errors += [
            f"data.{name}: required on order.placed"
            for name in ("customer_ref", "lines")
            if name not in data
        ]
    return errors


_SAFE_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_]{0,39}$")


def _describe(error: Any) -> str:
    # Keys come from the sender: one that is not a plain identifier (it could be a name or a
    # phone number used as a key) is not echoed, since errors are stored and logged in clear.
    location = (
        ".".join(
            str(part) if isinstance(part, int) or _SAFE_KEY.match(str(part)) else "<key>"
            for part in error["loc"]
        )
        or "event"
    )
    message = str(error["msg"])
    if error["type"] == "extra_forbidden":
        message = (
            "unknown field (events are PII-free and strictly typed: personal data such as "
            "names, phones, emails or addresses must not be sent)"
        )
    return f"{location}: {message}"


def to_draft(event: Mapping[str, Any], *, source: str) -> EventDraft | list[str]:
    """Validate one normalized event exactly as POST /ingest/events would. An event whose
    subject is a tracking reference is validated as is and keeps that subject, for linking."""
    subject = event.get("subject")
    if isinstance(subject, str) and subject.startswith(TRACKING_SUBJECT):
        number = subject[len(TRACKING_SUBJECT) :]
        if not _TRACKING.match(number):
            return ["subject: a tracking reference is 1-64 letters, digits, '.', '_' or '-'"]
        result = parse_event({**event, "subject": "LINK-PENDING"}, source=source)
        return replace(result, order_number=subject) if isinstance(result, EventDraft) else result
    return parse_event(dict(event), source=source)


def raw_status(code: str | None, text: str | None, mapping_version: str) -> dict[str, Any]:
    """`data.raw` of a normalized event: the source's own code and text beside ours."""
    raw: dict[str, Any] = {"mapping_version": mapping_version}
    if code:
        raw["code"] = code[:100]
    if text:
        raw["text"] = text[:300]
    return raw
