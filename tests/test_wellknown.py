"""Liveness and readiness: what each probe looks at, and what a failing one says."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from gateway import wellknown
from gateway.db import create_engine
from tests.conftest import REDIS_URL, Clock, Gateway, make_settings, require_server, running_gateway


async def test_livez_and_its_old_name_healthz_answer_without_io(sqlite_gateway: Gateway) -> None:
    await sqlite_gateway.runtime.engine.dispose()
    sqlite_gateway.runtime.engine = create_engine("sqlite+aiosqlite:////nonexistent/dir/x.db")
    for path in ("/livez", "/healthz"):
        response = await sqlite_gateway.client.get(path)
        assert (response.status_code, response.json()) == (200, {"status": "ok"})


async def test_readyz_names_each_check_with_its_latency(gateway: Gateway) -> None:
    response = await gateway.client.get("/readyz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ready"
    assert set(body["checks"]) == {"database", "sequencer"}  # no Redis configured
    for check in body["checks"].values():
        assert check["status"] == "ok"
        assert isinstance(check["latency_ms"], float) and check["latency_ms"] >= 0


async def test_readyz_fails_on_an_unreachable_database_without_leaking_its_url(
    sqlite_gateway: Gateway,
) -> None:
    runtime = sqlite_gateway.runtime
    good = runtime.engine
    runtime.engine = create_engine("postgresql+asyncpg://orderlens:s3cret-pw@127.0.0.1:1/prod")
    try:
        response = await sqlite_gateway.client.get("/readyz")
    finally:
        await runtime.engine.dispose()
        runtime.engine = good
    assert response.status_code == 503
    body = response.json()
    assert body["status"] == "not ready"
    assert body["failing"] == ["database"]
    assert body["checks"]["database"]["status"] == "failed"
    assert body["checks"]["sequencer"]["status"] == "ok"
    assert "s3cret-pw" not in response.text and "127.0.0.1" not in response.text


@pytest.fixture
async def silent_server() -> AsyncIterator[int]:
    """A TCP port that accepts connections and never says anything."""
    accepted: list[asyncio.StreamWriter] = []

    async def hold(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        accepted.append(writer)

    server = await asyncio.start_server(hold, "127.0.0.1", 0)
    async with server:
        yield server.sockets[0].getsockname()[1]
    for writer in accepted:
        writer.close()


async def test_readyz_gives_a_hanging_database_a_short_timeout(
    sqlite_gateway: Gateway, silent_server: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(wellknown, "READY_TIMEOUT_SECONDS", 0.2)
    runtime = sqlite_gateway.runtime
    good = runtime.engine
    runtime.engine = create_engine(f"postgresql+asyncpg://u@127.0.0.1:{silent_server}/db")
    try:
        response = await sqlite_gateway.client.get("/readyz")
    finally:
        await runtime.engine.dispose()
        runtime.engine = good
    assert response.status_code == 503
    database = response.json()["checks"]["database"]
    assert database["error"] == "no answer within 0.2 s"
    assert 150 <= database["latency_ms"] < 2000


async def test_readyz_fails_when_the_sequencer_has_stopped(sqlite_gateway: Gateway) -> None:
    await sqlite_gateway.runtime.sequencer.stop()
    response = await sqlite_gateway.client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["sequencer"]
    assert body["checks"]["sequencer"] == {
        "status": "failed",
        "error": "SequencerStopped",
        "latency_ms": body["checks"]["sequencer"]["latency_ms"],
    }


async def test_readyz_fails_when_the_sequencer_task_crashed(sqlite_gateway: Gateway) -> None:
    sequencer = sqlite_gateway.runtime.sequencer
    task = sequencer._task
    assert task is not None and sequencer.alive
    task.cancel()  # what a crash looks like from outside: the task is done
    await asyncio.gather(task, return_exceptions=True)
    response = await sqlite_gateway.client.get("/readyz")
    assert (response.status_code, response.json()["failing"]) == (503, ["sequencer"])


async def test_readyz_pings_a_configured_redis(
    sqlite_url: str, tmp_path: Path, clock: Clock
) -> None:
    require_server("Redis", "127.0.0.1", 6379)
    settings = make_settings(sqlite_url, tmp_path, cache_url=REDIS_URL)
    async with running_gateway(settings, clock) as gw:
        response = await gw.client.get("/readyz")
    assert response.status_code == 200
    assert response.json()["checks"]["redis"]["status"] == "ok"


async def test_readyz_names_an_unreachable_redis_without_its_password(
    sqlite_url: str, tmp_path: Path, clock: Clock
) -> None:
    settings = make_settings(sqlite_url, tmp_path, cache_url="redis://:hunter2@127.0.0.1:1/0")
    async with running_gateway(settings, clock) as gw:
        response = await gw.client.get("/readyz")
    assert response.status_code == 503
    body = response.json()
    assert body["failing"] == ["redis"]
    assert body["checks"]["redis"]["status"] == "failed"
    assert "hunter2" not in response.text and "127.0.0.1" not in response.text
