"""`orderlens serve` in-process: keep the app it builds instead of binding a port and serving."""

from __future__ import annotations

import socket
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette


def keep_served_apps(monkeypatch: pytest.MonkeyPatch) -> list[Starlette]:
    apps: list[Starlette] = []

    def bind(host: str, port: int) -> socket.socket:
        return socket.socket()  # never bound: the server below does not run

    def run(self: uvicorn.Server, sockets: Any = None) -> None:
        app = self.config.app
        assert isinstance(app, Starlette)
        apps.append(app)
        for sock in sockets or []:
            sock.close()

    monkeypatch.setattr("gateway.listen.bind", bind)
    monkeypatch.setattr(uvicorn.Server, "run", run)
    return apps
