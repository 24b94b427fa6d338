"""Which GraphQL errors are the client's mistake, which are ours, and how each is logged.

A client mistake is shown to the client as it is and logged at INFO as one line, without a
traceback; anything else is masked ("Unexpected error.") and logged at ERROR with its
traceback. To mark an exception raised in a resolver as a client mistake, raise (a subclass
of) `ClientError`; its message must be safe to show and to log (no personal data).
`BadArgument` and `Forbidden` below are such subclasses. Syntax and
validation errors, which graphql-core raises as a `GraphQLError` with no `original_error`,
are client mistakes too.

No log line holds the document or the variables (they may carry a phone number): a line
names the operation only when the document defines it, and graphql-core's messages, which
quote pieces of the document, have every quoted literal and number masked.
"""

from __future__ import annotations

import logging
import re

import strawberry
from graphql import GraphQLError, get_operation_ast
from strawberry.types import ExecutionContext

log = logging.getLogger("orderlens.graphql")

MAX_MESSAGE = 200
# graphql-core quotes names ('order', '$phone', '[String!]!') and literals ('+86138...'):
# names are kept, literals and bare numbers masked.
_QUOTED = re.compile(r"""(["'])([^"']*)\1""")
_NAME = re.compile(r"\$?\[*[_A-Za-z][_0-9A-Za-z]*[\]!]*")
_NUMBER = re.compile(r"[+-]?\d[\d.eE+-]*")


class ClientError(Exception):
    """A mistake of the caller (bad argument, no right, unknown thing); safe to show."""


class BadArgument(ClientError, ValueError):
    """A client mistake; its message is safe to show."""


class Forbidden(BadArgument):
    """The viewer may not do this; safe to show (it names no data)."""


@strawberry.type(description="A problem with the input or the caller's rights.")
class UserError:
    field: str | None
    message: str


def is_client_mistake(error: GraphQLError) -> bool:
    """Syntax and validation errors have no original error; a variable of the wrong type has
    graphql-core's own GraphQLError as its original."""
    original = error.original_error
    return original is None or isinstance(original, ClientError | GraphQLError)


def log_errors(errors: list[GraphQLError], context: ExecutionContext | None) -> None:
    """strawberry's `process_errors`: one INFO line per client mistake, ERROR for the rest."""
    operation = operation_label(context) if context is not None else "unknown"
    for error in errors:
        original = error.original_error
        if original is None or isinstance(original, GraphQLError):
            message = _NUMBER.sub("#", _QUOTED.sub(_mask_literal, error.message))
            log.info("client error in %s: %s: %s", operation, type(error).__name__, _short(message))
        elif isinstance(original, ClientError):
            log.info(
                "client error in %s: %s: %s",
                operation,
                type(original).__name__,
                _short(str(original)),
            )
        else:
            path = ".".join(str(p) for p in error.path or ()) or "-"
            log.error(
                "unexpected error in %s at %s: %s",
                operation,
                path,
                type(original).__name__,
                exc_info=(type(original), original, original.__traceback__),
            )


def _mask_literal(quoted: re.Match[str]) -> str:
    quote, inner = quoted.group(1), quoted.group(2)
    return quoted.group(0) if _NAME.fullmatch(inner) else f"{quote}…{quote}"


def _short(message: str) -> str:
    flat = " ".join(message.split())
    return flat if len(flat) <= MAX_MESSAGE else flat[: MAX_MESSAGE - 1] + "…"


def operation_label(context: ExecutionContext) -> str:
    """The executed operation's name; "anonymous" if it has none, "unknown" when the document
    did not parse or holds no operation of the requested name (a name the client sent but
    the document does not define is never repeated: it could be anything)."""
    document = context.graphql_document
    if document is None:
        return "unknown"
    operation = get_operation_ast(document, context.operation_name)
    if operation is None:
        return "unknown"
    return operation.name.value if operation.name else "anonymous"
