"""The two ingest endpoints: thin HTTP over the one pipeline (`pipeline.ingest`).

* `POST /ingest/events`: normalized CloudEvents, signed with Standard Webhooks by one of the
  ORDERLENS_INGEST_SECRETS senders (the secret names the source). Checks: size, media type,
  signature, then the pipeline.
* `POST /ingest/{connector_id}`: a connector instance's own format, verified by its own
  scheme (constant time, with a replay window where the scheme has a timestamp).

Both then answer a repeated delivery from the idempotency store (409 if its id came with
another body), run the pipeline, and keep the answer. The answer comes after the events are
committed (or parked, or dead-lettered): 2xx means nothing is lost.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connectors.sdk import PushConnector, SignatureError
from connectors.webhooks import WebhookVerificationError, verify
from gateway.ingest.idempotency import IdempotencyStore, KeyReused, StoredAnswer, fingerprint
from gateway.ingest.pipeline import NotCommitted, ingest
from gateway.ingest.ports import IngestPorts
from gateway.ingest.sources import Source, cloudevents_source, connector_source

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
    ports: IngestPorts = request.app.state.runtime
    settings = ports.settings
    try:
        body = await read_body(request, settings.max_body_bytes)
    except BodyTooLarge:
        ports.metrics.ingest_refused(UNVERIFIED, "too_large")
        return problem(413, f"body exceeds {settings.max_body_bytes} bytes; split the batch")
    media_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media_type not in ACCEPTED_MEDIA_TYPES:
        ports.metrics.ingest_refused(UNVERIFIED, "unsupported_media_type")
        return problem(
            415, f"content-type must be one of {', '.join(sorted(ACCEPTED_MEDIA_TYPES))}"
        )
    now = ports.clock()
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
        ports.metrics.ingest_refused(UNVERIFIED, "refused")
        return problem(401, str(exc))
    # Every accepted media type is JSON; a body kept whole is kept as that.
    source = cloudevents_source(delivery.source)
    return await answer_once(ports, source, body, "application/json", delivery.webhook_id, now)


async def ingest_from_connector(request: Request) -> Response:
    ports: IngestPorts = request.app.state.runtime
    instance = ports.connectors.get(request.path_params["connector_id"])
    if instance is None:
        return problem(404, "no connector instance with this id")
    connector = instance.connector
    if not isinstance(connector, PushConnector):
        return problem(405, f"connector {instance.id} is pulled, not pushed to")
    try:
        body = await read_body(request, ports.settings.max_body_bytes)
    except BodyTooLarge:
        ports.metrics.ingest_refused(instance.id, "too_large")
        return problem(413, f"body exceeds {ports.settings.max_body_bytes} bytes")
    now = ports.clock()
    try:
        verified = connector.verify(instance.config, request.headers, body, now)
    except SignatureError as exc:
        log.warning("connector %s: delivery refused: %s", instance.id, exc)
        ports.metrics.ingest_refused(instance.id, "refused")
        return problem(401, str(exc))
    delivery_id = verified.delivery_id or f"sha256:{fingerprint(body).hex()}"
    content_type = request.headers.get("content-type", "application/json").split(";")[0]
    source = connector_source(instance)
    return await answer_once(ports, source, body, content_type.strip(), delivery_id, now)


async def answer_once(
    ports: IngestPorts,
    source: Source,
    body: bytes,
    content_type: str,
    delivery_id: str,
    now: datetime,
) -> Response:
    """A verified delivery: the stored answer if it was seen, else the pipeline's (kept)."""
    store = IdempotencyStore(ports.writer)
    digest = fingerprint(body)
    earlier = await store.recall(source.id, delivery_id, digest)
    if isinstance(earlier, KeyReused):
        ports.metrics.ingest_refused(source.id, "conflict")
        return problem(409, "this delivery id was already used for a different body")
    if earlier is not None:
        ports.metrics.ingest_refused(source.id, "replayed")
        return Response(
            earlier.body,
            status_code=earlier.status,
            media_type="application/json",
            headers={"orderlens-idempotent-replay": "true"},
        )
    try:
        status, answer = await ingest(
            ports, source, body, content_type=content_type, delivery_id=delivery_id
        )
    except NotCommitted as exc:  # not kept: the retry must be processed
        ports.metrics.ingest_refused(source.id, "not_committed")
        return JSONResponse({"error": str(exc)}, status_code=503, headers={"retry-after": "1"})
    ports.metrics.ingest_answer(source.id, status, answer)
    encoded = json.dumps(answer, separators=(",", ":"), ensure_ascii=False)
    await store.remember(source.id, delivery_id, digest, StoredAnswer(status, encoded), now)
    return Response(encoded, status_code=status, media_type="application/json")


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
