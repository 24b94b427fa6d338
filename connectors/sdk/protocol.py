"""The typed contracts of a connector: what a source declares and implements.

A connector turns what one kind of system sends (ERPNext documents, ShipHero webhooks, UPS
tracking responses, ...) into *normalized CloudEvents*: the exact input shape of the generic
CloudEvents connector (`io.orderlens.<layer>.<milestone>`, `data` as documented in the
README). Every normalized event then goes through the same strict validation
(`connectors.sdk.normalized.parse_event`), so no connector can smuggle an unknown field, or
personal data outside `contact` / `delivery_address` / `proof_of_delivery`, into the log.

The split follows Karrio: `translate` is pure (bytes in, events out; no clock, no network, no
keys), `verify` checks one push delivery's signature, and a pull connector's client is its only
I/O, paging with an opaque cursor.

The contracts are abstract base classes, not structural protocols: a connector says what it is
by subclassing `PushConnector` and/or `PullConnector`, mypy checks every method's signature,
an incomplete connector cannot be instantiated, and the gateway asks `isinstance` of a declared
class instead of probing for attributes.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Any, ClassVar, Protocol

import httpx
from pydantic import BaseModel

from connectors.sdk.screen import scrub_reason


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

    def __post_init__(self) -> None:
        # Problems become dead-letter reasons and answers: no personal data in them, whatever
        # of the payload a connector quoted.
        object.__setattr__(self, "problems", tuple(scrub_reason(p) for p in self.problems))


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


class Translator(Protocol):
    """The pure mapping of one payload (a connector, or a connector bound to one instance)."""

    def translate(
        self, payload: bytes, *, content_type: str, received_at: datetime | None = None
    ) -> Translation: ...


class Connector(ABC):
    """A connector type, declared once and instantiated per configured source."""

    name: ClassVar[str]  # e.g. "erpnext"; instances are configured with `type = "erpnext"`
    kind: ClassVar[Kind]
    label: ClassVar[str]
    mapping_version: ClassVar[str]  # recorded in every event's data.raw.mapping_version
    config_model: ClassVar[type[BaseModel]]  # the instance's options, validated at start-up

    @abstractmethod
    def translate(
        self, payload: bytes, *, content_type: str, received_at: datetime | None = None
    ) -> Translation:
        """Bytes in, normalized events out; no clock, no network, no keys. `received_at` (when
        the gateway received the payload) dates payloads that carry no timestamp; a connector
        whose payloads always do ignores it."""

    def bind(self, config: BaseModel) -> Translator:
        """The mapping of one instance; override when it depends on the instance's options
        (a time zone, what a document marks). By default the connector itself."""
        return self


class PushConnector(Connector):
    """A source that posts deliveries to POST /ingest/<instance id>."""

    @abstractmethod
    def verify(
        self, config: BaseModel, headers: Mapping[str, str], body: bytes, now: datetime
    ) -> Verified:
        """Check one delivery's signature; raise SignatureError if it is not authentic."""


class PullConnector(Connector):
    """A source the gateway polls; `client` is the connector's only I/O."""

    @abstractmethod
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

    def translate(self, payload: bytes, *, content_type: str, received_at: datetime) -> Translation:
        """`payload` mapped as this instance maps it."""
        mapper = self.connector.bind(self.config)
        return mapper.translate(payload, content_type=content_type, received_at=received_at)

    def __repr__(self) -> str:
        return f"Instance({self.id!r}, type={self.connector.name!r})"
