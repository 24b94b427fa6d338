"""The signed, verifiable order log: Merkle maths, signed checkpoints, leaves, verification.

Other packages import only from here; ``merkle`` is exported as a module.
"""

from gateway.ledger import merkle
from gateway.ledger.leaf import (
    LEAF_PREFIX,
    MAX_LEAF_BYTES,
    LeafTooLarge,
    event_leaf,
    event_leaf_hash,
)
from gateway.ledger.merkle import EMPTY_ROOT, HASH_SIZE, MissingNode, NodeId, Plan, ProofError
from gateway.ledger.note import (
    Checkpoint,
    NoteError,
    NoteSigner,
    NoteVerifier,
    format_checkpoint,
    key_id,
    load_or_create_signing_key,
    load_signing_key,
    open_checkpoint,
    parse_checkpoint,
    sign_checkpoint,
)
from gateway.ledger.verify import (
    BUNDLE_FORMAT,
    RECEIPT_FORMAT,
    OrderSummary,
    Redacted,
    VerificationReport,
    build_bundle,
    build_receipt,
    verify_document,
    verify_file,
    verify_text,
)

__all__ = [
    "BUNDLE_FORMAT",
    "EMPTY_ROOT",
    "HASH_SIZE",
    "LEAF_PREFIX",
    "MAX_LEAF_BYTES",
    "RECEIPT_FORMAT",
    "Checkpoint",
    "LeafTooLarge",
    "MissingNode",
    "NodeId",
    "NoteError",
    "NoteSigner",
    "NoteVerifier",
    "OrderSummary",
    "Plan",
    "ProofError",
    "Redacted",
    "VerificationReport",
    "build_bundle",
    "build_receipt",
    "event_leaf",
    "event_leaf_hash",
    "format_checkpoint",
    "key_id",
    "load_or_create_signing_key",
    "load_signing_key",
    "merkle",
    "open_checkpoint",
    "parse_checkpoint",
    "sign_checkpoint",
    "verify_document",
    "verify_file",
    "verify_text",
]
