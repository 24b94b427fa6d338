"""Storage: engines, the schema and its migrations, the tables, and the column types."""

from gateway.db.columns import (
    OVERHEAD,
    PlaintextRefused,
    Sealed,
    SealedBytes,
    Timestamp,
    UtcDateTime,
    metadata,
)
from gateway.db.engine import WRITER_OPTIONS, Writer, create_engine, is_sqlite
from gateway.db.schema import (
    MIGRATIONS,
    SchemaOutOfDate,
    alembic_config,
    check_schema,
    migrate,
    migrate_sync,
)

__all__ = [
    "MIGRATIONS",
    "OVERHEAD",
    "WRITER_OPTIONS",
    "PlaintextRefused",
    "SchemaOutOfDate",
    "Sealed",
    "SealedBytes",
    "Timestamp",
    "UtcDateTime",
    "Writer",
    "alembic_config",
    "check_schema",
    "create_engine",
    "is_sqlite",
    "metadata",
    "migrate",
    "migrate_sync",
]
