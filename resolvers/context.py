"""The per-request GraphQL context: the shared runtime plus this request's loaders."""

from __future__ import annotations

from dataclasses import dataclass, field

import strawberry

from gateway.runtime import Runtime
from resolvers.loaders import Loaders


@dataclass(slots=True)
class Context:
    runtime: Runtime
    loaders: Loaders = field(init=False)

    def __post_init__(self) -> None:
        self.loaders = Loaders(self.runtime)


Info = strawberry.Info[Context, None]
