"""A production gateway never starts on generated dev keys; `orderlens keys generate` makes
each secret in the format its variable expects."""

from __future__ import annotations

import asyncio
import base64
import logging
import os
import stat
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from starlette.applications import Starlette

from gateway.app import create_app
from gateway.auth import Authenticator, parse_secret
from gateway.cli import main
from gateway.ledger import load_signing_key
from gateway.settings import DevKeys, Settings, SettingsError
from privacy import Role, StaticKeyring
from tests.cli.serving import keep_served_apps

ALL_THREE = ("ORDERLENS_SIGNING_KEY_FILE", "ORDERLENS_AUTH_SECRET", "ORDERLENS_MASTER_KEYS")
HOW = (
    "orderlens keys generate signing",
    "orderlens keys generate auth",
    "orderlens keys generate master",
)


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """No ORDERLENS_* variable from the developer's shell; a fresh database and data dir."""
    for name in list(os.environ):
        if name.startswith("ORDERLENS_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("ORDERLENS_DATABASE_URL", f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}")
    monkeypatch.setenv("ORDERLENS_DATA_DIR", str(tmp_path / "data"))
    monkeypatch.setenv("ORDERLENS_AUTO_MIGRATE", "true")
    return tmp_path / "data"


@pytest.fixture
def served(monkeypatch: pytest.MonkeyPatch) -> list[Starlette]:
    return keep_served_apps(monkeypatch)


