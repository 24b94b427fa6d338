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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import jwt

from privacy import Role

ALGORITHM = "HS256"
ISSUER = "orderlens"
MIN_SECRET_BYTES = 32


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


class Authenticator:
    def __init__(self, secret: bytes) -> None:
        if len(secret) < MIN_SECRET_BYTES:
            raise ValueError(f"the token secret must be at least {MIN_SECRET_BYTES} bytes")
        self._secret = secret

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
        moment = now or datetime.now(UTC)
        claims: dict[str, object] = {
            "iss": ISSUER,
            "sub": subject,
            "role": role.value,
            "iat": int(moment.timestamp()),
            "exp": int((moment + ttl).timestamp()),
        }
        if customer_ref:
            claims["customer_ref"] = customer_ref
        return jwt.encode(claims, self._secret, algorithm=ALGORITHM)

    def verify(self, token: str) -> Viewer:
        try:
            claims = jwt.decode(
                token,
                self._secret,
                algorithms=[ALGORITHM],
                issuer=ISSUER,
                options={"require": ["exp", "iat", "sub", "iss"]},
                leeway=30,
            )
        except jwt.ExpiredSignatureError:
            raise TokenError("token expired") from None
        except jwt.PyJWTError as exc:
            raise TokenError(f"invalid token: {exc}") from None
        try:
            role = Role(str(claims.get("role")))
        except ValueError:
            raise TokenError("invalid token: unknown role") from None
        if role not in TOKEN_ROLES:
            raise TokenError(f"invalid token: role {role.value} cannot be granted by a token")
        customer_ref = claims.get("customer_ref")
        if role is Role.CUSTOMER and not isinstance(customer_ref, str):
            raise TokenError("invalid token: a customer token needs customer_ref")
        return Viewer(
            role,
            str(claims["sub"]),
            customer_ref if isinstance(customer_ref, str) else None,
            datetime.fromtimestamp(int(claims["exp"]), UTC),
        )

    def viewer(self, headers: Mapping[str, str]) -> Viewer:
        """Authorization: Bearer <token> -> Viewer; no header -> anonymous."""
        value = headers.get("authorization")
        if value is None:
            return ANONYMOUS
        scheme, _, token = value.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise TokenError("Authorization must be 'Bearer <token>'")
        return self.verify(token.strip())


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
