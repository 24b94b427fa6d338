"""A real websocket client (the `websockets` library) speaking graphql-transport-ws."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from websockets.asyncio.client import ClientConnection, connect
from websockets.typing import Subprotocol

PROTOCOL = Subprotocol("graphql-transport-ws")
FRAME_TIMEOUT = 10.0  # seconds to wait for one frame


class Subscription:
    def __init__(self, ws: ClientConnection, id: str) -> None:
        self.ws = ws
        self.id = id

    async def next(self) -> dict[str, Any]:
        """The payload of the next `next` frame of this subscription (pings are answered)."""
        async with asyncio.timeout(FRAME_TIMEOUT):
            while True:
                message = json.loads(await self.ws.recv())
                if message["type"] == "ping":
                    await self.ws.send(json.dumps({"type": "pong"}))
                    continue
                assert message.get("id") == self.id, message
                assert message["type"] == "next", message
                payload: dict[str, Any] = message["payload"]
                return payload


@asynccontextmanager
async def subscribe(
    url: str, query: str, variables: dict[str, Any] | None = None, token: str | None = None
) -> AsyncIterator[Subscription]:
    """Connect, authenticate in connection_init, subscribe; yields once the server acked."""
    async with connect(url, subprotocols=[PROTOCOL], open_timeout=FRAME_TIMEOUT) as ws:
        assert ws.subprotocol == PROTOCOL
        payload = {"authorization": f"Bearer {token}"} if token else {}
        await ws.send(json.dumps({"type": "connection_init", "payload": payload}))
        async with asyncio.timeout(FRAME_TIMEOUT):
            assert json.loads(await ws.recv()) == {"type": "connection_ack"}
        message = {"query": query, "variables": variables or {}}
        await ws.send(json.dumps({"id": "1", "type": "subscribe", "payload": message}))
        yield Subscription(ws, "1")
