"""When the gateway cannot take an event, the sender learns it and nothing is half-stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select

from gateway.db.tables import dead_letters, events, webhook_deliveries
from gateway.sequencer import Sequencer
from tests.conftest import Clock, Gateway, make_settings, placed, running_gateway


async def count(gw: Gateway, table: Any) -> int:
    async with gw.runtime.engine.connect() as conn:
        return int(await conn.scalar(select(func.count()).select_from(table)) or 0)


async def test_failed_commit_is_503_and_a_retry_succeeds(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    original = Sequencer._commit

    async def broken(self: Sequencer, *args: Any) -> Any:
        raise ConnectionError("database went away")

    monkeypatch.setattr(Sequencer, "_commit", broken)
    failed = await gateway.post_events("erp", [placed()], webhook_id="msg_retry")
    assert failed.status_code == 503
    assert failed.headers["retry-after"] == "1"
    assert "database" not in failed.text  # internals stay internal
    assert await count(gateway, events) == 0
    assert await count(gateway, webhook_deliveries) == 0  # the retry is not answered from cache

    monkeypatch.setattr(Sequencer, "_commit", original)
    retried = await gateway.post_events("erp", [placed()], webhook_id="msg_retry")
    assert retried.status_code == 200
    assert retried.json()["accepted"] == 1
    assert await count(gateway, events) == 1


async def test_event_too_large_for_a_leaf_is_dead_lettered(gateway: Gateway) -> None:
    big = placed()
    big["data"]["lines"] = [
        {"line_id": str(i), "sku": f"SKU-{i}", "description": "x" * 200, "quantity": 1}
        for i in range(400)
    ]
    response = await gateway.post_events("erp", [big])
    assert response.status_code == 422
    assert "65535" in response.json()["results"][0]["errors"][0]
    assert await count(gateway, events) == 0
    assert await count(gateway, dead_letters) == 1


async def test_gateway_without_sources_refuses_every_delivery(
    sqlite_url: str, tmp_path: Path, clock: Clock
) -> None:
    settings = make_settings(sqlite_url, tmp_path, ingest_secrets={})
    async with running_gateway(settings, clock) as gw:
        response = await gw.post_events("erp", [placed()])
    assert response.status_code == 401
