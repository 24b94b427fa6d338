"""The pull runner: cursors, retries, breaker, rate limits, health and the schedule.

Fake connectors script what `fetch` does; one test drives a real httpx client against a local
HTTP server that hangs, fails, rate-limits and recovers. All waiting goes through FakeTime, so
the timings asserted are exact; the only real waits are the short fetch timeouts.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from collections import deque
from collections.abc import AsyncIterator, Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import ClassVar

import httpx
import pytest
from pydantic import BaseModel, SecretStr

from connectors import (
    Connector,
    Instance,
    Kind,
    MemoryCursorStore,
    Outcome,
    Page,
    PullClient,
    PullConnector,
    PullRunner,
    RateLimited,
    SourceUnavailable,
    Translation,
)
from connectors.pull import Backoff, BreakerState, PullPolicy
from tests.connectors.test_resilience import EPOCH, FakeTime, FixedRng


class Hang:
    """A fetch that never answers."""


HANG = Hang()
Step = Page | Exception | Hang


class FeedConfig(BaseModel):
    base_url: str = "http://127.0.0.1"
    token: SecretStr = SecretStr("tok-s3cret")


class ScriptedClient:
    """Answers each fetch with the next step: a Page, an exception to raise, or HANG."""

    def __init__(self, steps: Sequence[Step] = (), *, then: Page | None = None) -> None:
        self.steps: deque[Step] = deque(steps)
        self.then = then or Page([], cursor=None)
        self.cursors: list[str | None] = []
        self.times: list[float] = []
        self.entered = asyncio.Event()
        self.on_fetch: Callable[[], None] | None = None
        self.clock: FakeTime | None = None

    async def fetch(self, cursor: str | None) -> Page:
        self.cursors.append(cursor)
        if self.clock is not None:
            self.times.append(self.clock.t)
        self.entered.set()
        if self.on_fetch is not None:
            self.on_fetch()
        step = self.steps.popleft() if self.steps else self.then
        if isinstance(step, Hang):
            await asyncio.Event().wait()
        if isinstance(step, Exception):
            raise step
        assert isinstance(step, Page)
        return step


class Declared(Connector):
    name: ClassVar[str] = "fakefeed"
    kind: ClassVar[Kind] = Kind.ERP
    label: ClassVar[str] = "Fake feed"
    mapping_version: ClassVar[str] = "1"
    config_model: ClassVar[type[BaseModel]] = FeedConfig

    def translate(
        self, payload: bytes, *, content_type: str, received_at: datetime | None = None
    ) -> Translation:
        return Translation()


class FakeConnector(Declared, PullConnector):
    def __init__(self, client: PullClient) -> None:
        self._client = client

    def client(self, config: BaseModel, http: httpx.AsyncClient) -> PullClient:
        return self._client


class PushOnly(Declared):
    name: ClassVar[str] = "pushonly"


@dataclass
class Sink:
    """The gateway's side: records delivered pages; fails the first `failures` deliveries."""

    failures: int = 0
    pages: list[tuple[str, Page]] = field(default_factory=list)
    changed: asyncio.Event = field(default_factory=asyncio.Event)

    async def __call__(self, instance: Instance, page: Page) -> None:
        if self.failures:
            self.failures -= 1
            raise RuntimeError("database is locked")
        self.pages.append((instance.id, page))
        self.changed.set()

    @property
    def payloads(self) -> list[bytes]:
        return [p for _, page in self.pages for p in page.payloads]

    async def wait_for(self, count: int) -> None:
        async with asyncio.timeout(2):
            while len(self.pages) < count:
                self.changed.clear()
                await self.changed.wait()


def page(n: int, *, more: bool = False) -> Page:
    return Page([json.dumps({"n": n}).encode()], cursor=f"c{n}", more=more)


def instance(client: PullClient, *, id: str = "erp", every: float = 10.0) -> Instance:
    return Instance(id, FakeConnector(client), FeedConfig(), pull_every=every)


