"""The leaf encoding: domain-separated JCS, independent of JSON spelling, size-limited."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
import rfc8785

from gateway.events import canonical_json
from gateway.ledger import (
    LEAF_PREFIX,
    MAX_LEAF_BYTES,
    LeafTooLarge,
    event_leaf,
    event_leaf_hash,
)

EVENT: dict[str, Any] = {
    "specversion": "1.0",
    "id": "0192d6f4-0000-7000-8000-000000000001",
    "source": "erp",
    "type": "io.orderlens.order.placed",
    "subject": "SO-10001",
    "time": "2026-11-20T08:00:00Z",
    "data": {"seq": 1, "prev": None, "hub": {"label": "华东区域枢纽"}, "amount": 12.5},
}


def test_leaf_is_prefix_plus_jcs() -> None:
    leaf = event_leaf(EVENT)
    assert leaf.startswith(b"orderlens/event/v1\n") and LEAF_PREFIX == b"orderlens/event/v1\n"
    assert leaf[len(LEAF_PREFIX) :] == canonical_json(EVENT)
    assert canonical_json(EVENT).startswith(b'{"data":{"amount":12.5,"hub":{"label":"\xe5')
    assert event_leaf_hash(EVENT) == hashlib.sha256(b"\x00" + leaf).digest()


def test_json_spelling_does_not_change_the_hash() -> None:
    reordered = json.loads(json.dumps(EVENT, sort_keys=True, indent=4))
    reordered["data"] = dict(reversed(list(EVENT["data"].items())))
    escaped = json.loads(json.dumps(EVENT, ensure_ascii=True))
    assert event_leaf_hash(reordered) == event_leaf_hash(escaped) == event_leaf_hash(EVENT)
    changed = json.loads(json.dumps(EVENT))
    changed["data"]["seq"] = 2
    assert event_leaf_hash(changed) != event_leaf_hash(EVENT)


def test_leaf_size_limit() -> None:
    overhead = len(event_leaf({"pad": ""}))
    fits = {"pad": "x" * (MAX_LEAF_BYTES - overhead)}
    assert len(event_leaf(fits)) == MAX_LEAF_BYTES == 65535
    with pytest.raises(LeafTooLarge, match="65536 bytes, the limit is 65535"):
        event_leaf({"pad": "x" * (MAX_LEAF_BYTES - overhead + 1)})
    assert issubclass(LeafTooLarge, ValueError)


@pytest.mark.parametrize("value", [float("nan"), float("inf"), 2**60, object()])
def test_values_jcs_cannot_encode_are_rejected(value: object) -> None:
    with pytest.raises(rfc8785.CanonicalizationError):
        event_leaf({"data": {"x": value}})
