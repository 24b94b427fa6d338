"""No "Did you mean" in production: graphql-core suggests the names of fields, arguments, enum
values and types close to a typo, which lets anyone without introspection read the schema one
guess at a time. strawberry's `disable_field_suggestions` covers fields only; this extension
strips the suggestion from every error an operation returns (validation and variable coercion).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from graphql import GraphQLError
from strawberry.extensions import SchemaExtension

# graphql-core's did_you_mean(): " Did you mean 'a', 'b', or 'c'?" (or "... the enum value 'x'?")
_SUGGESTION = re.compile(r"\s*Did you mean [^?]*\?", re.DOTALL)


def without_suggestion(message: str) -> str:
    return _SUGGESTION.sub("", message)


def _strip(errors: list[GraphQLError] | None) -> None:
    for error in errors or []:
        error.message = without_suggestion(error.message)


class HiddenSuggestions(SchemaExtension):
    def on_operation(self) -> Iterator[None]:
        context = self.execution_context
        try:
            yield
        finally:
            # The same error objects may sit in both lists; stripping twice is harmless.
            _strip(context.pre_execution_errors)
            _strip(getattr(context.result, "errors", None))
