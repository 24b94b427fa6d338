"""A request id on every response and every log line written while handling the request.

The id is the caller's `X-Request-ID` when it is short and plain (so a proxy's id carries
through), else the trace id of a W3C `traceparent`, else a new random one. It is answered in
`X-Request-ID` on every HTTP response (401, 404, 413 and 500 included) and on a websocket's
accept, and held in a context variable for as long as the request or connection runs (tasks
started meanwhile, such as a subscription's, inherit it).

Log records get it through the record factory rather than a filter: a filter on a logger does
not see records propagated from its children, and one on a handler misses the handlers that
others add (uvicorn's, pytest's), while the factory makes every record carry `request_id`.
"""

from __future__ import annotations

import logging
import re
import uuid
from contextvars import ContextVar
from typing import Any

from starlette.datastructures import Headers, MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

HEADER = "x-request-id"
MAX_LENGTH = 128
NO_REQUEST = "-"  # what log lines outside any request show
_SAFE = re.compile(rf"[A-Za-z0-9._:@+=/-]{{1,{MAX_LENGTH}}}")
_TRACEPARENT = re.compile(r"[0-9a-f]{2}-([0-9a-f]{32})-[0-9a-f]{16}-[0-9a-f]{2}")

current_request_id: ContextVar[str] = ContextVar("orderlens_request_id", default=NO_REQUEST)
log = logging.getLogger(__name__)


def choose_request_id(headers: Headers) -> str:
    given = headers.get(HEADER, "").strip()
    if _SAFE.fullmatch(given):
        return given
    trace = _TRACEPARENT.fullmatch(headers.get("traceparent", "").strip().lower())
    if trace is not None and trace.group(1) != "0" * 32:
        return trace.group(1)
    return uuid.uuid4().hex


class RequestIdMiddleware:
    """Pure ASGI, outermost: outside Starlette's error middleware, so its 500 carries the id."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        install_log_record_factory()

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in {"http", "websocket"}:
            await self.app(scope, receive, send)
            return
        request_id = choose_request_id(Headers(scope=scope))
        token = current_request_id.set(request_id)
        started = False

        async def send_with_id(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                MutableHeaders(scope=message)[HEADER] = request_id
            elif message["type"] == "websocket.accept":
                headers = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() != b"x-request-id"
                ]
                message = {**message, "headers": [*headers, (HEADER.encode(), request_id.encode())]}
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        except Exception:
            if not started:
                raise
            # Starlette already answered 500; log it here, with the id, instead of the server
            # logging it again without one.
            log.exception("unhandled error in %s %s", scope.get("method", "WS"), _route(scope))
        finally:
            current_request_id.reset(token)


def _route(scope: Scope) -> str:
    # The route template, never the raw path (it may hold an order number).
    return getattr(scope.get("route"), "path", None) or "(no route)"


_installed = False


def install_log_record_factory() -> None:
    """Make every log record carry `request_id` (once per process)."""
    global _installed
    if _installed:
        return
    previous = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        record = previous(*args, **kwargs)
        record.request_id = current_request_id.get()
        return record

    logging.setLogRecordFactory(factory)
    _installed = True
