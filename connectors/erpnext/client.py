"""Pulling changed Sales Orders and Delivery Notes from the Frappe REST API (the only I/O).

For each doctype: list what changed since the cursor, oldest first,

    GET /api/resource/<doctype>?fields=["name","modified"]
        &filters=[["docstatus","!=",0],["modified",">=",M]]
        &or_filters=[["modified",">",M],["name",">",N]]
        &order_by=modified asc, name asc&limit_page_length=<page_size>

(`filters` are ANDed, `or_filters` ORed, so this is "after (M, N)" in (modified, name) order:
equal timestamps are neither skipped nor repeated), then fetch each document whole with
`GET /api/resource/<doctype>/<name>`, because list views carry no child tables (items). Each
document's raw answer `{"data": {...}}` is one payload. Drafts are filtered out at the source.

The cursor is JSON: {"Sales Order": [modified, name], "Delivery Note": [modified, name]}, the
last row listed per doctype (as Frappe wrote it: comparing Frappe's own strings is exact).
Authentication: `Authorization: token <api_key>:<api_secret>`. Errors map to the SDK's:
429 -> RateLimited(Retry-After or X-RateLimit-Reset), 401/403 -> SourceUnavailable saying the
credentials were refused, 5xx/timeouts/connection errors -> SourceUnavailable. A document
deleted between list and fetch (404) is skipped. Messages never carry the secret or a body.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import httpx

from connectors.erpnext.codes import DELIVERY_NOTE, SALES_ORDER
from connectors.erpnext.config import ErpNextConfig
from connectors.sdk import Page, RateLimited, SourceUnavailable

DOCTYPES = (SALES_ORDER, DELIVERY_NOTE)  # orders first, so a note's order is usually known
Position = tuple[str, str]  # (modified, name)


def parse_cursor(cursor: str | None) -> dict[str, Position]:
    if not cursor:
        return {}
    try:
        raw = json.loads(cursor)
    except json.JSONDecodeError:
        raise ValueError("not an ERPNext cursor (expected JSON)") from None
    if not isinstance(raw, dict):
        raise ValueError("not an ERPNext cursor (expected an object)")
    positions: dict[str, Position] = {}
    for doctype in DOCTYPES:
        value = raw.get(doctype)
        if value is None:
            continue
        if not (
            isinstance(value, list) and len(value) == 2 and all(isinstance(v, str) for v in value)
        ):
            raise ValueError(f"not an ERPNext cursor ({doctype} is not [modified, name])")
        positions[doctype] = (value[0], value[1])
    return positions


def format_cursor(positions: dict[str, Position]) -> str:
    return json.dumps({d: list(positions[d]) for d in DOCTYPES if d in positions})


def list_params(position: Position | None, page_size: int) -> dict[str, str]:
    filters: list[list[Any]] = [["docstatus", "!=", 0]]
    params = {
        "fields": json.dumps(["name", "modified"]),
        "order_by": "modified asc, name asc",
        "limit_page_length": str(page_size),
    }
    if position is not None:
        modified, name = position
        filters.append(["modified", ">=", modified])
        params["or_filters"] = json.dumps([["modified", ">", modified], ["name", ">", name]])
    params["filters"] = json.dumps(filters)
    return params


class ErpNextClient:
    def __init__(self, config: ErpNextConfig, http: httpx.AsyncClient) -> None:
        missing = [
            option
            for option, value in (
                ("base_url", config.base_url),
                ("api_key", config.api_key),
                ("api_secret", config.api_secret),
            )
            if not value
        ]
        if missing:
            raise ValueError(f"erpnext: pulling needs {', '.join(missing)}")
        assert config.base_url is not None and config.api_secret is not None
        self._base = config.base_url
        self._headers = {
            "Authorization": f"token {config.api_key}:{config.api_secret.get_secret_value()}",
            "Accept": "application/json",
        }
        self._page_size = config.page_size
        self._timeout = config.timeout
        self._http = http

    def __repr__(self) -> str:
        return f"ErpNextClient({self._base!r})"

    async def fetch(self, cursor: str | None) -> Page:
        try:
            positions = parse_cursor(cursor)
        except ValueError as exc:
            raise SourceUnavailable(f"stored cursor unusable: {exc}") from None
        payloads: list[bytes] = []
        more = False
        for doctype in DOCTYPES:
            rows = await self._list(doctype, positions.get(doctype))
            for name, modified in rows:
                document = await self._document(doctype, name)
                if document is not None:
                    payloads.append(document)
                positions[doctype] = (modified, name)
            more = more or len(rows) >= self._page_size
        return Page(
            payloads=payloads, cursor=format_cursor(positions) if positions else None, more=more
        )

    async def _list(self, doctype: str, position: Position | None) -> list[tuple[str, str]]:
        response = await self._get(
            f"/api/resource/{quote(doctype)}", list_params(position, self._page_size)
        )
        if response.status_code == 404:
            raise SourceUnavailable(f"HTTP 404 listing {doctype}: check base_url")
        self._raise_for(response, f"listing {doctype}")
        try:
            rows = response.json()["data"]
            return [(str(r["name"]), str(r["modified"])) for r in rows]
        except (ValueError, KeyError, TypeError):
            raise SourceUnavailable(
                f'listing {doctype}: the answer is not a Frappe list ({{"data": [...]}})'
            ) from None

    async def _document(self, doctype: str, name: str) -> bytes | None:
        response = await self._get(f"/api/resource/{quote(doctype)}/{quote(name, safe='')}")
        if response.status_code == 404:
            return None  # deleted since it was listed
        self._raise_for(response, f"reading a {doctype}")
        return response.content

    async def _get(self, path: str, params: dict[str, str] | None = None) -> httpx.Response:
        try:
            return await self._http.get(
                self._base + path, params=params, headers=self._headers, timeout=self._timeout
            )
        except httpx.TimeoutException:
            raise SourceUnavailable(f"timed out after {self._timeout:g} s") from None
        except httpx.TransportError as exc:
            raise SourceUnavailable(f"connection failed ({type(exc).__name__})") from None

    @staticmethod
    def _raise_for(response: httpx.Response, what: str) -> None:
        status = response.status_code
        if status == 429:
            raise RateLimited(_retry_after(response))
        if status in (401, 403):
            raise SourceUnavailable(
                f"HTTP {status} {what}: credentials were refused (check api_key/api_secret "
                "and the API user's read permission)"
            )
        if status >= 300:  # a redirect too: base_url should point at the site itself
            raise SourceUnavailable(f"HTTP {status} {what}")


def _retry_after(response: httpx.Response) -> float | None:
    for header in ("Retry-After", "X-RateLimit-Reset"):
        value = response.headers.get(header)
        if value is None:
            continue
        try:
            seconds = float(value)
        except ValueError:
            continue  # an HTTP date: let the runner back off on its own
        if seconds >= 0:
            return seconds
    return None
