"""The Merkle log in SQL: stored perfect-subtree hashes and signed checkpoints.

Every proof is planned first (which stored nodes it needs) and then fetched with ONE query, so
the number of statements does not grow with the tree or with the number of proofs asked for.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime

from aiocache import BaseCache
from sqlalchemy import func, insert, select, tuple_
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.cache import keys as cache_keys
from gateway.db.tables import checkpoints, log_nodes
from gateway.ledger import merkle
from gateway.ledger.merkle import NodeId

# Two parameters per node: stay well below the 32766 bound parameters SQLite and asyncpg allow.
_CHUNK = 4000


class LogCorrupted(RuntimeError):
    """The stored tree no longer reproduces the last signed root: stop, do not sign."""


@dataclass(frozen=True, slots=True)
class StoredCheckpoint:
    tree_size: int
    root: bytes
    note: str
    created_at: datetime


async def latest_checkpoint(conn: AsyncConnection) -> StoredCheckpoint | None:
    row = (
        await conn.execute(select(checkpoints).order_by(checkpoints.c.tree_size.desc()).limit(1))
    ).first()
    return StoredCheckpoint(row.tree_size, row.root, row.note, row.created_at) if row else None


async def checkpoint_at(conn: AsyncConnection, size: int) -> StoredCheckpoint | None:
    row = (await conn.execute(select(checkpoints).where(checkpoints.c.tree_size == size))).first()
    return StoredCheckpoint(row.tree_size, row.root, row.note, row.created_at) if row else None


async def signed_sizes_around(conn: AsyncConnection, size: int) -> tuple[int | None, int | None]:
    """The largest signed size below ``size`` and the smallest above it (None where none)."""
    below = select(func.max(checkpoints.c.tree_size)).where(checkpoints.c.tree_size < size)
    above = select(func.min(checkpoints.c.tree_size)).where(checkpoints.c.tree_size > size)
    return (await conn.scalar(below)), (await conn.scalar(above))


async def fetch_nodes(conn: AsyncConnection, ids: Iterable[NodeId]) -> dict[NodeId, bytes]:
    wanted = sorted(set(ids))
    found: dict[NodeId, bytes] = {}
    for start in range(0, len(wanted), _CHUNK):
        chunk = wanted[start : start + _CHUNK]
        rows = await conn.execute(
            select(log_nodes.c.level, log_nodes.c.idx, log_nodes.c.hash).where(
                tuple_(log_nodes.c.level, log_nodes.c.idx).in_(chunk)
            )
        )
        found.update({(row.level, row.idx): row.hash for row in rows})
    missing = [node for node in wanted if node not in found]
    if missing:
        raise LogCorrupted(f"{len(missing)} Merkle nodes are missing, first {missing[0]}")
    return found


async def insert_nodes(conn: AsyncConnection, nodes: Mapping[NodeId, bytes]) -> None:
    if nodes:
        await conn.execute(
            insert(log_nodes),
            [{"level": level, "idx": idx, "hash": h} for (level, idx), h in nodes.items()],
        )


async def insert_checkpoint(
    conn: AsyncConnection, size: int, root: bytes, note: str, now: datetime
) -> StoredCheckpoint:
    await conn.execute(
        insert(checkpoints).values(tree_size=size, root=root, note=note, created_at=now)
    )
    return StoredCheckpoint(size, root, note, now)


async def inclusion_proofs(
    conn: AsyncConnection,
    leaf_indexes: Sequence[int],
    size: int,
    known: Mapping[NodeId, bytes] | None = None,
    cache: BaseCache | None = None,
) -> dict[int, list[bytes]]:
    """Inclusion proofs of many leaves in the tree of `size`, with at most one lookup."""
    plans = {index: merkle.inclusion_plan(index, size) for index in set(leaf_indexes)}
    nodes = await _nodes_for(conn, merkle.needed_nodes(*plans.values()), known, cache)
    return {index: merkle.assemble(plan, nodes) for index, plan in plans.items()}


async def verified_consistency(
    conn: AsyncConnection, old_size: int, new: StoredCheckpoint, cache: BaseCache | None = None
) -> tuple[bytes, list[bytes]]:
    """The root at ``old_size`` (any size up to ``new``) and its proof into the signed ``new``.

    Checked against the signed root before anyone sees it, so the old root it returns is
    authenticated by ``new``'s signature even when ``old_size`` was never signed itself.
    """
    plan = merkle.consistency_plan(old_size, new.tree_size)
    root_plan = merkle.root_plan(old_size)
    nodes = await _nodes_for(conn, merkle.needed_nodes(plan, root_plan), None, cache)
    old_root, proof = merkle.root_from_nodes(old_size, nodes), merkle.assemble(plan, nodes)
    try:
        merkle.verify_consistency(old_size, new.tree_size, old_root, new.root, proof)
    except merkle.ProofError:
        if cache is None:
            raise LogCorrupted("stored nodes do not prove consistency with a checkpoint") from None
        await cache.clear()
        return await verified_consistency(conn, old_size, new, None)
    return old_root, proof


async def _nodes_for(
    conn: AsyncConnection,
    needed: set[NodeId],
    known: Mapping[NodeId, bytes] | None,
    cache: BaseCache | None,
) -> dict[NodeId, bytes]:
    nodes = dict(known or {})
    missing = sorted(needed - nodes.keys())
    if missing and cache is not None:
        # Stored nodes never change, so a cached node is never stale.
        cached = await cache.multi_get([_node_key(node) for node in missing])
        nodes.update({node: bytes.fromhex(h) for node, h in zip(missing, cached, strict=True) if h})
        missing = [node for node in missing if node not in nodes]
    if missing:
        fetched = await fetch_nodes(conn, missing)
        nodes.update(fetched)
        if cache is not None:
            await cache.multi_set([(_node_key(n), h.hex()) for n, h in fetched.items()])
    return nodes


def _node_key(node: NodeId) -> str:
    return cache_keys.log_node(node[0], node[1])


async def verified_inclusion_proofs(
    conn: AsyncConnection,
    leaf_hashes: Mapping[int, bytes],
    checkpoint: StoredCheckpoint,
    cache: BaseCache | None = None,
) -> dict[int, list[bytes]]:
    """Proofs that are checked against the signed root before anyone sees them.

    A cache shared by mistake between two logs (or a stale one after a restore) can only cost
    a second lookup: a proof that does not verify is rebuilt from the database.
    """
    size = checkpoint.tree_size
    proofs = await inclusion_proofs(conn, list(leaf_hashes), size, cache=cache)
    try:
        for index, proof in proofs.items():
            merkle.verify_inclusion(leaf_hashes[index], index, size, proof, checkpoint.root)
    except merkle.ProofError:
        if cache is None:
            raise LogCorrupted(
                "stored nodes do not prove an event against its checkpoint"
            ) from None
        await cache.clear()
        return await verified_inclusion_proofs(conn, leaf_hashes, checkpoint, None)
    return proofs
