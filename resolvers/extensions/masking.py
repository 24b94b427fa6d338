"""Error masking: a client sees its own mistakes as they are, and "Unexpected error." for
anything else (no traceback, no internal message, no personal data)."""

from __future__ import annotations

from graphql import GraphQLError
from strawberry.extensions import MaskErrors

from resolvers.errors import is_client_mistake

MASKED_MESSAGE = "Unexpected error."


def _is_internal(error: GraphQLError) -> bool:
    """Mask everything except validation errors and our own client-facing errors."""
    return not is_client_mistake(error)


def masked_errors() -> MaskErrors:
    return MaskErrors(should_mask_error=_is_internal, error_message=MASKED_MESSAGE)
