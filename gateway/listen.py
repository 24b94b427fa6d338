"""The listening socket, bound before anything else starts, so a busy port is one clear line
instead of uvicorn's traceback after the whole gateway (and the demo's systems) started."""

from __future__ import annotations

import errno
import socket


class CannotListen(Exception):
    """The address cannot be bound; the message says why and what to do, in one line."""


def bind(host: str, port: int, *, hint: str = "choose another with --port") -> socket.socket:
    """A TCP socket bound to (host, port), set up as uvicorn would bind it itself."""
    try:
        family, kind, proto, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
    except socket.gaierror as exc:
        raise CannotListen(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    sock = socket.socket(family, kind, proto)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind(address)
    except OSError as exc:
        sock.close()
        if exc.errno == errno.EADDRINUSE:
            raise CannotListen(f"port {port} on {host} is already in use; {hint}") from None
        raise CannotListen(f"cannot listen on {host}:{port}: {exc.strerror}") from None
    return sock
