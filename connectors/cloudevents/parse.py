"""Pure parsing of a normalized CloudEvents batch into EventDrafts.

Each event is validated on its own: one bad event does not sink its batch. Every problem is
reported with the JSON path of the offending field, so a sender can fix it without guessing.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from pydantic import ValidationError

from connectors.cloudevents.models import CloudEventIn
from gateway.events import (
    EventDraft,
    Layer,
    OrderMilestone,
    ShipmentMilestone,
    Visibility,
    parse_event_type,
)

MAX_EVENTS_PER_BATCH = 1000

# Warehouse-internal steps stay internal unless a source says otherwise.
INTERNAL_BY_DEFAULT = {
    OrderMilestone.ALLOCATED,
    OrderMilestone.PICKING,
    OrderMilestone.PICKED,
}
ORDER_ONLY_FIELDS = ("promised_date", "customer_ref", "lines")
# Personal data and the only milestones allowed to carry it.
PII_FIELDS: dict[str, frozenset[object]] = {
    "contact": frozenset({OrderMilestone.PLACED, OrderMilestone.CONFIRMED}),
    "delivery_address": frozenset({OrderMilestone.PLACED, OrderMilestone.CONFIRMED}),
    "proof_of_delivery": frozenset({ShipmentMilestone.DELIVERED}),
}
SHIPMENT_ONLY_FIELDS = ("shipment", "packages", "edd")


class PayloadError(ValueError):
    """The body as a whole cannot be read as CloudEvents."""


@dataclass(frozen=True, slots=True)
class Rejected:
    index: int
    event_id: str | None
    errors: tuple[str, ...]
    raw: bytes  # the event exactly as received, for the dead-letter queue

    @property
    def reason(self) -> str:
        return "; ".join(self.errors)


@dataclass(frozen=True, slots=True)
class Parsed:
    index: int
    draft: EventDraft
    raw: bytes  # the event as received, kept if a later check dead-letters it


@dataclass(frozen=True, slots=True)
class ParsedBatch:
    drafts: tuple[Parsed, ...]
    rejected: tuple[Rejected, ...]


def parse_batch(body: bytes, *, source: str) -> ParsedBatch:
    """Parse a JSON array of CloudEvents (or one CloudEvent object) sent by `source`."""
    try:
        document = json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"body is not valid JSON: {exc}") from None
    if not isinstance(document, list | dict):
        raise PayloadError("body must be a CloudEvent object or a JSON array of CloudEvents")
    items = document if isinstance(document, list) else [document]
    if not items:
        raise PayloadError("batch is empty")
    if len(items) > MAX_EVENTS_PER_BATCH:
        raise PayloadError(f"batch has {len(items)} events; the limit is {MAX_EVENTS_PER_BATCH}")
    drafts: list[Parsed] = []
    rejected: list[Rejected] = []
    for index, item in enumerate(items):
        result = parse_event(item, source=source)
        raw = json.dumps(item, ensure_ascii=False).encode()
        if isinstance(result, EventDraft):
            drafts.append(Parsed(index, result, raw))
        else:
            event_id = item.get("id") if isinstance(item, dict) else None
            rejected.append(
                Rejected(
                    index=index,
                    event_id=event_id if isinstance(event_id, str) else None,
                    errors=tuple(result),
                    raw=raw,
                )
            )
    return ParsedBatch(drafts=tuple(drafts), rejected=tuple(rejected))


def parse_event(item: Any, *, source: str) -> EventDraft | list[str]:
    """One CloudEvent -> EventDraft, or the list of everything wrong with it."""
    if not isinstance(item, dict):
        return [f"event must be a JSON object, got {type(item).__name__}"]
    try:
        event = CloudEventIn.model_validate(item)
    except ValidationError as exc:
        return [_describe(error) for error in exc.errors()]
    try:
        layer, milestone = parse_event_type(event.type)
    except ValueError as exc:
        return [f"type: {exc}"]
    data = event.data_fields()
    errors = _layer_rules(layer, milestone, data)
    if errors:
        return errors
    visibility = event.data.visibility or (
        Visibility.INTERNAL if milestone in INTERNAL_BY_DEFAULT else Visibility.CUSTOMER
    )
    if layer is Layer.SHIPMENT and event.data.visibility is None:
        visibility = Visibility.PUBLIC
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
        + " or ".join(sorted(f"{getattr(m, 'value', m)}" for m in allowed))
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
