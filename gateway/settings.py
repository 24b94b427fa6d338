"""Typed settings, read once from the environment (or built directly by the CLI and tests).

Secrets are held in `Secret` wrappers so that they never show up in a repr, a log line or an
error message.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from pathlib import Path
from typing import Literal, cast

from gateway.events import WebhookSecret

DEFAULT_DATABASE_URL = "sqlite+aiosqlite:///./orderlens.db"
DEFAULT_LOG_ORIGIN = "orderlens.local/timeline/v1"
LOG_FORMATS = ("text", "json")
LogFormat = Literal["text", "json"]


MASTER_KEY_VARIABLES = frozenset(
    {"ORDERLENS_MASTER_KEYS", "ORDERLENS_MASTER_KEYS_DIR", "ORDERLENS_MASTER_KEY_PRIMARY"}
)


class SettingsError(ValueError):
    """A setting is missing or malformed; the message names the variable."""


class DevKeys(StrEnum):
    """Whether generated dev keys in `data_dir` may stand in for unconfigured secrets."""

    # Production (the default, also for `create_app(Settings(...))`): the signing key, auth
    # secret and master keys must be configured; a dev key file is never created nor read.
    REFUSE = "refuse"
    # Offline commands (`erase`, `token`, `keys`, `deadletters`, ...): a secret that is not
    # configured is read from the dev key file a demo or dev server made, never created.
    EXISTING = "existing"
    # `orderlens demo`, `orderlens serve --dev-keys` and the tests: made on first run.
    CREATE = "create"


@dataclass(frozen=True, slots=True)
class Settings:
    database_url: str = DEFAULT_DATABASE_URL
    # Where generated dev keys live (the log signing key today, the master keyring later).
    data_dir: Path = Path(".orderlens")
    # A production signing key (PEM, PKCS#8 Ed25519); when unset a dev key is made in data_dir.
    signing_key_file: Path | None = None
    log_origin: str = DEFAULT_LOG_ORIGIN
    # source name -> Standard Webhooks secret for POST /ingest/events
    ingest_secrets: Mapping[str, WebhookSecret] = field(default_factory=dict)
    cache_url: str = "memory://"
    graphiql: bool = False
    max_body_bytes: int = 1024 * 1024
    graphql_max_body_bytes: int = 128 * 1024
    webhook_tolerance_seconds: int = 300
    max_batch_events: int = 500
    auto_migrate: bool = False
    # ORDERLENS_MASTER_KEYS* variables for a production keyring; empty means the dev keyring
    # file in data_dir. Kept as given and only ever shown redacted.
    master_key_env: Mapping[str, str] = field(default_factory=dict)
    # HS256 secret for caller tokens; when unset a dev secret is made in data_dir.
    auth_secret: str | None = None
    # What a caller token must claim: `iss`, `aud`, and `exp - iat` within these hours.
    auth_issuer: str = "orderlens"
    auth_audience: str = "orderlens-gateway"
    auth_max_token_hours: int = 24 * 30
    auth_max_admin_token_hours: int = 24
    # The identity provider's public keys (JWKS JSON) and the algorithms its tokens may use.
    auth_jwks_file: Path | None = None
    auth_algorithms: tuple[str, ...] = ("RS256", "ES256", "EdDSA")
    # TOML file declaring connector instances (see connectors/sdk/config.py); secrets come from
    # the environment variables it names, read from `env`.
    connectors_file: Path | None = None
    env: Mapping[str, str] = field(default_factory=dict, repr=False)
    dev_keys: DevKeys = DevKeys.REFUSE

    def __repr__(self) -> str:
        # Secrets are redacted: only which sources are configured is shown.
        return (
            f"Settings(database_url={redact_url(self.database_url)!r}, "
            f"log_origin={self.log_origin!r}, sources={sorted(self.ingest_secrets)!r}, "
            f"cache_url={redact_url(self.cache_url)!r}, graphiql={self.graphiql!r}, "
            f"master_keys={'configured' if self.master_key_env else 'dev keyring'}, "
            f"auth_secret={'configured' if self.auth_secret else 'dev secret'}, "
            f"dev_keys={self.dev_keys.value!r})"
        )

    @property
    def keyring_path(self) -> Path:
        return self.data_dir / "master-keyring.json"

    @property
    def auth_secret_path(self) -> Path:
        return self.data_dir / "auth-secret"

    @property
    def signing_key_path(self) -> Path:
        return self.signing_key_file or self.data_dir / "log-signing-key.pem"

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        signing = env.get("ORDERLENS_SIGNING_KEY_FILE")
        return cls(
            database_url=env.get("ORDERLENS_DATABASE_URL", DEFAULT_DATABASE_URL),
            data_dir=Path(env.get("ORDERLENS_DATA_DIR", ".orderlens")),
            signing_key_file=Path(signing) if signing else None,
            log_origin=env.get("ORDERLENS_LOG_ORIGIN", DEFAULT_LOG_ORIGIN),
            ingest_secrets=parse_sources(env.get("ORDERLENS_INGEST_SECRETS", "")),
            cache_url=env.get("ORDERLENS_CACHE_URL", "memory://"),
            graphiql=_flag(env, "ORDERLENS_GRAPHIQL", default=False),
            max_body_bytes=_int(env, "ORDERLENS_MAX_BODY_BYTES", 1024 * 1024),
            graphql_max_body_bytes=_int(env, "ORDERLENS_GRAPHQL_MAX_BODY_BYTES", 128 * 1024),
            auto_migrate=_flag(env, "ORDERLENS_AUTO_MIGRATE", default=False),
            master_key_env={k: v for k, v in env.items() if k in MASTER_KEY_VARIABLES and v},
            auth_secret=env.get("ORDERLENS_AUTH_SECRET") or None,
            auth_issuer=env.get("ORDERLENS_AUTH_ISSUER") or "orderlens",
            auth_audience=env.get("ORDERLENS_AUTH_AUDIENCE") or "orderlens-gateway",
            auth_max_token_hours=_hours(env, "ORDERLENS_AUTH_MAX_TOKEN_HOURS", 24 * 30),
            auth_max_admin_token_hours=_hours(env, "ORDERLENS_AUTH_MAX_ADMIN_TOKEN_HOURS", 24),
            auth_jwks_file=Path(jwks) if (jwks := env.get("ORDERLENS_AUTH_JWKS_FILE")) else None,
            auth_algorithms=tuple(
                a.strip()
                for a in env.get("ORDERLENS_AUTH_ALGORITHMS", "RS256,ES256,EdDSA").split(",")
                if a.strip()
            ),
            connectors_file=Path(connectors)
            if (connectors := env.get("ORDERLENS_CONNECTORS_FILE"))
            else None,
            env=dict(env),
        )

    @classmethod
    def for_offline_command(cls, env: Mapping[str, str] | None = None) -> Settings:
        """What `orderlens erase`, `token`, `keys`, ... run with: the gateway's own settings,
        falling back to the dev key files of a demo's data directory, never creating any."""
        return replace(cls.from_env(env), dev_keys=DevKeys.EXISTING)


