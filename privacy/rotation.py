"""Master-key rotation: a new KEK version becomes primary, then every wrapped key is re-wrapped
in small batches. Sealed values are untouched (they are under data keys), and reads keep
working throughout because old versions stay usable until retired.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

from privacy.keys import MasterKeyring, rewrap, wrapped_version
from privacy.tables import key_roots, subject_keys

BATCH = 500
Progress = Callable[[int, int], None]


@dataclass(frozen=True, slots=True)
class RewrapReport:
    primary: int
    rewrapped: int
    total: int


class VersionInUse(RuntimeError):
    pass


async def rewrap_all(
    engine: AsyncEngine, keyring: MasterKeyring, *, progress: Progress | None = None
) -> RewrapReport:
    """Re-wrap every data key and system key under the primary version, batch by batch."""
    primary = keyring.primary_version
    async with engine.connect() as conn:
        total = int(
            await conn.scalar(
                select(func.count())
                .select_from(subject_keys)
                .where(subject_keys.c.kek_version != primary)
            )
            or 0
        )
    done = 0
    while True:
        async with engine.begin() as conn:
            rows = (
                await conn.execute(
                    select(subject_keys.c.subject_id, subject_keys.c.wrapped)
                    .where(subject_keys.c.kek_version != primary)
                    .limit(BATCH)
                )
            ).all()
            for row in rows:
                aad = b"dek|" + uuid.UUID(row.subject_id).bytes
                blob = rewrap(keyring, row.wrapped, aad)
                await conn.execute(
                    update(subject_keys)
                    .where(subject_keys.c.subject_id == row.subject_id)
                    .values(wrapped=blob, kek_version=wrapped_version(blob))
                )
        done += len(rows)
        if progress:
            progress(done, total)
        if len(rows) < BATCH:
            break
    async with engine.begin() as conn:
        await _rewrap_system_keys(conn, keyring, primary)
    return RewrapReport(primary, done, total)


async def _rewrap_system_keys(conn: AsyncConnection, keyring: MasterKeyring, primary: int) -> None:
    rows = (await conn.execute(select(key_roots).where(key_roots.c.kek_version != primary))).all()
    for row in rows:
        blob = rewrap(keyring, row.wrapped, f"system-key|{row.name}".encode())
        await conn.execute(
            update(key_roots)
            .where(key_roots.c.name == row.name)
            .values(wrapped=blob, kek_version=wrapped_version(blob))
        )


async def versions_in_use(engine: AsyncEngine) -> dict[int, int]:
    """KEK version -> number of wrapped keys still under it."""
    async with engine.connect() as conn:
        counts: dict[int, int] = {}
        for table in (subject_keys, key_roots):
            rows = await conn.execute(
                select(table.c.kek_version, func.count()).group_by(table.c.kek_version)
            )
            for version, count in rows:
                counts[version] = counts.get(version, 0) + count
    return counts


async def ensure_unused(engine: AsyncEngine, version: int) -> None:
    """Refuse to retire a version that still wraps a key: that would destroy data."""
    in_use = (await versions_in_use(engine)).get(version, 0)
    if in_use:
        raise VersionInUse(
            f"master key version {version} still wraps {in_use} keys: "
            "run `orderlens keys rotate` (it re-wraps) before retiring it"
        )
