"""Caller tokens: only well-formed, unexpired HS256 tokens with a known role become a Viewer."""

from __future__ import annotations

import base64
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt
import pytest

from gateway.auth import (
    ANONYMOUS,
    Authenticator,
    TokenError,
    load_or_create_secret,
    parse_secret,
)
from gateway.token_policy import TokenPolicy
from privacy import Role

SECRET = b"s" * 32
AUD = "orderlens-gateway"
# Far from today on purpose: every check must use the injected clock, never the host's.
NOW = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)


@pytest.fixture
def auth() -> Authenticator:
    return Authenticator(SECRET, clock=lambda: NOW)


def test_issued_tokens_round_trip(auth: Authenticator) -> None:
    token = auth.issue(role=Role.CUSTOMER, subject="u-1", customer_ref="CUST-1")
    viewer = auth.verify(token)
    assert (viewer.role, viewer.subject, viewer.customer_ref) == (Role.CUSTOMER, "u-1", "CUST-1")
    assert not viewer.is_staff
    assert auth.verify(auth.issue(role=Role.AGENT, subject="a-1")).is_staff


def test_no_header_is_anonymous_and_a_bad_scheme_is_refused(auth: Authenticator) -> None:
    assert auth.viewer({}) is ANONYMOUS
    with pytest.raises(TokenError, match="Bearer"):
        auth.viewer({"authorization": "Basic dXNlcjpwYXNz"})
    with pytest.raises(TokenError, match="Bearer"):
        auth.viewer({"authorization": "Bearer   "})


def test_expired_tokens_are_refused(auth: Authenticator) -> None:
    an_hour_ago = NOW - timedelta(hours=1)
    token = auth.issue(role=Role.AGENT, subject="a", ttl=timedelta(minutes=1), now=an_hour_ago)
    with pytest.raises(TokenError, match="expired"):
        auth.viewer({"authorization": f"Bearer {token}"})


def test_expiry_is_judged_by_the_injected_clock_not_the_host() -> None:
    moments = [datetime(2020, 1, 1, tzinfo=UTC)]
    auth = Authenticator(SECRET, clock=lambda: moments[0])
    token = auth.issue(role=Role.AGENT, subject="a", ttl=timedelta(hours=8))
    # Valid by the gateway's clock even though the host's clock is years later.
    assert auth.verify(token).expires_at == datetime(2020, 1, 1, 8, tzinfo=UTC)
    moments[0] += timedelta(hours=8, seconds=29)  # within the leeway
    assert auth.verify(token).role is Role.AGENT
    moments[0] += timedelta(seconds=2)
    with pytest.raises(TokenError, match="expired"):
        auth.verify(token)


def test_tokens_from_the_future_are_refused(auth: Authenticator) -> None:
    token = auth.issue(role=Role.AGENT, subject="a", now=NOW + timedelta(minutes=5))
    with pytest.raises(TokenError, match="issued in the future"):
        auth.verify(token)
    not_yet = jwt.encode(
        {
            "iss": "orderlens",
            "aud": "orderlens-gateway",
            "sub": "x",
            "role": "agent",
            "iat": int(NOW.timestamp()),
            "nbf": int((NOW + timedelta(hours=1)).timestamp()),
            "exp": int((NOW + timedelta(hours=2)).timestamp()),
        },
        SECRET,
        algorithm="HS256",
    )
    with pytest.raises(TokenError, match="not yet valid"):
        auth.verify(not_yet)


@pytest.mark.parametrize("exp", ["tomorrow", 10**20, True])
def test_malformed_times_are_refused_not_crashed(auth: Authenticator, exp: object) -> None:
    claims = {
        "iss": "orderlens",
        "aud": AUD,
        "sub": "x",
        "role": "agent",
        "iat": int(NOW.timestamp()),
    }
    token = jwt.encode({**claims, "exp": exp}, SECRET, algorithm="HS256")
    with pytest.raises(TokenError, match="exp"):
        auth.verify(token)


