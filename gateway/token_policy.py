"""What a caller token must claim besides its signature: issuer, audience, a bounded lifetime.

A token that is valid for a century is as good as a password that never changes; the issuer
may mint whatever it likes, the gateway accepts only tokens whose `exp - iat` stays within the
maximum for their role (admin tokens shorter than the rest by default).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import timedelta

from privacy import Role

DEFAULT_ISSUER = "orderlens"
DEFAULT_AUDIENCE = "orderlens-gateway"
DEFAULT_MAX_LIFETIME = timedelta(days=30)
DEFAULT_MAX_ADMIN_LIFETIME = timedelta(hours=24)


def _default_role_limits() -> dict[Role, timedelta]:
    return {Role.ADMIN: DEFAULT_MAX_ADMIN_LIFETIME}


@dataclass(frozen=True, slots=True)
class TokenPolicy:
    issuer: str = DEFAULT_ISSUER
    audience: str = DEFAULT_AUDIENCE
    max_lifetime: timedelta = DEFAULT_MAX_LIFETIME
    # Stricter limits for some roles; a role not named here gets `max_lifetime`.
    role_max_lifetime: Mapping[Role, timedelta] = field(default_factory=_default_role_limits)

    def limit(self, role: Role) -> timedelta:
        return min(self.role_max_lifetime.get(role, self.max_lifetime), self.max_lifetime)
