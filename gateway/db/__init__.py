"""Storage: engines, the schema and its migrations, the tables, and the column types."""

from gateway.db.columns import (
    FORMAT_BYTE,
    HEADER_SIZE,
    NONCE_SIZE,
    OVERHEAD,
    TAG_SIZE,
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
    "FORMAT_BYTE",
    "HEADER_SIZE",
    "NONCE_SIZE",
    "TAG_SIZE",
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
