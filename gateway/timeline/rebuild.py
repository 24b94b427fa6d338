"""`orderlens rebuild`: replay the whole log into fresh projections and compare.

The log is the truth and projections are derived, so replaying must reproduce them exactly.
While replaying it also re-checks each order's hash chain against the stored leaf hashes.
"""

from __future__ import annotations

import base64
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.db.tables import events, orders, shipments, tracking_links
from gateway.ledger import event_leaf, merkle
from gateway.timeline.model import LoggedEvent, OrderView
from gateway.timeline.project import project
from gateway.timeline.queries import read_orders
from gateway.timeline.store import save_projections

BATCH_ORDERS = 200


@dataclass(slots=True)
class RebuildReport:
    orders: int = 0
    events: int = 0
    differences: list[str] = field(default_factory=list)
    chain_problems: list[str] = field(default_factory=list)

    @property
    def identical(self) -> bool:
        return not self.differences and not self.chain_problems


Progress = Callable[[int, int], None]


async def rebuild(engine: AsyncEngine, *, progress: Progress | None = None) -> RebuildReport:
    report = RebuildReport()
    async with engine.connect() as conn:
        numbers = list((await conn.execute(select(events.c.order_number).distinct())).scalars())
        total = len(numbers)
        before = await read_orders(conn, numbers)
        extra = (
            await conn.scalar(
                select(func.count()).select_from(orders).where(orders.c.number.not_in(numbers))
            )
            if numbers
            else await conn.scalar(select(func.count()).select_from(orders))
        )
    if extra:
        report.differences.append(f"{extra} projected orders have no events in the log")
    async with engine.begin() as conn:
        await conn.execute(delete(tracking_links))
        await conn.execute(delete(shipments))
        await conn.execute(delete(orders))
        for chunk in _chunks(sorted(numbers), BATCH_ORDERS):
            rows = await conn.execute(
                select(events.c.document, events.c.leaf_index, events.c.leaf_hash)
                .where(events.c.order_number.in_(chunk))
                .order_by(events.c.order_number, events.c.seq)
            )
            grouped: dict[str, list[LoggedEvent]] = {}
            for row in rows:
                event = LoggedEvent.from_document(row.document, row.leaf_index, row.leaf_hash)
                grouped.setdefault(event.order_number, []).append(event)
            views = []
            for number in chunk:
                history = grouped[number]
                report.chain_problems += check_chain(number, history)
                view = project(number, history)
                views.append(view)
                report.events += len(history)
                _compare(before.get(number), view, report)
            await save_projections(conn, views)
            report.orders += len(chunk)
            if progress:
                progress(report.orders, total)
    return report


def check_chain(number: str, history: list[LoggedEvent]) -> list[str]:
    problems = []
    previous: LoggedEvent | None = None
    for event in history:
        expected_seq = previous.seq + 1 if previous else 1
        if event.seq != expected_seq:
            problems.append(f"order {number}: seq {expected_seq} missing before seq {event.seq}")
        if merkle.leaf_hash(event_leaf(event.document)) != event.leaf_hash:
            problems.append(
                f"order {number} seq {event.seq}: document does not match its leaf hash"
            )
        expected_prev = base64.b64encode(previous.leaf_hash).decode() if previous else None
        if event.data.get("prev") != expected_prev:
            problems.append(
                f"order {number} seq {event.seq}: prev does not match seq {event.seq - 1}"
            )
        previous = event
    return problems


def _compare(old: OrderView | None, new: OrderView, report: RebuildReport) -> None:
    if old is None:
        report.differences.append(f"order {new.number}: missing from the projection")
    elif old != new:
        fields = [name for name in OrderView.__slots__ if getattr(old, name) != getattr(new, name)]
        report.differences.append(f"order {new.number}: differs in {', '.join(fields)}")


def _chunks(items: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]
