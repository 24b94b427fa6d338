"""Tokens signed by an identity provider: verified against its JWKS file, by kid, with the
key's own algorithm from an allow-list (never none, never HMAC with a public key)."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519, rsa
from jwt.algorithms import OKPAlgorithm, RSAAlgorithm

from gateway.auth import Authenticator, TokenError
from gateway.keys_jwks import JwksError, JwksFile
from privacy import Role

SECRET = b"s" * 32
NOW = datetime(2031, 6, 1, 12, 0, tzinfo=UTC)  # far from today: the injected clock decides
RSA_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
ED_KEY = ed25519.Ed25519PrivateKey.generate()


def claims(**extra: object) -> dict[str, object]:
    base: dict[str, object] = {
        "iss": "orderlens",
        "aud": "orderlens-gateway",
        "sub": "idp-user-7",
        "role": "agent",
        "iat": int(NOW.timestamp()),
        "exp": int((NOW + timedelta(hours=1)).timestamp()),
    }
    return {k: v for k, v in {**base, **extra}.items() if v is not None}


def jwk(public: Any, kid: str) -> dict[str, Any]:
    algorithm = RSAAlgorithm if isinstance(public, rsa.RSAPublicKey) else OKPAlgorithm
    return {**algorithm.to_jwk(public, as_dict=True), "kid": kid}


def write_jwks(path: Path, *keys: dict[str, Any]) -> Path:
    path.write_text(json.dumps({"keys": list(keys)}))
    return path


@pytest.fixture
def jwks_path(tmp_path: Path) -> Path:
    return write_jwks(
        tmp_path / "jwks.json",
        jwk(RSA_KEY.public_key(), "rsa-1"),
        jwk(ED_KEY.public_key(), "ed-1"),
    )


@pytest.fixture
def auth(jwks_path: Path) -> Authenticator:
    return Authenticator(SECRET, clock=lambda: NOW, keys=JwksFile(jwks_path))


def test_rsa_and_ed25519_tokens_are_accepted_by_kid(auth: Authenticator) -> None:
    rs = jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"})
    ed = jwt.encode(claims(role="admin"), ED_KEY, algorithm="EdDSA", headers={"kid": "ed-1"})
    assert auth.verify(rs).subject == "idp-user-7"
    assert auth.verify(ed).role is Role.ADMIN
    # The shared secret keeps working alongside (the demo's `orderlens token`).
    assert auth.verify(auth.issue(role=Role.AGENT, subject="dev")).subject == "dev"


def hs256_with(key: bytes, payload: dict[str, object], kid: str) -> str:
    def part(value: object) -> str:
        return base64.urlsafe_b64encode(json.dumps(value).encode()).rstrip(b"=").decode()

    signing_input = f"{part({'alg': 'HS256', 'typ': 'JWT', 'kid': kid})}.{part(payload)}"
    signature = hmac.new(key, signing_input.encode(), hashlib.sha256).digest()
    return f"{signing_input}.{base64.urlsafe_b64encode(signature).rstrip(b'=').decode()}"


OTHER_RSA = rsa.generate_private_key(public_exponent=65537, key_size=2048)
RSA_PEM = RSA_KEY.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)


@pytest.mark.parametrize(
    ("make", "message"),
    [
        # forged: signed by another key under a known kid
        (
            lambda: jwt.encode(claims(), OTHER_RSA, algorithm="RS256", headers={"kid": "rsa-1"}),
            "^invalid token: Signature verification failed$",
        ),
        (
            lambda: jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-9"}),
            "^invalid token: unknown kid$",
        ),
        (
            lambda: jwt.encode(claims(), RSA_KEY, algorithm="RS256"),
            r"^invalid token: a token signed with a key must name it \(kid\)$",
        ),
        # alg mismatch: an RSA signature presented for the Ed25519 key
        (
            lambda: jwt.encode(claims(), RSA_KEY, algorithm="RS256", headers={"kid": "ed-1"}),
            "^invalid token: alg RS256 does not match the key ed-1$",
        ),
        # not in the allow-list
        (
            lambda: jwt.encode(claims(), RSA_KEY, algorithm="RS512", headers={"kid": "rsa-1"}),
            "^invalid token: The specified alg value is not allowed$",
        ),
        # alg confusion: HS256 keyed with the RSA public key is checked against the secret
        (
            lambda: hs256_with(RSA_PEM, claims(role="admin"), "rsa-1"),
            "^invalid token: Signature verification failed$",
        ),
        (
            lambda: jwt.encode(
                claims(exp=int((NOW - timedelta(minutes=5)).timestamp())),
                RSA_KEY,
                algorithm="RS256",
                headers={"kid": "rsa-1"},
            ),
            "^token expired$",
        ),
        (
            lambda: jwt.encode(
                claims(role="admin", exp=int((NOW + timedelta(days=365)).timestamp())),
                ED_KEY,
                algorithm="EdDSA",
                headers={"kid": "ed-1"},
            ),
            "^invalid token: admin tokens may live at most 24 hours$",
        ),
        (
            lambda: jwt.encode(
                claims(aud="billing"), RSA_KEY, algorithm="RS256", headers={"kid": "rsa-1"}
            ),
            "^invalid token: Audience doesn't match$",
        ),
        (
            lambda: jwt.encode(
                claims(iss="https://evil.example"),
                RSA_KEY,
                algorithm="RS256",
                headers={"kid": "rsa-1"},
            ),
            "^invalid token: Invalid issuer$",
        ),
    ],
)
def test_bad_provider_tokens_are_refused(auth: Authenticator, make: Any, message: str) -> None:
    with pytest.raises(TokenError, match=message):
        auth.verify(make())


def test_alg_none_with_a_kid_is_refused(auth: Authenticator) -> None:
    header = base64.urlsafe_b64encode(b'{"alg":"none","kid":"rsa-1"}').rstrip(b"=").decode()
    body = base64.urlsafe_b64encode(json.dumps(claims()).encode()).rstrip(b"=").decode()
    with pytest.raises(TokenError, match="^invalid token: The specified alg value is not allowed$"):
        auth.verify(f"{header}.{body}.")


def test_a_changed_file_is_read_again(jwks_path: Path, auth: Authenticator) -> None:
    new = ed25519.Ed25519PrivateKey.generate()
    token = jwt.encode(claims(), new, algorithm="EdDSA", headers={"kid": "ed-2"})
    with pytest.raises(TokenError, match="unknown kid"):
        auth.verify(token)
    write_jwks(jwks_path, jwk(new.public_key(), "ed-2"), jwk(RSA_KEY.public_key(), "rsa-1x"))
    assert auth.verify(token).role is Role.AGENT
    old = jwt.encode(claims(), ED_KEY, algorithm="EdDSA", headers={"kid": "ed-1"})
    with pytest.raises(TokenError, match="unknown kid"):  # rotated out
        auth.verify(old)


def test_unusable_files_and_algorithm_lists_stop_the_start(tmp_path: Path) -> None:
    private = {**jwk(ED_KEY.public_key(), "k"), "d": "AAAA"}
    with pytest.raises(JwksError, match="key k is private or symmetric"):
        JwksFile(write_jwks(tmp_path / "a.json", private))
    secret = {"kty": "oct", "k": "c2VjcmV0", "kid": "hs"}
    with pytest.raises(JwksError, match="key hs is private or symmetric"):
        JwksFile(write_jwks(tmp_path / "b.json", secret))
    with pytest.raises(JwksError, match="not HS256, none"):
        JwksFile(write_jwks(tmp_path / "c.json"), ["RS256", "HS256", "none"])
    with pytest.raises(JwksError, match="no such file|No such file"):
        JwksFile(tmp_path / "missing.json")
