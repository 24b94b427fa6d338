"""Per-request DataLoaders: every list a query touches is fetched in one statement.

Built fresh for each request (never module-level), so nothing leaks between viewers.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import and_, false, literal, or_, select, union_all
from strawberry.dataloader import DataLoader

from gateway.db.tables import events
from gateway.events import Layer, milestones_where
from gateway.ledger import build_receipt
from gateway.ledger.store import StoredCheckpoint, latest_checkpoint, verified_inclusion_proofs
from gateway.runtime import Runtime
from gateway.sources import read_sync_times
from gateway.timeline.model import LoggedEvent, OrderView
from gateway.timeline.store import read_orders
from privacy import OrderPii

MAX_PAGE = 500
# A job is open from booking until it ends (trained, failed or cancelled).
OPEN_JOB = frozenset(milestones_where(Layer.SERVICE, lambda row: row.open_job))


@dataclass(frozen=True, slots=True)
class PageKey:
    order_number: str
    first: int
    after: tuple[datetime, int] | None
    visibilities: frozenset[str]  # which events the viewer may see
    audit: bool = False


@dataclass(frozen=True, slots=True)
class Jobs:
    """Service partners holding an open job on an order."""

    open_for: frozenset[str]


@dataclass(frozen=True, slots=True)
class Page:
    events: tuple[LoggedEvent, ...]
    has_next: bool


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
    def __init__(self, runtime: Runtime) -> None:
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
        # Keyset pagination in the order events happened. Each page is its own LIMITed
        # select, glued with UNION ALL: one statement however many pages a query asks for.
        parts = []
        for position, key in enumerate(keys):
            condition = and_(
                events.c.order_number == key.order_number,
                or_(
                    and_(
                        events.c.layer != Layer.AUDIT.value,
                        events.c.visibility.in_(sorted(key.visibilities)),
                    ),
                    events.c.layer == Layer.AUDIT.value if key.audit else false(),
                ),
            )
            if key.after is not None:
                moment, seq = key.after
                condition = and_(
                    condition,
                    or_(
                        events.c.occurred_at > moment,
                        and_(events.c.occurred_at == moment, events.c.seq > seq),
                    ),
                )
            page = (
                select(
                    literal(position).label("page"),
                    events.c.document,
                    events.c.leaf_index,
                    events.c.leaf_hash,
                    events.c.occurred_at,
                    events.c.seq,
                )
                .where(condition)
                .order_by(events.c.occurred_at, events.c.seq)
                .limit(key.first + 1)
                .subquery()
            )
            parts.append(select(page))
        query = parts[0] if len(parts) == 1 else union_all(*parts)
        async with self.runtime.engine.connect() as conn:
            rows = (await conn.execute(query)).all()
        found: list[list[LoggedEvent]] = [[] for _ in keys]
        for row in rows:
            found[row.page].append(
                LoggedEvent.from_document(row.document, row.leaf_index, row.leaf_hash)
            )
        pages = []
        for key, page_events in zip(keys, found, strict=True):
            page_events.sort(key=lambda e: e.sort_key)
            pages.append(Page(tuple(page_events[: key.first]), len(page_events) > key.first))
        return pages

    async def _load_pii(self, numbers: Sequence[str]) -> list[OrderPii | None]:
        async with self.runtime.engine.connect() as conn:
            found = await self.runtime.vault.order_pii(conn, numbers)
        return [found.get(number) for number in numbers]

    async def _load_jobs(self, numbers: Sequence[str]) -> list[Jobs]:
        async with self.runtime.engine.connect() as conn:
            rows = await conn.execute(
                select(events.c.order_number, events.c.document)
                .where(
                    events.c.order_number.in_(sorted(set(numbers))),
                    events.c.layer == Layer.SERVICE.value,
                )
                .order_by(events.c.occurred_at, events.c.seq)
            )
            state: dict[str, dict[tuple[str, str], str]] = {}
            for row in rows:
                data = LoggedEvent.from_document(row.document).data
                job = data.get("job")
                if job:
                    jobs = state.setdefault(row.order_number, {})
                    jobs[(job["id"], job["partner"])] = data["milestone"]
        return [
            Jobs(
                frozenset(
                    partner
                    for (_, partner), milestone in state.get(number, {}).items()
                    if milestone in OPEN_JOB
                )
            )
            for number in numbers
        ]

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
