"""The Query root and the resolvers behind Order's list fields."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from gateway.ledger import build_bundle
from gateway.ledger.store import (
    checkpoint_at,
    consistency_proof,
    latest_checkpoint,
    verified_inclusion_proofs,
)
from gateway.timeline.store import load_events
from resolvers.context import Info
from resolvers.loaders import MAX_PAGE, PageKey, decode_cursor, encode_cursor
from resolvers.present import b64, present_event, present_order
from resolvers.types import (
    Checkpoint,
    ConsistencyProof,
    Log,
    Order,
    PageInfo,
    TimelineConnection,
    TimelineEdge,
)


class BadArgument(ValueError):
    """A client mistake; its message is safe to show."""


@strawberry.type
class Query:
    @strawberry.field(description="An order by its number, or null if there is none.")
    async def order(
        self,
        info: Info,
        number: Annotated[
            str, strawberry.argument(description="The order number, e.g. SO-100042.")
        ],
    ) -> Order | None:
        if not number or len(number) > 64:
            raise BadArgument("number must be 1 to 64 characters")
        view = await info.context.loaders.orders.load(number)
        return present_order(view) if view else None

    @strawberry.field(description="The transparency log: origin, public key, latest checkpoint.")
    async def log(self, info: Info) -> Log:
        runtime = info.context.runtime
        async with runtime.engine.connect() as conn:
            stored = await latest_checkpoint(conn)
        return Log(
            origin=runtime.signer.name,
            public_key=runtime.signer.vkey,
            checkpoint=Checkpoint(
                tree_size=stored.tree_size,
                root_hash=b64(stored.root),
                note=stored.note,
                created_at=stored.created_at,
            )
            if stored
            else None,
        )

    @strawberry.field(description="Consistency proof between two checkpoints (RFC 9162 2.1.4).")
    async def consistency_proof(
        self, info: Info, from_size: int, to_size: int | None = None
    ) -> ConsistencyProof:
        runtime = info.context.runtime
        async with runtime.engine.connect() as conn:
            newest = await latest_checkpoint(conn)
            target = to_size if to_size is not None else (newest.tree_size if newest else 0)
            if newest is None or not 0 < from_size <= target <= newest.tree_size:
                raise BadArgument(
                    f"need 0 < fromSize <= toSize <= {newest.tree_size if newest else 0}"
                )
            old = await checkpoint_at(conn, from_size)
            new = await checkpoint_at(conn, target)
            if old is None or new is None:
                raise BadArgument("both sizes must be sizes of signed checkpoints")
            proof = await consistency_proof(conn, from_size, target, runtime.cache)
        return ConsistencyProof(
            from_size=from_size,
            to_size=target,
            proof=[b64(p) for p in proof],
            from_checkpoint=old.note,
            to_checkpoint=new.note,
        )


async def timeline_page(
    info: Info, number: str, total: int, first: int, after: str | None
) -> TimelineConnection:
    if not 1 <= first <= MAX_PAGE:
        raise BadArgument(f"first must be between 1 and {MAX_PAGE}")
    try:
        cursor = decode_cursor(after) if after else None
    except ValueError as exc:
        raise BadArgument(str(exc)) from None
    page = await info.context.loaders.pages.load(PageKey(number, first, cursor))
    edges = [TimelineEdge(cursor=encode_cursor(e), node=present_event(e)) for e in page.events]
    return TimelineConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        total_count=total,
    )


async def verification_bundle(info: Info, number: str) -> dict[str, Any]:
    runtime = info.context.runtime
    async with runtime.engine.connect() as conn:
        checkpoint = await latest_checkpoint(conn)
        events = (await load_events(conn, [number])).get(number, [])
        if checkpoint is None or not events:
            raise BadArgument(f"order {number} has no logged events")
        proofs = await verified_inclusion_proofs(
            conn, {e.leaf_index: e.leaf_hash for e in events}, checkpoint, runtime.cache
        )
    ordered = sorted(events, key=lambda e: e.seq)
    return build_bundle(
        number,
        [(e.document, e.leaf_index, proofs[e.leaf_index]) for e in ordered],
        checkpoint.tree_size,
        checkpoint.note,
    )
