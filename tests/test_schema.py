"""schema.graphql is exported from the code; it must not drift."""

from __future__ import annotations

from pathlib import Path

from strawberry.printer import print_schema

from resolvers import schema

SCHEMA_FILE = Path(__file__).parent.parent / "schema.graphql"


def test_schema_graphql_matches_the_code() -> None:
    exported = print_schema(schema) + "\n"
    assert SCHEMA_FILE.read_text() == exported, (
        "schema.graphql is out of date: run `orderlens export-schema` and commit the result"
    )