POLICY = PullPolicy(
    timeout=5.0,
    backoff=Backoff(base=1.0, cap=3.0, max_attempts=4),
    failure_threshold=2,
    cool_down=60.0,
    rate=100.0,
    burst=10,
    max_pages=3,
)


@dataclass
class Rig:
    runner: PullRunner
    client: ScriptedClient
    time: FakeTime
    sink: Sink
    store: MemoryCursorStore


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


@pytest.fixture
def make(http: httpx.AsyncClient) -> Callable[..., Rig]:
    def build(
        steps: Sequence[Step] = (),
        *,
        policy: PullPolicy = POLICY,
        sink: Sink | None = None,
        store: MemoryCursorStore | None = None,
        fraction: float = 1.0,
        every: float = 10.0,
    ) -> Rig:
        time = FakeTime()
        client = ScriptedClient(steps)
        client.clock = time
        sink = sink or Sink()
        store = store or MemoryCursorStore()
        runner = PullRunner(
            [instance(client, every=every)],
            http=http,
            deliver=sink,
            cursors=store,
            policy=policy,
            clock=time,
            sleep=time.sleep,
            rng=FixedRng(fraction),
        )
        return Rig(runner, client, time, sink, store)

    return build


def pull_tasks() -> list[asyncio.Task[object]]:
    return [t for t in asyncio.all_tasks() if t.get_name().startswith("orderlens-pull:")]


# -- configuration ----------------------------------------------------------------------------


def test_only_scheduled_pull_instances_are_accepted(http: httpx.AsyncClient) -> None:
    store, sink, client = MemoryCursorStore(), Sink(), ScriptedClient()
    cases = [
        ([Instance("wms", PushOnly(), FeedConfig(), pull_every=10)], "cannot pull"),
        ([Instance("erp", FakeConnector(client), FeedConfig())], "pull_every"),
        ([instance(client, every=0)], "pull_every"),
        ([instance(client), instance(client)], "twice"),
    ]
    for instances, message in cases:
        with pytest.raises(ValueError, match=message):
            PullRunner(instances, http=http, deliver=sink, cursors=store)


async def test_policy_overrides_by_instance_id_then_connector_name(
    http: httpx.AsyncClient,
) -> None:
    one_try = PullPolicy(backoff=Backoff(max_attempts=1))
    two_tries = PullPolicy(backoff=Backoff(max_attempts=2))
    clients = {name: ScriptedClient([SourceUnavailable()] * 4) for name in ("a", "b")}
    time = FakeTime()
    runner = PullRunner(
        [instance(clients["a"], id="a"), instance(clients["b"], id="b")],
        http=http,
        deliver=Sink(),
        cursors=MemoryCursorStore(),
        overrides={"a": one_try, "fakefeed": two_tries},
        clock=time,
        sleep=time.sleep,
    )
    assert (await runner.poll("a")).outcome is Outcome.FAILED
    assert (await runner.poll("b")).outcome is Outcome.FAILED
    assert (len(clients["a"].cursors), len(clients["b"].cursors)) == (1, 2)


# -- cursors and delivery -----------------------------------------------------------------------


async def test_cursor_is_saved_only_after_deliver_and_a_failed_page_comes_again(
    make: Callable[..., Rig],
) -> None:
    rig = make([page(1), page(1), page(2)], sink=Sink(failures=1))
    result = await rig.runner.poll("erp")
    assert result.outcome is Outcome.UNDELIVERED and result.pages == 0
    assert rig.store.cursors == {} and rig.sink.pages == []
    health = rig.runner.health()["erp"]
    assert health.last_error == "deliver failed: RuntimeError"
    assert health.last_success_at is None
    assert health.breaker is BreakerState.CLOSED and health.consecutive_failures == 0

    rig.time.advance(10)
    assert (await rig.runner.poll("erp")).outcome is Outcome.SYNCED
    assert rig.store.cursors == {"erp": "c1"}
    assert rig.store.synced_at == {"erp": rig.time.now()}
    assert rig.sink.payloads == [b'{"n": 1}']  # the page that failed, delivered once it could be
    assert rig.runner.health()["erp"].last_error is None

    await rig.runner.poll("erp")
    assert rig.client.cursors == [None, None, "c1"]  # re-fetched from the saved cursor
    assert rig.store.cursors == {"erp": "c2"}


