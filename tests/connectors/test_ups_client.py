"""The UPS pull client against a local HTTP server speaking the UPS shapes: OAuth
client-credentials token endpoint plus the Track API, with timeouts, 5xx, 429 and not-found."""

from __future__ import annotations

import asyncio
import base64
import json
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

import httpx
import pytest

from connectors import Page, RateLimited, SourceUnavailable, to_draft
from connectors.ups import CONNECTOR, Cursor, UpsConfig, UpsTrackClient
from gateway.events import EventDraft

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "ups"
CLIENT_ID, CLIENT_SECRET = "orderlens-test-app", "ups-test-secret-0123456789"
FIRST, SECOND, THIRD = "1Z999AA10123456784", "1Z999AA10123456795", "1Z999AA10123456806"
UNKNOWN = "1Z999AA10123456899"
INVALID = "1Z999AA1012345XXXX"


@dataclass
class Reply:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


@dataclass
class Seen:
    method: str
    path: str
    query: dict[str, list[str]]
    headers: dict[str, str]
    body: bytes


def fixture(name: str) -> bytes:
    return (FIXTURES / f"{name}.json").read_bytes()


def ups_error(code: str, message: str) -> bytes:
    return json.dumps({"response": {"errors": [{"code": code, "message": message}]}}).encode()


class FakeUps:
    """UPS in miniature: POST /security/v1/oauth/token and GET /api/track/v1/details/{n}."""

    def __init__(self) -> None:
        self.requests: list[Seen] = []
        self.valid_tokens: set[str] = set()
        self.issued = 0
        self.token_reply: Reply | None = None  # overrides the token endpoint
        self.track_reply: Reply | None = None  # overrides every track answer
        self.tracks: dict[str, Reply] = {
            FIRST: Reply(200, fixture("out_for_delivery")),
            SECOND: Reply(200, fixture("delivered_signed")),
            THIRD: Reply(200, fixture("exception_attempt")),
            UNKNOWN: Reply(200, fixture("not_found")),
            INVALID: Reply(400, fixture("invalid_number")),
        }
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api"

    def track_calls(self) -> list[Seen]:
        return [r for r in self.requests if r.path.startswith("/api/track/")]

    def token_calls(self) -> list[Seen]:
        return [r for r in self.requests if r.path == "/security/v1/oauth/token"]

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await reader.readline()).decode("latin-1").strip()
            method, target, _ = request_line.split(" ", 2)
            headers: dict[str, str] = {}
            while (line := (await reader.readline()).decode("latin-1").strip()) != "":
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            body = await reader.readexactly(int(headers.get("content-length", "0")))
            url = urlsplit(target)
            seen = Seen(method, unquote(url.path), parse_qs(url.query), headers, body)
            self.requests.append(seen)
            reply = self._route(seen)
            if reply.delay:
                await asyncio.sleep(reply.delay)
            head = [f"HTTP/1.1 {reply.status} X", f"Content-Length: {len(reply.body)}"]
            head += ["Content-Type: application/json", "Connection: close"]
            head += [f"{k}: {v}" for k, v in reply.headers.items()]
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + reply.body)
            await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError):
            pass
        finally:
            writer.close()

    def _route(self, request: Seen) -> Reply:
        if request.method == "POST" and request.path == "/security/v1/oauth/token":
            return self.token_reply or self._token(request)
        prefix = "/api/track/v1/details/"
        if request.method == "GET" and request.path.startswith(prefix):
            bearer = request.headers.get("authorization", "").removeprefix("Bearer ")
            if bearer not in self.valid_tokens:
                return Reply(401, ups_error("250002", "Invalid Authentication Information."))
            if self.track_reply is not None:
                return self.track_reply
            number = request.path[len(prefix) :]
            return self.tracks.get(number, Reply(404, ups_error("TW0001", "Not Found")))
        return Reply(404, b"<html>no such page</html>")

    def _token(self, request: Seen) -> Reply:
        expected = base64.b64encode(f"{CLIENT_ID}:{CLIENT_SECRET}".encode()).decode()
        form = parse_qs(request.body.decode())
        if request.headers.get("authorization") != f"Basic {expected}":
            return Reply(401, ups_error("10401", "ClientId is Invalid"))
        if form.get("grant_type") != ["client_credentials"]:
            return Reply(400, ups_error("10400", "Invalid grant_type"))
        self.issued += 1
        token = f"token-{self.issued}"
        self.valid_tokens.add(token)
        answer = {
            "token_type": "Bearer",
            "issued_at": "1763900000000",
            "client_id": CLIENT_ID,
            "access_token": token,
            "expires_in": "14399",
            "refresh_count": "0",
            "status": "approved",
        }
        return Reply(200, json.dumps(answer).encode())


