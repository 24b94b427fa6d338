"""The single writer of the log: batches submissions, commits them, signs a checkpoint.

Requests hand their drafts to `Sequencer.submit` and wait. A background task takes everything
queued so far and, in ONE transaction: drops duplicates, checks milestone transitions, assigns
each order's `seq` and `prev`, appends the leaves, signs a checkpoint covering them, refreshes
the affected projections and answers every request with its receipts. Nothing is acknowledged
before its checkpoint is committed, and batching keeps that to milliseconds under load (group
commit: whatever arrives while one batch commits forms the next).
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import Any, Literal, Protocol

from sqlalchemy import insert, select, text, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db import Writer
from gateway.events import EventDraft, build_document, uuid7
from gateway.ingest.deadletters import NORMALIZED, DeadLetter, PayloadSealer, store_dead_letters
from gateway.ledger import (
    Checkpoint,
    LeafTooLarge,
    NoteSigner,
    build_receipt,
    canonical_json,
    event_leaf,
    merkle,
    sign_checkpoint,
)
from gateway.ledger.store import (
    LogCorrupted,
    StoredCheckpoint,
    fetch_nodes,
    inclusion_proofs,
    insert_checkpoint,
    insert_nodes,
    latest_checkpoint,
)
from gateway.tables import connector_state, events
from gateway.timeline.model import LoggedEvent
from gateway.timeline.ordering import insertion_problem
from gateway.timeline.project import project
from gateway.timeline.store import load_events, save_projections

log = logging.getLogger(__name__)

# Any constant works; it only has to be the same for every replica writing the log.
POSTGRES_LOG_LOCK = 0x6F72646572
_CHUNK = 400


@dataclass(frozen=True, slots=True)
class Submission:
    draft: EventDraft
    raw: bytes  # the event as the source sent it, kept if it is dead-lettered
    webhook_id: str | None = None
    # Set when replaying this dead letter: a rejection stays in it instead of making a new one.
    replaying: str | None = None


@dataclass(frozen=True, slots=True)
class Outcome:
    status: Literal["accepted", "duplicate", "rejected"]
    event_id: str | None = None
    receipt: dict[str, Any] | None = None
    error: str | None = None
    dead_letter_id: str | None = None


CommitListener = Callable[[Sequence[LoggedEvent]], Awaitable[None]]
# (submissions in the batch, seconds the commit took, whether it committed): for metrics.
BatchObserver = Callable[[int, float, bool], None]


class PersonalDataStore(PayloadSealer, Protocol):
    """Where the personal part of an event goes (privacy.Vault): sealed in the same
    transaction as the event, which carries only the returned keyed commitment."""

    async def store(
        self,
        conn: AsyncConnection,
        *,
        order_number: str,
        customer_ref: str | None,
        shipment_id: str | None,
        pii: Mapping[str, Any],
        now: datetime,
    ) -> str: ...


@dataclass(slots=True)
class _Pending:
    submissions: Sequence[Submission]
    future: asyncio.Future[list[Outcome]]


class Sequencer:
    def __init__(
        self,
        writer: Writer,
        signer: NoteSigner,
        personal_data: PersonalDataStore,
        *,
        max_batch: int = 500,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self._writer = writer
        self._signer = signer
        self._personal_data = personal_data
        self._max_batch = max_batch
        self._clock = clock
        self._queue: asyncio.Queue[_Pending] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self.listeners: list[CommitListener] = []
        self.on_batch: BatchObserver = lambda size, seconds, committed: None
        self.batches_committed = 0

    @property
    def alive(self) -> bool:
        """The writer task runs (not stopped, not ended by a crash): readiness asks this."""
        return self._task is not None and not self._task.done()

    async def start(self) -> None:
        if self._task is None:
            self._task = asyncio.create_task(self._run(), name="orderlens-sequencer")

    async def stop(self) -> None:
        if self._task is not None:
            self._task.cancel()
            await asyncio.gather(self._task, return_exceptions=True)
            self._task = None
        while not self._queue.empty():
            pending = self._queue.get_nowait()
            pending.future.set_exception(RuntimeError("gateway is shutting down"))

    async def submit(self, submissions: Sequence[Submission]) -> list[Outcome]:
        """Commit these drafts; returns one outcome per submission, in order."""
        if not submissions:
            return []
        if self._task is None:
            raise RuntimeError("sequencer is not running")
        future: asyncio.Future[list[Outcome]] = asyncio.get_running_loop().create_future()
        await self._queue.put(_Pending(submissions, future))
        return await future

    async def _run(self) -> None:
        while True:
            batch = [await self._queue.get()]
            size = len(batch[0].submissions)
            while not self._queue.empty() and size < self._max_batch:
                batch.append(self._queue.get_nowait())
                size += len(batch[-1].submissions)
            started = time.perf_counter()
            try:
                results, committed = await self._commit([s for p in batch for s in p.submissions])
            except Exception as exc:  # answer every waiter; the sender will retry
                self.on_batch(size, time.perf_counter() - started, False)
                log.exception("log commit failed; %d submissions not acknowledged", size)
                for pending in batch:
                    if not pending.future.done():
                        pending.future.set_exception(exc)
                continue
            self.batches_committed += 1
            self.on_batch(size, time.perf_counter() - started, True)
            offset = 0
            for pending in batch:
                count = len(pending.submissions)
                if not pending.future.done():
                    pending.future.set_result(results[offset : offset + count])
                offset += count
            for listener in self.listeners:
                try:
                    await listener(committed)
                except Exception:
                    log.exception("commit listener failed")

    async def _commit(
        self, submissions: Sequence[Submission]
    ) -> tuple[list[Outcome], list[LoggedEvent]]:
        now = self._clock()
        async with self._writer.transaction() as conn:
            return await self._commit_in(conn, submissions, now)

    async def _commit_in(
        self, conn: AsyncConnection, submissions: Sequence[Submission], now: datetime
    ) -> tuple[list[Outcome], list[LoggedEvent]]:
        if conn.dialect.name == "postgresql":
            # Several replicas may share one database: one writer at a time.
            await conn.execute(
                text("SELECT pg_advisory_xact_lock(:key)"), {"key": POSTGRES_LOG_LOCK}
            )
        batch = _Batch(submissions, now, self._personal_data)
        checkpoint = await latest_checkpoint(conn)
        size = checkpoint.tree_size if checkpoint else 0
        edge = await fetch_nodes(conn, merkle.root_plan(size))
        if checkpoint and merkle.root_from_nodes(size, edge) != checkpoint.root:
            raise LogCorrupted("stored nodes do not reproduce the last signed root")
        await batch.find_duplicates(conn)
        history = await load_events(conn, batch.orders())
        await batch.sequence(conn, history, size)
        if batch.new_rows:
            await _insert_chunked(conn, events, batch.new_rows)
            nodes = merkle.extend(size, edge, [row["leaf_hash"] for row in batch.new_rows])
            await insert_nodes(conn, nodes)
            edge = {**edge, **nodes}
            size += len(batch.new_rows)
            root = merkle.root_from_nodes(size, edge)
            note = sign_checkpoint(
                self._signer, Checkpoint(origin=self._signer.name, size=size, root=root)
            )
            checkpoint = await insert_checkpoint(conn, size, root, note, now)
            await touch_sources(conn, {row["source"] for row in batch.new_rows}, now)
            affected = {row["order_number"] for row in batch.new_rows}
            await save_projections(
                conn, [project(number, history[number]) for number in sorted(affected)]
            )
        await store_dead_letters(conn, self._personal_data, batch.dead)
        outcomes = await batch.outcomes(conn, checkpoint, edge)
        return outcomes, batch.committed


@dataclass(frozen=True, slots=True)
class _Logged:
    """A submission that is (now or already) in the log."""

    status: Literal["accepted", "duplicate"]
    event_id: str
    leaf_index: int
    document: str


class _Batch:
    """The working state of one commit."""

    def __init__(
        self, submissions: Sequence[Submission], now: datetime, personal_data: PersonalDataStore
    ) -> None:
        self.submissions = submissions
        self.now = now
        self.personal_data = personal_data
        self.existing: dict[str, _Logged] = {}  # dedup key -> the logged event
        self.results: list[Outcome | _Logged] = []
        self.new_rows: list[dict[str, Any]] = []
        self.committed: list[LoggedEvent] = []
        self.dead: list[DeadLetter] = []

    def orders(self) -> set[str]:
        return {s.draft.order_number for s in self.submissions}

    async def find_duplicates(self, conn: AsyncConnection) -> None:
        keys = sorted({s.draft.dedup_key for s in self.submissions})
        for start in range(0, len(keys), _CHUNK):
            rows = await conn.execute(
                select(
                    events.c.dedup_key, events.c.id, events.c.leaf_index, events.c.document
                ).where(events.c.dedup_key.in_(keys[start : start + _CHUNK]))
            )
            for r in rows:
                self.existing[r.dedup_key] = _Logged("duplicate", r.id, r.leaf_index, r.document)

    async def sequence(
        self, conn: AsyncConnection, history: dict[str, list[LoggedEvent]], size: int
    ) -> None:
        for submission in self.submissions:
            draft = submission.draft
            known = self.existing.get(draft.dedup_key)
            if known is not None:
                self.results.append(
                    _Logged("duplicate", known.event_id, known.leaf_index, known.document)
                )
                continue
            past = history.setdefault(draft.order_number, [])
            # Judged where the event falls in occurred_at order, against both neighbours.
            error = insertion_problem(past, draft)
            if error is None and draft.pii:
                draft = await self._seal_personal_data(conn, draft, past)
            logged = None if error else self._append(draft, past, size + len(self.new_rows))
            if isinstance(logged, str):
                error = logged
            if error is not None:
                self.results.append(self._reject(submission, error))
                continue
            assert isinstance(logged, _Logged)
            self.existing[draft.dedup_key] = logged  # a repeat later in this batch is a duplicate
            self.results.append(logged)

    def _reject(self, submission: Submission, error: str) -> Outcome:
        if submission.replaying is not None:
            return Outcome("rejected", error=error, dead_letter_id=submission.replaying)
        letter = DeadLetter.create(
            source=submission.draft.source,
            reason=error,
            payload=submission.raw,
            webhook_id=submission.webhook_id,
            now=self.now,
            content_type=NORMALIZED,  # one normalized event, whatever format its source speaks
        )
        self.dead.append(letter)
        return Outcome("rejected", error=error, dead_letter_id=letter.id)

    async def _seal_personal_data(
        self, conn: AsyncConnection, draft: EventDraft, past: list[LoggedEvent]
    ) -> EventDraft:
        """Seal the draft's personal data; the event keeps only a keyed commitment to it."""
        customer_ref = draft.details.get("customer_ref") or next(
            (e.data["customer_ref"] for e in reversed(past) if e.data.get("customer_ref")),
            None,
        )
        commitment = await self.personal_data.store(
            conn,
            order_number=draft.order_number,
            customer_ref=customer_ref,
            shipment_id=draft.shipment_id,
            pii=draft.pii,
            now=self.now,
        )
        return replace(draft, details={**draft.details, "pii_commit": commitment}, pii={})

    def _append(self, draft: EventDraft, past: list[LoggedEvent], leaf_index: int) -> _Logged | str:
        last = max(past, key=lambda e: e.seq, default=None)
        seq = last.seq + 1 if last else 1
        document = build_document(
            draft,
            event_id=uuid7(),
            seq=seq,
            prev=last.leaf_hash if last else None,
            received_at=self.now,
        )
        try:
            leaf = event_leaf(document)
        except LeafTooLarge as exc:
            return str(exc)
        leaf_hash = merkle.leaf_hash(leaf)
        logged = replace(LoggedEvent.from_document(document, leaf_index), leaf_hash=leaf_hash)
        past.append(logged)
        self.committed.append(logged)
        text_document = canonical_json(document).decode()
        self.new_rows.append(
            {
                "id": logged.id,
                "leaf_index": leaf_index,
                "order_number": draft.order_number,
                "seq": seq,
                "dedup_key": draft.dedup_key,
                "source": draft.source,
                "layer": draft.layer.value,
                "milestone": draft.milestone.value,
                "reason": draft.reason.value if draft.reason else None,
                "visibility": draft.visibility.value,
                "shipment_id": draft.shipment_id,
                "occurred_at": draft.occurred_at,
                "received_at": self.now,
                "document": text_document,
                "leaf_hash": leaf_hash,
            }
        )
        return _Logged("accepted", logged.id, leaf_index, text_document)

    async def outcomes(
        self,
        conn: AsyncConnection,
        checkpoint: StoredCheckpoint | None,
        known: dict[merkle.NodeId, bytes],
    ) -> list[Outcome]:
        logged = [r for r in self.results if isinstance(r, _Logged)]
        proofs: dict[int, list[bytes]] = {}
        if checkpoint is not None and logged:
            leaves = [r.leaf_index for r in logged]
            proofs = await inclusion_proofs(conn, leaves, checkpoint.tree_size, known=known)
        answers: list[Outcome] = []
        for result in self.results:
            if isinstance(result, Outcome):
                answers.append(result)
                continue
            assert checkpoint is not None
            receipt = build_receipt(
                json.loads(result.document),
                result.leaf_index,
                checkpoint.tree_size,
                proofs[result.leaf_index],
                checkpoint.note,
            )
            answers.append(Outcome(result.status, event_id=result.event_id, receipt=receipt))
        return answers


async def touch_sources(conn: AsyncConnection, sources: set[str], now: datetime) -> None:
    """Record when each source was last heard from (freshness), for every replica to read."""
    for source in sorted(s for s in sources if not s.startswith("orderlens:")):
        touched = await conn.execute(
            update(connector_state)
            .where(connector_state.c.instance_id == source)
            .values(last_synced_at=now, updated_at=now)
        )
        if touched.rowcount == 0:
            await conn.execute(
                insert(connector_state).values(
                    instance_id=source, last_synced_at=now, updated_at=now
                )
            )


async def _insert_chunked(conn: AsyncConnection, table: Any, rows: list[dict[str, Any]]) -> None:
    for start in range(0, len(rows), 200):
        await conn.execute(insert(table), rows[start : start + 200])