async def test_a_failing_cursor_store_loses_nothing(make: Callable[..., Rig]) -> None:
    class FlakyStore(MemoryCursorStore):
        fail_save = 1
        fail_load = 1

        async def load(self, instance_id: str) -> str | None:
            if self.fail_load:
                self.fail_load -= 1
                raise OSError("disk I/O error")
            return await super().load(instance_id)

        async def save(self, instance_id: str, cursor: str | None, synced_at: datetime) -> None:
            if self.fail_save:
                self.fail_save -= 1
                raise OSError("disk I/O error")
            await super().save(instance_id, cursor, synced_at)

    rig = make([page(1), page(1)], store=FlakyStore())
    assert (await rig.runner.poll("erp")).outcome is Outcome.UNDELIVERED
    assert rig.client.cursors == []  # without a cursor, the source is not asked at all
    assert rig.runner.health()["erp"].last_error == "cursor load failed: OSError"
    assert (await rig.runner.poll("erp")).outcome is Outcome.UNDELIVERED
    assert rig.runner.health()["erp"].last_error == "cursor save failed: OSError"
    assert (await rig.runner.poll("erp")).outcome is Outcome.SYNCED
    assert rig.client.cursors == [None, None]
    assert rig.store.cursors == {"erp": "c1"}
    assert len(rig.sink.pages) == 2  # delivered twice; the gateway's dedup makes it a no-op


async def test_more_pages_are_fetched_at_once_up_to_the_page_cap(
    make: Callable[..., Rig],
) -> None:
    last = Page([b"{}"], cursor=None)  # no cursor: the position stays where it is
    rig = make([page(1, more=True), page(2, more=True), page(3, more=True), page(4), last])
    result = await rig.runner.poll("erp")
    assert (result.outcome, result.pages) == (Outcome.SYNCED, 3)  # POLICY.max_pages
    assert rig.client.cursors == [None, "c1", "c2"]
    assert rig.time.sleeps == []  # drained without waiting
    assert rig.store.cursors == {"erp": "c3"}
    assert (await rig.runner.poll("erp")).pages == 1
    assert (await rig.runner.poll("erp")).pages == 1
    assert rig.client.cursors == [None, "c1", "c2", "c3", "c4"]
    assert rig.store.cursors == {"erp": "c4"}


# -- failures, retries and the breaker ---------------------------------------------------------


async def test_retries_back_off_exponentially_with_full_jitter(make: Callable[..., Rig]) -> None:
    rig = make([SourceUnavailable("HTTP 503")] * 4, fraction=1.0)
    result = await rig.runner.poll("erp")
    assert result.outcome is Outcome.FAILED
    assert len(rig.client.cursors) == 4  # max_attempts, then wait for the next cycle
    assert rig.time.sleeps == [1.0, 2.0, 3.0]  # base 1 doubling, capped at 3; none after the last
    health = rig.runner.health()["erp"]
    assert health.consecutive_failures == 1 and health.breaker is BreakerState.CLOSED
    assert health.last_error == "SourceUnavailable: HTTP 503"

    rig = make([SourceUnavailable()] * 3 + [page(1)], fraction=0.25)
    assert (await rig.runner.poll("erp")).outcome is Outcome.SYNCED
    assert rig.time.sleeps == [0.25, 0.5, 0.75]  # full jitter: anywhere in [0, ceiling]
    assert rig.runner.health()["erp"].consecutive_failures == 0


