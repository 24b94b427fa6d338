"""POST /ingest/{connector_id}: a source's own webhook format, verified by its own scheme.

Order of checks: the instance exists and can be pushed to, body size, the connector's
signature check (constant time, with a replay window where the scheme has a timestamp),
delivery dedup (the source's delivery id, else the body hash), then translation. The answer
comes after the events are committed (or parked, or dead-lettered): 2xx means nothing is lost.
"""

from __future__ import annotations

import hashlib
import json
import logging

from starlette.requests import Request
from starlette.responses import JSONResponse, Response

from connectors import PushConnector, SignatureError
from gateway.ingest.delivery import NotCommitted, deliver
from gateway.ingest.endpoint import (
    BodyTooLarge,
    earlier_answer,
    problem,
    read_body,
    remember,
)
from gateway.runtime import Runtime

log = logging.getLogger(__name__)


async def ingest_from_connector(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    instance = runtime.connectors.get(request.path_params["connector_id"])
    if instance is None:
        return problem(404, "no connector instance with this id")
    connector = instance.connector
    if not isinstance(connector, PushConnector):
        return problem(405, f"connector {instance.id} is pulled, not pushed to")
    try:
        body = await read_body(request, runtime.settings.max_body_bytes)
    except BodyTooLarge:
        runtime.metrics.ingest_refused(instance.id, "too_large")
        return problem(413, f"body exceeds {runtime.settings.max_body_bytes} bytes")
    now = runtime.clock()
    try:
        verified = connector.verify(instance.config, request.headers, body, now)
    except SignatureError as exc:
        log.warning("connector %s: delivery refused: %s", instance.id, exc)
        runtime.metrics.ingest_refused(instance.id, "refused")
        return problem(401, str(exc))

    body_hash = hashlib.sha256(body).digest()
    delivery_id = verified.delivery_id or f"sha256:{body_hash.hex()}"
    replay = await earlier_answer(runtime, instance.id, delivery_id, body_hash)
    if replay is not None:
        return replay

    content_type = request.headers.get("content-type", "application/json").split(";")[0]
    try:
        status, answer = await deliver(
            runtime, instance, body, content_type=content_type.strip(), delivery_id=delivery_id
        )
    except NotCommitted as exc:
        runtime.metrics.ingest_refused(instance.id, "not_committed")
        return JSONResponse({"error": str(exc)}, status_code=503, headers={"retry-after": "1"})
    runtime.metrics.ingest_answer(instance.id, status, answer)
    encoded = json.dumps(answer, separators=(",", ":"), ensure_ascii=False)
    await remember(runtime, instance.id, delivery_id, body_hash, status, encoded, now)
    return Response(encoded, status_code=status, media_type="application/json")
