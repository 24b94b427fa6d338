"""`orderlens token` mints what the gateway accepts: iss and aud set, lifetime within limits."""

from __future__ import annotations

import base64

import jwt
import pytest

from gateway.cli.orderlens import main
from gateway.settings import Settings, SettingsError

SECRET = b"k" * 32


@pytest.fixture(autouse=True)
def secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ORDERLENS_AUTH_SECRET", base64.b64encode(SECRET).decode())
    monkeypatch.setenv("ORDERLENS_AUTH_AUDIENCE", "tracking-eu")


def test_token_carries_issuer_and_audience(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["token", "--role", "agent", "--subject", "ops", "--hours", "2"]) == 0
    token = capsys.readouterr().out.strip()
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], audience="tracking-eu")
    assert (claims["iss"], claims["aud"], claims["exp"] - claims["iat"]) == (
        "orderlens",
        "tracking-eu",
        7200,
    )


def test_token_refuses_a_lifetime_over_the_role_maximum(
    capsys: pytest.CaptureFixture[str],
) -> None:
    assert main(["token", "--role", "admin", "--subject", "ops", "--hours", "48"]) == 2
    err = capsys.readouterr().err
    assert err == "orderlens token: --hours must be between 0 and 24 for admin\n"
    assert main(["token", "--role", "agent", "--subject", "ops", "--hours", "721"]) == 2
    err = capsys.readouterr().err
    assert err == "orderlens token: --hours must be between 0 and 720 for agent\n"


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("ORDERLENS_AUTH_MAX_TOKEN_HOURS", "0", "must be between 1 and 8784 hours, got 0"),
        ("ORDERLENS_AUTH_MAX_ADMIN_TOKEN_HOURS", "876000", "got 876000"),
        ("ORDERLENS_AUTH_MAX_TOKEN_HOURS", "forever", "must be an integer"),
    ],
)
def test_lifetime_settings_are_bounded(name: str, value: str, message: str) -> None:
    with pytest.raises(SettingsError, match=message):
        Settings.from_env({name: value})


def test_token_settings_are_read() -> None:
    settings = Settings.from_env(
        {
            "ORDERLENS_AUTH_ISSUER": "https://id.example",
            "ORDERLENS_AUTH_ALGORITHMS": "ES256, EdDSA",
            "ORDERLENS_AUTH_JWKS_FILE": "/run/secrets/jwks.json",
            "ORDERLENS_AUTH_MAX_TOKEN_HOURS": "12",
        }
    )
    assert settings.auth_issuer == "https://id.example"
    assert settings.auth_algorithms == ("ES256", "EdDSA")
    assert str(settings.auth_jwks_file) == "/run/secrets/jwks.json"
    assert settings.auth_max_token_hours == 12
