"""GraphQL surface: types, the Query root, per-request loaders and the one presenter."""

from resolvers.context import Context
from resolvers.schema import build_schema, schema

__all__ = ["Context", "build_schema", "schema"]
