"""`orderlens keys`: status, rotation with re-wrapping, retirement, on SQLite and PostgreSQL,
while a gateway runs, and with keys from configuration."""

from __future__ import annotations

import asyncio
import base64
import io
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path

import pytest
from sqlalchemy import select

from gateway.cli import main
from gateway.cli.keys import ProgressBar, render_bar
from gateway.settings import MASTER_KEY_VARIABLES, Settings
from privacy import LocalKeyring, OrderPii
from privacy.rotation import versions_in_use
from privacy.tables import order_contacts, subject_keys
from tests.conftest import Clock, Gateway, make_settings, running_gateway
from tests.privacy.test_vault_ingest import ADDRESS, CONTACT, placed_with_pii

KEY_1 = bytes(range(32))
KEY_2 = bytes(range(100, 132))
ORDERS = [f"SO-00000{i}" for i in range(1, 6)]


def b64(key: bytes) -> str:
    return base64.b64encode(key).decode()


def leaks(text: str, *keys: bytes) -> bool:
    return any(b64(k)[:12] in text or k.hex()[:12] in text for k in keys)


async def keys_cli(*args: str) -> int:
    # The CLI runs its own event loop; a thread keeps the test's gateway serving meanwhile.
    return await asyncio.to_thread(main, ["keys", *args])


