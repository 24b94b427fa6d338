"""Cross-cutting GraphQL behaviour, one strawberry extension (or configured set) per module."""

from resolvers.extensions.caches import document_caches
from resolvers.extensions.limits import MAX_ALIASES, MAX_DEPTH, MAX_TOKENS, document_limits
from resolvers.extensions.masking import masked_errors
from resolvers.extensions.outcome import OperationObserver, OperationOutcome, outcome_of
from resolvers.extensions.suggestions import HiddenSuggestions, without_suggestion

__all__ = [
    "MAX_ALIASES",
    "MAX_DEPTH",
    "MAX_TOKENS",
    "HiddenSuggestions",
    "OperationObserver",
    "OperationOutcome",
    "document_caches",
    "document_limits",
    "masked_errors",
    "outcome_of",
    "without_suggestion",
]