@pytest.fixture
async def ups() -> AsyncIterator[FakeUps]:
    server = FakeUps()
    await server.start()
    yield server
    await server.stop()


@pytest.fixture
async def http() -> AsyncIterator[httpx.AsyncClient]:
    async with httpx.AsyncClient() as client:
        yield client


def make_client(
    ups: FakeUps,
    http: httpx.AsyncClient,
    numbers: Sequence[str] = (FIRST, SECOND, THIRD),
    **options: Any,
) -> UpsTrackClient:
    open_numbers = list(numbers)

    async def open_tracking_numbers() -> list[str]:
        return open_numbers

    config = UpsConfig.model_validate(
        {
            "base_url": ups.base_url,
            "client_id": CLIENT_ID,
            "client_secret": CLIENT_SECRET,
            "timeout": 2.0,
            **options,
        }
    ).model_copy(update={"open_tracking_numbers": open_tracking_numbers})
    client = CONNECTOR.client(config, http)
    assert isinstance(client, UpsTrackClient)
    return client


def numbers_in(page: Page) -> list[str]:
    return [
        json.loads(body)["trackResponse"]["shipment"][0]["package"][0]["trackingNumber"]
        for body in page.payloads
    ]


async def test_a_round_polls_every_open_number_in_batches(
    ups: FakeUps, http: httpx.AsyncClient
) -> None:
    client = make_client(ups, http, batch_size=2)
    first = await client.fetch(None)
    assert first.more and numbers_in(first) == [FIRST, SECOND]
    assert Cursor.load(first.cursor).after == SECOND
    second = await client.fetch(first.cursor)
    assert not second.more and numbers_in(second) == [THIRD]
    assert Cursor.load(second.cursor).after is None
    assert set(Cursor.load(second.cursor).seen) == {FIRST, SECOND, THIRD}
    # Every payload is a real UPS answer that translates into valid events.
    for body in [*first.payloads, *second.payloads]:
        for event in CONNECTOR.translate(body, content_type=first.content_type).events:
            assert isinstance(to_draft(event, source="ups"), EventDraft)
    # The token is requested once and reused; every call carries the UPS headers.
    assert len(ups.token_calls()) == 1
    for call in ups.track_calls():
        assert call.headers["authorization"] == "Bearer token-1"
        assert call.headers["transactionsrc"] == "orderlens"
        assert len(call.headers["transid"]) == 32
        assert call.query["locale"] == ["en_US"]
        assert call.query["returnSignature"] == ["false"]


async def test_a_new_round_yields_only_numbers_with_new_scans(
    ups: FakeUps, http: httpx.AsyncClient
) -> None:
    client = make_client(ups, http)
    round_one = await client.fetch(None)
    assert numbers_in(round_one) == [FIRST, SECOND, THIRD]
    unchanged = await client.fetch(round_one.cursor)
    assert unchanged.payloads == () and not unchanged.more
    assert len(ups.track_calls()) == 6  # polled again, but nothing new to hand in
    # A new scan for FIRST: only FIRST comes back, and its earlier events keep their ids.
    document = json.loads(fixture("out_for_delivery"))
    activity = document["trackResponse"]["shipment"][0]["package"][0]["activity"]
    delivered = {
        **activity[0],
        "gmtTime": "173000",
        "time": "133000",
        "status": {"type": "D", "code": "FS", "statusCode": "011", "description": "DELIVERED"},
    }
    activity.insert(0, delivered)
    ups.tracks[FIRST] = Reply(200, json.dumps(document).encode())
    changed = await client.fetch(unchanged.cursor)
    assert numbers_in(changed) == [FIRST]
    old = {e["id"] for e in CONNECTOR.translate(round_one.payloads[0], content_type="").events}
    new = {e["id"] for e in CONNECTOR.translate(changed.payloads[0], content_type="").events}
    assert old < new and len(new - old) == 1