def use_gateway_settings(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    monkeypatch.setenv("ORDERLENS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ORDERLENS_DATA_DIR", str(settings.data_dir))
    for name in MASTER_KEY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    for name, value in settings.master_key_env.items():
        monkeypatch.setenv(name, value)


@pytest.fixture
def cli(gateway: Gateway, monkeypatch: pytest.MonkeyPatch) -> Gateway:
    """The gateway, with the CLI pointed at its database and data directory."""
    use_gateway_settings(monkeypatch, gateway.runtime.settings)
    return gateway


async def place_orders(gateway: Gateway, orders: list[str] = ORDERS) -> None:
    events = [placed_with_pii(o, customer_ref=f"CUST-{o[-4:]}") for o in orders]
    response = await gateway.post_events("erp", events)
    assert response.json()["accepted"] == len(orders), response.text


async def read_pii(gateway: Gateway, orders: list[str] = ORDERS) -> dict[str, OrderPii]:
    async with gateway.runtime.engine.connect() as conn:
        return await gateway.runtime.vault.order_pii(conn, orders)


def assert_all_readable(found: dict[str, OrderPii], orders: list[str] = ORDERS) -> None:
    assert sorted(found) == sorted(orders)
    for pii in found.values():
        assert pii.contact is not None and pii.contact.name == CONTACT["name"]
        assert pii.contact.email == CONTACT["email"]
        assert pii.address is not None and pii.address.street == ADDRESS["street"]
        assert pii.address.postal_code == ADDRESS["postal_code"]


def keyring_file(gateway: Gateway) -> Path:
    return gateway.runtime.settings.keyring_path


# -- status and rotation ---------------------------------------------------------------------


async def test_status_names_backend_versions_and_wrapped_keys(
    cli: Gateway, capsys: pytest.CaptureFixture[str]
) -> None:
    await place_orders(cli)
    wrapped = (await versions_in_use(cli.runtime.engine))[1]
    assert wrapped == len(ORDERS) + 2  # one per customer, plus the two system keys

    assert await keys_cli("status") == 0
    out = capsys.readouterr().out
    assert f"keyring  local file {keyring_file(cli)}" in out
    assert "primary  version 1" in out
    assert f"      1  primary         {wrapped:>12}" in out
    assert not leaks(out, LocalKeyring.load_or_create(keyring_file(cli)).key(1))


async def test_rotate_rewraps_every_key_in_batches_with_progress(
    cli: Gateway, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("privacy.rotation.BATCH", 2)
    await place_orders(cli)
    before = await versions_in_use(cli.runtime.engine)

    assert await keys_cli("rotate") == 0
    captured = capsys.readouterr()
    assert "version 2 is now the primary master key (was 1)" in captured.out
    assert f"re-wrapped {len(ORDERS)} data keys and the system keys under version 2" in captured.out
    assert "no key is wrapped under version 1 any more: `orderlens keys retire VERSION`" in (
        captured.out
    )
    # Not a terminal: one line per batch.
    assert captured.err.splitlines() == [
        "rewrapping  2/5 [############..................] 40%",
        "rewrapping  4/5 [########################......] 80%",
        "rewrapping  5/5 [##############################] 100%",
    ]
    assert await versions_in_use(cli.runtime.engine) == {2: before[1]}

    assert await keys_cli("status") == 0
    out = capsys.readouterr().out
    assert "primary  version 2" in out
    assert f"      1  active          {0:>12}" in out
    assert f"      2  primary         {before[1]:>12}" in out


async def test_rotate_without_rewrap_leaves_keys_for_rewrap(
    cli: Gateway, capsys: pytest.CaptureFixture[str]
) -> None:
    await place_orders(cli)
    assert await keys_cli("rotate", "--no-rewrap") == 0
    assert "keys stay under version 1 until `orderlens keys rewrap`" in capsys.readouterr().out
    assert set(await versions_in_use(cli.runtime.engine)) == {1}

    assert await keys_cli("rewrap") == 0
    assert set(await versions_in_use(cli.runtime.engine)) == {2}
    assert_all_readable(await read_pii(cli))


async def test_every_value_survives_rotate_and_retire_in_running_and_fresh_gateways(
    cli: Gateway, capsys: pytest.CaptureFixture[str], clock: Clock
) -> None:
    await place_orders(cli)
    assert_all_readable(await read_pii(cli))
    old_key = LocalKeyring.load_or_create(keyring_file(cli)).key(1)

    assert await keys_cli("rotate") == 0
    # The gateway started before the rotation reads keys now wrapped under version 2 ...
    assert_all_readable(await read_pii(cli))
    assert await keys_cli("retire", "1") == 0
    assert_all_readable(await read_pii(cli))
    assert cli.runtime.vault.keyring.versions() == (2,)

    # ... and wraps the data keys of new customers under the new primary.
    await place_orders(cli, ["SO-000009"])
    async with cli.runtime.engine.connect() as conn:
        customer = await conn.scalar(
            select(order_contacts.c.customer_id).where(order_contacts.c.order_number == "SO-000009")
        )
        version = await conn.scalar(
            select(subject_keys.c.kek_version).where(subject_keys.c.subject_id == customer)
        )
    assert version == 2

    async with running_gateway(cli.runtime.settings, clock) as fresh:
        assert_all_readable(await read_pii(fresh, [*ORDERS, "SO-000009"]), [*ORDERS, "SO-000009"])

    assert not leaks(keyring_file(cli).read_text(), old_key)
    captured = capsys.readouterr()
    new_key = LocalKeyring.load_or_create(keyring_file(cli)).key(2)
    assert "retired version 1: its key is deleted from" in captured.out
    assert not leaks(captured.out + captured.err, old_key, new_key)


# -- retirement ------------------------------------------------------------------------------


async def test_retire_refuses_the_primary_and_a_version_still_in_use(
    cli: Gateway, capsys: pytest.CaptureFixture[str]
) -> None:
    await place_orders(cli)
    assert await keys_cli("retire", "1") == 2
    err = capsys.readouterr().err
    assert err == (
        "orderlens keys: version 1 is the primary master key: rotate to a new one first\n"
    )

    assert await keys_cli("rotate", "--no-rewrap") == 0
    capsys.readouterr()
    assert await keys_cli("retire", "1") == 2
    err = capsys.readouterr().err
    assert err.startswith("orderlens keys: master key version 1 still wraps 7 keys")
    assert err.count("\n") == 1 and "Traceback" not in err
    assert LocalKeyring.load_or_create(keyring_file(cli)).versions() == (1, 2)

    assert await keys_cli("retire", "9") == 2
    assert "version 9 is not in the keyring" in capsys.readouterr().err

    assert await keys_cli("rewrap") == 0
    assert await keys_cli("retire", "1") == 0
    assert await keys_cli("retire", "1") == 0
    assert capsys.readouterr().out.endswith("version 1 is already retired\n")
    assert await keys_cli("status") == 0
    assert f"      1  retired         {0:>12}" in capsys.readouterr().out
    assert_all_readable(await read_pii(cli))


async def test_a_retired_version_is_gone_from_the_keyring_file(cli: Gateway) -> None:
    path = keyring_file(cli)
    old_key = LocalKeyring.load_or_create(path).key(1)
    assert b64(old_key) in path.read_text()
    assert await keys_cli("rotate") == 0
    assert await keys_cli("retire", "1") == 0
    reloaded = LocalKeyring.load_or_create(path)
    assert reloaded.retired_versions() == (1,) and reloaded.primary_version == 2
    assert not leaks(path.read_text(), old_key)


# -- keys from configuration -----------------------------------------------------------------


@pytest.fixture
async def static_gateway(
    database_url: str, tmp_path: Path, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> AsyncIterator[Gateway]:
    keys = {"ORDERLENS_MASTER_KEYS": f"1:{b64(KEY_1)}"}
    settings = make_settings(database_url, tmp_path, master_key_env=keys)
    async with running_gateway(settings, clock) as gw:
        use_gateway_settings(monkeypatch, settings)
        yield gw


async def test_configured_keys_are_rotated_by_deployment_then_rewrapped(
    static_gateway: Gateway,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    clock: Clock,
) -> None:
    await place_orders(static_gateway)
    assert await keys_cli("status") == 0
    assert "keyring  configuration (ORDERLENS_MASTER_KEYS)" in capsys.readouterr().out

    assert await keys_cli("rotate") == 2
    err = capsys.readouterr().err
    assert "they are rotated by deployment, not here" in err
    assert "add it as version 2 to ORDERLENS_MASTER_KEYS" in err
    assert "set ORDERLENS_MASTER_KEY_PRIMARY=2 and deploy every gateway" in err
    assert "run `orderlens keys rewrap`" in err and "Traceback" not in err

    # Dropping version 1 before re-wrapping would lose data: status says so.
    monkeypatch.setenv("ORDERLENS_MASTER_KEYS", f"2:{b64(KEY_2)}")
    assert await keys_cli("status") == 1
    captured = capsys.readouterr()
    assert f"      1  not configured  {7:>12}" in captured.out
    assert captured.err == "warning: keys wrapped under version 1 cannot be read\n"

    # The operator deploys version 2 as primary, keeping version 1 for reading.
    monkeypatch.setenv("ORDERLENS_MASTER_KEYS", f"1:{b64(KEY_1)},2:{b64(KEY_2)}")
    monkeypatch.setenv("ORDERLENS_MASTER_KEY_PRIMARY", "2")
    assert await keys_cli("retire", "1") == 2
    assert "master key version 1 still wraps 7 keys" in capsys.readouterr().err
    assert await keys_cli("rewrap") == 0
    assert set(await versions_in_use(static_gateway.runtime.engine)) == {2}
    assert await keys_cli("retire", "2") == 2
    assert "version 2 is the primary master key" in capsys.readouterr().err
    assert await keys_cli("retire", "1") == 2
    err = capsys.readouterr().err
    assert "version 1 wraps no keys, but master keys come from configuration" in err
    assert "remove it from ORDERLENS_MASTER_KEYS" in err

    # After removing version 1 from the configuration, everything still reads.
    only_2 = {"ORDERLENS_MASTER_KEYS": f"2:{b64(KEY_2)}"}
    settings = replace(static_gateway.runtime.settings, master_key_env=only_2)
    async with running_gateway(settings, clock) as fresh:
        assert_all_readable(await read_pii(fresh))
    captured = capsys.readouterr()
    assert not leaks(captured.out + captured.err, KEY_1, KEY_2)


def test_an_unmigrated_database_is_named_as_the_problem(
    sqlite_url: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    LocalKeyring.load_or_create(tmp_path / "keys" / "master-keyring.json")
    use_gateway_settings(monkeypatch, make_settings(sqlite_url, tmp_path))
    assert main(["keys", "status"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("orderlens keys: database schema is at nothing, this orderlens needs")
    assert err.endswith("run `orderlens migrate` (or set ORDERLENS_AUTO_MIGRATE=true)\n")


# -- mistakes that must not change anything -------------------------------------------------


async def test_a_missing_keyring_file_is_not_created(
    cli: Gateway,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    elsewhere = tmp_path / "elsewhere"
    monkeypatch.setenv("ORDERLENS_DATA_DIR", str(elsewhere))
    assert await keys_cli("rotate") == 2
    err = capsys.readouterr().err
    assert err == (
        f"orderlens keys: no master keyring at {elsewhere / 'master-keyring.json'}: "
        "set ORDERLENS_DATA_DIR to the gateway's data directory\n"
    )
    assert not elsewhere.exists()


async def test_another_keyring_is_refused_before_it_is_rotated(
    cli: Gateway,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    await place_orders(cli)
    other = LocalKeyring.load_or_create(tmp_path / "other" / "master-keyring.json")
    monkeypatch.setenv("ORDERLENS_DATA_DIR", str(other.path.parent))
    for action in (["rotate"], ["rewrap"]):
        assert await keys_cli(*action) == 2
        err = capsys.readouterr().err
        assert "failed authentication under master key version 1" in err
        assert "is this the gateways' keyring" in err and "nothing was changed" in err
        assert err.count("\n") == 1 and not leaks(err, other.key(1))
    assert LocalKeyring.load_or_create(other.path).versions() == (1,)
    assert set(await versions_in_use(cli.runtime.engine)) == {1}


def test_a_bad_version_argument_is_not_echoed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["keys", "retire", b64(KEY_1)])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert "VERSION must be a positive number" in err and not leaks(err, KEY_1)


# -- the progress bar ------------------------------------------------------------------------


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_bar_redraws_in_place_on_a_terminal() -> None:
    stream = Terminal()
    bar = ProgressBar("rewrapping", stream)
    bar(1234, 5000)
    bar(5000, 5000)
    bar.close()
    assert stream.getvalue() == (
        "\rrewrapping  1234/5000 [#######.......................] 24%"
        "\rrewrapping  5000/5000 [##############################] 100%\n"
    )


def test_progress_bar_writes_one_line_per_batch_elsewhere() -> None:
    stream = io.StringIO()
    bar = ProgressBar("rewrapping", stream)
    bar(1, 3)
    bar.close()
    assert stream.getvalue() == "rewrapping  1/3 [##########....................] 33%\n"


@pytest.mark.parametrize(
    ("done", "total", "expected"),
    [
        (0, 0, "x  0/0 [##########] 100%"),
        (0, 10, "x   0/10 [..........] 0%"),
        (12, 10, "x  12/12 [##########] 100%"),  # keys added while counting
    ],
)
def test_render_bar_edges(done: int, total: int, expected: str) -> None:
    assert render_bar("x", done, total, width=10) == expected


async def test_rotation_while_the_gateway_keeps_ingesting(
    cli: Gateway, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("privacy.rotation.BATCH", 3)
    await place_orders(cli)
    more = [f"SO-1{i:05d}" for i in range(60)]

    async def ingest() -> None:
        for start in range(0, len(more), 3):
            await place_orders(cli, more[start : start + 3])

    results = await asyncio.gather(ingest(), keys_cli("rotate"))
    assert results[1] == 0, capsys.readouterr().err
    assert await keys_cli("rewrap") == 0  # picks up keys wrapped before the gateway noticed
    assert set(await versions_in_use(cli.runtime.engine)) == {2}
    assert await keys_cli("retire", "1") == 0
    assert_all_readable(await read_pii(cli, [*ORDERS, *more]), [*ORDERS, *more])
