"""Bounds on what a request may send before any of it is parsed.

A GraphQL body is read here, at most `limit` bytes, and refused with 413 beyond that (on the
declared Content-Length at once, on a streamed body as soon as it passes the limit), and with
400 when its JSON nests deeper than the parser can finish: json recursion ended in a 500.
The body read is then handed on unchanged.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from starlette.responses import JSONResponse

from connectors.sdk.safe_json import MAX_DEPTH, nesting_depth

Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]


class BodyTooLarge(Exception):
    pass


async def read_bounded(receive: Receive, limit: int) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


def replaying(body: bytes) -> Receive:
    sent = False

    async def receive() -> Message:
        nonlocal sent
        if sent:
            return {"type": "http.disconnect"}
        sent = True
        return {"type": "http.request", "body": body, "more_body": False}

    return receive


def declared_length(scope: Message) -> int | None:
    for name, value in scope.get("headers", ()):
        if name == b"content-length":
            try:
                return int(value)
            except ValueError:
                return None
    return None


async def bounded_graphql_body(
    scope: Message, receive: Receive, limit: int
) -> tuple[Receive | None, JSONResponse | None]:
    """(a receive that replays the body, None) or (None, the refusal to send)."""
    too_large = JSONResponse(
        {"errors": [{"message": f"request body exceeds {limit} bytes"}]}, status_code=413
    )
    declared = declared_length(scope)
    if declared is not None and declared > limit:
        return None, too_large
    try:
        body = await read_bounded(receive, limit)
    except BodyTooLarge:
        return None, too_large
    if nesting_depth(body) > MAX_DEPTH:
        message = f"request body nests deeper than {MAX_DEPTH} levels"
        return None, JSONResponse({"errors": [{"message": message}]}, status_code=400)
    return replaying(body), None


def method_or_media_refusal(scope: Message) -> JSONResponse | None:
    """405 for an operation sent with GET (only POST carries operations here, so a mutation
    can never ride a link or an <img>), 415 for a POST body that is not JSON."""
    headers = dict(scope.get("headers", ()))
    # A browser asking for the page (GraphiQL keeps the query in its URL) is the IDE's to answer.
    page = b"text/html" in headers.get(b"accept", b"")
    if scope["method"] == "GET" and b"query=" in scope.get("query_string", b"") and not page:
        return JSONResponse(
            {"errors": [{"message": "GraphQL operations are sent with POST"}]},
            status_code=405,
            headers={"allow": "POST"},
        )
    if scope["method"] == "POST":
        declared = headers.get(b"content-type", b"")
        media = declared.split(b";", 1)[0].strip().lower()
        if media != b"application/json":
            return JSONResponse(
                {"errors": [{"message": "send the operation as application/json"}]},
                status_code=415,
            )
    return None
