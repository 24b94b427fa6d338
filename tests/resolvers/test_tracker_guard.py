"""Issue 10, hole 3: the tracker's four-digit factor cannot be brute-forced through aliases."""

from __future__ import annotations

from typing import Any

from privacy import Role
from resolvers.order import tracker_guard
from tests.conftest import Gateway
from tests.resolvers.pii_matrix import ORDER, order_events

RIGHT = "5678"  # the last four digits of the seeded customer's phone


def guesses(number: str, factors: list[str]) -> str:
    fields = " ".join(
        f'g{i}: order(number: "{number}", verification: "{factor}") {{ number }}'
        for i, factor in enumerate(factors)
    )
    return f"{{ {fields} }}"


async def ask(gateway: Gateway, number: str, factors: list[str], **kw: Any) -> list[Any]:
    answer = await gateway.graphql(guesses(number, factors), as_=None, **kw)
    assert "errors" not in answer, answer
    return list(answer["data"].values())


async def test_aliased_guesses_each_count_and_lock_the_order(gateway: Gateway) -> None:
    await gateway.post_events("erp", order_events())
    assert await ask(gateway, ORDER, [RIGHT]) == [{"number": ORDER}]
    wrong = [f"{n:04d}" for n in range(15)]  # 15 guesses in one request, as the attack sent
    assert await ask(gateway, ORDER, wrong) == [None] * 15
    # Locked: the right factor is refused too, with the same null as a missing order.
    assert await ask(gateway, ORDER, [RIGHT]) == [None]
    assert await ask(gateway, "SO-404", [RIGHT]) == [None]
    staff = await gateway.graphql(guesses(ORDER, [RIGHT]), as_=Role.AGENT)
    assert staff["data"]["g0"] == {"number": ORDER}  # staff are not locked out
    gateway.clock.advance(seconds=tracker_guard.WINDOW.total_seconds())
    assert await ask(gateway, ORDER, [RIGHT]) == [{"number": ORDER}]


async def test_guesses_at_a_missing_order_count_the_same(gateway: Gateway) -> None:
    counters = gateway.runtime.counters
    factors = ["1234"] * (tracker_guard.MAX_FAILURES - 1)
    assert await ask(gateway, "SO-404", factors) == [None] * len(factors)
    assert not tracker_guard.locked(counters, "SO-404")
    assert await ask(gateway, "SO-404", ["1234"]) == [None]
    assert tracker_guard.locked(counters, "SO-404")


async def test_a_wrong_guess_below_the_limit_does_not_lock(gateway: Gateway) -> None:
    await gateway.post_events("erp", order_events())
    wrong = ["0000"] * (tracker_guard.MAX_FAILURES - 1)
    assert await ask(gateway, ORDER, wrong) == [None] * len(wrong)
    assert await ask(gateway, ORDER, [RIGHT]) == [{"number": ORDER}]