async def test_closed_numbers_are_forgotten_and_static_numbers_polled(
    ups: FakeUps, http: httpx.AsyncClient
) -> None:
    client = make_client(ups, http, numbers=[FIRST], tracking_numbers=[THIRD, "bad/../number"])
    page = await client.fetch(json.dumps({"v": 1, "after": None, "seen": {SECOND: "x"}}))
    assert numbers_in(page) == [FIRST, THIRD]
    assert set(Cursor.load(page.cursor).seen) == {FIRST, THIRD}
    assert all("bad" not in call.path for call in ups.track_calls())


async def test_unreadable_cursor_starts_a_fresh_round(
    ups: FakeUps, http: httpx.AsyncClient
) -> None:
    page = await make_client(ups, http, numbers=[FIRST]).fetch("not json {")
    assert numbers_in(page) == [FIRST]


async def test_nothing_to_poll(ups: FakeUps, http: httpx.AsyncClient) -> None:
    page = await make_client(ups, http, numbers=[]).fetch(None)
    assert page.payloads == () and not page.more and ups.requests == []


async def test_not_found_yields_nothing_and_invalid_number_yields_its_error_once(
    ups: FakeUps, http: httpx.AsyncClient
) -> None:
    missing = "1Z999AA10123456777"  # the server answers 404 with a UPS error body
    client = make_client(ups, http, numbers=[UNKNOWN, missing, INVALID])
    page = await client.fetch(None)
    assert len(page.payloads) == 1
    result = CONNECTOR.translate(page.payloads[0], content_type=page.content_type)
    assert result.events == () and "TV1002" in result.problems[0]
    again = await client.fetch(page.cursor)
    assert again.payloads == ()  # the same refusal is not dead-lettered twice
    assert UNKNOWN not in Cursor.load(again.cursor).seen


async def test_expired_token_is_renewed_once(ups: FakeUps, http: httpx.AsyncClient) -> None:
    client = make_client(ups, http, numbers=[FIRST])
    page = await client.fetch(None)
    ups.valid_tokens.clear()  # UPS revokes the token before its announced expiry
    ups.tracks[FIRST] = Reply(200, fixture("delivered_signed"))
    page = await client.fetch(page.cursor)
    assert len(page.payloads) == 1
    assert len(ups.token_calls()) == 2
    assert [c.headers["authorization"] for c in ups.track_calls()] == [
        "Bearer token-1",
        "Bearer token-1",
        "Bearer token-2",
    ]


async def test_refused_credentials(ups: FakeUps, http: httpx.AsyncClient) -> None:
    config = {"base_url": ups.base_url, "client_id": CLIENT_ID, "client_secret": "wrong-secret-xyz"}
    client = CONNECTOR.client(
        UpsConfig.model_validate({**config, "tracking_numbers": [FIRST]}), http
    )
    with pytest.raises(SourceUnavailable, match="refused the credentials") as caught:
        await client.fetch(None)
    assert "wrong-secret-xyz" not in str(caught.value)
    assert ups.track_calls() == []


async def test_track_api_refusing_a_fresh_token(ups: FakeUps, http: httpx.AsyncClient) -> None:
    ups.track_reply = Reply(401, ups_error("250002", "Invalid Authentication Information."))
    with pytest.raises(SourceUnavailable, match="refused the credentials"):
        await make_client(ups, http).fetch(None)
    assert len(ups.token_calls()) == 2  # one renewal, then it gives up
    ups.track_reply = Reply(403, ups_error("250001", "Blocked Merchant"))
    with pytest.raises(SourceUnavailable, match="403"):
        await make_client(ups, http).fetch(None)