async def test_breaker_opens_after_failed_cycles_then_half_open_trial_closes_it(
    make: Callable[..., Rig],
) -> None:
    rig = make([SourceUnavailable()] * 8 + [TimeoutError(), page(1)])
    seen: list[BreakerState] = []
    rig.client.on_fetch = lambda: seen.append(rig.runner.health()["erp"].breaker)
    assert (await rig.runner.poll("erp")).outcome is Outcome.FAILED
    assert rig.runner.health()["erp"].breaker is BreakerState.CLOSED
    assert (await rig.runner.poll("erp")).outcome is Outcome.FAILED
    assert rig.runner.health()["erp"].breaker is BreakerState.OPEN
    assert len(rig.client.cursors) == 8

    rig.time.advance(59)  # cool-down is 60 s (from when it opened)
    assert (await rig.runner.poll("erp")).outcome is Outcome.SKIPPED
    assert len(rig.client.cursors) == 8  # open: the source is not called at all

    rig.time.advance(1)
    assert (await rig.runner.poll("erp")).outcome is Outcome.FAILED
    assert len(rig.client.cursors) == 9  # half-open lets exactly one trial call through
    assert seen[-1] is BreakerState.HALF_OPEN
    health = rig.runner.health()["erp"]
    assert health.breaker is BreakerState.OPEN and health.consecutive_failures == 3
    assert (await rig.runner.poll("erp")).outcome is Outcome.SKIPPED

    rig.time.advance(60)
    assert (await rig.runner.poll("erp")).outcome is Outcome.SYNCED
    assert seen[-1] is BreakerState.HALF_OPEN
    health = rig.runner.health()["erp"]
    assert health.breaker is BreakerState.CLOSED and health.consecutive_failures == 0


async def test_a_fetch_that_takes_too_long_is_a_failure(make: Callable[..., Rig]) -> None:
    policy = PullPolicy(timeout=0.05, backoff=Backoff(max_attempts=1), failure_threshold=1)
    rig = make([HANG, page(1)], policy=policy)
    assert (await rig.runner.poll("erp")).outcome is Outcome.FAILED
    health = rig.runner.health()["erp"]
    assert health.last_error == "timed out after 0.05 s"
    assert health.breaker is BreakerState.OPEN


# -- rate limits --------------------------------------------------------------------------------


async def test_retry_after_is_honoured_and_does_not_trip_the_breaker(
    make: Callable[..., Rig],
) -> None:
    policy = PullPolicy(backoff=Backoff(base=1, cap=30, max_attempts=3), failure_threshold=1)
    rig = make([RateLimited(7.0), RateLimited(None), page(1)], policy=policy)
    result = await rig.runner.poll("erp")
    assert result.outcome is Outcome.SYNCED
    # Waited exactly Retry-After, then (none given) the backoff ceiling for attempt 2.
    assert rig.time.sleeps == pytest.approx([7.0, 2.0])
    assert rig.client.times == pytest.approx([0.0, 7.0, 9.0])
    assert rig.runner.health()["erp"].breaker is BreakerState.CLOSED


async def test_a_long_retry_after_ends_the_cycle_and_holds_the_next_one(
    make: Callable[..., Rig],
) -> None:
    policy = PullPolicy(backoff=Backoff(base=1, cap=30, max_attempts=3), failure_threshold=1)
    rig = make([RateLimited(120.0)] * 3 + [page(1)], policy=policy)
    for _ in range(3):
        assert (await rig.runner.poll("erp")).outcome is Outcome.THROTTLED
    assert len(rig.client.cursors) == 3  # one call per cycle, each after the previous hold
    assert rig.client.times == pytest.approx([0.0, 120.0, 240.0])
    health = rig.runner.health()["erp"]
    assert health.breaker is BreakerState.CLOSED and health.consecutive_failures == 0
    assert health.last_error == "rate limited (retry after 120.0 s)"
    assert (await rig.runner.poll("erp")).outcome is Outcome.SYNCED
    assert rig.client.times[-1] == pytest.approx(360.0)


async def test_a_garbage_retry_after_falls_back_to_backoff(make: Callable[..., Rig]) -> None:
    rig = make([RateLimited(float("nan")), RateLimited(-5.0), page(1)])
    assert (await rig.runner.poll("erp")).outcome is Outcome.SYNCED
    assert rig.time.sleeps == pytest.approx([1.0, 2.0])


