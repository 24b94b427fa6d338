"""An order's verification bundle: its whole timeline with one checkpoint, for
`orderlens verify`; events the viewer may not see are listed by leaf hash only."""

from __future__ import annotations

from typing import Any

from gateway.ledger import Redacted, build_bundle, latest_checkpoint, verified_inclusion_proofs
from gateway.timeline import load_events
from resolvers.access import Access
from resolvers.context import Info
from resolvers.errors import BadArgument


async def verification_bundle(info: Info, number: str, access: Access) -> dict[str, Any]:
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
        [
            (e.document, e.leaf_index, proofs[e.leaf_index])
            if access.sees(e)
            else Redacted(e.seq, e.leaf_hash, e.leaf_index, proofs[e.leaf_index])
            for e in ordered
        ],
        checkpoint.tree_size,
        checkpoint.note,
    )
