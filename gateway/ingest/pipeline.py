"""One payload into the log, the same way for every source: translate and validate (the
source's check), keep what cannot be used as dead letters, link or park, submit, answer.

Used by both ingest endpoints, the pull runner and dead-letter replay, so every path applies
the same rules and keeps whatever it cannot use as a dead letter with the reason.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from connectors.sdk import PayloadError, scrub_reason
from gateway.ingest.answers import answer, event_result, parked_result, rejected_result, unreadable
from gateway.ingest.linking import needs_linking, park, resolve
from gateway.ingest.ports import IngestPorts
from gateway.ingest.sources import Source
from gateway.sequencer import DeadLetter, Submission, store_dead_letters

log = logging.getLogger(__name__)


class NotCommitted(RuntimeError):
    """The log could not take the events (database down): nothing was stored, retry."""


async def ingest(
    ports: IngestPorts,
    source: Source,
    payload: bytes,
    *,
    content_type: str,
    delivery_id: str | None,
    received_at: datetime | None = None,
    replaying: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """(HTTP-style status, per-event answer). Raises NotCommitted if the log is unavailable.
    `received_at` is when the payload first arrived (a replayed dead letter's arrival); when
    `replaying` names that dead letter, whatever still fails stays in it (no new letters)."""
    now = ports.clock()

    def letter(reason: str, raw: bytes, kind: str) -> DeadLetter:
        return DeadLetter.create(
            source=source.id,
            reason=reason,
            payload=raw,
            now=now,
            webhook_id=delivery_id,
            content_type=kind,
        )

    try:
        checks = source.check(payload, content_type, received_at or now)
    except PayloadError as exc:
        reason = scrub_reason(str(exc))
        dead = letter(reason, payload, content_type)
        if replaying is None:
            async with ports.writer.transaction() as conn:
                await store_dead_letters(conn, ports.vault, [dead])
        return unreadable(source.answer, source.id, reason, replaying or dead.id)
    if checks.ignored is not None:
        return 200, {"source": source.id, "ignored": checks.ignored, "results": []}

    letters: list[DeadLetter] = []
    if checks.problems and replaying is None:
        letters.append(letter("; ".join(checks.problems), payload, content_type))
    results: dict[int, dict[str, Any]] = {}
    submissions: dict[int, Submission] = {}
    for event in checks.events:
        if event.draft is not None:
            submissions[event.index] = Submission(event.draft, event.raw, delivery_id, replaying)
            continue
        dead = letter("; ".join(event.errors), event.raw, source.rejects_as)
        if replaying is None:
            letters.append(dead)
        results[event.index] = rejected_result(
            event.index, event.event_id, event.errors, replaying or dead.id
        )

    ready = list(submissions.values())
    waiting: list[tuple[Submission, str]] = []
    if letters or needs_linking(ready, require_known_order=source.require_known_order):
        async with ports.writer.transaction() as conn:
            ready, waiting = await resolve(
                conn, ready, require_known_order=source.require_known_order
            )
            parked_ids = await park(conn, ports.vault, waiting, now)
            await store_dead_letters(conn, ports.vault, letters)
        parked = dict(zip([id(s) for s, _ in waiting], parked_ids, strict=True))
        for index, submission in submissions.items():
            if id(submission) in parked:
                results[index] = parked_result(
                    index, submission.draft.source_event_id, parked[id(submission)]
                )
    try:
        outcomes = await ports.sequencer.submit(ready) if ready else []
    except Exception as exc:
        log.exception("source %s: events could not be committed", source.id)
        raise NotCommitted(source.answer.not_committed) from exc
    waiting_ids = {id(s) for s, _ in waiting}
    ready_index = [i for i, s in submissions.items() if id(s) not in waiting_ids]
    for index, outcome in zip(ready_index, outcomes, strict=True):
        results[index] = event_result(
            index,
            submissions[index].draft.source_event_id,
            outcome,
            receipt=source.answer.receipts,
        )

    status, reply = answer(source.answer, source.id, delivery_id, results)
    if checks.problems:
        reply["problems"] = list(checks.problems)
        reply["dead_letter_id"] = replaying or letters[0].id
        status = 207
    return status, reply
