"""The ERPNext pull client against a local HTTP server speaking Frappe's REST shapes:
paging with a (modified, name) cursor, timeouts, 5xx, 429, refused credentials."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from connectors import Page, RateLimited, SourceUnavailable, to_draft
from connectors.erpnext import CONNECTOR, ErpNextConfig
from connectors.erpnext.client import parse_cursor
from gateway.events import EventDraft

FIXTURES = Path(__file__).parent.parent / "fixtures" / "erpnext"
KEY, SECRET = "5f0c1e2d3b4a", "pull-secret-Xy72"
SO, DN = "Sales Order", "Delivery Note"


def sales_order(name: str, modified: str, docstatus: int = 1) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIXTURES / "so_partly_delivered_webhook.json").read_bytes())
    return {**doc, "name": name, "modified": modified, "docstatus": docstatus}


def delivery_note(name: str, modified: str) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads((FIXTURES / "dn_submitted_webhook.json").read_bytes())
    return {**doc, "name": name, "modified": modified}


def _matches(doc: dict[str, Any], condition: list[Any]) -> bool:
    field, operator, value = condition[-3:]
    left = doc.get(field)
    return bool(
        {
            "=": lambda: left == value,
            "!=": lambda: left != value,
            ">": lambda: left > value,
            ">=": lambda: left >= value,
            "<": lambda: left < value,
        }[operator]()
    )


class FakeFrappe:
    """Frappe's /api/resource: list with filters (AND), or_filters (OR), order_by modified,
    name and limit_page_length; read one document; token auth; and ways to misbehave."""

    def __init__(self) -> None:
        self.docs: dict[str, dict[str, dict[str, Any]]] = {SO: {}, DN: {}}
        self.mode = "ok"
        self.vanished: set[str] = set()
        self.calls: list[tuple[str, dict[str, str]]] = []
        self.release = asyncio.Event()
        self.app = Starlette(
            routes=[
                Route("/api/resource/{doctype}", self.list_documents),
                Route("/api/resource/{doctype}/{name:path}", self.read_document),
            ]
        )

    def add(self, doctype: str, doc: dict[str, Any]) -> None:
        self.docs[doctype][doc["name"]] = doc

    async def misbehaving(self, request: Request) -> Response | None:
        self.calls.append((request.url.path, dict(request.query_params)))
        if request.headers.get("authorization") != f"token {KEY}:{SECRET}":
            return JSONResponse({"exc_type": "AuthenticationError"}, status_code=401)
        if self.mode == "slow":
            await asyncio.wait_for(self.release.wait(), timeout=5)
        if self.mode == "error":
            return JSONResponse({"exception": "pymysql.err.OperationalError"}, status_code=500)
        if self.mode == "rate-limited":
            headers = {"Retry-After": "7", "X-RateLimit-Reset": "7"}
            return PlainTextResponse("Too Many Requests", status_code=429, headers=headers)
        if self.mode == "rate-limited-reset-only":
            headers = {"X-RateLimit-Reset": "12"}
            return PlainTextResponse("Too Many Requests", status_code=429, headers=headers)
        if self.mode == "html":
            return PlainTextResponse("<html>Login</html>", media_type="text/html")
        return None

    async def list_documents(self, request: Request) -> Response:
        if (refusal := await self.misbehaving(request)) is not None:
            return refusal
        query = request.query_params
        filters = json.loads(query.get("filters", "[]"))
        or_filters = json.loads(query.get("or_filters", "[]"))
        rows = [
            doc
            for doc in self.docs[request.path_params["doctype"]].values()
            if all(_matches(doc, c) for c in filters)
            and (not or_filters or any(_matches(doc, c) for c in or_filters))
        ]
        assert query["order_by"] == "modified asc, name asc"
        rows.sort(key=lambda doc: (doc["modified"], doc["name"]))
        fields = json.loads(query["fields"])
        limit = int(query["limit_page_length"])
        return JSONResponse({"data": [{f: doc[f] for f in fields} for doc in rows[:limit]]})

    async def read_document(self, request: Request) -> Response:
        if (refusal := await self.misbehaving(request)) is not None:
            return refusal
        doctype, name = request.path_params["doctype"], request.path_params["name"]
        doc = self.docs[doctype].get(name)
        if doc is None or name in self.vanished:
            message = f"{doctype} {name} not found"
            return JSONResponse({"exc_type": "DoesNotExistError", "exception": message}, 404)
        return JSONResponse({"data": doc})


@pytest.fixture
async def frappe() -> AsyncIterator[tuple[FakeFrappe, str]]:
    fake = FakeFrappe()
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen()  # connections queue here until uvicorn accepts: no start-up race
    port = listener.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(fake.app, log_level="error", lifespan="off"))
    task = asyncio.create_task(server.serve(sockets=[listener]))
    try:
        yield fake, f"http://127.0.0.1:{port}"
    finally:
        fake.release.set()
        server.should_exit = True
        await task
        listener.close()


def config(base_url: str, **options: Any) -> ErpNextConfig:
    return ErpNextConfig(
        base_url=base_url, api_key=KEY, api_secret=SECRET, timezone="Europe/Berlin", **options
    )


def names(page: Page) -> list[str]:
    return [json.loads(p)["data"]["name"] for p in page.payloads]


async def test_pages_through_changes_with_a_tie_breaking_cursor(
    frappe: tuple[FakeFrappe, str],
) -> None:
    fake, url = frappe
    fake.add(SO, sales_order("SO-A", "2026-11-20 10:00:00.000000"))
    for name in ("SO-D", "SO-B", "SO-C"):  # three changes in the same microsecond
        fake.add(SO, sales_order(name, "2026-11-20 11:00:00.000000"))
    fake.add(SO, sales_order("SO-E", "2026-11-20 12:00:00.000000"))
    fake.add(SO, sales_order("SO-DRAFT", "2026-11-20 12:30:00.000000", docstatus=0))
    fake.add(DN, delivery_note("DN-1", "2026-11-20 11:30:00.000000"))
    instance = config(url, page_size=2)
    async with httpx.AsyncClient() as http:
        client = CONNECTOR.client(instance, http)
        pages, cursor = [], None
        for _ in range(5):
            page = await client.fetch(cursor)
            pages.append(page)
            cursor = page.cursor
            if not page.more:
                break
        assert [names(p) for p in pages] == [["SO-A", "SO-B", "DN-1"], ["SO-C", "SO-D"], ["SO-E"]]
        assert [p.more for p in pages] == [True, True, False]
        assert parse_cursor(cursor) == {
            SO: ("2026-11-20 12:00:00.000000", "SO-E"),
            DN: ("2026-11-20 11:30:00.000000", "DN-1"),
        }
        idle = await client.fetch(cursor)
        assert idle.payloads == [] and idle.cursor == cursor and not idle.more

        fake.add(SO, sales_order("SO-B", "2026-11-21 08:00:00.000000"))  # changed again
        again = await client.fetch(cursor)
        assert names(again) == ["SO-B"]

    list_call = next(query for path, query in fake.calls if path == "/api/resource/Sales Order")
    assert json.loads(list_call["fields"]) == ["name", "modified"]
    assert ["docstatus", "!=", 0] in json.loads(list_call["filters"])
    mapper = CONNECTOR.bind(instance)
    for page in pages:
        for body in page.payloads:
            for event in mapper.translate(body, content_type=page.content_type).events:
                assert isinstance(to_draft(event, source="erp"), EventDraft)


async def test_a_document_deleted_after_listing_is_skipped(frappe: tuple[FakeFrappe, str]) -> None:
    fake, url = frappe
    fake.add(SO, sales_order("SO-GONE", "2026-11-20 10:00:00.000000"))
    fake.add(SO, sales_order("SO/2026/7", "2026-11-20 10:00:01.000000"))  # a name with slashes
    fake.vanished.add("SO-GONE")
    async with httpx.AsyncClient() as http:
        page = await CONNECTOR.client(config(url), http).fetch(None)
    assert names(page) == ["SO/2026/7"]
    assert parse_cursor(page.cursor)[SO] == ("2026-11-20 10:00:01.000000", "SO/2026/7")


async def test_a_slow_source_times_out(frappe: tuple[FakeFrappe, str]) -> None:
    fake, url = frappe
    fake.mode = "slow"
    async with httpx.AsyncClient() as http:
        with pytest.raises(SourceUnavailable, match=r"timed out after 0\.2 s"):
            await CONNECTOR.client(config(url, timeout=0.2), http).fetch(None)


@pytest.mark.parametrize(
    ("mode", "message"),
    [("error", "HTTP 500 listing Sales Order"), ("html", "not a Frappe list")],
)
async def test_server_errors_make_the_source_unavailable(
    frappe: tuple[FakeFrappe, str], mode: str, message: str
) -> None:
    fake, url = frappe
    fake.mode = mode
    async with httpx.AsyncClient() as http:
        with pytest.raises(SourceUnavailable, match=message):
            await CONNECTOR.client(config(url), http).fetch(None)


async def test_an_error_while_reading_a_document_fails_the_page(
    frappe: tuple[FakeFrappe, str],
) -> None:
    fake, url = frappe
    fake.add(SO, sales_order("SO-A", "2026-11-20 10:00:00.000000"))
    async with httpx.AsyncClient() as http:
        client = CONNECTOR.client(config(url), http)
        original = fake.read_document

        async def failing(request: Request) -> Response:
            fake.mode = "error"
            return await original(request)

        fake.app.router.routes[1] = Route("/api/resource/{doctype}/{name:path}", failing)
        with pytest.raises(SourceUnavailable, match="HTTP 500 reading a Sales Order"):
            await client.fetch(None)


@pytest.mark.parametrize(
    ("mode", "seconds"), [("rate-limited", 7.0), ("rate-limited-reset-only", 12.0)]
)
async def test_rate_limits_carry_retry_after(
    frappe: tuple[FakeFrappe, str], mode: str, seconds: float
) -> None:
    fake, url = frappe
    fake.mode = mode
    async with httpx.AsyncClient() as http:
        with pytest.raises(RateLimited) as limited:
            await CONNECTOR.client(config(url), http).fetch(None)
    assert limited.value.retry_after == seconds


async def test_refused_credentials_are_named_and_the_secret_is_not(
    frappe: tuple[FakeFrappe, str],
) -> None:
    _, url = frappe
    wrong = ErpNextConfig(base_url=url, api_key=KEY, api_secret="not-the-secret-Q1")
    async with httpx.AsyncClient() as http:
        with pytest.raises(SourceUnavailable, match="credentials were refused") as refused:
            await CONNECTOR.client(wrong, http).fetch(None)
    assert "not-the-secret-Q1" not in str(refused.value) and KEY not in str(refused.value)


async def test_a_closed_port_is_a_connection_failure() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with httpx.AsyncClient() as http:
        with pytest.raises(SourceUnavailable, match="connection failed"):
            await CONNECTOR.client(config(f"http://127.0.0.1:{port}"), http).fetch(None)


async def test_a_foreign_cursor_is_refused_and_options_are_required() -> None:
    async with httpx.AsyncClient() as http:
        client = CONNECTOR.client(config("http://127.0.0.1:9"), http)
        for cursor in ("not json", "[1]", '{"Sales Order": "2026-11-20"}'):
            with pytest.raises(SourceUnavailable, match="cursor"):
                await client.fetch(cursor)
        with pytest.raises(ValueError, match="api_key, api_secret"):
            CONNECTOR.client(ErpNextConfig(base_url="http://127.0.0.1:9"), http)
