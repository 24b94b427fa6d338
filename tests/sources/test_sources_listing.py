"""Every configured source is listed (connector instances and ORDERLENS_INGEST_SECRETS), one
name is never both, and `orderlens connectors` says what to do when the database cannot."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from importlib.metadata import EntryPoint
from pathlib import Path

import pytest

from gateway.cli import main
from gateway.runtime import Runtime
from gateway.settings import SettingsError
from tests.conftest import SECRETS, Clock, Gateway, make_settings, placed, running_gateway
from tests.connectors.test_push_endpoint import CONFIG, SECRET, push

INGEST_SECRETS_MODE = "push /ingest/events (ORDERLENS_INGEST_SECRETS)"
TYPES = (
    "connector types available: cloudevents, easypost, erpnext, shipconfirm_xml, shiphero, ups, "
    "acme (acme_orderlens.connector:CONNECTOR)"
)


@pytest.fixture
async def gw(sqlite_url: str, tmp_path: Path, clock: Clock) -> AsyncIterator[Gateway]:
    """An `inhouse` connector instance beside `erp` and `wms` from ORDERLENS_INGEST_SECRETS."""
    path = tmp_path / "connectors.toml"
    path.write_text(CONFIG)
    settings = make_settings(
        sqlite_url,
        tmp_path,
        connectors_file=path,
        env={"INHOUSE_SECRET": SECRET},
        ingest_secrets={"wms": SECRETS["wms"], "erp": SECRETS["erp"]},
    )
    async with running_gateway(settings, clock) as gateway:
        yield gateway


@pytest.fixture
def cli_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The shell of an operator: the gateway's variables, and one third-party connector type."""
    for name in list(os.environ):
        if name.startswith("ORDERLENS_"):
            monkeypatch.delenv(name)
    config = tmp_path / "cli-connectors.toml"
    config.write_text(CONFIG)
    monkeypatch.setenv("ORDERLENS_CONNECTORS_FILE", str(config))
    monkeypatch.setenv("INHOUSE_SECRET", SECRET)
    monkeypatch.setenv(
        "ORDERLENS_INGEST_SECRETS", f"wms={SECRETS['wms'].encoded},erp={SECRETS['erp'].encoded}"
    )
    plugin = EntryPoint("acme", "acme_orderlens.connector:CONNECTOR", "orderlens.connectors")
    monkeypatch.setattr("connectors.sdk.registry.entry_points", lambda group: [plugin])
    return config


async def test_ingest_secrets_sources_are_listed_with_their_freshness(gw: Gateway) -> None:
    assert (await gw.post_events("erp", [placed("SO-000050")])).status_code == 200
    answer = await gw.graphql("{ sources { id type kind mode lastSyncedAt stale deadLetters } }")
    assert answer["data"]["sources"] == [
        {
            "id": "inhouse",
            "type": "cloudevents",
            "kind": "generic",
            "mode": "push /ingest/inhouse",
            "lastSyncedAt": None,
            "stale": False,
            "deadLetters": 0,
        },
        {
            "id": "erp",
            "type": "cloudevents",
            "kind": "generic",
            "mode": INGEST_SECRETS_MODE,
            "lastSyncedAt": "2026-11-23T08:00:00+00:00",
            "stale": False,
            "deadLetters": 0,
        },
        {
            "id": "wms",
            "type": "cloudevents",
            "kind": "generic",
            "mode": INGEST_SECRETS_MODE,
            "lastSyncedAt": None,
            "stale": False,
            "deadLetters": 0,
        },
    ]


async def test_cli_prints_every_source_in_aligned_columns(
    gw: Gateway,
    cli_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await gw.post_events("erp", [placed("SO-000051")])
    await push(gw, b"not json", delivery="bad-1")  # one dead letter for inhouse
    settings = gw.runtime.settings
    monkeypatch.setenv("ORDERLENS_DATABASE_URL", settings.database_url)
    capsys.readouterr()
    assert await asyncio.to_thread(main, ["connectors"]) == 0
    assert capsys.readouterr().out == "\n".join(
        [
            "id       type         kind     mode                                            "
            "last synced              stale  dead letters  parked",
            "inhouse  cloudevents  generic  push /ingest/inhouse                            "
            "-                        no                1       0",
            "erp      cloudevents  generic  push /ingest/events (ORDERLENS_INGEST_SECRETS)  "
            "2026-11-23 08:00:00 UTC  no                0       0",
            "wms      cloudevents  generic  push /ingest/events (ORDERLENS_INGEST_SECRETS)  "
            "-                        no                0       0",
            "",
            TYPES,
            "",
        ]
    )


def test_connectors_on_a_database_never_migrated_says_what_to_do(
    cli_env: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("ORDERLENS_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'new.db'}")
    assert main(["connectors"]) == 2
    captured = capsys.readouterr()
    assert captured.err.startswith("orderlens connectors: database schema is at nothing, ")
    assert "run `orderlens migrate`" in captured.err and "Traceback" not in captured.err
    assert captured.out == "\n".join(
        [
            "configured sources (health unknown until the database answers):",
            "id       type         kind     mode",
            "inhouse  cloudevents  generic  push /ingest/inhouse",
            "erp      cloudevents  generic  push /ingest/events (ORDERLENS_INGEST_SECRETS)",
            "wms      cloudevents  generic  push /ingest/events (ORDERLENS_INGEST_SECRETS)",
            "",
            TYPES,
            "",
        ]
    )


async def test_a_source_both_in_ingest_secrets_and_a_connector_stops_start_up(
    sqlite_url: str,
    tmp_path: Path,
    cli_env: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    config = tmp_path / "twice.toml"
    config.write_text(CONFIG.replace("[connectors.inhouse]", "[connectors.erp]"))
    settings = make_settings(sqlite_url, tmp_path, connectors_file=config, env=dict(os.environ))
    message = (
        f"source 'erp' declared both in ORDERLENS_INGEST_SECRETS and as a connector instance in "
        f"{config}: events from both would be one source's; rename or remove one of them"
    )
    with pytest.raises(SettingsError) as refused:
        await Runtime.start(settings)
    assert str(refused.value) == message
    assert not (tmp_path / "keys").exists()  # stopped before anything opened

    monkeypatch.setenv("ORDERLENS_CONNECTORS_FILE", str(config))
    monkeypatch.setenv("ORDERLENS_DATA_DIR", str(tmp_path / "serve-keys"))
    monkeypatch.setattr("uvicorn.run", lambda app, **options: None)  # never listens
    assert main(["serve", "--dev-keys"]) == 2
    assert capsys.readouterr().err == f"orderlens: {message}\n"
