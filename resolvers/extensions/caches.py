"""Parse and validation caches: the same documents come back all day."""

from __future__ import annotations

from collections.abc import Callable

from strawberry.extensions import ParserCache, SchemaExtension, ValidationCache

CACHED_DOCUMENTS = 256


def document_caches() -> list[Callable[[], SchemaExtension]]:
    return [
        lambda: ParserCache(maxsize=CACHED_DOCUMENTS),
        # Validation is a fifth of a small query's CPU; the same documents come back all day.
        lambda: ValidationCache(maxsize=CACHED_DOCUMENTS),
    ]
