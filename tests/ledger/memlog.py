"""A small in-memory log built from the ledger primitives, for the verifier tests."""

from __future__ import annotations

import base64
import copy
from collections.abc import Collection, Mapping
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from gateway.ledger import (
    Checkpoint,
    NoteSigner,
    Redacted,
    build_bundle,
    build_receipt,
    event_leaf_hash,
    merkle,
    sign_checkpoint,
)

ORIGIN = "orderlens.test/log"
ORDERS = {"SO-10001": 9, "SO-10002": 8, "SO-10003": 8}


def b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def make_signer(seed: int = 7, name: str = ORIGIN) -> NoteSigner:
    return NoteSigner(Ed25519PrivateKey.from_private_bytes(bytes([seed]) * 32), name)


class MemLog:
    """Append events (chained per order with seq/prev), sign checkpoints, hand out proofs."""

    def __init__(self, signer: NoteSigner) -> None:
        self.signer = signer
        self.events: list[dict[str, Any]] = []
        self.leaf_hashes: list[bytes] = []
        self.nodes: dict[merkle.NodeId, bytes] = {}
        self._last: dict[str, dict[str, Any]] = {}

    @property
    def size(self) -> int:
        return len(self.events)

    def append(self, order: str, kind: str, **fields: Any) -> dict[str, Any]:
        last = self._last.get(order)
        seq = last["data"]["seq"] + 1 if last else 1
        event = {
            "specversion": "1.0",
            "id": f"0192aaaa-0000-7000-8000-{len(self.events):012d}",
            "source": "erp",
            "type": f"io.orderlens.order.{kind}",
            "subject": order,
            "time": f"2026-11-20T08:{len(self.events):02d}:00Z",
            "datacontenttype": "application/json",
            "data": {
                "seq": seq,
                "prev": b64(event_leaf_hash(last)) if last else None,
                "status": kind.upper(),
                **fields,
            },
        }
        digest = event_leaf_hash(event)
        self.nodes.update(merkle.extend(self.size, self.nodes, [digest]))
        self.events.append(event)
        self.leaf_hashes.append(digest)
        self._last[order] = event
        return event

    def root(self, size: int | None = None) -> bytes:
        return merkle.root_from_nodes(self.size if size is None else size, self.nodes)

    def checkpoint(self, *, origin: str | None = None, signer: NoteSigner | None = None) -> str:
        cp = Checkpoint(origin or self.signer.name, self.size, self.root())
        return sign_checkpoint(signer or self.signer, cp)

    def proof(self, index: int) -> list[bytes]:
        return merkle.assemble(merkle.inclusion_plan(index, self.size), self.nodes)

    def indexes(self, order: str) -> list[int]:
        return [i for i, e in enumerate(self.events) if e["subject"] == order]

    def receipt(self, index: int, note: str | None = None) -> dict[str, Any]:
        note = note or self.checkpoint()
        event = copy.deepcopy(self.events[index])
        return build_receipt(event, index, self.size, self.proof(index), note)

    def receipts(self, order: str) -> list[dict[str, Any]]:
        note = self.checkpoint()
        return [self.receipt(i, note) for i in self.indexes(order)]

    def bundle(self, order: str, redact: Collection[int] = ()) -> dict[str, Any]:
        """The order's timeline; the events whose seq is in ``redact`` are redacted entries."""
        items: list[tuple[dict[str, Any], int, list[bytes]] | Redacted] = []
        for i in self.indexes(order):
            seq = self.events[i]["data"]["seq"]
            if seq in redact:
                items.append(Redacted(seq, self.leaf_hashes[i], i, self.proof(i)))
            else:
                items.append((copy.deepcopy(self.events[i]), i, self.proof(i)))
        return build_bundle(order, items, self.size, self.checkpoint())


def demo_log(signer: NoteSigner | None = None) -> MemLog:
    """Three orders, 25 events, interleaved round-robin like real traffic."""
    log = MemLog(signer or make_signer())
    remaining = dict(ORDERS)
    step = 0
    while any(remaining.values()):
        for order in ORDERS:
            if remaining[order]:
                remaining[order] -= 1
                log.append(order, ("placed", "picked", "packed", "shipped")[step % 4], n=step)
                step += 1
    return log


def camel(receipt: Mapping[str, Any]) -> dict[str, Any]:
    """A receipt as a GraphQL API would serialize it (camelCase, no format key)."""
    return {
        "event": receipt["event"],
        "leafIndex": receipt["leaf_index"],
        "treeSize": receipt["tree_size"],
        "inclusionProof": receipt["inclusion_proof"],
        "checkpoint": receipt["checkpoint"],
    }
