"""The well-known routes: the log's verifier key, its latest checkpoint, liveness, readiness.

Liveness (`/livez`) says the process answers: no I/O, so an orchestrator never restarts a
gateway because its database is slow. Readiness (`/readyz`) says it can do its job: the
database answers a real query, the sequencer (the log's only writer) is running, and Redis
answers when a Redis cache is configured. Its answer names each check and how long it took;
a failure is named by its exception class only, never its message, which can carry a URL
with a password.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable

from sqlalchemy import text
from starlette.requests import Request
from starlette.responses import JSONResponse, PlainTextResponse, Response

from gateway.ledger import latest_checkpoint
from gateway.runtime import Runtime

LOG_KEY_PATH = "/.well-known/orderlens/log-key"
# Each readiness check must answer within this; the checks run concurrently.
READY_TIMEOUT_SECONDS = 2.0

Check = Callable[[], Awaitable[None]]


async def log_key(request: Request) -> Response:
    """The log's verifier key, to pin once and verify every receipt offline."""
    runtime: Runtime = request.app.state.runtime
    return PlainTextResponse(runtime.signer.vkey + "\n")


async def checkpoint(request: Request) -> Response:
    """The latest signed checkpoint, as a C2SP signed note."""
    runtime: Runtime = request.app.state.runtime
    async with runtime.engine.connect() as conn:
        stored = await latest_checkpoint(conn)
    if stored is None:
        return PlainTextResponse("the log is empty\n", status_code=404)
    return PlainTextResponse(stored.note)


async def liveness(request: Request) -> Response:
    """The process is up and its event loop runs this handler: nothing else is looked at."""
    return JSONResponse({"status": "ok"})


async def readiness(request: Request) -> Response:
    runtime: Runtime = request.app.state.runtime
    checks = readiness_checks(runtime)
    answers = await asyncio.gather(*(run_check(check) for check in checks.values()))
    results = dict(zip(checks, answers, strict=True))
    failing = [name for name, result in results.items() if result["status"] != "ok"]
    body: dict[str, object] = {"status": "not ready" if failing else "ready", "checks": results}
    if failing:
        body["failing"] = failing
    return JSONResponse(body, status_code=503 if failing else 200)


def readiness_checks(runtime: Runtime) -> dict[str, Check]:
    async def database() -> None:
        async with runtime.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))

    async def sequencer() -> None:
        if not runtime.sequencer.alive:
            raise SequencerStopped

    checks: dict[str, Check] = {"database": database, "sequencer": sequencer}
    client = getattr(runtime.cache, "client", None)
    if runtime.settings.cache_url.startswith(("redis://", "rediss://")) and client is not None:

        async def redis() -> None:
            await client.ping()

        checks["redis"] = redis
    return checks


class SequencerStopped(RuntimeError):
    """The log's writer task is not running (stopped or crashed): nothing can be ingested."""


async def run_check(check: Check) -> dict[str, object]:
    started = time.perf_counter()
    try:
        async with asyncio.timeout(READY_TIMEOUT_SECONDS):
            await check()
    except TimeoutError:
        error = f"no answer within {READY_TIMEOUT_SECONDS:g} s"
    except Exception as exc:  # the class says enough; messages may hold credentials
        error = type(exc).__name__
    else:
        return {"status": "ok", "latency_ms": _ms_since(started)}
    return {"status": "failed", "error": error, "latency_ms": _ms_since(started)}


def _ms_since(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