async def test_token_bucket_paces_draining(make: Callable[..., Rig]) -> None:
    policy = PullPolicy(rate=0.5, burst=2, max_pages=10)
    rig = make([page(n, more=n < 5) for n in range(1, 6)], policy=policy)
    result = await rig.runner.poll("erp")
    assert (result.outcome, result.pages) == (Outcome.SYNCED, 5)
    assert rig.client.times == pytest.approx([0, 0, 2, 4, 6])  # a burst of 2, then 1 per 2 s
    assert rig.time.sleeps == pytest.approx([2.0, 2.0, 2.0])


# -- health and logs ----------------------------------------------------------------------------


async def test_health_reports_freshness_from_the_injected_clock(make: Callable[..., Rig]) -> None:
    rig = make([page(1)] + [SourceUnavailable("HTTP 500")] * 4, every=10.0)
    health = rig.runner.health()["erp"]
    assert health.stale and health.last_success_at is None and health.last_attempt_at is None
    assert (health.pull_every, health.instance_id) == (10.0, "erp")

    await rig.runner.poll("erp")
    health = rig.runner.health()["erp"]
    assert not health.stale
    assert health.last_success_at == health.last_attempt_at == EPOCH

    rig.time.advance(30)  # 3 x pull_every: still fresh
    assert not rig.runner.health()["erp"].stale
    rig.time.advance(0.5)
    assert rig.runner.health()["erp"].stale

    started = rig.time.now()
    assert (await rig.runner.poll("erp")).outcome is Outcome.FAILED
    health = rig.runner.health()["erp"]
    assert health.last_attempt_at == started and health.last_success_at == EPOCH
    assert health.stale and health.consecutive_failures == 1
    assert health.last_error == "SourceUnavailable: HTTP 500"


async def test_each_failure_logs_one_line_without_payloads_or_secrets(
    make: Callable[..., Rig], caplog: pytest.LogCaptureFixture
) -> None:
    secret_page = Page([b'{"phone": "13800138000"}'], cursor="c1")
    steps: list[Step] = [
        httpx.ConnectError("cannot reach https://admin:hunter2@erp.example.com/?api_key=k3y"),
        SourceUnavailable("HTTP 502 from https://erp.example.com/?api_key=k3y"),
        secret_page,
    ]
    rig = make(steps, sink=Sink(failures=1))
    with caplog.at_level(logging.WARNING, logger="connectors.pull.runner"):
        await rig.runner.poll("erp")
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 3
    assert all(line.startswith("pull erp: ") for line in lines)
    assert "ConnectError" in lines[0] and "SourceUnavailable" in lines[1]
    assert "deliver failed, RuntimeError" in lines[2]
    text = "\n".join(lines) + str(rig.runner.health())
    for secret in ("hunter2", "k3y", "13800138000", "tok-s3cret", "database is locked"):
        assert secret not in text


# -- the schedule -------------------------------------------------------------------------------


async def test_schedule_jitters_the_interval_and_stops_cleanly(make: Callable[..., Rig]) -> None:
    rig = make(fraction=1.0, every=10.0)
    rig.client.then = page(1)
    async with rig.runner:
        assert rig.runner.running and len(pull_tasks()) == 1
        await rig.sink.wait_for(3)
    assert not rig.runner.running and pull_tasks() == []
    # First poll spread over [0, 10 % of the interval], then 10 s +- 10 % (here the top: 11).
    assert rig.time.sleeps[:3] == pytest.approx([1.0, 11.0, 11.0])
    assert rig.client.times[:3] == pytest.approx([1.0, 12.0, 23.0])

    rig = make(fraction=0.0, every=10.0)
    rig.client.then = page(1)
    async with rig.runner:
        await rig.sink.wait_for(2)
    assert rig.time.sleeps[:2] == pytest.approx([0.0, 9.0])


async def test_an_open_breaker_pushes_the_next_cycle_to_the_end_of_its_cool_down(
    make: Callable[..., Rig],
) -> None:
    policy = PullPolicy(backoff=Backoff(max_attempts=1), failure_threshold=1, cool_down=100.0)
    rig = make([SourceUnavailable()], policy=policy, fraction=0.5, every=10.0)
    rig.client.then = page(1)
    async with rig.runner:
        await rig.sink.wait_for(2)
    assert rig.time.sleeps[:3] == pytest.approx([0.5, 100.0, 10.0])