def parse_sources(value: str) -> dict[str, WebhookSecret]:
    """`erp=whsec_...,wms=whsec_...` -> {name: secret}. Errors never echo a secret."""
    sources: dict[str, WebhookSecret] = {}
    for index, item in enumerate(part.strip() for part in value.split(",")):
        if not item:
            continue
        name, sep, secret = item.partition("=")
        name = name.strip()
        if not sep or not valid_source_name(name):
            raise SettingsError(
                f"ORDERLENS_INGEST_SECRETS entry {index + 1}: expected name=whsec_..., "
                "name of lowercase letters, digits, '-', '_' or ':'"
            )
        if name in sources:
            raise SettingsError(f"ORDERLENS_INGEST_SECRETS: source {name!r} is listed twice")
        try:
            sources[name] = WebhookSecret(secret.strip())
        except ValueError as exc:
            raise SettingsError(f"ORDERLENS_INGEST_SECRETS: secret of {name!r}: {exc}") from None
    return sources


def parse_log_format(env: Mapping[str, str]) -> LogFormat:
    """ORDERLENS_LOG_FORMAT, read by the command before anything logs (so not a Settings
    field: `orderlens demo` ignores the rest of the environment but honours this)."""
    raw = env.get("ORDERLENS_LOG_FORMAT", "text").strip().lower() or "text"
    if raw not in LOG_FORMATS:
        raise SettingsError(f"ORDERLENS_LOG_FORMAT must be text or json, got {raw!r}")
    return cast(LogFormat, raw)


def valid_source_name(name: str) -> bool:
    allowed = set("abcdefghijklmnopqrstuvwxyz0123456789-_:")
    return 0 < len(name) <= 64 and set(name) <= allowed


def redact_url(url: str) -> str:
    """Hide a password in a database or cache URL."""
    scheme, sep, rest = url.partition("://")
    if not sep or "@" not in rest:
        return url
    credentials, _, host = rest.rpartition("@")
    user = credentials.split(":", 1)[0]
    return f"{scheme}://{user}:***@{host}" if ":" in credentials else url


def _flag(env: Mapping[str, str], name: str, *, default: bool) -> bool:
    raw = env.get(name)
    if raw is None:
        return default
    if raw.lower() in {"1", "true", "yes", "on"}:
        return True
    if raw.lower() in {"0", "false", "no", "off"}:
        return False
    raise SettingsError(f"{name} must be true or false, got {raw!r}")


def _int(env: Mapping[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw is None:
        return default
    try:
        return int(raw)
    except ValueError:
        raise SettingsError(f"{name} must be an integer, got {raw!r}") from None


def _hours(env: Mapping[str, str], name: str, default: int) -> int:
    hours = _int(env, name, default)
    if not 0 < hours <= 24 * 366:
        raise SettingsError(f"{name} must be between 1 and {24 * 366} hours, got {hours}")
    return hours
