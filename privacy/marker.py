"""The marker that declares a GraphQL field personal data, on the schema itself.

A type anywhere in the schema declares a personal field with `personal()` instead of
`strawberry.field()`. The marker is strawberry field metadata, so it never shows in the
exported SDL; `validate_policy` walks every type of the built schema, collects the marked
fields and refuses to start when one of them has no grant for every role. Privacy owns the
key; the resolvers only use it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

import strawberry
from graphql import GraphQLObjectType, GraphQLOutputType, GraphQLScalarType, get_named_type

PERSONAL: Final = "orderlens.personal"
# Scalar field names that are personal data wherever they appear: such a field without the
# marker stops start-up, so a contact detail cannot slip onto another type unmasked.
PERSONAL_NAMES: Final = ("phone", "email", "street", "postalcode", "signername")
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


def marker_problems(
    schema: strawberry.Schema,
    marked: frozenset[str],
    listed: frozenset[str],
    mixed: Mapping[str, tuple[str, ...]],
    personal_types: Mapping[str, tuple[str, ...]],
) -> list[str]:
    """Marked fields the policy does not list, fields listed on mixed types that lost their
    marker, and scalar fields named like contact data that carry no marker (the fields of
    wholly personal types are checked by the policy itself)."""
    problems: list[str] = []
    for key in sorted(marked - listed):
        problems.append(f"{key} is marked personal but is not a listed PII field")
    type_map = schema._schema.type_map
    for type_name, fields in mixed.items():
        gql_type = type_map.get(type_name)
        if not isinstance(gql_type, GraphQLObjectType):
            continue  # a schema without this type (a test's) has nothing to check here
        for name in fields:
            if name not in gql_type.fields:
                problems.append(f"{type_name}.{name} is in the policy but not in the schema")
            elif f"{type_name}.{name}" not in marked:
                problems.append(f"{type_name}.{name} is personal but not marked personal()")
    for type_name, gql_type in type_map.items():
        if type_name.startswith("__") or not isinstance(gql_type, GraphQLObjectType):
            continue
        for name, field in gql_type.fields.items():
            key = f"{type_name}.{name}"
            if key in marked or type_name in personal_types or not _is_scalar(field.type):
                continue
            if name.lower().endswith(PERSONAL_NAMES):
                problems.append(f"{key} looks like personal data: declare it with personal()")
    return problems


def _is_scalar(gql_type: GraphQLOutputType) -> bool:
    return isinstance(get_named_type(gql_type), GraphQLScalarType)
