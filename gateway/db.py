"""Engine construction and schema migration for SQLite (default) and PostgreSQL, and the one
MetaData and timestamp column type every table module (gateway, privacy) declares against."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, nullcontext
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, DateTime, MetaData, event
from sqlalchemy.engine import Dialect, make_url
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.types import TypeDecorator

MIGRATIONS = Path(__file__).parent / "migrations"

# One MetaData so Alembic sees the whole schema.
metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "pk": "pk_%(table_name)s",
    }
)


class UtcDateTime(TypeDecorator[datetime]):
    """Aware UTC datetimes on every backend (SQLite would otherwise hand back naive ones)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime refused: timestamps must be timezone-aware")
        return value.astimezone(UTC)

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        assert isinstance(value, datetime)
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


Timestamp = UtcDateTime


class SchemaOutOfDate(RuntimeError):
    """The database is not at the schema this code expects; `orderlens migrate` fixes it."""


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


def alembic_config(connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if connection is not None:
        config.attributes["connection"] = connection
    return config


async def migrate(engine: AsyncEngine, revision: str = "head") -> None:
    """Upgrade the schema to `revision` (idempotent)."""
    async with engine.begin() as connection:
        await connection.run_sync(lambda sync: command.upgrade(alembic_config(sync), revision))


async def check_schema(engine: AsyncEngine) -> None:
    """Fail fast with a clear message when the database needs `orderlens migrate`."""
    head = ScriptDirectory.from_config(alembic_config()).get_current_head()

    def current(sync: Connection) -> str | None:
        return MigrationContext.configure(sync).get_current_revision()

    async with engine.connect() as connection:
        revision = await connection.run_sync(current)
    if revision != head:
        raise SchemaOutOfDate(
            f"database schema is at {revision or 'nothing'}, this orderlens needs {head}: "
            "run `orderlens migrate` (or set ORDERLENS_AUTO_MIGRATE=true)"
        )


def migrate_sync(url: str) -> None:
    async def run() -> None:
        engine = create_engine(url)
        try:
            await migrate(engine)
        finally:
            await engine.dispose()

    asyncio.run(run())