async def test_a_timeout_is_source_unavailable(ups: FakeUps, http: httpx.AsyncClient) -> None:
    ups.tracks[FIRST] = Reply(200, fixture("out_for_delivery"), delay=1.0)
    with pytest.raises(SourceUnavailable, match=r"did not answer within 0\.2 s"):
        await make_client(ups, http, numbers=[FIRST], timeout=0.2).fetch(None)


async def test_a_server_error_is_source_unavailable(ups: FakeUps, http: httpx.AsyncClient) -> None:
    ups.tracks[SECOND] = Reply(500, b'{"response":{"errors":[{"code":"9999","message":"x"}]}}')
    with pytest.raises(SourceUnavailable, match="HTTP 500"):
        await make_client(ups, http).fetch(None)
    ups.token_reply = Reply(503, b"")
    with pytest.raises(SourceUnavailable, match="token request answered HTTP 503"):
        await make_client(ups, http).fetch(None)


@pytest.mark.parametrize("header", ["7", "Wed, 21 Oct 2099 07:28:00 GMT"])
async def test_rate_limits_carry_retry_after(
    ups: FakeUps, http: httpx.AsyncClient, header: str
) -> None:
    ups.track_reply = Reply(429, ups_error("429", "Too Many Requests"), {"Retry-After": header})
    with pytest.raises(RateLimited) as caught:
        await make_client(ups, http).fetch(None)
    assert caught.value.retry_after is not None and caught.value.retry_after >= 7


async def test_rate_limit_without_retry_after(ups: FakeUps, http: httpx.AsyncClient) -> None:
    ups.track_reply = Reply(429, b"")
    with pytest.raises(RateLimited) as caught:
        await make_client(ups, http).fetch(None)
    assert caught.value.retry_after is None


async def test_wrong_base_url_is_not_mistaken_for_not_found(
    ups: FakeUps, http: httpx.AsyncClient
) -> None:
    client = make_client(ups, http, numbers=[FIRST], base_url=ups.base_url + "/v9")
    with pytest.raises(SourceUnavailable, match="check base_url"):
        await client.fetch(None)


async def test_connection_refused(ups: FakeUps, http: httpx.AsyncClient) -> None:
    await ups.stop()
    with pytest.raises(SourceUnavailable, match="cannot reach the UPS OAuth token endpoint"):
        await make_client(ups, http).fetch(None)


async def test_the_pull_runner_drives_the_client(ups: FakeUps, http: httpx.AsyncClient) -> None:
    """The gateway's runner builds the client from the instance config as is: the open
    tracking numbers travel in the config (`open_tracking_numbers`), no runner change needed."""
    from connectors import Instance, MemoryCursorStore, Outcome, PullRunner

    async def open_tracking_numbers() -> list[str]:
        return [FIRST, SECOND, THIRD]

    config = UpsConfig.model_validate(
        {"base_url": ups.base_url, "client_id": CLIENT_ID, "client_secret": CLIENT_SECRET}
    ).model_copy(update={"open_tracking_numbers": open_tracking_numbers, "batch_size": 2})
    delivered: list[Page] = []

    async def deliver(instance: Instance, page: Page) -> None:
        delivered.append(page)

    cursors = MemoryCursorStore()
    runner = PullRunner(
        [Instance("ups-main", CONNECTOR, config, pull_every=60.0)],
        http=http,
        deliver=deliver,
        cursors=cursors,
    )
    result = await runner.poll("ups-main")
    assert result.outcome is Outcome.SYNCED and result.pages == 2
    assert [numbers_in(page) for page in delivered] == [[FIRST, SECOND], [THIRD]]
    assert Cursor.load(cursors.cursors["ups-main"]).after is None
    again = await runner.poll("ups-main")
    assert again.outcome is Outcome.SYNCED and delivered[-1].payloads == ()
