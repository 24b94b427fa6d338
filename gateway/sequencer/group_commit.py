"""The single writer of the log: batches submissions, commits them, signs a checkpoint.

Requests hand their drafts to `Sequencer.submit` and wait. A background task takes everything
queued so far and commits it in ONE transaction (`commit.commit_batch`), then answers every
request with its receipts. Nothing is acknowledged before its checkpoint is committed, and
batching keeps that to milliseconds under load (group commit: whatever arrives while one
batch commits forms the next).
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from gateway.db import Writer
from gateway.ledger import NoteSigner
from gateway.sequencer.commit import commit_batch
from gateway.sequencer.hooks import BatchObserver, CommitListener, ignore_batch, notify
from gateway.sequencer.submission import Outcome, PersonalDataStore, Submission
from gateway.timeline import LoggedEvent

log = logging.getLogger(__name__)


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
        self.on_batch: BatchObserver = ignore_batch
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
            await notify(self.listeners, committed)

    async def _commit(
        self, submissions: Sequence[Submission]
    ) -> tuple[list[Outcome], list[LoggedEvent]]:
        now = self._clock()
        async with self._writer.transaction() as conn:
            return await commit_batch(conn, submissions, now, self._signer, self._personal_data)
