"""What the GraphQL layer needs of the running process: the runtime satisfies it structurally,
so resolvers never import the wiring above them."""

from __future__ import annotations

from typing import Protocol

from aiocache import BaseCache

from gateway.audit import ErasureHandles
from gateway.auth import Authenticator
from gateway.cache import Counters
from gateway.ledger import NoteSigner
from gateway.metrics import Metrics
from gateway.sources import HealthHandles
from privacy import Vault


class Services(HealthHandles, ErasureHandles, Protocol):
    """Everything the resolvers use; it includes what the operations they call need (source
    health, erasure), so the runtime handed to them satisfies those too."""

    @property
    def signer(self) -> NoteSigner: ...
    @property
    def cache(self) -> BaseCache: ...
    @property
    def vault(self) -> Vault: ...
    @property
    def auth(self) -> Authenticator: ...
    @property
    def metrics(self) -> Metrics: ...
    @property
    def counters(self) -> Counters: ...
