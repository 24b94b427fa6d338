"""`orderlens verify` against what the gateway serves, and its failures."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from gateway.cli import main
from tests.conftest import START, Gateway, cloud_event, placed, shipment_event


async def exported(gw: Gateway) -> dict[str, object]:
    await gw.post_events("erp", [placed()])
    await gw.post_events("wms", [cloud_event("order.packed", time=START + timedelta(hours=2))])
    await gw.post_events("courier", [shipment_event("picked_up", time=START + timedelta(hours=5))])
    return await gw.graphql('{ order(number: "SO-000001") { verificationBundle } }')


async def test_cli_accepts_the_served_bundle_and_names_tampering(
    sqlite_gateway: Gateway, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    answer = await exported(sqlite_gateway)
    key_file = sqlite_gateway.runtime.settings.data_dir / "log.vkey"
    good = tmp_path / "answer.json"
    good.write_text(json.dumps(answer))
    assert main(["verify", str(good), "--key", str(key_file)]) == 0
    assert "SO-000001" in capsys.readouterr().out

    bundle = answer["data"]["order"]["verificationBundle"]  # type: ignore[index]
    bundle["events"][1]["event"]["data"]["milestone"] = "picked"
    bad = tmp_path / "tampered.json"
    bad.write_text(json.dumps(answer))
    assert main(["verify", str(bad), "--key", str(key_file)]) == 1
    out = capsys.readouterr().out
    assert "seq 2" in out


def test_cli_reports_unreadable_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    junk = tmp_path / "junk.json"
    junk.write_text("not json")
    vkey = "orderlens.local/timeline/v1+00000000+AQ" + "A" * 42 + "="
    assert main(["verify", str(junk), "--key", vkey]) == 1
    assert capsys.readouterr().out.strip()
