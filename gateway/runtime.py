"""Process-wide resources, built once in the lifespan and shared by every request."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from aiocache import BaseCache
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncEngine

from connectors import ConnectorConfigError, Instance, load_instances
from gateway.auth import Authenticator, load_or_create_secret, parse_secret
from gateway.cache import Counters, MemoryCounters, close_cache, create_cache
from gateway.db import SchemaOutOfDate, Writer, check_schema, create_engine, migrate
from gateway.ingest import Releaser
from gateway.keys_jwks import JwksError, JwksFile
from gateway.ledger import NoteSigner, load_or_create_signing_key, load_signing_key
from gateway.metrics import Metrics
from gateway.production_keys import (
    AUTH,
    MASTER,
    SIGNING,
    check_configured_secrets,
    dev_key_warning,
    require_secrets,
)
from gateway.pubsub import Broker, MemoryBroker
from gateway.sequencer import Sequencer
from gateway.settings import Settings, SettingsError
from gateway.token_policy import TokenPolicy
from privacy import (
    DecryptionFailed,
    KeyUnavailable,
    LocalKeyring,
    MasterKeyring,
    Role,
    StaticKeyring,
    Vault,
)
from privacy.tables import key_roots

log = logging.getLogger(__name__)


def utc_now() -> datetime:
    return datetime.now(UTC)


@dataclass(slots=True)
class Runtime:
    settings: Settings
    engine: AsyncEngine
    writer: Writer
    signer: NoteSigner
    sequencer: Sequencer
    cache: BaseCache
    vault: Vault
    auth: Authenticator
    broker: Broker
    connectors: dict[str, Instance] = field(default_factory=dict)
    clock: Callable[[], datetime] = field(default=utc_now)
    background: list[Any] = field(default_factory=list)  # things to close(), in order
    metrics: Metrics = field(default_factory=Metrics)
    counters: Counters = field(default_factory=lambda: MemoryCounters(utc_now))

    @classmethod
    async def start(
        cls,
        settings: Settings,
        *,
        clock: Callable[[], datetime] = utc_now,
        metrics: Metrics | None = None,
        serving: bool = True,
    ) -> Runtime:
        """`serving=False` for offline commands: they warn about nothing only a server uses."""
        # Secrets and connector configuration first: a problem stops start-up before
        # anything opens.
        instances = preflight(settings)
        engine = create_engine(settings.database_url)
        try:
            if settings.auto_migrate:
                await migrate(engine)
            else:
                await check_schema_or_say_so(engine)
            signer = NoteSigner(load_log_key(settings), settings.log_origin)
            publish_vkey(settings, signer)
            if serving:
                warn_about_configuration(settings, instances)
            writer = Writer(engine)
            vault = await start_vault(settings, writer, clock())
            auth = Authenticator(
                load_auth_secret(settings),
                clock=clock,
                policy=token_policy(settings),
                keys=load_jwks(settings),
            )
            broker = MemoryBroker()
            sequencer = Sequencer(
                writer, signer, vault, max_batch=settings.max_batch_events, clock=clock
            )
            metrics = metrics or Metrics()
            sequencer.on_batch = metrics.commit_batch
            sequencer.listeners.append(broker.on_commit)
            releaser = Releaser(writer, sequencer, vault)
            sequencer.listeners.append(releaser.on_commit)
            await sequencer.start()
        except BaseException:
            await engine.dispose()
            raise
        cache = create_cache(settings.cache_url)
        return cls(
            settings,
            engine,
            writer,
            signer,
            sequencer,
            cache,
            vault,
            auth,
            broker,
            connectors={i.id: i for i in instances},
            clock=clock,
            background=[releaser],
            metrics=metrics,
            counters=MemoryCounters(clock),
        )

    async def close(self) -> None:
        for part in reversed(self.background):
            await part.close()
        await self.sequencer.stop()
        await close_cache(self.cache)
        await self.engine.dispose()


async def check_schema_or_say_so(engine: AsyncEngine) -> None:
    """An unmigrated database is a configuration mistake: one line saying what to run."""
    try:
        await check_schema(engine)
    except SchemaOutOfDate as exc:
        raise SettingsError(str(exc)) from None


def preflight(settings: Settings) -> list[Instance]:
    """Everything checked before a database or port opens: the secrets, and the connector
    instances (returned). `orderlens serve` runs it before binding, so a mistake is one line."""
    require_secrets(settings)
    check_configured_secrets(settings)
    return load_sources(settings)


def load_sources(settings: Settings) -> list[Instance]:
    """The connector instances; a name also declared in ORDERLENS_INGEST_SECRETS stops here,
    since both would write events under one source name."""
    if settings.connectors_file is None:
        return []
    try:
        instances = load_instances(settings.connectors_file, settings.env)
    except ConnectorConfigError as exc:
        raise SettingsError(str(exc)) from exc
    twice = sorted({i.id for i in instances} & set(settings.ingest_secrets))
    if twice:
        names = ", ".join(repr(name) for name in twice)
        noun = "source" if len(twice) == 1 else "sources"
        raise SettingsError(
            f"{noun} {names} declared both in ORDERLENS_INGEST_SECRETS and as a connector "
            f"instance in {settings.connectors_file}: events from both would be one source's; "
            "rename or remove one of them"
        )
    return instances


def warn_about_configuration(settings: Settings, instances: list[Instance]) -> None:
    warning = dev_key_warning(settings)
    if warning is not None:
        log.warning(warning)
    if not settings.ingest_secrets and not instances:
        log.warning(
            "no ingestion sources configured (ORDERLENS_INGEST_SECRETS): "
            "every POST /ingest/events will be refused"
        )


def load_log_key(settings: Settings) -> Ed25519PrivateKey:
    """A configured production key must exist; a dev key is created only when allowed."""
    if settings.signing_key_file is not None:
        return load_signing_key(settings.signing_key_file)
    require_secrets(settings, [SIGNING])  # past it, a dev key is allowed or exists already
    return load_or_create_signing_key(settings.signing_key_path)


def open_keyring(settings: Settings, *, create: bool = True) -> MasterKeyring:
    """The production keyring when ORDERLENS_MASTER_KEYS* is set, else the dev keyring file
    (created on first run only: a database that already holds keys needs its own keyring)."""
    if settings.master_key_env:
        return StaticKeyring.from_env(settings.master_key_env)
    require_secrets(settings, [MASTER])
    if not create and not settings.keyring_path.exists():
        raise SettingsError(
            f"no master keyring at {settings.keyring_path}, but the database holds wrapped "
            "keys: set ORDERLENS_DATA_DIR to the gateway's data directory (or "
            "ORDERLENS_MASTER_KEYS for a production keyring)"
        )
    return LocalKeyring.load_or_create(settings.keyring_path)


async def start_vault(settings: Settings, writer: Writer, now: datetime) -> Vault:
    async with writer.engine.connect() as conn:
        keyed = bool(await conn.scalar(select(func.count()).select_from(key_roots)))
    vault = Vault(open_keyring(settings, create=not keyed))
    try:
        async with writer.transaction() as conn:
            await vault.start(conn, now)
    except (DecryptionFailed, KeyUnavailable) as exc:
        raise SettingsError(
            f"this keyring cannot open the database's system keys ({exc}): is it the "
            "gateway's keyring (ORDERLENS_DATA_DIR / ORDERLENS_MASTER_KEYS)?"
        ) from None
    return vault


def load_jwks(settings: Settings) -> JwksFile | None:
    if settings.auth_jwks_file is None:
        return None
    try:
        return JwksFile(settings.auth_jwks_file, settings.auth_algorithms)
    except JwksError as exc:
        raise SettingsError(f"ORDERLENS_AUTH_JWKS_FILE: {exc}") from None


def token_policy(settings: Settings) -> TokenPolicy:
    return TokenPolicy(
        issuer=settings.auth_issuer,
        audience=settings.auth_audience,
        max_lifetime=timedelta(hours=settings.auth_max_token_hours),
        role_max_lifetime={Role.ADMIN: timedelta(hours=settings.auth_max_admin_token_hours)},
    )


def load_auth_secret(settings: Settings) -> bytes:
    if settings.auth_secret is not None:
        return parse_secret(settings.auth_secret)
    require_secrets(settings, [AUTH])  # past it, a dev secret is allowed or exists already
    return load_or_create_secret(settings.auth_secret_path)


def publish_vkey(settings: Settings, signer: NoteSigner) -> None:
    """Write the verifier key next to the dev keys so `orderlens verify --key FILE` just works."""
    path = settings.data_dir / "log.vkey"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text().strip() != signer.vkey:
        path.write_text(signer.vkey + "\n")
