"""Settings read from the environment; secrets never show."""

from __future__ import annotations

from pathlib import Path

import pytest

from gateway.runtime import Runtime
from gateway.settings import Settings, SettingsError, parse_sources, redact_url
from privacy import LocalKeyring
from tests.conftest import make_settings

SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"
OTHER = "whsec_ZXJwLXRlc3Qtc2VjcmV0LTAxMjM0NTY3ODlhYmNkZWY="


def test_from_env_reads_every_setting() -> None:
    settings = Settings.from_env(
        {
            "ORDERLENS_DATABASE_URL": "postgresql+asyncpg://app:pw@db/orders",
            "ORDERLENS_INGEST_SECRETS": f"erp={SECRET}, courier:ups={OTHER}",
            "ORDERLENS_GRAPHIQL": "true",
            "ORDERLENS_CACHE_URL": "redis://:pw@cache:6379/2",
        }
    )
    assert sorted(settings.ingest_secrets) == ["courier:ups", "erp"]
    assert settings.graphiql is True
    text = repr(settings)
    assert "MfKQ9r8" not in text and ":pw@" not in text
    assert "app:***@db" in text


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("erp", "expected name=whsec_"),
        ("ERP=" + SECRET, "expected name=whsec_"),
        (f"erp={SECRET},erp={SECRET}", "listed twice"),
        ("erp=whsec_c2hvcnQ=", "secret of 'erp'"),
    ],
)
def test_bad_source_secrets_are_named_without_the_secret(value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message) as error:
        parse_sources(value)
    assert "MfKQ9r8" not in str(error.value) and "c2hvcnQ" not in str(error.value)


def test_bad_flag_and_integer() -> None:
    with pytest.raises(SettingsError, match="ORDERLENS_GRAPHIQL"):
        Settings.from_env({"ORDERLENS_GRAPHIQL": "maybe"})
    with pytest.raises(SettingsError, match="ORDERLENS_MAX_BODY_BYTES"):
        Settings.from_env({"ORDERLENS_MAX_BODY_BYTES": "lots"})


def test_redact_url_keeps_urls_without_password() -> None:
    assert redact_url("sqlite+aiosqlite:///./x.db") == "sqlite+aiosqlite:///./x.db"
    assert redact_url("postgresql://u@h/d") == "postgresql://u@h/d"


async def test_a_database_with_keys_refuses_a_missing_or_foreign_keyring(tmp_path: Path) -> None:
    url = f"sqlite+aiosqlite:///{tmp_path / 'keys.db'}"
    first = await Runtime.start(make_settings(url, tmp_path / "a"))
    await first.close()
    with pytest.raises(SettingsError, match="no master keyring at"):
        await Runtime.start(make_settings(url, tmp_path / "elsewhere"))
    assert not (tmp_path / "elsewhere" / "keys" / "master-keyring.json").exists()
    (tmp_path / "b" / "keys").mkdir(parents=True)
    LocalKeyring.load_or_create(tmp_path / "b" / "keys" / "master-keyring.json")
    with pytest.raises(SettingsError, match="cannot open the database's system keys"):
        await Runtime.start(make_settings(url, tmp_path / "b"))
