"""A strawberry extension that reports each operation's name and outcome to an observer
(the gateway's metrics), so the resolvers know nothing about how they are measured."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

from resolvers.errors import is_client_mistake, operation_label

# (operation name or "anonymous" / "unknown", outcome "ok" / "user_error" / "error")
OperationObserver = Callable[[str, str], None]


class OperationOutcome(SchemaExtension):
    def __init__(self, observe: OperationObserver) -> None:
        self._observe = observe

    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        try:
            yield
        except GraphQLError as error:  # a syntax error from ParserCache's on_parse ends here
            self._observe(operation_label(context), outcome_of([error]))
            raise
        except Exception:
            self._observe(operation_label(context), "error")
            raise
        # The errors as raised: MaskErrors replaces `result.errors`, not this list.
        self._observe(operation_label(context), outcome_of(context.pre_execution_errors or []))


def outcome_of(errors: list[GraphQLError]) -> str:
    if not errors:
        return "ok"
    return "user_error" if all(is_client_mistake(error) for error in errors) else "error"
