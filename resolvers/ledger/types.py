"""GraphQL types of the signed log: receipts, checkpoints, consistency proofs."""

from __future__ import annotations

from datetime import datetime

import strawberry
from strawberry.scalars import JSON


@strawberry.type(
    description="Proof that an event is in the signed log: verify it offline with "
    "`orderlens verify FILE --key KEY` and the log's public key."
)
class Receipt:
    format: str
    leaf_index: int
    tree_size: int
    inclusion_proof: list[str]
    checkpoint: str = strawberry.field(description="The signed checkpoint (C2SP signed note).")
    event: JSON = strawberry.field(description="The event exactly as committed to the log.")


@strawberry.type(description="A signed checkpoint of the log.")
class Checkpoint:
    tree_size: int
    root_hash: str
    note: str
    created_at: datetime


@strawberry.type(description="Proof that the log at `to_size` extends the log at `from_size`.")
class ConsistencyProof:
    from_size: int
    to_size: int
    proof: list[str] = strawberry.field(description="Base64 hashes, RFC 9162 order.")
    from_root: str = strawberry.field(
        description="Base64 root of the log at fromSize; the proof ties it to toCheckpoint."
    )
    to_root: str = strawberry.field(description="Base64 root signed in toCheckpoint.")
    from_checkpoint: str | None = strawberry.field(
        description="The signed note at fromSize, or null when that size was never signed."
    )
    to_checkpoint: str = strawberry.field(description="The signed note at toSize.")


@strawberry.type(description="The transparency log that every event is committed to.")
class Log:
    origin: str
    public_key: str = strawberry.field(description="Verifier key (Go sumdb note vkey format).")
    checkpoint: Checkpoint | None
