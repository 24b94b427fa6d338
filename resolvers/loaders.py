"""Per-request DataLoaders: every list a query touches is fetched in one statement.

Built fresh for each request (never module-level), so nothing leaks between viewers.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from strawberry.dataloader import DataLoader

from gateway.ledger import (
    StoredCheckpoint,
    build_receipt,
    latest_checkpoint,
    verified_inclusion_proofs,
)
from gateway.timeline import (
    Jobs,
    LoggedEvent,
    OrderView,
    Page,
    PageKey,
    read_jobs,
    read_orders,
    read_pages,
    read_sync_times,
)
from privacy import OrderPii
from resolvers.ports import Services

MAX_PAGE = 500


def encode_cursor(event: LoggedEvent) -> str:
    raw = f"{event.occurred_at.isoformat()}|{event.seq}".encode()
    return base64.urlsafe_b64encode(raw).decode()


def decode_cursor(cursor: str) -> tuple[datetime, int]:
    try:
        moment, _, seq = base64.urlsafe_b64decode(cursor.encode()).decode().partition("|")
        return datetime.fromisoformat(moment), int(seq)
    except (ValueError, UnicodeDecodeError):
        raise ValueError("`after` is not a cursor returned by this API") from None


class Loaders:
    def __init__(self, runtime: Services) -> None:
        self.runtime = runtime
        self.orders = DataLoader(self._load_orders)
        self.pages = DataLoader(self._load_pages)
        self.receipts = DataLoader(self._load_receipts, cache_key_fn=lambda e: e.leaf_index)
        # Personal data in clear: per request only, never in a shared cache.
        self.pii = DataLoader(self._load_pii)
        self.jobs = DataLoader(self._load_jobs)
        self._checkpoint: StoredCheckpoint | None = None
        self._synced: dict[str, datetime] | None = None

    async def sync_times(self) -> dict[str, datetime]:
        """Every source's last sync, read once per request (a handful of rows)."""
        if self._synced is None:
            async with self.runtime.engine.connect() as conn:
                self._synced = await read_sync_times(conn)
        return self._synced

    async def _load_orders(self, numbers: Sequence[str]) -> list[OrderView | None]:
        async with self.runtime.engine.connect() as conn:
            found = await read_orders(conn, numbers)
        return [found.get(number) for number in numbers]

    async def _load_pages(self, keys: Sequence[PageKey]) -> list[Page]:
        async with self.runtime.engine.connect() as conn:
            return await read_pages(conn, keys)

    async def _load_pii(self, numbers: Sequence[str]) -> list[OrderPii | None]:
        async with self.runtime.engine.connect() as conn:
            found = await self.runtime.vault.order_pii(conn, numbers)
        return [found.get(number) for number in numbers]

    async def _load_jobs(self, numbers: Sequence[str]) -> list[Jobs]:
        async with self.runtime.engine.connect() as conn:
            return await read_jobs(conn, numbers)

    async def _load_receipts(self, events_: Sequence[LoggedEvent]) -> list[dict[str, Any]]:
        async with self.runtime.engine.connect() as conn:
            checkpoint = self._checkpoint or await latest_checkpoint(conn)
            if checkpoint is None:
                raise RuntimeError("the log has no checkpoint yet")
            # One checkpoint per request, so every receipt in an answer proves against it.
            self._checkpoint = checkpoint
            proofs = await verified_inclusion_proofs(
                conn, {e.leaf_index: e.leaf_hash for e in events_}, checkpoint, self.runtime.cache
            )
        return [
            build_receipt(
                e.document,
                e.leaf_index,
                checkpoint.tree_size,
                proofs[e.leaf_index],
                checkpoint.note,
            )
            for e in events_
        ]
