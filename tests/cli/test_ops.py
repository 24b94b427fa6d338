"""`orderlens deadletters list|replay` and `orderlens connectors`: nothing is lost, and what
failed can be re-processed once the cause is fixed."""

from __future__ import annotations

import asyncio
import json
from datetime import datetime
from pathlib import Path

import pytest

from connectors import PayloadError, Translation
from connectors.cloudevents import CloudEventsConnector
from gateway.cli import main
from gateway.ingest import replay_dead_letters
from gateway.sources import connector_health
from tests.conftest import Gateway, placed
from tests.connectors.test_push_endpoint import CONFIG, SECRET, gw, push

__all__ = ["gw"]  # the fixture, re-used


async def test_a_payload_that_failed_before_a_fix_is_replayed_after_it(
    gw: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(
        self: CloudEventsConnector,
        payload: bytes,
        *,
        content_type: str,
        received_at: datetime | None = None,
    ) -> Translation:
        raise PayloadError("mapping v1 cannot read this document")

    with monkeypatch.context() as patch:
        patch.setattr(CloudEventsConnector, "translate", broken)
        failed = await push(gw, [placed("SO-000030")], delivery="x1")
    assert failed.status_code == 400
    [letter] = await gw.dead_letters()
    assert letter.reason == "mapping v1 cannot read this document"

    report = await replay_dead_letters(gw.runtime)
    assert report.counts == {"replayed": 1, "failed": 0, "skipped": 0}, report.lines
    assert await gw.dead_letters() == []  # nothing pending any more
    order = await gw.graphql('{ order(number: "SO-000030") { number sources { source } } }')
    assert order["data"]["order"]["sources"] == [{"source": "inhouse"}]


async def test_what_still_fails_stays_a_dead_letter_with_the_current_reason(gw: Gateway) -> None:
    bad = placed("SO-000031")
    bad["data"]["colour"] = "red"
    await push(gw, [bad], delivery="x2")
    report = await replay_dead_letters(gw.runtime)
    assert report.counts["failed"] == 1
    [still] = await gw.dead_letters()
    assert "data.colour" in still.reason and still.source == "inhouse"


async def test_cli_lists_without_content_and_shows_connector_health(
    gw: Gateway,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    secret_order = placed("SO-000032")
    secret_order["data"]["contact"] = {"name": "王秀英", "phone": "+86 138 1234 5678"}
    secret_order["data"]["colour"] = "red"
    await push(gw, [secret_order], delivery="x3")
    config = tmp_path / "cli-connectors.toml"
    config.write_text(CONFIG)
    settings = gw.runtime.settings
    monkeypatch.setenv("ORDERLENS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ORDERLENS_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("ORDERLENS_CONNECTORS_FILE", str(config))
    monkeypatch.setenv("INHOUSE_SECRET", SECRET)

    assert await asyncio.to_thread(main, ["deadletters", "list"]) == 0
    out = capsys.readouterr().out
    assert "inhouse" in out and "1 pending dead letter(s)" in out
    assert "王" not in out and "1234" not in out

    assert await asyncio.to_thread(main, ["connectors"]) == 0
    out = capsys.readouterr().out
    assert "inhouse" in out and "cloudevents" in out and "push /ingest/inhouse" in out

    assert await asyncio.to_thread(main, ["deadletters", "replay", "--source", "nobody"]) == 0
    assert json.loads(capsys.readouterr().out.strip().splitlines()[-1])["replayed"] == 0
    [row] = await connector_health(gw.runtime)
    assert row.dead_letters == 1 and not row.stale