def test_serve_without_secrets_refuses_naming_each_and_how_to_make_it(
    env: Path, served: list[Starlette], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["serve"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("orderlens: refusing to start without production secrets")
    for variable in (*ALL_THREE, "ORDERLENS_MASTER_KEYS_DIR", *HOW):
        assert variable in err
    assert "--dev-keys" in err and "Traceback" not in err
    assert served == []  # never got as far as listening
    assert not env.exists()  # and no dev key was made


def test_one_missing_secret_is_named_alone(
    env: Path,
    served: list[Starlette],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert main(["keys", "generate", "signing", "--out", str(env.parent / "log.pem")]) == 0
    monkeypatch.setenv("ORDERLENS_SIGNING_KEY_FILE", str(env.parent / "log.pem"))
    monkeypatch.setenv("ORDERLENS_MASTER_KEYS_DIR", str(env.parent))
    capsys.readouterr()
    assert main(["serve"]) == 2
    [headline, missing] = capsys.readouterr().err.strip().splitlines()
    assert "refusing to start" in headline
    assert missing.startswith("  ORDERLENS_AUTH_SECRET: ")


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("ORDERLENS_AUTH_SECRET", "c2hvcnQ=", "ORDERLENS_AUTH_SECRET must decode to at least 32"),
        ("ORDERLENS_MASTER_KEYS", "1:c2hvcnQ=", "ORDERLENS_MASTER_KEYS version 1: "),
        ("ORDERLENS_SIGNING_KEY_FILE", "{tmp}/missing.pem", "{tmp}/missing.pem: No such file"),
        ("ORDERLENS_SIGNING_KEY_FILE", "{tmp}/auth", "{tmp}/auth is not a PEM (PKCS#8"),
    ],
)
def test_a_malformed_secret_is_one_line_naming_its_variable(
    env: Path,
    served: list[Starlette],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    variable: str,
    value: str,
    message: str,
) -> None:
    tmp = env.parent
    assert main(["keys", "generate", "signing", "--out", str(tmp / "log.pem")]) == 0
    assert main(["keys", "generate", "auth", "--out", str(tmp / "auth")]) == 0
    assert main(["keys", "generate", "master", "--out", str(tmp)]) == 0
    monkeypatch.setenv("ORDERLENS_SIGNING_KEY_FILE", str(tmp / "log.pem"))
    monkeypatch.setenv("ORDERLENS_AUTH_SECRET", (tmp / "auth").read_text().strip())
    if variable != "ORDERLENS_MASTER_KEYS":  # one master key source at a time
        monkeypatch.setenv("ORDERLENS_MASTER_KEYS_DIR", str(tmp))
    monkeypatch.setenv(variable, value.format(tmp=tmp))
    capsys.readouterr()
    assert main(["serve"]) == 2
    [line] = capsys.readouterr().err.splitlines()
    assert line.startswith("orderlens: ") and message.format(tmp=tmp) in line
    assert "c2hvcnQ" not in line  # never the value
    assert served == []


async def test_a_library_app_refuses_dev_keys_unless_asked(tmp_path: Path) -> None:
    settings = Settings(
        database_url=f"sqlite+aiosqlite:///{tmp_path / 'lib.db'}",
        data_dir=tmp_path / "data",
        auto_migrate=True,
    )
    app = create_app(settings)
    with pytest.raises(SettingsError, match="refusing to start") as refused:
        async with app.router.lifespan_context(app):
            pass  # pragma: no cover - never reached
    assert all(variable in str(refused.value) for variable in ALL_THREE)
    assert not (tmp_path / "data").exists()


async def test_serve_starts_on_the_secrets_keys_generate_made(
    env: Path,
    served: list[Starlette],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    secrets_dir = env.parent / "secrets"
    secrets_dir.mkdir()
    assert main(["keys", "generate", "signing", "--out", str(secrets_dir / "log.pem")]) == 0
    vkey = capsys.readouterr().err.strip().splitlines()[-1].rsplit(" ", 1)[-1]
    assert main(["keys", "generate", "auth"]) == 0
    auth_secret = capsys.readouterr().out.strip()
    assert main(["keys", "generate", "master"]) == 0
    master_keys = capsys.readouterr().out.strip()
    monkeypatch.setenv("ORDERLENS_SIGNING_KEY_FILE", str(secrets_dir / "log.pem"))
    monkeypatch.setenv("ORDERLENS_AUTH_SECRET", auth_secret)
    monkeypatch.setenv("ORDERLENS_MASTER_KEYS", master_keys)

    assert await asyncio.to_thread(main, ["serve"]) == 0
    [app] = served
    async with app.router.lifespan_context(app):
        runtime = app.state.runtime
        assert isinstance(runtime.vault.keyring, StaticKeyring)
        token = Authenticator(parse_secret(auth_secret)).issue(
            role=Role.ADMIN, subject="ops", now=runtime.clock()
        )
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://gw") as client:
            key = await client.get("/.well-known/orderlens/log-key")
            answer = await client.post(
                "/graphql",
                json={"query": "{ log { publicKey } }"},
                headers={"authorization": f"Bearer {token}"},
            )
    assert key.text.strip() == vkey
    assert answer.json() == {"data": {"log": {"publicKey": vkey}}}
    # Nothing secret was generated beside the configured ones, only the public key published.
    assert names_in(env) == {"log.vkey"}


async def test_serve_dev_keys_starts_with_a_loud_warning(
    env: Path, served: list[Starlette], caplog: pytest.LogCaptureFixture
) -> None:
    assert await asyncio.to_thread(main, ["serve", "--dev-keys"]) == 0
    [app] = served
    with caplog.at_level(logging.WARNING, logger="gateway.runtime"):
        async with app.router.lifespan_context(app):
            assert app.state.runtime.settings.dev_keys is DevKeys.CREATE
    [warning] = [r for r in caplog.records if "DEV KEYS" in r.getMessage()]
    assert warning.levelno == logging.WARNING
    message = warning.getMessage()
    assert "NOT FOR PRODUCTION" in message and str(env) in message
    assert all(variable in message for variable in ALL_THREE)
    assert {"log-signing-key.pem", "auth-secret", "master-keyring.json"} <= names_in(env)


def names_in(directory: Path) -> set[str]:
    return {path.name for path in directory.iterdir()}


def test_offline_commands_read_dev_keys_but_never_create_them(
    env: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["token", "--role", "admin", "--subject", "ops"]) == 2
    err = capsys.readouterr().err
    assert "ORDERLENS_AUTH_SECRET" in err and str(env / "auth-secret") in err
    assert "Traceback" not in err
    assert main(["deadletters", "list"]) == 2
    assert "ORDERLENS_SIGNING_KEY_FILE" in capsys.readouterr().err
    assert not env.exists()


# -- keys generate ---------------------------------------------------------------------------


@pytest.fixture
def umask() -> Iterator[None]:
    previous = os.umask(0)  # the widest umask: the files must still be private
    try:
        yield
    finally:
        os.umask(previous)


def test_generated_signing_key_is_a_private_pem_never_overwritten(
    tmp_path: Path, umask: None, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "log.pem"
    assert main(["keys", "generate", "signing", "--out", str(out)]) == 0
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert out.read_text().startswith("-----BEGIN PRIVATE KEY-----\n")
    load_signing_key(out)  # an Ed25519 PKCS#8 key, as ORDERLENS_SIGNING_KEY_FILE needs
    before = out.read_bytes()
    capsys.readouterr()
    assert main(["keys", "generate", "signing", "--out", str(out)]) == 2
    assert capsys.readouterr().err == f"orderlens: {out} exists: a key is never overwritten\n"
    assert out.read_bytes() == before


def test_generated_auth_secret_and_master_keys_are_accepted(
    tmp_path: Path, umask: None, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["keys", "generate", "auth"]) == 0
    auth = capsys.readouterr().out
    assert len(parse_secret(auth.strip())) == 32 and auth.endswith("=\n")

    assert main(["keys", "generate", "master", "--version", "3"]) == 0
    inline = capsys.readouterr().out.strip()
    assert inline.startswith("3:")
    keyring = StaticKeyring.from_env({"ORDERLENS_MASTER_KEYS": inline})
    assert keyring.versions() == (3,) and len(keyring.key(3)) == 32

    assert main(["keys", "generate", "master", "--out", str(tmp_path)]) == 0
    assert stat.S_IMODE((tmp_path / "1.key").stat().st_mode) == 0o600
    from_dir = StaticKeyring.from_env({"ORDERLENS_MASTER_KEYS_DIR": str(tmp_path)})
    assert from_dir.versions() == (1,)
    assert base64.b64decode((tmp_path / "1.key").read_text()) == from_dir.key(1)

    assert main(["keys", "generate", "master", "--out", str(tmp_path / "primary.key")]) == 2
    assert "name the file 1.key" in capsys.readouterr().err
