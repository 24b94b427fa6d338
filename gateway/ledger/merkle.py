"""RFC 9162 / RFC 6962 Merkle tree maths over SHA-256. Pure: no I/O, no state.

Storage model: the gateway keeps the hash of every *perfect* subtree, addressed by
``NodeId = (level, index)`` and covering leaves ``[index * 2**level, (index + 1) * 2**level)``.
Every hash a proof needs is a right-fold of a few such nodes, so the functions below return
"plans" (which nodes to fold for each proof element) and the caller fetches the union of all
plan nodes in one batch query, then calls :func:`assemble`.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable, Mapping, Sequence

__all__ = [
    "EMPTY_ROOT",
    "HASH_SIZE",
    "MissingNode",
    "NodeId",
    "Plan",
    "ProofError",
    "assemble",
    "consistency_plan",
    "consistency_proof",
    "extend",
    "inclusion_plan",
    "inclusion_proof",
    "leaf_hash",
    "needed_nodes",
    "node_hash",
    "root_from_leaf_hashes",
    "root_from_nodes",
    "root_plan",
    "verify_consistency",
    "verify_inclusion",
]

HASH_SIZE = 32
EMPTY_ROOT = hashlib.sha256(b"").digest()

NodeId = tuple[int, int]
# One group of perfect nodes per proof element, in RFC proof order (leaf to root).
Plan = list[tuple[NodeId, ...]]


class ProofError(ValueError):
    """A proof, size or hash failed verification; the message says exactly what."""


class MissingNode(KeyError):
    """A node a plan needs is not in the mapping handed to :func:`assemble`."""

    def __init__(self, node: NodeId) -> None:
        super().__init__(node)
        self.node = node

    def __str__(self) -> str:  # KeyError would otherwise print the repr of the tuple only
        level, index = self.node
        return f"stored Merkle node (level {level}, index {index}) is missing"


def leaf_hash(leaf: bytes) -> bytes:
    return hashlib.sha256(b"\x00" + leaf).digest()


def node_hash(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


def _split(n: int) -> int:
    """Largest power of two strictly below ``n`` (n >= 2): the RFC 6962 split point."""
    return 1 << ((n - 1).bit_length() - 1)


def root_from_leaf_hashes(hashes: Sequence[bytes]) -> bytes:
    """Reference MTH straight from RFC 9162 §2.1.1 (recursive, for tests and small trees)."""
    n = len(hashes)
    if n == 0:
        return EMPTY_ROOT
    if n == 1:
        return hashes[0]
    k = _split(n)
    return node_hash(root_from_leaf_hashes(hashes[:k]), root_from_leaf_hashes(hashes[k:]))


# --- plans over stored perfect subtrees ---------------------------------------------------


def _range_plan(start: int, end: int) -> tuple[NodeId, ...]:
    """Perfect subtrees of the RFC subtree ``[start, end)``, largest (leftmost) first.

    Every subtree that the RFC recursion visits starts at a multiple of the next power of
    two >= its size, so the binary decomposition of its size lines up with stored nodes.
    """
    nodes: list[NodeId] = []
    pos, size = start, end - start
    for level in range(size.bit_length() - 1, -1, -1):
        if size >> level & 1:
            nodes.append((level, pos >> level))
            pos += 1 << level
    return tuple(nodes)


def root_plan(size: int) -> tuple[NodeId, ...]:
    """The right edge of a tree of ``size`` leaves: its root is the right-fold of these."""
    if size < 0:
        raise ValueError(f"tree size {size} is negative")
    return _range_plan(0, size)


def inclusion_plan(index: int, size: int) -> Plan:
    """Node groups for the RFC 9162 §2.1.3.1 inclusion proof of leaf ``index``."""
    if not 0 <= index < size:
        raise ValueError(f"leaf index {index} is not below tree size {size}")
    groups: Plan = []
    start, end = 0, size
    while end - start > 1:
        mid = start + _split(end - start)
        if index < mid:
            groups.append(_range_plan(mid, end))
            end = mid
        else:
            groups.append(_range_plan(start, mid))
            start = mid
    groups.reverse()  # the recursion emits the root-level sibling first; proofs start at the leaf
    return groups


def consistency_plan(old_size: int, new_size: int) -> Plan:
    """Node groups for the RFC 9162 §2.1.4.1 consistency proof from ``old_size``."""
    if not 0 < old_size <= new_size:
        raise ValueError(f"need 0 < old size <= new size, got {old_size} and {new_size}")
    groups: Plan = []
    start, end, m, whole_old_tree = 0, new_size, old_size, True
    while m != end - start:
        k = _split(end - start)
        if m <= k:
            groups.append(_range_plan(start + k, end))
            end = start + k
        else:
            groups.append(_range_plan(start, start + k))
            start, m, whole_old_tree = start + k, m - k, False
    if not whole_old_tree:  # RFC SUBPROOF(m, D[m], false) = [MTH(D[m])]
        groups.append(_range_plan(start, end))
    groups.reverse()
    return groups


def needed_nodes(*plans: Iterable[NodeId] | Iterable[tuple[NodeId, ...]]) -> set[NodeId]:
    """Union of the nodes that ``root_plan``/``inclusion_plan``/``consistency_plan`` need."""
    out: set[NodeId] = set()
    for plan in plans:
        for item in plan:
            if item and isinstance(item[0], int):
                out.add(item)  # a NodeId from root_plan
            else:
                out.update(item)  # a group from a proof plan
    return out


def _fold(group: Sequence[NodeId], nodes: Mapping[NodeId, bytes]) -> bytes:
    try:
        acc = nodes[group[-1]]
        for node in reversed(group[:-1]):
            acc = node_hash(nodes[node], acc)
    except KeyError as exc:
        raise MissingNode(exc.args[0]) from None
    return acc


def assemble(plan: Sequence[Sequence[NodeId]], nodes: Mapping[NodeId, bytes]) -> list[bytes]:
    return [_fold(group, nodes) for group in plan]


def root_from_nodes(size: int, nodes: Mapping[NodeId, bytes]) -> bytes:
    plan = root_plan(size)
    return _fold(plan, nodes) if plan else EMPTY_ROOT


def extend(
    size: int, edge: Mapping[NodeId, bytes], new_leaf_hashes: Sequence[bytes]
) -> dict[NodeId, bytes]:
    """All perfect nodes created by appending ``new_leaf_hashes`` to a tree of ``size``.

    ``edge`` must hold the hashes of ``root_plan(size)``. Works like a binary counter over
    the right edge, so a batch of k leaves costs O(k + log n) hashes.
    """
    stack: list[tuple[int, int, bytes]] = []
    for node in root_plan(size):
        if node not in edge:
            raise MissingNode(node)
        stack.append((node[0], node[1], edge[node]))
    created: dict[NodeId, bytes] = {}
    for offset, h in enumerate(new_leaf_hashes):
        if len(h) != HASH_SIZE:
            raise ValueError(f"new leaf hash {offset} is {len(h)} bytes, expected {HASH_SIZE}")
        level, index = 0, size + offset
        created[(level, index)] = h
        while stack and stack[-1][0] == level:
            _, left_index, left = stack.pop()
            level, index, h = level + 1, left_index >> 1, node_hash(left, h)
            created[(level, index)] = h
        stack.append((level, index, h))
    return created


# --- reference proof generators (straight from the RFC, for tests) ------------------------


def inclusion_proof(index: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.3.1 PATH(m, D[n]) computed from all leaf hashes."""
    n = len(leaf_hashes)
    if not 0 <= index < n:
        raise ValueError(f"leaf index {index} is not below tree size {n}")
    if n == 1:
        return []
    k = _split(n)
    if index < k:
        return [*inclusion_proof(index, leaf_hashes[:k]), root_from_leaf_hashes(leaf_hashes[k:])]
    return [*inclusion_proof(index - k, leaf_hashes[k:]), root_from_leaf_hashes(leaf_hashes[:k])]


