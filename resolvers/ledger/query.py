"""Query fields of the signed log: the log itself and consistency proofs between sizes."""

from __future__ import annotations

from typing import Annotated

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.ledger import (
    StoredCheckpoint,
    checkpoint_at,
    latest_checkpoint,
    signed_sizes_around,
    verified_consistency,
)
from resolvers.context import Info
from resolvers.errors import BadArgument
from resolvers.ledger.present import b64
from resolvers.ledger.types import Checkpoint, ConsistencyProof, Log


@strawberry.type
class LedgerQuery:
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

    @strawberry.field(
        description="Proof that the log at `toSize` extends the log at `fromSize` (RFC 9162 "
        "2.1.4). `toSize` must be a signed checkpoint size (default: the latest); `fromSize` "
        "may be any size from 1 to `toSize`: its root is then authenticated by the proof. "
        "Null with an error naming the problem when the sizes cannot be proven."
    )
    async def consistency_proof(
        self,
        info: Info,
        from_size: Annotated[
            int, strawberry.argument(description="1 to toSize; need not be a signed size.")
        ],
        to_size: Annotated[
            int | None,
            strawberry.argument(
                description="A signed checkpoint size (see log.checkpoint); default the latest."
            ),
        ] = None,
    ) -> ConsistencyProof | None:
        runtime = info.context.runtime
        async with runtime.engine.connect() as conn:
            new = await _proof_target(conn, from_size, to_size)
            old_root, proof = await verified_consistency(conn, from_size, new, runtime.cache)
            old = new if from_size == new.tree_size else await checkpoint_at(conn, from_size)
        return ConsistencyProof(
            from_size=from_size,
            to_size=new.tree_size,
            proof=[b64(p) for p in proof],
            from_root=b64(old_root),
            to_root=b64(new.root),
            from_checkpoint=old.note if old else None,
            to_checkpoint=new.note,
        )


async def _proof_target(
    conn: AsyncConnection, from_size: int, to_size: int | None
) -> StoredCheckpoint:
    """The signed checkpoint to prove into, or a BadArgument that says what to ask instead."""
    if from_size < 1:
        raise BadArgument(f"fromSize must be at least 1, got {from_size}")
    if to_size is not None and to_size < 1:
        raise BadArgument(f"toSize must be at least 1, got {to_size}")
    if to_size is not None and from_size > to_size:
        raise BadArgument(
            f"fromSize {from_size} is above toSize {to_size}: the log only grows, "
            "so the smaller size comes first"
        )
    latest = await latest_checkpoint(conn)
    if latest is None:
        raise BadArgument("the log has no signed checkpoint yet")
    wanted = to_size if to_size is not None else from_size
    if wanted > latest.tree_size:
        name = "toSize" if to_size is not None else "fromSize"
        raise BadArgument(
            f"{name} {wanted} is beyond the latest signed checkpoint, size {latest.tree_size} "
            "(see log.checkpoint)"
        )
    if to_size is None or to_size == latest.tree_size:
        return latest
    found = await checkpoint_at(conn, to_size)
    if found is None:
        below, above = await signed_sizes_around(conn, to_size)
        nearest = " and ".join(str(size) for size in (below, above) if size is not None)
        raise BadArgument(
            f"toSize {to_size} is not the size of a signed checkpoint; the nearest signed "
            f"sizes are {nearest} (omit toSize for the latest, {latest.tree_size})"
        )
    return found
