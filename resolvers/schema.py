"""The strawberry schema: the domains' roots merged, and the cross-cutting extensions.
`schema.graphql` is exported from here."""

from __future__ import annotations

from collections.abc import Callable

import strawberry
from graphql import GraphQLError
from strawberry.extensions import DisableIntrospection, SchemaExtension
from strawberry.schema.config import StrawberryConfig
from strawberry.tools import merge_types
from strawberry.types import ExecutionContext

from privacy import validate_policy
from resolvers.errors import log_errors
from resolvers.extensions import (
    HiddenSuggestions,
    OperationObserver,
    OperationOutcome,
    document_caches,
    document_limits,
    masked_errors,
)
from resolvers.ledger import LedgerQuery
from resolvers.order import OrderQuery, OrderSubscription
from resolvers.personal_data import PersonalDataMutation, PersonalDataQuery
from resolvers.sources import SourcesQuery

# Each domain contributes its fields; the merge order is the field order of the SDL.
Query = merge_types("Query", (OrderQuery, PersonalDataQuery, SourcesQuery, LedgerQuery))
Mutation = merge_types("Mutation", (PersonalDataMutation,))
Subscription = merge_types("Subscription", (OrderSubscription,))


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
        *document_limits(),
        *document_caches(),
        masked_errors,
    ]
    if not introspection:
        extensions += [DisableIntrospection, HiddenSuggestions]
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