async def test_stop_during_a_fetch_cancels_it_and_saves_nothing(
    make: Callable[..., Rig],
) -> None:
    rig = make([HANG], fraction=0.0)
    await rig.runner.start()
    with pytest.raises(RuntimeError, match="already running"):
        await rig.runner.start()
    async with asyncio.timeout(2):
        await rig.client.entered.wait()
    await rig.runner.stop()
    assert pull_tasks() == [] and not rig.runner.running
    assert rig.store.cursors == {} and rig.sink.pages == []
    await rig.runner.stop()  # stopping twice is harmless


# -- a real HTTP source ---------------------------------------------------------------------


@dataclass
class Reply:
    status: int = 200
    body: dict[str, object] | None = None
    headers: dict[str, str] = field(default_factory=dict)
    hang: bool = False


class LocalSource:
    """A raw asyncio HTTP/1.1 server on 127.0.0.1 answering each request with the next Reply."""

    def __init__(self, replies: Sequence[Reply]) -> None:
        self.replies = deque(replies)
        self.targets: list[str] = []
        self.auth: list[str] = []
        self.release = asyncio.Event()
        self.handlers: set[asyncio.Task[object]] = set()
        self.arrived = asyncio.Event()

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self.handlers.add(task)
        try:
            head = (await reader.readuntil(b"\r\n\r\n")).decode("latin-1").split("\r\n")
            self.targets.append(head[0].split(" ")[1])
            self.auth += [h.split(":", 1)[1].strip() for h in head if h.startswith("Authoriz")]
            self.arrived.set()
            reply = self.replies.popleft()
            if reply.hang:
                await self.release.wait()
                return
            body = json.dumps(reply.body or {}).encode()
            lines = [f"HTTP/1.1 {reply.status} X", f"Content-Length: {len(body)}"]
            lines += ["Content-Type: application/json", "Connection: close"]
            lines += [f"{k}: {v}" for k, v in reply.headers.items()]
            writer.write(("\r\n".join(lines) + "\r\n\r\n").encode() + body)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()


class HttpFeedClient:
    """What a real connector's client looks like: the only I/O, errors mapped to the SDK's."""

    def __init__(self, config: FeedConfig, http: httpx.AsyncClient) -> None:
        self.config, self.http = config, http

    async def fetch(self, cursor: str | None) -> Page:
        response = await self.http.get(
            f"{self.config.base_url}/orders",
            params={"cursor": cursor} if cursor else None,
            headers={"Authorization": f"Bearer {self.config.token.get_secret_value()}"},
        )
        if response.status_code == 429:
            raise RateLimited(float(response.headers["Retry-After"]))
        if response.status_code >= 500:
            raise SourceUnavailable(f"HTTP {response.status_code}")
        response.raise_for_status()
        body = response.json()
        items = [json.dumps(item).encode() for item in body["items"]]
        return Page(items, cursor=body["cursor"], more=body["more"])


class HttpFeedConnector(Declared, PullConnector):
    name: ClassVar[str] = "httpfeed"

    def client(self, config: BaseModel, http: httpx.AsyncClient) -> PullClient:
        assert isinstance(config, FeedConfig)
        return HttpFeedClient(config, http)


def feed(items: list[str], cursor: str, more: bool = False) -> Reply:
    return Reply(body={"items": [{"id": i} for i in items], "cursor": cursor, "more": more})


