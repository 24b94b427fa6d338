"""Keyed commitments: stable for the same data and key, useless without the key."""

from __future__ import annotations

import base64

import pytest

from privacy import DataKey, commitment_key, generate_data_key, pii_commit

SNAPSHOT: dict[str, object] = {
    "contact": {"name": "张伟", "phone": "+8613812345678"},
    "delivery_address": {"city": "上海", "street": "世纪大道100号"},
}


@pytest.fixture
def dk() -> DataKey:
    return DataKey(key_id=b"\x1a\x2b\x3c\x4d", key=bytes(range(32)))


def test_same_snapshot_same_commit(dk: DataKey) -> None:
    commit = pii_commit(dk, SNAPSHOT)
    assert pii_commit(dk, SNAPSHOT) == commit
    assert len(base64.b64decode(commit, validate=True)) == 32


def test_key_order_is_irrelevant(dk: DataKey) -> None:
    reordered = {
        "delivery_address": {"street": "世纪大道100号", "city": "上海"},
        "contact": {"phone": "+8613812345678", "name": "张伟"},
    }
    assert pii_commit(dk, reordered) == pii_commit(dk, SNAPSHOT)


def test_any_change_changes_commit(dk: DataKey) -> None:
    changed = {**SNAPSHOT, "contact": {"name": "张伟", "phone": "+8613812345679"}}
    assert pii_commit(dk, changed) != pii_commit(dk, SNAPSHOT)
    assert pii_commit(dk, {}) != pii_commit(dk, SNAPSHOT)


def test_different_key_different_commit(dk: DataKey) -> None:
    assert pii_commit(generate_data_key(), SNAPSHOT) != pii_commit(dk, SNAPSHOT)
    # The key id is not an input: only the secret key decides the commitment.
    same_secret = DataKey(key_id=bytes(4), key=dk.key)
    assert pii_commit(same_secret, SNAPSHOT) == pii_commit(dk, SNAPSHOT)


def test_commitment_key_is_derived_not_the_data_key(dk: DataKey) -> None:
    key = commitment_key(dk)
    assert len(key) == 32 and key != dk.key
    assert commitment_key(dk) == key


def test_commit_is_not_a_plain_hash(dk: DataKey) -> None:
    import hashlib

    from gateway.events import canonical_json

    plain = base64.b64encode(hashlib.sha256(canonical_json(SNAPSHOT)).digest()).decode()
    assert pii_commit(dk, SNAPSHOT) != plain
    assert "张伟" not in pii_commit(dk, SNAPSHOT)


def test_non_json_snapshot_is_rejected(dk: DataKey) -> None:
    with pytest.raises(ValueError):
        pii_commit(dk, {"when": object()})
