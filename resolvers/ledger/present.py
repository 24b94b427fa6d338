"""Receipts as GraphQL objects: what an event's or an audit record's `receipt` field answers."""

from __future__ import annotations

import base64
from typing import Any

from gateway.timeline import LoggedEvent
from resolvers.context import Info
from resolvers.ledger.types import Receipt


async def load_receipt(info: Info, logged: LoggedEvent) -> Receipt:
    """The receipt of one logged event, batched with the request's other receipts."""
    return present_receipt(await info.context.loaders.receipts.load(logged))


def present_receipt(receipt: dict[str, Any]) -> Receipt:
    return Receipt(
        format=receipt["format"],
        leaf_index=receipt["leaf_index"],
        tree_size=receipt["tree_size"],
        inclusion_proof=list(receipt["inclusion_proof"]),
        checkpoint=receipt["checkpoint"],
        event=receipt["event"],
    )


def b64(value: bytes) -> str:
    return base64.b64encode(value).decode()
