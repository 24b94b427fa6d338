"""The strawberry schema and its hardening extensions. `schema.graphql` is exported from here."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from strawberry.extensions import (
    DisableIntrospection,
    MaskErrors,
    MaxAliasesLimiter,
    MaxTokensLimiter,
    ParserCache,
    QueryDepthLimiter,
    SchemaExtension,
    ValidationCache,
)
from strawberry.schema.config import StrawberryConfig

from privacy import validate_policy
from resolvers.mutation import Mutation
from resolvers.query import BadArgument, Query
from resolvers.subscription import Subscription

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000


def _is_internal(error: GraphQLError) -> bool:
    """Mask everything except validation errors and our own client-facing errors."""
    original = error.original_error
    return original is not None and not isinstance(original, BadArgument)


def build_schema(*, introspection: bool = True) -> strawberry.Schema:
    extensions: list[type[SchemaExtension] | Callable[[], SchemaExtension]] = [
        lambda: MaxTokensLimiter(max_token_count=MAX_TOKENS),
        lambda: QueryDepthLimiter(max_depth=MAX_DEPTH),
        lambda: MaxAliasesLimiter(max_alias_count=MAX_ALIASES),
        lambda: ParserCache(maxsize=256),
        # Validation is a fifth of a small query's CPU; the same documents come back all day.
        lambda: ValidationCache(maxsize=256),
        lambda: MaskErrors(should_mask_error=_is_internal, error_message="Unexpected error."),
    ]
    if not introspection:
        extensions.append(DisableIntrospection)
    built = strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        config=StrawberryConfig(disable_field_suggestions=not introspection),
        extensions=extensions,
    )
    # Every personal field in the schema must have a rule for every role, or we do not start.
    validate_policy(built)
    return built


# The exported contract (introspection on, so the SDL is complete).
schema = build_schema()
