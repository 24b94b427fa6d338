"""One payload from a connector instance into the log: translate, validate, link, commit.

Shared by the push endpoint, the pull runner and dead-letter replay, so every path applies
the same rules and keeps whatever it cannot use as a dead letter with the reason.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from connectors import Instance, Kind, PayloadError, Translation, to_draft
from gateway.events import EventDraft
from gateway.ingest.endpoint import event_result
from gateway.ingest.linking import park, resolve
from gateway.runtime import Runtime
from gateway.sequencer import NORMALIZED, DeadLetter, Submission, store_dead_letters

log = logging.getLogger(__name__)


class NotCommitted(RuntimeError):
    """The log could not take the events (database down): nothing was stored, retry."""


def translate(
    instance: Instance, payload: bytes, content_type: str, received_at: datetime
) -> Translation:
    """The instance's own mapping (the typed contract: `Connector.bind`, `translate`)."""
    return instance.translate(payload, content_type=content_type, received_at=received_at)


async def deliver(
    runtime: Runtime,
    instance: Instance,
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
    now = runtime.clock()
    source = instance.id
    try:
        translation = translate(instance, payload, content_type, received_at or now)
    except PayloadError as exc:
        dead = _letter(source, str(exc), payload, content_type, delivery_id, now)
        if replaying is None:
            async with runtime.writer.transaction() as conn:
                await store_dead_letters(conn, runtime.vault, [dead])
        return 400, {"source": source, "error": str(exc), "dead_letter_id": replaying or dead.id}
    if translation.ignored is not None:
        return 200, {"source": source, "ignored": translation.ignored, "results": []}
    first: list[DeadLetter] = []
    if translation.problems and replaying is None:
        reason = "; ".join(translation.problems)
        first.append(_letter(source, reason, payload, content_type, delivery_id, now))
    status, answer = await ingest_normalized(
        runtime,
        source,
        translation.events,
        delivery_id=delivery_id,
        letters=first,
        require_known_order=requires_known_order(instance),
        replaying=replaying,
    )
    if translation.problems:
        answer["problems"] = list(translation.problems)
        answer["dead_letter_id"] = replaying or first[0].id
        status = 207
    return status, answer


def requires_known_order(instance: Instance) -> bool:
    """Only the ERP may start an order; others' events for unknown orders wait for it."""
    return instance.kind in {Kind.WMS, Kind.COURIER}


async def ingest_normalized(
    runtime: Runtime,
    source: str,
    events: Sequence[Mapping[str, Any]],
    *,
    delivery_id: str | None,
    letters: list[DeadLetter] | None = None,
    require_known_order: bool = False,
    replaying: str | None = None,
) -> tuple[int, dict[str, Any]]:
    """Validate, link (or park) and commit normalized events from `source` (when `replaying`
    names a dead letter, what is rejected is reported against it, not kept again)."""
    now = runtime.clock()
    letters = list(letters or [])
    results: dict[int, dict[str, Any]] = {}
    submissions: dict[int, Submission] = {}
    for index, event in enumerate(events):
        raw = json.dumps(event, ensure_ascii=False, sort_keys=True).encode()
        draft = to_draft(event, source=source)
        if isinstance(draft, EventDraft):
            submissions[index] = Submission(draft, raw, delivery_id, replaying)
            continue
        dead = _letter(source, "; ".join(draft), raw, NORMALIZED, delivery_id, now)
        if replaying is None:
            letters.append(dead)
        results[index] = {
            "index": index,
            "id": event.get("id"),
            "status": "rejected",
            "errors": draft,
            "dead_letter_id": replaying or dead.id,
        }

    async with runtime.writer.transaction() as conn:
        ready, waiting = await resolve(
            conn, list(submissions.values()), require_known_order=require_known_order
        )
        parked_ids = await park(conn, runtime.vault, waiting, now)
        await store_dead_letters(conn, runtime.vault, letters)
    waiting_ids = {id(s) for s, _ in waiting}
    parked = iter(parked_ids)
    for index, submission in submissions.items():
        if id(submission) in waiting_ids:
            results[index] = {
                "index": index,
                "id": submission.draft.source_event_id,
                "status": "parked",
                "parked_id": next(parked),
            }
    try:
        outcomes = await runtime.sequencer.submit(ready) if ready else []
    except Exception as exc:
        log.exception("source %s: events could not be committed", source)
        raise NotCommitted("events could not be committed; retry") from exc
    ready_index = [i for i, s in submissions.items() if id(s) not in waiting_ids]
    for index, outcome in zip(ready_index, outcomes, strict=True):
        results[index] = event_result(
            index, submissions[index].draft.source_event_id, outcome, receipt=False
        )

    ordered = [results[i] for i in sorted(results)]
    counts = {
        name: sum(r["status"] == name for r in ordered)
        for name in ("accepted", "duplicate", "parked", "rejected")
    }
    status = 207 if counts["rejected"] else 200
    return status, {"source": source, **counts, "results": ordered}


def _letter(
    source: str,
    reason: str,
    raw: bytes,
    content_type: str,
    delivery_id: str | None,
    now: datetime,
) -> DeadLetter:
    return DeadLetter.create(
        source=source,
        reason=reason,
        payload=raw,
        now=now,
        webhook_id=delivery_id,
        content_type=content_type,
    )
