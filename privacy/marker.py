"""The marker that declares a GraphQL field personal data, on the schema itself.

A type anywhere in the schema declares a personal field with `personal()` instead of
`strawberry.field()`. The marker is strawberry field metadata, so it never shows in the
exported SDL; `validate_policy` walks every type of the built schema, collects the marked
fields and refuses to start when one of them has no grant for every role. Privacy owns the
key; the resolvers only use it.
"""

from __future__ import annotations

from typing import Any, Final

import strawberry
from graphql import GraphQLObjectType

PERSONAL: Final = "orderlens.personal"
# Where strawberry keeps a GraphQL field's own definition (and so its metadata).
_DEFINITION: Final = "strawberry-definition"


def personal(*, description: str | None = None) -> Any:
    """A strawberry field that holds personal data: its value reaches a viewer only as the
    privacy policy allows, and a missing grant for it stops start-up."""
    return strawberry.field(description=description, metadata={PERSONAL: True})


def marked_fields(schema: strawberry.Schema) -> frozenset[str]:
    """Every field marked personal in the built schema, as `Type.graphqlName`."""
    found: set[str] = set()
    for type_name, gql_type in schema._schema.type_map.items():
        if not isinstance(gql_type, GraphQLObjectType):
            continue
        for field_name, field in gql_type.fields.items():
            definition = (field.extensions or {}).get(_DEFINITION)
            if PERSONAL in getattr(definition, "metadata", {}):
                found.add(f"{type_name}.{field_name}")
    return frozenset(found)
