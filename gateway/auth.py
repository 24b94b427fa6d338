"""Who is asking: bearer tokens (JWT, HS256) turned into a Viewer.

Tokens are minted by the operator's identity system, or by `orderlens token` in development.
The algorithm is pinned and the claims required, so a token with `alg: none`, another
algorithm, a missing expiry or an unknown role is refused (see the JOSE pitfalls in the
privacy research). Anonymous callers get no role; they can still track an order with its
number and a verification factor, which the resolvers check.
"""

from __future__ import annotations

import base64
import os
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt

from gateway.keys_jwks import JwksFile
from gateway.token_policy import TokenPolicy
from privacy import Role

ALGORITHM = "HS256"
MIN_SECRET_BYTES = 32
LEEWAY = timedelta(seconds=30)  # clock skew between the token issuer and this gateway


class TokenError(ValueError):
    """The bearer token cannot be accepted; the message is safe to return."""


@dataclass(frozen=True, slots=True)
class Viewer:
    role: Role | None  # None: anonymous
    subject: str | None = None  # opaque actor id from the token, written to audit records
    customer_ref: str | None = None  # for customers: whose orders are theirs
    expires_at: datetime | None = None  # long-lived subscriptions stop when the token does

    @property
    def is_staff(self) -> bool:
        return self.role in {Role.AGENT, Role.ADMIN}

    def expired(self, now: datetime) -> bool:
        return self.expires_at is not None and now >= self.expires_at


ANONYMOUS = Viewer(role=None)
TOKEN_ROLES = frozenset({Role.CUSTOMER, Role.AGENT, Role.INSTALLER, Role.ADMIN})


def _system_clock() -> datetime:
    return datetime.now(UTC)


class Authenticator:
    """Issues and checks tokens against an injected clock, never the host's directly: expiry is
    judged by the same time the rest of the gateway runs on (and tests can move it)."""

    def __init__(
        self,
        secret: bytes,
        *,
        clock: Callable[[], datetime] = _system_clock,
        policy: TokenPolicy | None = None,
        keys: JwksFile | None = None,
    ) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the token secret must be at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret
        self._clock = clock
        self.policy = policy or TokenPolicy()
        self._keys = keys  # the identity provider's public keys, besides the shared secret

    def __repr__(self) -> str:
        return "Authenticator(HS256, secret=***)"

    def issue(
        self,
        *,
        role: Role,
        subject: str,
        customer_ref: str | None = None,
        ttl: timedelta = timedelta(hours=8),
        now: datetime | None = None,
    ) -> str:
        if role not in TOKEN_ROLES:
            raise ValueError(f"tokens are for {', '.join(sorted(TOKEN_ROLES))}, not {role}")
        if role is Role.CUSTOMER and not customer_ref:
            raise ValueError("a customer token needs the customer's reference")
        limit = self.policy.limit(role)
        if ttl > limit:
            raise ValueError(f"{role.value} tokens live at most {_hours(limit)} hours")
        moment = now or self._clock()
        claims: dict[str, object] = {
            "iss": self.policy.issuer,
            "aud": self.policy.audience,
            "sub": subject,
            "role": role.value,
            "iat": int(moment.timestamp()),
            "exp": int((moment + ttl).timestamp()),
        }
        if customer_ref:
            claims["customer_ref"] = customer_ref
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def _key_for(self, token: str) -> tuple[object, str]:
        """HS256 with the shared secret, or the JWKS key the token's kid names. The header
        picks which, but never the algorithm of a key: no HS256 with a public key."""
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as exc:
            raise TokenError(f"invalid token: {exc}") from None
        if header.get("alg") == ALGORITHM or self._keys is None:
            return self._secret, ALGORITHM
        try:
            found = self._keys.key_for(header)
        except ValueError as exc:
            raise TokenError(f"invalid token: {exc}") from None
        return found.key, found.algorithm

    def verify(self, token: str) -> Viewer:
        key, algorithm = self._key_for(token)
        try:
            # PyJWT would compare exp/iat with the host clock; we check both below with ours.
            claims = jwt.decode(
                token,
                key,  # type: ignore[arg-type]
                algorithms=[algorithm],
                issuer=self.policy.issuer,
                audience=self.policy.audience,
                options={
                    "require": ["exp", "iat", "sub", "iss", "aud"],
                    "verify_exp": False,
                    "verify_iat": False,
                    "verify_nbf": False,
                },
            )
        except jwt.PyJWTError as exc:
            raise TokenError(f"invalid token: {exc}") from None
        expires_at, issued_at = self._check_times(claims)
        try:
            role = Role(str(claims.get("role")))
        except ValueError:
            raise TokenError("invalid token: unknown role") from None
        if role not in TOKEN_ROLES:
            raise TokenError(f"invalid token: role {role.value} cannot be granted by a token")
        limit = self.policy.limit(role)
        if expires_at - issued_at > limit:
            raise TokenError(
                f"invalid token: {role.value} tokens may live at most {_hours(limit)} hours"
            )
        customer_ref = claims.get("customer_ref")
        if role is Role.CUSTOMER and not isinstance(customer_ref, str):
            raise TokenError("invalid token: a customer token needs customer_ref")
        return Viewer(
            role,
            str(claims["sub"]),
            customer_ref if isinstance(customer_ref, str) else None,
            expires_at,
        )

    def _check_times(self, claims: Mapping[str, object]) -> tuple[datetime, datetime]:
        """exp, iat (and nbf when present) against the gateway's clock, with a small leeway."""
        moments: dict[str, datetime] = {}
        for name in ("exp", "iat", "nbf"):
            value = claims.get(name)
            if value is None:
                continue
            if isinstance(value, bool) or not isinstance(value, int | float):
                raise TokenError(f"invalid token: {name} must be a number")
            try:
                moments[name] = datetime.fromtimestamp(value, UTC)
            except (OverflowError, OSError, ValueError):
                raise TokenError(f"invalid token: {name} is out of range") from None
        now = self._clock()
        if now - LEEWAY >= moments["exp"]:
            raise TokenError("token expired")
        if moments["iat"] > now + LEEWAY:
            raise TokenError("invalid token: issued in the future")
        if "nbf" in moments and moments["nbf"] > now + LEEWAY:
            raise TokenError("invalid token: not yet valid")
        return moments["exp"], moments["iat"]

    def viewer(self, headers: Mapping[str, str]) -> Viewer:
        """Authorization: Bearer <token> -> Viewer; no header -> anonymous."""
        value = headers.get("authorization")
        if value is None:
            return ANONYMOUS
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise TokenError("Authorization must be 'Bearer <token>'")
        return self.verify(token.strip())


def _hours(limit: timedelta) -> str:
    return f"{limit.total_seconds() / 3600:g}"


def load_or_create_secret(path: Path) -> bytes:
    """The dev signing secret for tokens, created on first run (0600)."""
    if path.exists():
        return base64.b64decode(path.read_text().strip())
    path.parent.mkdir(parents=True, exist_ok=True)
    secret = secrets.token_bytes(32)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w") as handle:
        handle.write(base64.b64encode(secret).decode() + "\n")
    return secret


def parse_secret(value: str) -> bytes:
    try:
        secret = base64.b64decode(value, validate=True)
    except ValueError:
        raise ValueError("ORDERLENS_AUTH_SECRET must be base64") from None
    if len(secret) < MIN_SECRET_BYTES:
        raise ValueError(f"ORDERLENS_AUTH_SECRET must decode to at least {MIN_SECRET_BYTES} bytes")
    return secret
