"""What the source jobs need of the running process, and nothing more."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from sqlalchemy.ext.asyncio import AsyncEngine

from connectors import Instance
from gateway.ingest import IngestPorts
from gateway.settings import Settings


class PullHandles(IngestPorts, Protocol):
    """Pulling: what the ingest pipeline needs (each page goes through it like a push), which
    includes reading and writing the cursors."""


class HealthHandles(Protocol):
    """Source health: sync times and backlogs from the database, the live pull runner's
    breakers from the background parts."""

    @property
    def engine(self) -> AsyncEngine: ...
    @property
    def settings(self) -> Settings: ...
    @property
    def connectors(self) -> Mapping[str, Instance]: ...
    @property
    def clock(self) -> Callable[[], datetime]: ...
    @property
    def background(self) -> Sequence[Any]: ...
