"""Engine construction for SQLite (default) and PostgreSQL, and the writer that opens write
transactions."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from typing import Any

from sqlalchemy import Connection, event
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine


def is_sqlite(url: str) -> bool:
    return make_url(url).get_backend_name() == "sqlite"


def create_engine(url: str, **kwargs: Any) -> AsyncEngine:
    # hide_parameters: a failed statement's exception must never carry bound values.
    engine = create_async_engine(url, hide_parameters=True, **kwargs)
    if is_sqlite(url):
        _configure_sqlite(engine)
    return engine


def _configure_sqlite(engine: AsyncEngine) -> None:
    @event.listens_for(engine.sync_engine, "connect")
    def on_connect(dbapi_connection: Any, _record: Any) -> None:
        # Let SQLAlchemy, not the driver, decide where transactions begin (see the
        # SQLAlchemy aiosqlite notes), and make concurrent writers wait rather than fail.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=10000")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        # Erasure must not leave deleted key material in free pages of the file.
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.close()

    @event.listens_for(engine.sync_engine, "begin")
    def on_begin(connection: Connection) -> None:
        # A transaction that reads before it writes asks for BEGIN IMMEDIATE (see
        # `writer`): a deferred one could not upgrade its snapshot after another write.
        mode = connection.get_execution_options().get("sqlite_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


WRITER_OPTIONS = {"sqlite_begin": "IMMEDIATE"}


class Writer:
    """Opens write transactions. On SQLite, writers of this process queue on an asyncio lock
    instead of in SQLite's busy handler, whose sleeps collapse throughput under contention."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self._lock = asyncio.Lock() if engine.dialect.name == "sqlite" else None

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncConnection]:
        async with self._lock if self._lock is not None else nullcontext():
            async with self.engine.connect() as plain:
                conn = await plain.execution_options(**WRITER_OPTIONS)
                async with conn.begin():
                    yield conn
