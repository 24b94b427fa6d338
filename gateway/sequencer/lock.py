"""One writer at a time, even when several replicas share the database."""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncConnection

# Any constant works; it only has to be the same for every replica writing the log.
POSTGRES_LOG_LOCK = 0x6F72646572


async def take_log_lock(conn: AsyncConnection) -> None:
    """Held until the transaction ends. SQLite has one writer per file anyway."""
    if conn.dialect.name == "postgresql":
        await conn.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": POSTGRES_LOG_LOCK})
