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
from strawberry.types import ExecutionContext

from privacy import validate_policy
from resolvers.errors import is_client_mistake, log_errors
from resolvers.mutation import Mutation
from resolvers.outcome import OperationObserver, OperationOutcome
from resolvers.query import Query
from resolvers.subscription import Subscription

MAX_DEPTH = 10
MAX_ALIASES = 15
MAX_TOKENS = 2000


def _is_internal(error: GraphQLError) -> bool:
    """Mask everything except validation errors and our own client-facing errors."""
    return not is_client_mistake(error)


class Schema(strawberry.Schema):
    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        # strawberry logs every error at ERROR with a traceback and the document; we log a
        # client's mistakes as one INFO line and only our own failures with a traceback.
        log_errors(errors, execution_context)


def build_schema(
    *, introspection: bool = True, observe_operation: OperationObserver | None = None
) -> strawberry.Schema:
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
    if observe_operation is not None:
        extensions.append(lambda: OperationOutcome(observe_operation))
    built = Schema(
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
