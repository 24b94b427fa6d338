"""One group commit, in one transaction: drop duplicates, check milestone transitions,
assign each order's `seq` and `prev`, append the leaves, sign a checkpoint covering them,
refresh the affected projections, keep what was refused as dead letters, and build every
submission's outcome with its receipt.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from typing import Any, Literal

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.db.tables import connector_state, events
from gateway.events import EventDraft, build_document, canonical_json, uuid7
from gateway.ledger import (
    Checkpoint,
    LeafTooLarge,
    LogCorrupted,
    NoteSigner,
    StoredCheckpoint,
    build_receipt,
    event_leaf,
    fetch_nodes,
    inclusion_proofs,
    insert_checkpoint,
    insert_nodes,
    latest_checkpoint,
    merkle,
    sign_checkpoint,
)
from gateway.sequencer.lock import take_log_lock
from gateway.sequencer.rejections import NORMALIZED, DeadLetter, store_dead_letters
from gateway.sequencer.submission import Outcome, PersonalDataStore, Submission
from gateway.timeline import (
    LoggedEvent,
    insertion_problem,
    load_events,
    owner_problem,
    project,
    save_projections,
)

_CHUNK = 400


async def commit_batch(
    conn: AsyncConnection,
    submissions: Sequence[Submission],
    now: datetime,
    signer: NoteSigner,
    personal_data: PersonalDataStore,
) -> tuple[list[Outcome], list[LoggedEvent]]:
    """The outcomes, in order, and the events newly logged (for the commit listeners)."""
    await take_log_lock(conn)
    batch = _Batch(submissions, now, personal_data)
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
        note = sign_checkpoint(signer, Checkpoint(origin=signer.name, size=size, root=root))
        checkpoint = await insert_checkpoint(conn, size, root, note, now)
        await touch_sources(conn, {row["source"] for row in batch.new_rows}, now)
        affected = {row["order_number"] for row in batch.new_rows}
        await save_projections(
            conn, [project(number, history[number]) for number in sorted(affected)]
        )
    await store_dead_letters(conn, personal_data, batch.dead)
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
            error = insertion_problem(past, draft) or owner_problem(past, draft)
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