@pytest.mark.parametrize(
    ("claims", "algorithm", "key", "message"),
    [
        ({"role": "agent"}, "HS256", b"x" * 32, "Signature verification failed"),
        ({"role": "agent"}, "HS512", SECRET * 2, "alg value is not allowed"),
        ({"role": "wizard"}, "HS256", SECRET, "unknown role"),
        ({"role": "tracker"}, "HS256", SECRET, "cannot be granted"),
        ({"role": "customer"}, "HS256", SECRET, "customer_ref"),
        ({"role": "agent", "iss": "someone-else"}, "HS256", SECRET, "issuer"),
        ({"role": "agent", "exp": None}, "HS256", SECRET, "exp"),
        (
            {"role": "agent", "aud": "another-api"},
            "HS256",
            SECRET,
            "^invalid token: Audience doesn't match$",
        ),
        (
            {"role": "agent", "aud": None},
            "HS256",
            SECRET,
            '^invalid token: Token is missing the "aud" claim$',
        ),
        (
            {"role": "agent", "iat": None},
            "HS256",
            SECRET,
            '^invalid token: Token is missing the "iat" claim$',
        ),
        ({"role": "agent", "iss": "evil"}, "HS256", SECRET, "^invalid token: Invalid issuer$"),
        # A century-long admin token, correctly signed: refused by its lifetime, not its expiry.
        (
            {"role": "admin", "exp": int((NOW + timedelta(days=36500)).timestamp())},
            "HS256",
            SECRET,
            "^invalid token: admin tokens may live at most 24 hours$",
        ),
        (
            {"role": "agent", "exp": int((NOW + timedelta(days=31)).timestamp())},
            "HS256",
            SECRET,
            "^invalid token: agent tokens may live at most 720 hours$",
        ),
    ],
)
def test_forged_or_incomplete_tokens_are_refused(
    auth: Authenticator, claims: dict[str, object], algorithm: str, key: bytes, message: str
) -> None:
    base: dict[str, object] = {
        "iss": "orderlens",
        "aud": AUD,
        "sub": "x",
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(hours=1)).timestamp()),
    }
    payload = {k: v for k, v in {**base, **claims}.items() if v is not None}
    token = jwt.encode(payload, key, algorithm=algorithm)
    with pytest.raises(TokenError, match=message):
        auth.verify(token)


def test_alg_none_is_refused(auth: Authenticator) -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"none","typ":"JWT"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(b'{"role":"admin","sub":"x"}').rstrip(b"=").decode()
    with pytest.raises(TokenError):
        auth.verify(f"{header}.{body}.")


def test_secrets_are_long_enough_and_the_dev_secret_is_private(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="at least 32"):
        Authenticator(b"short")
    with pytest.raises(ValueError, match="base64"):
        parse_secret("not base64!")
    assert parse_secret(base64.b64encode(SECRET).decode()) == SECRET
    path = tmp_path / "auth-secret"
    first = load_or_create_secret(path)
    assert load_or_create_secret(path) == first and len(first) == 32
    assert path.stat().st_mode & 0o777 == 0o600
    assert "secret=***" in repr(Authenticator(first))


def test_issuer_audience_and_lifetime_are_configurable() -> None:
    policy = TokenPolicy(
        issuer="https://id.example",
        audience="tracking",
        max_lifetime=timedelta(hours=2),
        role_max_lifetime={Role.ADMIN: timedelta(minutes=15)},
    )
    auth = Authenticator(SECRET, clock=lambda: NOW, policy=policy)
    token = auth.issue(role=Role.AGENT, subject="a", ttl=timedelta(hours=2))
    claims = jwt.decode(token, SECRET, algorithms=["HS256"], options={"verify_signature": False})
    assert (claims["iss"], claims["aud"]) == ("https://id.example", "tracking")
    assert auth.verify(token).role is Role.AGENT
    # The default gateway refuses it: another issuer (checked first) and audience.
    with pytest.raises(TokenError, match="^invalid token: Invalid issuer$"):
        Authenticator(SECRET, clock=lambda: NOW).verify(token)
    with pytest.raises(ValueError, match="^admin tokens live at most 0.25 hours$"):
        auth.issue(role=Role.ADMIN, subject="root", ttl=timedelta(hours=1))
    with pytest.raises(ValueError, match="^agent tokens live at most 2 hours$"):
        auth.issue(role=Role.AGENT, subject="a", ttl=timedelta(hours=3))
