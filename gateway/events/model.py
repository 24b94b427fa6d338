"""The normalized event as a source hands it in (EventDraft) and as the log stores it."""

from __future__ import annotations

import base64
import hashlib
import os
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

from gateway.events.canonical import canonical_json
from gateway.events.taxonomy import Layer, Milestone, Reason, Visibility, event_type


@dataclass(frozen=True, slots=True)
class EventDraft:
    """A parsed, validated, PII-free event that has not been sequenced yet."""

    source: str  # the authenticated source name, e.g. "erp"
    order_number: str
    layer: Layer
    milestone: Milestone
    occurred_at: datetime
    source_event_id: str | None = None
    source_uri: str | None = None
    reason: Reason | None = None
    visibility: Visibility = Visibility.CUSTOMER
    shipment_id: str | None = None
    # The remaining validated `data` fields (shipment, packages, location, edd, lines, ...).
    details: Mapping[str, Any] = field(default_factory=dict)
    # Personal data that came with the event (contact, delivery address, proof of delivery).
    # It is sealed into the privacy tables and never enters the event, its hash or the log.
    pii: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def type(self) -> str:
        return event_type(self.layer, self.milestone)

    @property
    def dedup_key(self) -> str:
        """Identity of the event: the source's own id, or a hash of its content.

        The hash leaves personal data out: a plain hash of a phone number is reversible.
        """
        if self.source_event_id is not None:
            return f"id:{self.source}:{self.source_event_id}"
        content = {
            "source": self.source,
            "subject": self.order_number,
            "type": self.type,
            "time": iso(self.occurred_at),
            "reason": self.reason,
            "visibility": self.visibility,
            "details": dict(self.details),
        }
        return "hash:" + hashlib.sha256(canonical_json(content)).hexdigest()


def build_document(
    draft: EventDraft, *, event_id: str, seq: int, prev: bytes | None, received_at: datetime
) -> dict[str, Any]:
    """The CloudEvents 1.0 envelope committed to the log. `time` is when it happened."""
    data: dict[str, Any] = {
        "seq": seq,
        "prev": base64.b64encode(prev).decode() if prev is not None else None,
        "layer": draft.layer.value,
        "milestone": draft.milestone.value,
        "reason": draft.reason.value if draft.reason else None,
        "visibility": draft.visibility.value,
        "received_at": iso(received_at),
        "source_ref": {"uri": draft.source_uri, "event_id": draft.source_event_id},
    }
    data.update(draft.details)
    return {
        "specversion": "1.0",
        "id": event_id,
        "source": draft.source,
        "type": draft.type,
        "subject": draft.order_number,
        "time": iso(draft.occurred_at),
        "datacontenttype": "application/json",
        "data": data,
    }


def iso(moment: datetime) -> str:
    """RFC 3339 in UTC with a `Z`, the one timestamp spelling used in the log."""
    if moment.tzinfo is None:
        raise ValueError("naive datetime: timestamps must carry a timezone")
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def parse_iso(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def uuid7() -> str:
    """A time-ordered UUID (RFC 9562 version 7) so event ids sort by creation."""
    millis = time.time_ns() // 1_000_000
    value = (millis & ((1 << 48) - 1)) << 80
    value |= int.from_bytes(os.urandom(10), "big") & ((1 << 80) - 1)
    value = (value & ~(0xF << 76)) | (0x7 << 76)  # version
    value = (value & ~(0x3 << 62)) | (0x2 << 62)  # variant
    return str(uuid.UUID(int=value))
