"""What the GraphQL layer needs of the running process: the runtime satisfies it structurally,
so resolvers never import the wiring above them."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, Protocol

from aiocache import BaseCache
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors import Instance
from gateway.auth import Authenticator
from gateway.cache import Counters
from gateway.db import Writer
from gateway.ledger import NoteSigner
from gateway.metrics import Metrics
from gateway.pubsub import Broker
from gateway.sequencer import Sequencer
from gateway.settings import Settings
from privacy import Vault


class Services(Protocol):
    @property
    def settings(self) -> Settings: ...
    @property
    def engine(self) -> AsyncEngine: ...
    @property
    def writer(self) -> Writer: ...
    @property
    def signer(self) -> NoteSigner: ...
    @property
    def sequencer(self) -> Sequencer: ...
    @property
    def cache(self) -> BaseCache: ...
    @property
    def vault(self) -> Vault: ...
    @property
    def auth(self) -> Authenticator: ...
    @property
    def broker(self) -> Broker: ...
    @property
    def connectors(self) -> Mapping[str, Instance]: ...
    @property
    def clock(self) -> Callable[[], datetime]: ...
    @property
    def background(self) -> Sequence[Any]: ...
    @property
    def metrics(self) -> Metrics: ...
    @property
    def counters(self) -> Counters: ...
