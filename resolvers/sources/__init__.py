"""The sources on the GraphQL surface: their health, and each one's freshness on an order."""

from resolvers.sources.query import SourcesQuery
from resolvers.sources.types import SourceFreshness, SourceStatus

__all__ = ["SourceFreshness", "SourceStatus", "SourcesQuery"]
