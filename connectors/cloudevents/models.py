"""Wire shapes of the normalized CloudEvents input (POST /ingest/events).

Every model forbids unknown keys: that is what keeps personal data out of events. A sender that
adds `customer_name` gets an error naming the field instead of silently logging it forever.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, StringConstraints

from gateway.events import Reason, Visibility

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
    dataschema: str | None = None
    data: EventData = EventData()

    def data_fields(self) -> dict[str, Any]:
        return self.data.model_dump(mode="json", exclude_none=True)


__all__ = ["CloudEventIn", "EventData", "datetime"]
