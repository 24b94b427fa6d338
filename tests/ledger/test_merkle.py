"""Plans over stored nodes against the RFC reference algorithms, and every kind of tampering."""

from __future__ import annotations

import random
from collections.abc import Sequence

import pytest

from gateway.ledger import merkle
from gateway.ledger.merkle import ProofError


def leaves(n: int) -> list[bytes]:
    return [merkle.leaf_hash(f"leaf {i}".encode()) for i in range(n)]


def flip(data: bytes, bit: int) -> bytes:
    out = bytearray(data)
    out[bit // 8] ^= 1 << (bit % 8)
    return bytes(out)


def fails_inclusion(h: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes) -> bool:
    try:
        merkle.verify_inclusion(h, index, size, proof, root)
    except ProofError:
        return True
    return False


def fails_consistency(m: int, n: int, r1: bytes, r2: bytes, proof: Sequence[bytes]) -> bool:
    try:
        merkle.verify_consistency(m, n, r1, r2, proof)
    except ProofError:
        return True
    return False


def _shape(index: int, size: int) -> list[bool]:
    """For each inclusion proof element: does it sit left of the leaf?"""
    return [group[0][1] << group[0][0] < index for group in merkle.inclusion_plan(index, size)]


ALL = leaves(64)
NODES = merkle.extend(0, {}, ALL)
ROOTS = [merkle.root_from_leaf_hashes(ALL[:n]) for n in range(65)]


@pytest.mark.parametrize("size", range(1, 65))
def test_inclusion_every_index(size: int) -> None:
    rng = random.Random(size)
    hashes, root = ALL[:size], ROOTS[size]
    assert merkle.root_from_nodes(size, NODES) == root
    for index in range(size):
        proof = merkle.assemble(merkle.inclusion_plan(index, size), NODES)
        assert proof == merkle.inclusion_proof(index, hashes)
        merkle.verify_inclusion(hashes[index], index, size, proof, root)
        for other in (index - 1, index + 1, index ^ 1):
            if 0 <= other < size and other != index:
                assert fails_inclusion(hashes[index], other, size, proof, root)
        for other_size in (size - 1, size + 1, 2 * size, size // 2):
            if other_size > index:
                # A proof only binds the size through its shape; the signed checkpoint binds
                # the rest. So it must fail exactly when the left/right path differs.
                same = _shape(index, other_size) == _shape(index, size)
                assert fails_inclusion(hashes[index], index, other_size, proof, root) != same
        wrong_leaf = hashes[(index + 1) % size] if size > 1 else merkle.leaf_hash(b"x")
        assert fails_inclusion(wrong_leaf, index, size, proof, root)
        assert fails_inclusion(hashes[index], index, size, proof, flip(root, 0))
        # Every bit of every element for small trees, a sample of bits for larger ones.
        bits = range(256) if size <= 16 else rng.sample(range(256), 8)
        for k in range(len(proof)):
            for bit in bits:
                tampered = [*proof[:k], flip(proof[k], bit), *proof[k + 1 :]]
                assert fails_inclusion(hashes[index], index, size, tampered, root)
        if proof:
            assert fails_inclusion(hashes[index], index, size, proof[:-1], root)
        if proof != proof[::-1]:
            assert fails_inclusion(hashes[index], index, size, proof[::-1], root)
        assert fails_inclusion(hashes[index], index, size, [*proof, root], root)


@pytest.mark.parametrize("new_size", range(1, 41))
def test_consistency_every_pair(new_size: int) -> None:
    rng = random.Random(1000 + new_size)
    hashes = ALL[:new_size]
    for old_size in range(1, new_size + 1):
        old_root, new_root = ROOTS[old_size], ROOTS[new_size]
        proof = merkle.assemble(merkle.consistency_plan(old_size, new_size), NODES)
        assert proof == merkle.consistency_proof(old_size, hashes)
        merkle.verify_consistency(old_size, new_size, old_root, new_root, proof)
        if old_size == new_size:
            assert proof == []
            assert fails_consistency(old_size, new_size, old_root, flip(new_root, 3), [])
            continue
        assert fails_consistency(old_size, new_size, new_root, old_root, proof)
        assert fails_consistency(old_size, new_size, flip(old_root, 9), new_root, proof)
        assert fails_consistency(old_size, new_size, old_root, flip(new_root, 9), proof)
        for m, n in ((old_size - 1, new_size), (old_size + 1, new_size), (old_size, 2 * new_size)):
            if not 0 < m <= n or (m, n) == (old_size, new_size):
                continue
            if m == n or len(merkle.consistency_plan(m, n)) != len(proof):
                assert fails_consistency(m, n, old_root, new_root, proof), (m, n)
        for k in range(len(proof)):
            tampered = [*proof[:k], flip(proof[k], rng.randrange(256)), *proof[k + 1 :]]
            assert fails_consistency(old_size, new_size, old_root, new_root, tampered)
        assert fails_consistency(old_size, new_size, old_root, new_root, proof[:-1])
        assert fails_consistency(old_size, new_size, old_root, new_root, [*proof, new_root])
        assert fails_consistency(old_size, new_size, old_root, new_root, [old_root, *proof])


@pytest.mark.parametrize("seed", range(6))
def test_extend_in_random_batches_matches_one_go(seed: int) -> None:
    rng = random.Random(seed)
    total = rng.randrange(1, 200)
    hashes = [merkle.leaf_hash(f"{seed}/{i}".encode()) for i in range(total)]
    stored: dict[merkle.NodeId, bytes] = {}
    size = 0
    while size < total:
        k = rng.randrange(1, 20)
        edge = {node: stored[node] for node in merkle.root_plan(size)}
        created = merkle.extend(size, edge, hashes[size : size + k])
        assert not created.keys() & stored.keys()  # only new nodes, never a rewrite
        stored.update(created)
        size = min(total, size + k)
        assert merkle.root_from_nodes(size, stored) == merkle.root_from_leaf_hashes(hashes[:size])
    assert stored == merkle.extend(0, {}, hashes)
    for (level, index), value in stored.items():  # every node is the hash of its perfect subtree
        span = hashes[index << level : (index + 1) << level]
        assert len(span) == 1 << level
        assert value == merkle.root_from_leaf_hashes(span)


def test_root_plan_is_the_binary_decomposition() -> None:
    assert merkle.root_plan(0) == ()
    assert merkle.root_plan(1) == ((0, 0),)
    assert merkle.root_plan(6) == ((2, 0), (1, 2))
    assert merkle.root_plan(13) == ((3, 0), (2, 2), (0, 12))
    assert merkle.root_from_nodes(0, {}) == merkle.EMPTY_ROOT


def test_plans_group_imperfect_subtrees() -> None:
    # Leaf 0 of 7: siblings are leaf 1, node (1,1), then the imperfect right half [4, 7).
    assert merkle.inclusion_plan(0, 7) == [((0, 1),), ((1, 1),), ((1, 2), (0, 6))]
    assert merkle.consistency_plan(3, 7) == [
        ((0, 2),),
        ((0, 3),),
        ((1, 0),),
        ((1, 2), (0, 6)),
    ]
    assert merkle.consistency_plan(4, 4) == []
    plan = merkle.inclusion_plan(5, 13)
    assert merkle.needed_nodes(plan, merkle.root_plan(13)) == {
        node for group in plan for node in group
    } | set(merkle.root_plan(13))


def test_missing_node_is_named() -> None:
    nodes = dict(NODES)
    del nodes[(1, 1)]
    with pytest.raises(merkle.MissingNode, match=r"level 1, index 1") as info:
        merkle.assemble(merkle.inclusion_plan(0, 8), nodes)
    assert isinstance(info.value, KeyError) and info.value.node == (1, 1)
    with pytest.raises(merkle.MissingNode):
        merkle.extend(6, {(2, 0): NODES[(2, 0)]}, [ALL[6]])
    with pytest.raises(merkle.MissingNode):
        merkle.root_from_nodes(8, {})


def test_bad_arguments() -> None:
    for call in (
        lambda: merkle.inclusion_plan(5, 5),
        lambda: merkle.inclusion_plan(-1, 5),
        lambda: merkle.consistency_plan(0, 5),
        lambda: merkle.consistency_plan(6, 5),
        lambda: merkle.root_plan(-1),
        lambda: merkle.inclusion_proof(3, ALL[:3]),
        lambda: merkle.consistency_proof(0, ALL[:3]),
        lambda: merkle.extend(0, {}, [b"short"]),
    ):
        with pytest.raises(ValueError):
            call()


@pytest.mark.parametrize("length", [0, 31, 33])
def test_proof_element_length_rejected_before_hashing(
    length: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    proof = merkle.assemble(merkle.inclusion_plan(2, 8), NODES)
    cons = merkle.assemble(merkle.consistency_plan(3, 8), NODES)

    def no_hashing(left: bytes, right: bytes) -> bytes:
        raise AssertionError("hashed a malformed proof")

    monkeypatch.setattr(merkle, "node_hash", no_hashing)
    bad = [proof[0], b"\x00" * length, proof[2]]
    with pytest.raises(ProofError, match=f"proof element 1 is {length} bytes, expected 32"):
        merkle.verify_inclusion(ALL[2], 2, 8, bad, ROOTS[8])
    bad = [*cons[:-1], b"\x01" * length]
    with pytest.raises(ProofError, match=f"proof element {len(cons) - 1} is {length} bytes"):
        merkle.verify_consistency(3, 8, ROOTS[3], ROOTS[8], bad)


def test_error_messages_are_precise() -> None:
    proof = merkle.assemble(merkle.inclusion_plan(3, 9), NODES)
    cases = [
        ((ALL[3], 9, 9, proof, ROOTS[9]), "leaf index 9 is not below tree size 9"),
        ((ALL[3], -1, 9, proof, ROOTS[9]), "leaf index -1 is negative"),
        ((ALL[3], 3, 9, [*proof, ROOTS[9], ROOTS[9]], ROOTS[9]), "proof has 2 trailing elements"),
        ((ALL[3], 3, 9, proof[:-1], ROOTS[9]), f"proof has {len(proof) - 1} elements, expected"),
        ((ALL[4], 3, 9, proof, ROOTS[9]), "inclusion proof does not lead to the expected root"),
        ((ALL[3][:31], 3, 9, proof, ROOTS[9]), "leaf hash is 31 bytes, expected 32"),
    ]
    for args, message in cases:
        with pytest.raises(ProofError, match=message):
            merkle.verify_inclusion(*args)
    cons = merkle.assemble(merkle.consistency_plan(5, 9), NODES)
    with pytest.raises(ProofError, match="old tree size 10 is larger than new tree size 9"):
        merkle.verify_consistency(10, 9, ROOTS[9], ROOTS[9], cons)
    with pytest.raises(ProofError, match="consistency proof is empty"):
        merkle.verify_consistency(5, 9, ROOTS[5], ROOTS[9], [])
    with pytest.raises(ProofError, match="does not lead to the old root"):
        merkle.verify_consistency(5, 9, ROOTS[6], ROOTS[9], cons)
    with pytest.raises(ProofError, match="different roots"):
        merkle.verify_consistency(9, 9, ROOTS[9], ROOTS[8], [])


def test_empty_old_tree_is_consistent_with_anything() -> None:
    merkle.verify_consistency(0, 9, merkle.EMPTY_ROOT, ROOTS[9], [])
    with pytest.raises(ProofError, match="empty string"):
        merkle.verify_consistency(0, 9, ROOTS[1], ROOTS[9], [])
    with pytest.raises(ProofError, match="trailing"):
        merkle.verify_consistency(0, 9, merkle.EMPTY_ROOT, ROOTS[9], [ROOTS[1]])


def test_log_rewrite_is_detected_by_consistency() -> None:
    # A client holds the root at size 10; the log later rewrites leaf 3 and signs size 25.
    rewritten = list(ALL[:25])
    rewritten[3] = merkle.leaf_hash(b"rewritten history")
    nodes = merkle.extend(0, {}, rewritten)
    new_root = merkle.root_from_nodes(25, nodes)
    proof = merkle.assemble(merkle.consistency_plan(10, 25), nodes)
    merkle.verify_consistency(10, 25, merkle.root_from_nodes(10, nodes), new_root, proof)
    with pytest.raises(ProofError):
        merkle.verify_consistency(10, 25, ROOTS[10], new_root, proof)
