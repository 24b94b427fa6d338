"""What a saved GraphQL answer says about itself when `orderlens verify` finds nothing to prove.

A customer saves whatever the gateway answered. When the order was not visible (no token, a
wrong verification factor) the answer is `{"data": {"order": null}}`; when a query went wrong
it carries `errors`. Both deserve their own words instead of "nothing found".
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

NOTHING = (
    "no receipts or timeline bundles found in the document: save the answer of a query that "
    "selects order { verificationBundle } or a timeline event's receipt"
)
ORDER_NOT_VISIBLE = (
    "the answer's order is null: the order does not exist or is not visible to the caller "
    "(send a token, or ask order(number:, verification:) with the last four digits of the "
    "customer's phone or the delivery postal code)"
)
_MAX_MESSAGE = 300  # an error message is printed, not dumped


def graphql_errors(doc: object) -> list[str]:
    """The `errors` of a GraphQL answer, one line each, with the path they belong to."""
    errors = doc.get("errors") if isinstance(doc, Mapping) else None
    if not isinstance(errors, list):
        return []
    lines = []
    for error in errors:
        message = error.get("message") if isinstance(error, Mapping) else None
        text = message if isinstance(message, str) else repr(error)
        if len(text) > _MAX_MESSAGE:
            text = text[:_MAX_MESSAGE] + "..."
        path = error.get("path") if isinstance(error, Mapping) else None
        where = f" at {'.'.join(map(str, path))}" if isinstance(path, list) and path else ""
        lines.append(f"the answer carries a GraphQL error{where}: {text}")
    return lines


def nothing_to_verify(doc: object) -> list[str]:
    """Why a document without receipts or bundles has none, as specifically as it tells."""
    if not isinstance(doc, Mapping) or not ({"data", "errors"} & doc.keys()):
        return [NOTHING]
    errors = graphql_errors(doc)
    data: Any = doc.get("data")
    if data is None:
        return [*errors, "the answer has no data"] if errors else ["the answer's data is null"]
    if not isinstance(data, Mapping):
        return [*errors, NOTHING]
    nulls = [
        ORDER_NOT_VISIBLE if name == "order" else f"the answer's {name} is null"
        for name, value in data.items()
        if value is None
    ]
    return [*errors, *nulls] if errors or nulls else [NOTHING]
