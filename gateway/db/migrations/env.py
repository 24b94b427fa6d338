"""Alembic environment: always run with a connection handed in by gateway.db.migrate."""

from __future__ import annotations

from alembic import context

import gateway.db.tables  # noqa: F401  (registers the gateway's tables on the shared metadata)
import privacy.tables  # noqa: F401  (registers the sealed tables on the shared metadata)
from gateway.db import metadata

connection = context.config.attributes.get("connection")
if connection is None:  # pragma: no cover - guarded by gateway.db
    raise RuntimeError("run migrations through `orderlens migrate`, not the alembic CLI")

context.configure(
    connection=connection,
    target_metadata=metadata,
    render_as_batch=connection.dialect.name == "sqlite",
)
with context.begin_transaction():
    context.run_migrations()
