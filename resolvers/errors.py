"""Which GraphQL errors are the client's mistake, and which are ours.

A client mistake is shown to the client as it is and logged at INFO; anything else is masked
("Unexpected error.") and logged at ERROR with its traceback. To mark an exception raised in a
resolver as a client mistake, raise (a subclass of) `ClientError`; its message must be safe to
show (it names no personal data). `BadArgument` and `Forbidden` in resolvers/query.py are such
subclasses. Syntax and validation errors, which graphql-core raises as a `GraphQLError` with no
`original_error`, are client mistakes too.
"""

from __future__ import annotations

from graphql import GraphQLError


class ClientError(Exception):
    """A mistake of the caller (bad argument, no right, unknown thing); safe to show."""


def is_client_mistake(error: GraphQLError) -> bool:
    original = error.original_error
    return original is None or isinstance(original, ClientError)
