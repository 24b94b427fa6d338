"""Backoff, circuit breaker, token bucket and safe error messages, on a hand-driven clock."""

from __future__ import annotations

import asyncio
import random
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from connectors import PayloadError, RateLimited, SourceUnavailable
from connectors.pull import (
    MAX_RETRY_AFTER,
    Backoff,
    BreakerState,
    CircuitBreaker,
    PullPolicy,
    TokenBucket,
    describe,
    retry_after_seconds,
)

EPOCH = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


class FakeTime:
    """A clock that moves only when someone sleeps on it (or the test advances it)."""

    def __init__(self) -> None:
        self.t = 0.0
        self.sleeps: list[float] = []

    def monotonic(self) -> float:
        return self.t

    def now(self) -> datetime:
        return EPOCH + timedelta(seconds=self.t)

    def advance(self, seconds: float) -> None:
        self.t += seconds

    async def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.t += seconds
        await asyncio.sleep(0)


class FixedRng:
    """`uniform(a, b)` always lands at the same fraction of the range: timings are exact."""

    def __init__(self, fraction: float) -> None:
        self.fraction = fraction

    def uniform(self, a: float, b: float) -> float:
        return a + (b - a) * self.fraction


def test_backoff_doubles_up_to_the_cap_with_full_jitter() -> None:
    backoff = Backoff(base=0.5, cap=10.0, max_attempts=5)
    assert [backoff.ceiling(n) for n in range(7)] == [0.5, 1, 2, 4, 8, 10, 10]
    assert backoff.ceiling(10_000) == 10.0  # no overflow on absurd attempt numbers
    assert [backoff.delay(n, FixedRng(1.0)) for n in range(4)] == [0.5, 1, 2, 4]
    assert [backoff.delay(n, FixedRng(0.0)) for n in range(4)] == [0, 0, 0, 0]
    rng = random.Random(7)
    delays = [backoff.delay(5, rng) for _ in range(200)]
    assert all(0 <= d <= 10 for d in delays)
    assert min(delays) < 2 and max(delays) > 8  # full jitter: spread over the whole range


@pytest.mark.parametrize(
    "kwargs", [{"base": 0}, {"base": 2, "cap": 1}, {"max_attempts": 0}], ids=str
)
def test_backoff_refuses_nonsense(kwargs: dict[str, float]) -> None:
    with pytest.raises(ValueError, match="backoff"):
        Backoff(**kwargs)  # type: ignore[arg-type]


def test_pull_policy_refuses_nonsense() -> None:
    with pytest.raises(ValueError, match="timeout"):
        PullPolicy(timeout=0)
    with pytest.raises(ValueError, match="jitter"):
        PullPolicy(jitter=1.5)
    with pytest.raises(ValueError, match="stale_after"):
        PullPolicy(stale_after=0)


def test_breaker_opens_waits_cool_down_then_one_trial_decides() -> None:
    time = FakeTime()
    breaker = CircuitBreaker(threshold=3, cool_down=60.0, clock=time)

    def state(breaker: CircuitBreaker) -> BreakerState:  # a call, so mypy does not narrow it
        return breaker.state

    assert state(breaker) is BreakerState.CLOSED and breaker.allow()
    breaker.record_failure()
    breaker.record_failure()
    assert state(breaker) is BreakerState.CLOSED and breaker.consecutive_failures == 2
    breaker.record_success()  # a success in between starts the count again
    assert breaker.consecutive_failures == 0
    for _ in range(3):
        breaker.record_failure()
    assert state(breaker) is BreakerState.OPEN
    assert not breaker.allow() and breaker.retry_in() == 60.0
    time.advance(59.5)
    assert not breaker.allow() and breaker.retry_in() == pytest.approx(0.5)
    time.advance(0.5)
    assert breaker.allow() and state(breaker) is BreakerState.HALF_OPEN
    breaker.record_failure()  # the trial failed: open again, cool-down restarts
    assert state(breaker) is BreakerState.OPEN and breaker.retry_in() == 60.0
    time.advance(60)
    assert breaker.allow() and state(breaker) is BreakerState.HALF_OPEN
    breaker.record_success()
    assert state(breaker) is BreakerState.CLOSED and breaker.consecutive_failures == 0
    assert breaker.retry_in() == 0.0


async def test_token_bucket_allows_a_burst_then_the_rate() -> None:
    time = FakeTime()
    bucket = TokenBucket(rate=4.0, burst=3, clock=time, sleep=time.sleep)
    stamps = []
    for _ in range(6):
        await bucket.acquire()
        stamps.append(time.t)
    assert stamps == pytest.approx([0, 0, 0, 0.25, 0.5, 0.75])
    time.advance(100)  # a long idle refills only up to the burst
    before = len(time.sleeps)
    for _ in range(3):
        await bucket.acquire()
    assert len(time.sleeps) == before
    await bucket.acquire()
    assert time.sleeps[-1] == pytest.approx(0.25)


async def test_token_bucket_hold_blocks_every_call_until_it_ends() -> None:
    time = FakeTime()
    bucket = TokenBucket(rate=1.0, burst=5, clock=time, sleep=time.sleep)
    bucket.hold(7.5)
    assert bucket.held_for() == 7.5
    await bucket.acquire()
    assert time.t == pytest.approx(7.5)  # at least the hold, and no more
    await bucket.acquire()  # the burst was spent by the hold: back to the rate
    assert time.t == pytest.approx(8.5)
    bucket.hold(2.0)
    bucket.hold(1.0)  # a shorter hold never shortens a longer one
    assert bucket.held_for() == pytest.approx(2.0)


def test_token_bucket_refuses_nonsense() -> None:
    time = FakeTime()
    with pytest.raises(ValueError, match="rate"):
        TokenBucket(rate=0, burst=1, clock=time, sleep=time.sleep)
    with pytest.raises(ValueError, match="burst"):
        TokenBucket(rate=1, burst=0, clock=time, sleep=time.sleep)


def test_error_descriptions_never_carry_urls_or_third_party_messages() -> None:
    request = httpx.Request("GET", "https://erp.example.com/api?api_key=k3y")
    status = httpx.HTTPStatusError(
        "Server error '503' for url 'https://erp.example.com/api?api_key=k3y'",
        request=request,
        response=httpx.Response(503, request=request),
    )
    assert describe(status) == "HTTP 503"
    assert describe(TimeoutError(), timeout=2.5) == "timed out after 2.5 s"
    assert describe(TimeoutError()) == "timed out"
    assert describe(RateLimited(3.0)) == "rate limited (retry after 3.0 s)"
    leaky = SourceUnavailable("HTTP 502 from https://user:pw@erp.example.com/x?token=t0k")
    assert describe(leaky) == "SourceUnavailable: HTTP 502 from <url>"
    assert describe(PayloadError("items: not a list")) == "PayloadError: items: not a list"
    assert describe(SourceUnavailable()) == "SourceUnavailable"
    connect = httpx.ConnectError("cannot connect to https://erp.example.com/?api_key=k3y")
    assert describe(connect) == "ConnectError"
    assert describe(ValueError("customer phone 13800138000")) == "ValueError"


def test_retry_after_is_taken_as_given_within_sane_bounds() -> None:
    assert retry_after_seconds(2.5) == 2.5
    assert retry_after_seconds(0.0) == 0.0
    assert retry_after_seconds(1e12) == MAX_RETRY_AFTER  # garbage cannot park a source for ever
    assert retry_after_seconds(float("inf")) == MAX_RETRY_AFTER
    for missing in (None, -1.0, float("nan")):
        assert retry_after_seconds(missing) is None
