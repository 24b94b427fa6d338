"""A UPS in miniature for the demo: the OAuth client-credentials token endpoint and the Track
API v1 (`GET /api/track/v1/details/{number}`), on a free local port, answering from the
simulator's records (`native/ups.py`). The gateway's own UPS connector polls it, exactly as it
would poll onlinetools.ups.com.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import secrets
from typing import Final
from urllib.parse import parse_qs, unquote, urlsplit

from gateway.demo.native.ups import UpsTracking

TOKEN_PATH: Final = "/security/v1/oauth/token"  # noqa: S105 (a URL path)
TRACK_PREFIX: Final = "/api/track/v1/details/"
MAX_BODY: Final = 64 * 1024


def _error(code: str, message: str) -> bytes:
    return json.dumps({"response": {"errors": [{"code": code, "message": message}]}}).encode()


class FakeUps:
    def __init__(self, tracking: UpsTracking, client_id: str, client_secret: str) -> None:
        self.tracking = tracking
        self._basic = base64.b64encode(f"{client_id}:{client_secret}".encode()).decode()
        self._tokens: set[str] = set()
        self._server: asyncio.Server | None = None
        self.port = 0

    @property
    def base_url(self) -> str:
        """The API base, as a UPS instance's `base_url` option (the token URL is beside it)."""
        return f"http://127.0.0.1:{self.port}/api"

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._handle, "127.0.0.1", 0)
        self.port = self._server.sockets[0].getsockname()[1]

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None

    async def _handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        try:
            request_line = (await reader.readline()).decode("latin-1").strip()
            method, target, _ = request_line.split(" ", 2)
            headers: dict[str, str] = {}
            while (line := (await reader.readline()).decode("latin-1").strip()) != "":
                name, _, value = line.partition(":")
                headers[name.strip().lower()] = value.strip()
            length = min(int(headers.get("content-length", "0") or 0), MAX_BODY)
            body = await reader.readexactly(length)
            status, answer = self._route(method, target, headers, body)
            head = [f"HTTP/1.1 {status} {'OK' if status == 200 else 'Error'}"]
            head += [f"Content-Length: {len(answer)}", "Content-Type: application/json"]
            head += ["Connection: close"]
            writer.write(("\r\n".join(head) + "\r\n\r\n").encode() + answer)
            await writer.drain()
        except (ConnectionError, ValueError, asyncio.IncompleteReadError):
            pass  # a client that hung up or spoke nonsense: nothing to answer
        finally:
            writer.close()
            with contextlib.suppress(ConnectionError):
                await writer.wait_closed()

    def _route(
        self, method: str, target: str, headers: dict[str, str], body: bytes
    ) -> tuple[int, bytes]:
        path = unquote(urlsplit(target).path)
        if method == "POST" and path == TOKEN_PATH:
            return self._token(headers, body)
        if method == "GET" and path.startswith(TRACK_PREFIX):
            token = headers.get("authorization", "").removeprefix("Bearer ")
            if token not in self._tokens:
                return 401, _error("250002", "Invalid Authentication Information.")
            self.tracking.track_requests += 1
            answer = self.tracking.response(path[len(TRACK_PREFIX) :])
            if answer is None:  # no scan yet: UPS does not know the number
                return 404, _error("TW0001", "Tracking Information Not Found")
            return 200, answer
        return 404, _error("404", "Not Found")

    def _token(self, headers: dict[str, str], body: bytes) -> tuple[int, bytes]:
        if not secrets.compare_digest(headers.get("authorization", ""), f"Basic {self._basic}"):
            return 401, _error("10401", "ClientId is Invalid")
        if parse_qs(body.decode()).get("grant_type") != ["client_credentials"]:
            return 400, _error("10400", "Invalid grant_type")
        token = secrets.token_urlsafe(24)
        self._tokens.add(token)
        answer = {"token_type": "Bearer", "access_token": token, "expires_in": "14399"}
        return 200, json.dumps(answer | {"status": "approved"}).encode()
