"""Our Merkle code against published data: the RFC 6962 CT roots and transparency-dev vectors."""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from gateway.ledger import merkle

FIXTURES = Path(__file__).parent.parent / "fixtures" / "merkle"
REFERENCE = json.loads((FIXTURES / "rfc6962_reference.json").read_text())
INCLUSION = sorted((FIXTURES / "inclusion").glob("*/*.json"))
CONSISTENCY = sorted((FIXTURES / "consistency").glob("*/*.json"))


def _id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _b64(value: str) -> bytes:
    return base64.b64decode(value)


def _proof(vector: dict[str, Any]) -> list[bytes]:
    return [_b64(p) for p in vector["proof"] or []]


def test_rfc6962_reference_roots() -> None:
    leaves = [bytes.fromhex(h) for h in REFERENCE["leaves_hex"]]
    hashes = [merkle.leaf_hash(leaf) for leaf in leaves]
    assert [h.hex() for h in hashes] == REFERENCE["leaf_hashes_hex"]
    roots = [merkle.root_from_leaf_hashes(hashes[:n]).hex() for n in range(9)]
    assert roots == REFERENCE["roots_hex"]
    assert roots[0] == merkle.EMPTY_ROOT.hex()
    assert roots[8].startswith("5dc9da79") and roots[8].endswith("eff4604328")
    nodes = merkle.extend(0, {}, hashes)
    assert [merkle.root_from_nodes(n, nodes).hex() for n in range(9)] == roots


def test_a_midpoint_split_would_not_match() -> None:
    # The pitfall the reference roots guard against: splitting at ceil(n/2) is not RFC 6962.
    hashes = [merkle.leaf_hash(bytes.fromhex(h)) for h in REFERENCE["leaves_hex"]]

    def midpoint_root(h: list[bytes]) -> bytes:
        if len(h) == 1:
            return h[0]
        k = (len(h) + 1) // 2
        return merkle.node_hash(midpoint_root(h[:k]), midpoint_root(h[k:]))

    assert midpoint_root(hashes[:5]).hex() != REFERENCE["roots_hex"][5]


def test_vector_files_are_all_present() -> None:
    assert len(INCLUSION) == 82 and len(CONSISTENCY) == 84
    happy = [p for p in INCLUSION + CONSISTENCY if p.stem == "happy-path"]
    assert len(happy) == 10


@pytest.mark.parametrize("path", INCLUSION, ids=_id)
def test_transparency_dev_inclusion_vector(path: Path) -> None:
    v = json.loads(path.read_text())
    try:
        merkle.verify_inclusion(
            _b64(v["leafHash"]), v["leafIdx"], v["treeSize"], _proof(v), _b64(v["root"])
        )
        ok = True
    except merkle.ProofError:
        ok = False
    assert ok == (not v["wantErr"]), v["desc"]


@pytest.mark.parametrize("path", CONSISTENCY, ids=_id)
def test_transparency_dev_consistency_vector(path: Path) -> None:
    v = json.loads(path.read_text())
    try:
        merkle.verify_consistency(
            v["size1"], v["size2"], _b64(v["root1"]), _b64(v["root2"]), _proof(v)
        )
        ok = True
    except merkle.ProofError:
        ok = False
    assert ok == (not v["wantErr"]), v["desc"]


def test_happy_vectors_match_our_generated_proofs() -> None:
    # The happy paths are over the CT leaves, so our own proof generation must reproduce them.
    hashes = [merkle.leaf_hash(bytes.fromhex(h)) for h in REFERENCE["leaves_hex"]]
    nodes = merkle.extend(0, {}, hashes)
    for path in INCLUSION:
        v = json.loads(path.read_text())
        if v["desc"] == "happy path":
            plan = merkle.inclusion_plan(v["leafIdx"], v["treeSize"])
            assert merkle.assemble(plan, nodes) == _proof(v), path
    for path in CONSISTENCY:
        v = json.loads(path.read_text())
        if v["desc"] == "happy path":
            plan = merkle.consistency_plan(v["size1"], v["size2"])
            assert merkle.assemble(plan, nodes) == _proof(v), path
