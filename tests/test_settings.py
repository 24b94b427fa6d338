"""Settings read from the environment; secrets never show."""

from __future__ import annotations

import pytest

from gateway.settings import Settings, SettingsError, parse_sources, redact_url

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
