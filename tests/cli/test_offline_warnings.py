"""Offline commands say only what matters to them: no warning about ingestion they never do
(only the serving process warns), and one line, not a traceback, on an unmigrated database."""

from __future__ import annotations

import asyncio
import logging
import os
from pathlib import Path

import pytest

from gateway.cli import main
from tests.cli.serving import keep_served_apps
from tests.conftest import Gateway, placed

NO_SOURCES = "no ingestion sources configured"


@pytest.fixture
def operator_shell(sqlite_gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> Gateway:
    """The gateway's database and data directory, no ORDERLENS_INGEST_SECRETS: the shell an
    operator runs maintenance from."""
    for name in list(os.environ):
        if name.startswith("ORDERLENS_"):
            monkeypatch.delenv(name)
    settings = sqlite_gateway.runtime.settings
    monkeypatch.setenv("ORDERLENS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ORDERLENS_DATA_DIR", str(settings.data_dir))
    return sqlite_gateway


def warnings_in(caplog: pytest.LogCaptureFixture, captured: pytest.CaptureFixture[str]) -> str:
    records = [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING]
    return "\n".join([*records, captured.readouterr().err])


async def test_rebuild_and_deadletters_list_do_not_warn_about_ingestion(
    operator_shell: Gateway,
    caplog: pytest.LogCaptureFixture,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await operator_shell.post_events("erp", [placed("SO-000060")])
    with caplog.at_level(logging.WARNING):
        assert await asyncio.to_thread(main, ["rebuild"]) == 0
        assert "rebuilt 1 orders" in capsys.readouterr().out
        assert await asyncio.to_thread(main, ["deadletters", "list"]) == 0
        assert "0 pending dead letter(s)" in capsys.readouterr().out
        assert await asyncio.to_thread(main, ["deadletters", "replay"]) == 0
    assert NO_SOURCES not in warnings_in(caplog, capsys)


async def test_serve_still_warns_that_ingestion_will_be_refused(
    operator_shell: Gateway,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    apps = keep_served_apps(monkeypatch)
    assert await asyncio.to_thread(main, ["serve", "--dev-keys"]) == 0
    [app] = apps
    with caplog.at_level(logging.WARNING, logger="gateway.runtime"):
        async with app.router.lifespan_context(app):
            pass
    assert any(NO_SOURCES in r.getMessage() for r in caplog.records)


OFFLINE = [
    ["rebuild"],
    ["deadletters", "list"],
    ["erase", "--customer", "C-1"],
    ["serve", "--dev-keys"],  # before the port opens, not a traceback from the lifespan
]


@pytest.mark.parametrize("command", OFFLINE)
async def test_an_unmigrated_database_gets_one_line_saying_what_to_run(
    operator_shell: Gateway,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    command: list[str],
) -> None:
    monkeypatch.setenv("ORDERLENS_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    served = keep_served_apps(monkeypatch)
    assert await asyncio.to_thread(main, command) == 2
    assert served == []
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("orderlens: database schema is at nothing, ")
    assert line.endswith("run `orderlens migrate` (or set ORDERLENS_AUTO_MIGRATE=true)")
