"""What the ingest stage needs from the process, and nothing more: the runtime satisfies it
structurally, so ingest never imports the runtime that wires it."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from connectors.sdk import Instance
from gateway.db import Writer
from gateway.events import WebhookSecret
from gateway.sequencer import Outcome, PayloadSealer, Submission


class IngestSettings(Protocol):
    @property
    def ingest_secrets(self) -> Mapping[str, WebhookSecret]: ...

    @property
    def max_body_bytes(self) -> int: ...

    @property
    def webhook_tolerance_seconds(self) -> int: ...


class IngestMetrics(Protocol):
    def ingest_answer(self, source: str, status: int, answer: Mapping[str, Any]) -> None: ...

    def ingest_refused(self, source: str, reason: str) -> None: ...


class Submitter(Protocol):
    async def submit(self, submissions: Sequence[Submission]) -> list[Outcome]: ...


class IngestPorts(Protocol):
    @property
    def settings(self) -> IngestSettings: ...

    @property
    def engine(self) -> AsyncEngine: ...

    @property
    def writer(self) -> Writer: ...

    @property
    def vault(self) -> PayloadSealer: ...  # seals dead letters and parked events

    @property
    def sequencer(self) -> Submitter: ...

    @property
    def connectors(self) -> Mapping[str, Instance]: ...

    @property
    def clock(self) -> Callable[[], datetime]: ...

    @property
    def metrics(self) -> IngestMetrics: ...
