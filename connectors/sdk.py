"""The connector SDK: what a source connector declares and implements.

A connector turns what one kind of system sends (ERPNext documents, ShipHero webhooks, UPS
tracking responses, ...) into *normalized CloudEvents*: the exact input shape of the generic
CloudEvents connector (`io.orderlens.<layer>.<milestone>`, `data` as documented in the
README). Every normalized event then goes through the same strict validation
(`connectors.cloudevents.parse_event`), so no connector can smuggle an unknown field, or
personal data outside `contact` / `delivery_address` / `proof_of_delivery`, into the log.

The split follows Karrio: `translate` is pure (bytes in, events out; no clock, no network, no
keys), `verify` checks one push delivery's signature, and a pull connector's client is its only
I/O, paging with an opaque cursor.

Couriers know tracking numbers, not order numbers: their events use the subject
`tracking:<tracking number>` and the gateway links them to the order whose shipment carries
that tracking number (parking them until a WMS or ERP event makes the link).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Protocol, runtime_checkable

import httpx
from pydantic import BaseModel

from gateway.events import EventDraft

TRACKING_SUBJECT = "tracking:"
_TRACKING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")


class Kind(StrEnum):
    ERP = "erp"
    WMS = "wms"
    COURIER = "courier"
    GENERIC = "generic"


class PayloadError(ValueError):
    """The payload as a whole cannot be read; the message names what is wrong (never values)."""


class SignatureError(Exception):
    """A push delivery is not authentic (missing, malformed or wrong signature, or too old)."""


@dataclass(frozen=True, slots=True)
class Verified:
    """An authentic delivery. `delivery_id` is the source's own id for this delivery (for
    replay dedup); None when the scheme has none, and the body hash is used instead."""

    delivery_id: str | None = None


@dataclass(frozen=True, slots=True)
class Translation:
    """What a connector made of one payload."""

    events: tuple[dict[str, Any], ...] = ()  # normalized CloudEvents
    # Parts of the payload that could not be mapped (unknown status code, missing field...):
    # the payload is dead-lettered with these reasons, and the events still go in.
    problems: tuple[str, ...] = ()
    # Payloads that carry nothing for the timeline (a test ping, an unrelated doctype).
    ignored: str | None = None


@dataclass(frozen=True, slots=True)
class Page:
    """One pull: raw payloads (each translated on its own) and the cursor to continue from."""

    payloads: Sequence[bytes]
    cursor: str | None
    content_type: str = "application/json"
    more: bool = False  # the source has more right now; fetch again without waiting


class RateLimited(Exception):
    """The source asked us to slow down (HTTP 429 / quota); retry after `retry_after`."""

    def __init__(self, retry_after: float | None = None) -> None:
        super().__init__(f"rate limited (retry after {retry_after or 'unspecified'} s)")
        self.retry_after = retry_after


class SourceUnavailable(Exception):
    """The source failed (5xx, timeout, connection refused); the runner backs off."""


class PullClient(Protocol):
    """The only I/O of a pull connector."""

    async def fetch(self, cursor: str | None) -> Page: ...


class Connector(Protocol):
    """A connector type, declared once and instantiated per configured source."""

    name: ClassVar[str]  # e.g. "erpnext"; instances are configured with `type = "erpnext"`
    kind: ClassVar[Kind]
    label: ClassVar[str]
    mapping_version: ClassVar[str]  # recorded in every event's data.raw.mapping_version
    config_model: ClassVar[type[BaseModel]]  # the instance's options, validated at start-up

    # A connector whose payloads may carry no timestamp may also accept a keyword
    # `received_at: datetime | None` (when the gateway received the payload) to date them.
    def translate(self, payload: bytes, *, content_type: str) -> Translation: ...


@runtime_checkable
class PushConnector(Connector, Protocol):
    def verify(
        self, config: BaseModel, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> Verified: ...


@runtime_checkable
class PullConnector(Connector, Protocol):
    def client(self, config: BaseModel, http: httpx.AsyncClient) -> PullClient: ...


@dataclass(frozen=True, slots=True)
class Instance:
    """One configured source: `id` is its name in URLs (/ingest/<id>) and in every event's
    `source`; `config` holds its validated options, secrets included (never shown)."""

    id: str
    connector: Connector
    config: BaseModel
    pull_every: float | None = None  # seconds between pulls; None for push-only instances
    options: Mapping[str, Any] = field(default_factory=dict, repr=False)

    @property
    def kind(self) -> Kind:
        return self.connector.kind

    def __repr__(self) -> str:
        return f"Instance({self.id!r}, type={self.connector.name!r})"


def to_draft(event: Mapping[str, Any], *, source: str) -> EventDraft | list[str]:
    """Validate one normalized event exactly as POST /ingest/events would. An event whose
    subject is a tracking reference is validated as is and keeps that subject, for linking."""
    from connectors.cloudevents.parse import parse_event

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