def consistency_proof(old_size: int, leaf_hashes: Sequence[bytes]) -> list[bytes]:
    """RFC 9162 §2.1.4.1 PROOF(m, D[n]) computed from all leaf hashes."""
    if not 0 < old_size <= len(leaf_hashes):
        raise ValueError(f"need 0 < old size <= new size, got {old_size} and {len(leaf_hashes)}")
    return _subproof(old_size, leaf_hashes, True)


def _subproof(m: int, d: Sequence[bytes], whole: bool) -> list[bytes]:
    n = len(d)
    if m == n:
        return [] if whole else [root_from_leaf_hashes(d)]
    k = _split(n)
    if m <= k:
        return [*_subproof(m, d[:k], whole), root_from_leaf_hashes(d[k:])]
    return [*_subproof(m - k, d[k:], False), root_from_leaf_hashes(d[:k])]


# --- verification (RFC 9162 §2.1.3.2 and §2.1.4.2) ----------------------------------------


def _check_hash(what: str, value: bytes) -> None:
    if len(value) != HASH_SIZE:
        raise ProofError(f"{what} is {len(value)} bytes, expected {HASH_SIZE}")


def _check_elements(proof: Sequence[bytes]) -> None:
    # Lengths are checked before any hashing so malformed input never reaches the fold.
    for i, element in enumerate(proof):
        _check_hash(f"proof element {i}", element)


