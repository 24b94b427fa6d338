"""The signed log on the GraphQL surface: receipts, checkpoints, consistency proofs, bundles."""

from resolvers.ledger.bundle import verification_bundle
from resolvers.ledger.present import b64, load_receipt, present_receipt
from resolvers.ledger.query import LedgerQuery
from resolvers.ledger.types import Checkpoint, ConsistencyProof, Log, Receipt

__all__ = [
    "Checkpoint",
    "ConsistencyProof",
    "LedgerQuery",
    "Log",
    "Receipt",
    "b64",
    "load_receipt",
    "present_receipt",
    "verification_bundle",
]
