"""The per-request GraphQL context: the shared runtime plus this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import strawberry

from gateway.auth import ANONYMOUS, Viewer
from resolvers.loaders import Loaders
from resolvers.ports import Services


@dataclass(slots=True)
class Context:
    runtime: Services
    viewer: Viewer = ANONYMOUS
    loaders: Loaders = field(init=False)
    # graphql-transport-ws connection_init payload (where websocket clients send their token)
    connection_params: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.runtime)

    def fresh(self) -> Context:
        """Same viewer, empty loaders: each subscription frame reads current data."""
        return Context(self.runtime, self.viewer, connection_params=self.connection_params)


Info = strawberry.Info[Context, None]
