"""Process-wide resources, built once in the lifespan and shared by every request."""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime

from aiocache import BaseCache
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from sqlalchemy.ext.asyncio import AsyncEngine

from gateway.cache import create_cache
from gateway.db import Writer, check_schema, create_engine, migrate
from gateway.ingest.sequencer import Sequencer
from gateway.ledger import NoteSigner, load_or_create_signing_key, load_signing_key
from gateway.settings import Settings

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
    clock: Callable[[], datetime] = field(default=utc_now)

    @classmethod
    async def start(cls, settings: Settings, *, clock: Callable[[], datetime] = utc_now) -> Runtime:
        engine = create_engine(settings.database_url)
        try:
            if settings.auto_migrate:
                await migrate(engine)
            else:
                await check_schema(engine)
            signer = NoteSigner(load_log_key(settings), settings.log_origin)
            publish_vkey(settings, signer)
            if not settings.ingest_secrets:
                log.warning(
                    "no ingestion sources configured (ORDERLENS_INGEST_SECRETS): "
                    "every POST /ingest/events will be refused"
                )
            writer = Writer(engine)
            sequencer = Sequencer(writer, signer, max_batch=settings.max_batch_events, clock=clock)
            await sequencer.start()
        except BaseException:
            await engine.dispose()
            raise
        cache = create_cache(settings.cache_url)
        return cls(settings, engine, writer, signer, sequencer, cache, clock)

    async def close(self) -> None:
        await self.sequencer.stop()
        await close_cache(self.cache)
        await self.engine.dispose()


def load_log_key(settings: Settings) -> Ed25519PrivateKey:
    """A configured production key must exist; otherwise a dev key is created on first run."""
    if settings.signing_key_file is not None:
        return load_signing_key(settings.signing_key_file)
    return load_or_create_signing_key(settings.signing_key_path)


def publish_vkey(settings: Settings, signer: NoteSigner) -> None:
    """Write the verifier key next to the dev keys so `orderlens verify --key FILE` just works."""
    path = settings.data_dir / "log.vkey"
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_text().strip() != signer.vkey:
        path.write_text(signer.vkey + "\n")


async def close_cache(cache: BaseCache) -> None:
    client = getattr(cache, "client", None)
    if client is not None and hasattr(client, "aclose"):
        # aiocache 0.12 closes its Redis client with the API redis-py deprecated in 5.0.1.
        await client.aclose()
    else:
        await cache.close()
