"""Query.consistencyProof: any size up to a signed one, and user errors that null one field only."""

from __future__ import annotations

import base64
import logging

import pytest

from gateway.ledger import NoteVerifier, merkle, open_checkpoint
from tests.conftest import Gateway
from tests.resolvers.test_order_query import load_order

# The README's big example: a consistency proof next to the order and the log.
BIG_QUERY = (
    '{ order(number: "SO-000001") { number } log { checkpoint { treeSize } } '
    "consistencyProof(fromSize: %s, toSize: %s) { proof fromCheckpoint toCheckpoint } }"
)


async def two_orders(gw: Gateway) -> None:
    await load_order(gw, "SO-000001", 1)  # checkpoints at 1 and 3
    await load_order(gw, "SO-000002", 4)  # checkpoints at 4 and 9


def hashes(items: list[str]) -> list[bytes]:
    return [base64.b64decode(item) for item in items]


async def test_from_any_size_is_proven_into_a_signed_checkpoint(gateway: Gateway) -> None:
    await two_orders(gateway)
    answer = await gateway.graphql(
        "{ consistencyProof(fromSize: 2) "
        "{ fromSize toSize proof fromRoot toRoot fromCheckpoint toCheckpoint } }"
    )
    assert "errors" not in answer
    proof = answer["data"]["consistencyProof"]
    assert (proof["fromSize"], proof["toSize"]) == (2, 9)  # toSize defaults to the latest
    assert proof["fromCheckpoint"] is None  # 2 was never signed: its root rests on the proof
    signer = gateway.runtime.signer
    new = open_checkpoint(proof["toCheckpoint"], NoteVerifier.from_vkey(signer.vkey), signer.name)
    assert base64.b64decode(proof["toRoot"]) == new.root
    from_root = base64.b64decode(proof["fromRoot"])
    merkle.verify_consistency(2, 9, from_root, new.root, hashes(proof["proof"]))
    with pytest.raises(merkle.ProofError):  # the proof really pins the old root
        merkle.verify_consistency(2, 9, new.root, new.root, hashes(proof["proof"]))


async def test_signed_from_size_comes_with_its_note(gateway: Gateway) -> None:
    await two_orders(gateway)
    answer = await gateway.graphql(
        "{ consistencyProof(fromSize: 4, toSize: 4) { proof fromRoot toRoot fromCheckpoint "
        "toCheckpoint } }"
    )
    proof = answer["data"]["consistencyProof"]
    assert proof["proof"] == [] and proof["fromRoot"] == proof["toRoot"]
    assert proof["fromCheckpoint"] == proof["toCheckpoint"]


async def test_unsigned_to_size_nulls_only_that_field(
    gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    await two_orders(gateway)
    with caplog.at_level(logging.INFO):
        answer = await gateway.graphql(BIG_QUERY % (2, 6))
    assert answer["data"]["order"] == {"number": "SO-000001"}
    assert answer["data"]["log"] == {"checkpoint": {"treeSize": 9}}
    assert answer["data"]["consistencyProof"] is None
    [error] = answer["errors"]
    assert error["path"] == ["consistencyProof"]
    assert error["message"] == (
        "toSize 6 is not the size of a signed checkpoint; the nearest signed sizes are "
        "4 and 9 (omit toSize for the latest, 9)"
    )
    # A client mistake: no ERROR record and no traceback anywhere in the log.
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING or r.exc_info]
    assert any("toSize 6 is not" in r.getMessage() for r in caplog.records)


@pytest.mark.parametrize(
    ("from_size", "to_size", "message"),
    [
        (0, 9, "fromSize must be at least 1, got 0"),
        (-5, 9, "fromSize must be at least 1, got -5"),
        (3, -1, "toSize must be at least 1, got -1"),
        (
            9,
            3,
            "fromSize 9 is above toSize 3: the log only grows, so the smaller size comes first",
        ),
        (
            10,
            40,
            "toSize 40 is beyond the latest signed checkpoint, size 9 (see log.checkpoint)",
        ),
        (
            1,
            2147483647,
            "toSize 2147483647 is beyond the latest signed checkpoint, size 9 (see log.checkpoint)",
        ),
        (
            12,
            "null",
            "fromSize 12 is beyond the latest signed checkpoint, size 9 (see log.checkpoint)",
        ),
    ],
)
async def test_bad_sizes_are_user_errors_on_that_field(
    gateway: Gateway, from_size: int, to_size: int | str, message: str
) -> None:
    await two_orders(gateway)
    answer = await gateway.graphql(BIG_QUERY % (from_size, to_size))
    assert answer["data"]["log"] == {"checkpoint": {"treeSize": 9}}
    assert answer["data"]["consistencyProof"] is None
    assert [e["message"] for e in answer["errors"]] == [message]


async def test_empty_log_says_so(gateway: Gateway) -> None:
    answer = await gateway.graphql("{ consistencyProof(fromSize: 1) { proof } }")
    assert answer["data"] == {"consistencyProof": None}
    assert answer["errors"][0]["message"] == "the log has no signed checkpoint yet"


async def test_size_beyond_graphql_int_is_a_validation_error_not_a_500(gateway: Gateway) -> None:
    response = await gateway.client.post(
        "/graphql",
        json={"query": "{ consistencyProof(fromSize: 1, toSize: 99999999999) { proof } }"},
        headers={"accept": "application/graphql-response+json"},
    )
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert "Int cannot represent non 32-bit signed integer value: 99999999999" in error["message"]
