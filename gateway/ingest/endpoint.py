"""POST /ingest/events: authenticated, idempotent ingestion of normalized CloudEvents.

Order of checks: size, media type, Standard Webhooks signature (which also names the source),
`webhook-id` replay, then each event on its own. Whatever cannot be ingested is kept as a dead
letter with its reason; the answer says, per event, what happened.
"""

from __future__ import annotations

import hashlib
import json
import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.exc import IntegrityError
from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connectors.cloudevents import PayloadError, parse_batch
from connectors.webhooks import WebhookVerificationError, verify
from gateway.runtime import Runtime
from gateway.sequencer import DeadLetter, Outcome, Submission, store_dead_letters
from gateway.tables import webhook_deliveries

log = logging.getLogger(__name__)

ACCEPTED_MEDIA_TYPES = {
    "application/json",
    "application/cloudevents+json",
    "application/cloudevents-batch+json",
}


# The source of a delivery is known once its signature is verified; before that, this.
UNVERIFIED = "unverified"


class BodyTooLarge(Exception):
    pass


async def ingest_events(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    settings = runtime.settings
    try:
        body = await read_body(request, settings.max_body_bytes)
    except BodyTooLarge:
        runtime.metrics.ingest_refused(UNVERIFIED, "too_large")
        return problem(413, f"body exceeds {settings.max_body_bytes} bytes; split the batch")
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in ACCEPTED_MEDIA_TYPES:
        runtime.metrics.ingest_refused(UNVERIFIED, "unsupported_media_type")
        return problem(
            415, f"content-type must be one of {', '.join(sorted(ACCEPTED_MEDIA_TYPES))}"
        )
    now = runtime.clock()
    try:
        delivery = verify(
            settings.ingest_secrets,
            request.headers,
            body,
            now=int(now.timestamp()),
            tolerance=settings.webhook_tolerance_seconds,
        )
    except WebhookVerificationError as exc:
        log.warning("ingest refused: %s", exc)
        runtime.metrics.ingest_refused(UNVERIFIED, "refused")
        return problem(401, str(exc))

    body_hash = hashlib.sha256(body).digest()
    replay = await earlier_answer(runtime, delivery.source, delivery.webhook_id, body_hash)
    if replay is not None:
        return replay

    status, answer = await _process(runtime, delivery.source, delivery.webhook_id, body, now)
    runtime.metrics.ingest_answer(delivery.source, status, answer)
    if status >= 500:
        return JSONResponse(answer, status_code=status, headers={"retry-after": "1"})
    encoded = json.dumps(answer, separators=(",", ":"), ensure_ascii=False)
    await remember(runtime, delivery.source, delivery.webhook_id, body_hash, status, encoded, now)
    return Response(encoded, status_code=status, media_type="application/json")


async def _process(
    runtime: Runtime, source: str, webhook_id: str, body: bytes, now: datetime
) -> tuple[int, dict[str, Any]]:
    try:
        batch = parse_batch(body, source=source)
    except PayloadError as exc:
        letter = DeadLetter.create(
            source=source, reason=str(exc), payload=body, webhook_id=webhook_id, now=now
        )
        async with runtime.writer.transaction() as conn:
            await store_dead_letters(conn, runtime.vault, [letter])
        return 400, {"error": str(exc), "dead_letter_id": letter.id}

    results: dict[int, dict[str, Any]] = {}
    letters = [
        DeadLetter.create(
            source=source, reason=r.reason, payload=r.raw, webhook_id=webhook_id, now=now
        )
        for r in batch.rejected
    ]
    for rejected, letter in zip(batch.rejected, letters, strict=True):
        results[rejected.index] = {
            "index": rejected.index,
            "id": rejected.event_id,
            "status": "rejected",
            "errors": list(rejected.errors),
            "dead_letter_id": letter.id,
        }
    if letters:
        async with runtime.writer.transaction() as conn:
            await store_dead_letters(conn, runtime.vault, letters)
    if batch.drafts:
        submissions = [Submission(p.draft, p.raw, webhook_id) for p in batch.drafts]
        try:
            outcomes = await runtime.sequencer.submit(submissions)
        except Exception:
            log.exception("ingest could not be committed")
            return 503, {"error": "events could not be committed; nothing was stored, retry"}
        for parsed, outcome in zip(batch.drafts, outcomes, strict=True):
            results[parsed.index] = event_result(
                parsed.index, parsed.draft.source_event_id, outcome
            )

    ordered = [results[index] for index in sorted(results)]
    counts = {
        name: sum(r["status"] == name for r in ordered)
        for name in ("accepted", "duplicate", "rejected")
    }
    status = 200 if counts["rejected"] == 0 else 422 if counts["rejected"] == len(ordered) else 207
    return status, {"source": source, "webhook_id": webhook_id, **counts, "results": ordered}


def event_result(
    index: int, source_event_id: str | None, outcome: Outcome, *, receipt: bool = True
) -> dict[str, Any]:
    """One event's line in an ingestion answer (connector answers leave receipts out)."""
    result: dict[str, Any] = {"index": index, "id": source_event_id, "status": outcome.status}
    if outcome.status == "rejected":
        result["errors"] = [outcome.error]
        result["dead_letter_id"] = outcome.dead_letter_id
    else:
        result["event_id"] = outcome.event_id
        if receipt:
            result["receipt"] = outcome.receipt
    return result


async def earlier_answer(
    runtime: Runtime, source: str, delivery_id: str, body_hash: bytes
) -> Response | None:
    """The stored answer to a delivery seen before (409 if its id came with another body)."""
    async with runtime.engine.connect() as conn:
        earlier = (
            await conn.execute(
                select(webhook_deliveries).where(
                    webhook_deliveries.c.source == source,
                    webhook_deliveries.c.webhook_id == delivery_id,
                )
            )
        ).first()
    if earlier is None:
        return None
    if earlier.body_sha256 != body_hash:
        runtime.metrics.ingest_refused(source, "conflict")
        return problem(409, "this delivery id was already used for a different body")
    runtime.metrics.ingest_refused(source, "replayed")
    return Response(
        earlier.response,
        status_code=earlier.status_code,
        media_type="application/json",
        headers={"orderlens-idempotent-replay": "true"},
    )


async def remember(
    runtime: Runtime,
    source: str,
    webhook_id: str,
    body_hash: bytes,
    status: int,
    response: str,
    now: datetime,
) -> None:
    try:
        async with runtime.writer.transaction() as conn:
            await conn.execute(
                insert(webhook_deliveries).values(
                    source=source,
                    webhook_id=webhook_id,
                    body_sha256=body_hash,
                    status_code=status,
                    response=response,
                    received_at=now.astimezone(UTC),
                )
            )
    except IntegrityError:
        # A concurrent retry of the same delivery got there first; its events were
        # deduplicated by identity, so both answers describe the same log.
        pass


async def read_body(request: Request, limit: int) -> bytes:
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise BodyTooLarge
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise BodyTooLarge
        chunks.append(chunk)
    return b"".join(chunks)


def problem(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)
