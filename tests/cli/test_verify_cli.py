"""`orderlens verify` against what the gateway serves, and its failures."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest

from gateway.cli import main
from tests.conftest import START, Gateway, cloud_event, placed, shipment_event
from tests.ledger.verify_helpers import VKEY


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


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        (  # no token: the order is null, exactly as for an order that does not exist
            '{ order(number: "SO-000001") { verificationBundle } }',
            ["  - the answer's order is null: the order does not exist or is not visible"],
        ),
        (  # a wrong verification factor
            '{ order(number: "SO-000001", verification: "0000") { verificationBundle } }',
            ["  - the answer's order is null: the order does not exist or is not visible"],
        ),
        (
            '{ order(number: "") { verificationBundle } }',
            [
                "  - the answer carries a GraphQL error at order: number must be 1 to 64 "
                "characters",
                "  - the answer's order is null",
            ],
        ),
    ],
)
async def test_cli_explains_an_answer_without_a_visible_order(
    sqlite_gateway: Gateway,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    query: str,
    expected: list[str],
) -> None:
    await exported(sqlite_gateway)
    answer = await sqlite_gateway.graphql(query, as_=None)
    assert answer["data"] == {"order": None}
    saved = tmp_path / "answer.json"
    saved.write_text(json.dumps(answer))
    key_file = sqlite_gateway.runtime.settings.data_dir / "log.vkey"
    assert main(["verify", str(saved), "--key", str(key_file)]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0].startswith(f"FAILED: {len(expected)} problem(s)")
    for line, start in zip(lines[1:], expected, strict=True):
        assert line.startswith(start), lines
    assert "no receipts" not in "\n".join(lines)


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "  - input is not valid JSON: it is empty (expected a GraphQL answer, a receipt"),
        (b"<html>502</html>", "  - input is not valid JSON: Expecting value: line 1 column 1"),
    ],
)
def test_cli_names_an_empty_or_garbage_file(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], content: bytes, expected: str
) -> None:
    saved = tmp_path / "answer.json"
    saved.write_bytes(content)
    assert main(["verify", str(saved), "--key", VKEY]) == 1
    assert capsys.readouterr().out.splitlines()[1].startswith(expected)