def _check_length(proof: Sequence[bytes], expected: int) -> None:
    if len(proof) > expected:
        extra = len(proof) - expected
        raise ProofError(f"proof has {extra} trailing element{'s' * (extra != 1)}")
    if len(proof) < expected:
        raise ProofError(f"proof has {len(proof)} elements, expected {expected}")


def _inclusion_length(index: int, size: int) -> int:
    # Same decomposition as transparency-dev/merkle: inner path plus right-border nodes.
    inner = (index ^ (size - 1)).bit_length()
    return inner + (index >> inner).bit_count()


def verify_inclusion(
    leaf_hash: bytes, index: int, size: int, proof: Sequence[bytes], root: bytes
) -> None:
    """Raise :class:`ProofError` unless ``proof`` shows leaf ``index`` is in the tree ``root``."""
    if index < 0:
        raise ProofError(f"leaf index {index} is negative")
    if index >= size:
        raise ProofError(f"leaf index {index} is not below tree size {size}")
    _check_hash("leaf hash", leaf_hash)
    _check_hash("root hash", root)
    _check_elements(proof)
    _check_length(proof, _inclusion_length(index, size))
    fn, sn, r = index, size - 1, leaf_hash
    for p in proof:
        if fn & 1 or fn == sn:
            r = node_hash(p, r)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    if sn != 0 or not hmac.compare_digest(r, root):
        raise ProofError("inclusion proof does not lead to the expected root")


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> None:
    """Raise :class:`ProofError` unless ``proof`` shows ``old_root`` is a prefix of ``new_root``."""
    if old_size < 0:
        raise ProofError(f"old tree size {old_size} is negative")
    if old_size > new_size:
        raise ProofError(f"old tree size {old_size} is larger than new tree size {new_size}")
    _check_hash("old root", old_root)
    _check_hash("new root", new_root)
    _check_elements(proof)
    if old_size == new_size or old_size == 0:
        _check_length(proof, 0)
        if old_size == 0 and not hmac.compare_digest(old_root, EMPTY_ROOT):
            raise ProofError("old root of an empty tree must be SHA-256 of the empty string")
        if old_size == new_size and not hmac.compare_digest(old_root, new_root):
            raise ProofError(f"trees of equal size {old_size} have different roots")
        return
    if not proof:
        raise ProofError("consistency proof is empty")
    inner, border = _consistency_shape(old_size, new_size)
    path = list(proof)
    if old_size & (old_size - 1) == 0:  # a power of two: the old root is the first node
        path.insert(0, old_root)
        _check_length(proof, inner + border)
    else:
        _check_length(proof, 1 + inner + border)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if fn & 1 or fn == sn:
            fr, sr = node_hash(c, fr), node_hash(c, sr)
            while not fn & 1 and fn:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    if not hmac.compare_digest(fr, old_root):
        raise ProofError("consistency proof does not lead to the old root")
    if sn != 0 or not hmac.compare_digest(sr, new_root):
        raise ProofError("consistency proof does not lead to the new root")


def _consistency_shape(old_size: int, new_size: int) -> tuple[int, int]:
    index = old_size - 1
    inner = (index ^ (new_size - 1)).bit_length()
    border = (index >> inner).bit_count()
    shift = (old_size & -old_size).bit_length() - 1  # trailing zero bits of old_size
    return inner - shift, border