async def test_against_a_local_http_source_that_hangs_fails_throttles_and_recovers(
    caplog: pytest.LogCaptureFixture,
) -> None:
    replies = [
        Reply(hang=True), Reply(500), Reply(500),  # cycle 1: timeout, 500, 500
        Reply(500), Reply(500), Reply(503),  # cycle 2: the breaker opens
        Reply(429, headers={"Retry-After": "2"}),  # half-open trial: throttled
        feed(["a"], "c1", more=True), feed(["b"], "c2"),  # trial succeeds, then drains
        feed(["c"], "c3"), feed(["c"], "c3"),  # delivery fails once: the page comes again
        Reply(hang=True),  # stop while this request is in flight
    ]  # fmt: skip
    source = LocalSource(replies)
    server = await asyncio.start_server(source.handle, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    time, sink, store = FakeTime(), Sink(), MemoryCursorStore()
    policy = PullPolicy(
        timeout=0.2,
        backoff=Backoff(base=1.0, cap=8.0, max_attempts=3),
        failure_threshold=2,
        cool_down=60.0,
        rate=5.0,
        burst=1,
    )
    ups = Instance(
        "ups", HttpFeedConnector(), FeedConfig(base_url=f"http://127.0.0.1:{port}"), pull_every=30
    )
    try:
        async with httpx.AsyncClient(timeout=5.0) as http:
            runner = PullRunner(
                [ups],
                http=http,
                deliver=sink,
                cursors=store,
                policy=policy,
                clock=time,
                sleep=time.sleep,
                rng=FixedRng(1.0),
            )

            def state() -> tuple[BreakerState, int, str | None]:
                h = runner.health()["ups"]
                return h.breaker, h.consecutive_failures, h.last_error

            with caplog.at_level(logging.WARNING, logger="connectors.pull.runner"):
                assert (await runner.poll("ups")).outcome is Outcome.FAILED
            assert "TimeoutError (timed out after 0.2 s)" in caplog.records[0].getMessage()
            assert time.sleeps == [1.0, 2.0]  # backoff between the 3 attempts, none after
            assert state() == (BreakerState.CLOSED, 1, "SourceUnavailable: HTTP 500")

            time.advance(30)
            assert (await runner.poll("ups")).outcome is Outcome.FAILED
            assert state() == (BreakerState.OPEN, 2, "SourceUnavailable: HTTP 503")
            assert time.sleeps == [1.0, 2.0, 1.0, 2.0]
            assert (await runner.poll("ups")).outcome is Outcome.SKIPPED
            assert len(source.targets) == 6  # open: nothing was sent

            time.advance(60)  # the cool-down
            assert (await runner.poll("ups")).outcome is Outcome.THROTTLED
            assert state() == (BreakerState.HALF_OPEN, 2, "rate limited (retry after 2.0 s)")
            assert len(source.targets) == 7  # exactly one trial call

            result = await runner.poll("ups")
            assert (result.outcome, result.pages) == (Outcome.SYNCED, 2)
            # Retry-After held the bucket 2 s; then the 5/s rate spaced the drained page.
            assert time.sleeps[4:] == pytest.approx([2.0, 0.2])
            assert state() == (BreakerState.CLOSED, 0, None)
            assert sink.payloads == [b'{"id": "a"}', b'{"id": "b"}']
            assert store.cursors == {"ups": "c2"}

            time.advance(30)
            sink.failures = 1
            assert (await runner.poll("ups")).outcome is Outcome.UNDELIVERED
            assert store.cursors == {"ups": "c2"}  # not moved past an undelivered page
            time.advance(30)
            assert (await runner.poll("ups")).outcome is Outcome.SYNCED
            assert store.cursors == {"ups": "c3"}
            assert sink.payloads[2:] == [b'{"id": "c"}']

            health = runner.health()["ups"]
            assert health.last_success_at == time.now() and not health.stale
            time.advance(3 * 30 + 1)
            assert runner.health()["ups"].stale

            await runner.start()
            async with asyncio.timeout(2):
                while len(source.targets) < 12:  # the scheduled poll reaches the source
                    source.arrived.clear()
                    await source.arrived.wait()
            await runner.stop()
            assert pull_tasks() == [] and store.cursors == {"ups": "c3"}
    finally:
        source.release.set()
        await asyncio.gather(*source.handlers)
        server.close()
        await server.wait_closed()

    queries = [target.partition("?")[2] for target in source.targets]
    assert queries == [""] * 8 + ["cursor=c1", "cursor=c2", "cursor=c2", "cursor=c3"]
    assert set(source.auth) == {"Bearer tok-s3cret"}
