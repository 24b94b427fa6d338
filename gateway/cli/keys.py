"""`orderlens keys`: master key (KEK) status, rotation, re-wrapping and retirement.

Run it with the gateways' own ORDERLENS_* settings, while they serve: old versions stay usable
until retired, and a gateway re-reads a local keyring file when it changes, so it wraps new
data keys under the new primary without a restart. No output ever contains key material.

Heavy modules are imported inside the functions so that `orderlens --help` stays fast.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import sys
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, TextIO

from gateway.cli.keys_generate import add_generate_command, version_number
from gateway.settings import Settings, redact_url

if TYPE_CHECKING:
    from sqlalchemy.ext.asyncio import AsyncEngine

    from privacy import MasterKeyring

BAR_WIDTH = 30


class Refused(Exception):
    """The command will not do what was asked; the message says why and what to do instead."""


@dataclass(frozen=True, slots=True)
class Session:
    settings: Settings
    keyring: MasterKeyring
    engine: AsyncEngine


Action = Callable[[argparse.Namespace, Session], Awaitable[int]]


def add_keys_commands(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    keys = commands.add_parser(
        "keys", help="master keys: status, rotate, rewrap, retire; generate any secret"
    )
    actions = keys.add_subparsers(required=True, metavar="ACTION")
    add_generate_command(actions)

    status = actions.add_parser("status", help="versions and how many keys each still wraps")
    status.set_defaults(run=command(show_status))

    rotate = actions.add_parser("rotate", help="new primary version, then re-wrap every key")
    rotate.add_argument(
        "--no-rewrap", action="store_true", help="only add the version; rewrap later"
    )
    rotate.set_defaults(run=command(rotate_keys))

    rewrap = actions.add_parser("rewrap", help="re-wrap every key under the primary version")
    rewrap.set_defaults(run=command(rewrap_keys))

    retire = actions.add_parser("retire", help="destroy a version that no longer wraps keys")
    retire.add_argument("version", type=version_number, metavar="VERSION")
    retire.set_defaults(run=command(retire_key))


# -- running a command -----------------------------------------------------------------------


def command(action: Action) -> Callable[[argparse.Namespace], int]:
    def run(args: argparse.Namespace) -> int:
        try:
            with quiet("alembic"):  # its set-up chatter on each schema check buries the answer
                return asyncio.run(open_session(action, args))
        except expected_failures() as exc:
            err(f"orderlens keys: {describe(exc)}")
            return 2

    return run


@contextmanager
def quiet(name: str) -> Iterator[None]:
    logger = logging.getLogger(name)
    level = logger.level
    logger.setLevel(logging.WARNING)
    try:
        yield
    finally:
        logger.setLevel(level)


async def open_session(action: Action, args: argparse.Namespace) -> int:
    from gateway.db import WRITER_OPTIONS, create_engine

    settings = Settings.for_offline_command()
    keyring = open_existing_keyring(settings)
    # Gateways keep writing meanwhile. On SQLite a transaction that reads before it writes
    # must take the write lock up front (see gateway.db.Writer), or it fails as "locked".
    engine = create_engine(settings.database_url, execution_options=WRITER_OPTIONS)
    try:
        await check_database(engine, settings)
        return await action(args, Session(settings, keyring, engine))
    finally:
        await engine.dispose()


def open_existing_keyring(settings: Settings) -> MasterKeyring:
    from gateway.runtime import open_keyring

    # open_keyring would create a fresh dev keyring: here that means a wrong ORDERLENS_DATA_DIR.
    if not settings.master_key_env and not settings.keyring_path.exists():
        raise Refused(
            f"no master keyring at {settings.keyring_path}: "
            "set ORDERLENS_DATA_DIR to the gateway's data directory"
        )
    return open_keyring(settings)


async def check_database(engine: AsyncEngine, settings: Settings) -> None:
    from sqlalchemy.exc import SQLAlchemyError

    from gateway.db import check_schema

    try:
        await check_schema(engine)
    except (SQLAlchemyError, OSError) as exc:
        where = redact_url(settings.database_url)
        raise Refused(f"cannot open the database {where}: {first_line(exc)}") from None


def expected_failures() -> tuple[type[Exception], ...]:
    from sqlalchemy.exc import SQLAlchemyError

    from gateway.db import SchemaOutOfDate
    from privacy import DecryptionFailed, KeyringConfigError, KeyUnavailable, VersionInUse

    return (
        Refused,
        KeyringConfigError,
        KeyUnavailable,
        DecryptionFailed,
        VersionInUse,
        SchemaOutOfDate,
        SQLAlchemyError,
        OSError,
    )


def describe(exc: Exception) -> str:
    from sqlalchemy.exc import SQLAlchemyError

    if isinstance(exc, SQLAlchemyError):
        return f"database error: {first_line(exc)}"
    return str(exc) if isinstance(exc, Refused) else first_line(exc)


def first_line(exc: BaseException) -> str:
    # SQLAlchemy appends the statement and a help link on later lines.
    lines = str(exc).strip().splitlines()
    return lines[0] if lines else type(exc).__name__


def listed(versions: list[int]) -> str:
    noun = "version" if len(versions) == 1 else "versions"
    return f"{noun} {', '.join(map(str, versions))}"


def out(line: str = "") -> None:
    print(line)


def err(line: str) -> None:
    print(line, file=sys.stderr)


# -- status ----------------------------------------------------------------------------------


async def show_status(args: argparse.Namespace, session: Session) -> int:
    from privacy import versions_in_use

    keyring = session.keyring
    in_use = await versions_in_use(session.engine)
    out(f"keyring  {backend(session)}")
    out(f"primary  version {keyring.primary_version}")
    out()
    out(f"{'version':>7}  {'state':<14}  wrapped keys")
    for version in sorted({*keyring.versions(), *retired_versions(keyring), *in_use}):
        state = version_state(keyring, version)
        out(f"{version:>7}  {state:<14}  {in_use.get(version, 0):>12}")
    lost = {v: n for v, n in in_use.items() if n and v not in keyring.versions()}
    if lost:
        err(f"warning: keys wrapped under {listed(sorted(lost))} cannot be read")
        return 1
    return 0


def backend(session: Session) -> str:
    from privacy import LocalKeyring

    if isinstance(session.keyring, LocalKeyring):
        return f"local file {session.keyring.path}"
    return f"configuration ({', '.join(sorted(session.settings.master_key_env))})"


def retired_versions(keyring: MasterKeyring) -> tuple[int, ...]:
    from privacy import LocalKeyring

    # Only a local keyring remembers retired versions; configuration simply drops them.
    return keyring.retired_versions() if isinstance(keyring, LocalKeyring) else ()


def version_state(keyring: MasterKeyring, version: int) -> str:
    if version == keyring.primary_version:
        return "primary"
    if version in keyring.versions():
        return "active"
    if version in retired_versions(keyring):
        return "retired"
    return "not configured"


# -- rotate and rewrap -----------------------------------------------------------------------


async def rotate_keys(args: argparse.Namespace, session: Session) -> int:
    from privacy import LocalKeyring

    keyring = session.keyring
    if not isinstance(keyring, LocalKeyring):
        raise Refused(static_rotation_steps(keyring))
    await check_keyring_fits(session)  # before changing anything
    previous = keyring.primary_version
    version = keyring.rotate()
    out(f"version {version} is now the primary master key (was {previous})")
    if args.no_rewrap:
        out(f"keys stay under version {previous} until `orderlens keys rewrap`")
        return 0
    return await rewrap_everything(session)


def static_rotation_steps(keyring: MasterKeyring) -> str:
    new = max(keyring.versions()) + 1
    return "\n".join(
        [
            "master keys come from configuration (ORDERLENS_MASTER_KEYS*): "
            "they are rotated by deployment, not here. To rotate:",
            "  1. generate a key, e.g. `openssl rand -base64 32`, kept in your secret store",
            f"  2. add it as version {new} to ORDERLENS_MASTER_KEYS "
            f"(or as {new}.key in ORDERLENS_MASTER_KEYS_DIR), keeping the current versions",
            f"  3. set ORDERLENS_MASTER_KEY_PRIMARY={new} and deploy every gateway",
            "  4. run `orderlens keys rewrap`, then `orderlens keys retire` each old version",
        ]
    )


async def rewrap_keys(args: argparse.Namespace, session: Session) -> int:
    await check_keyring_fits(session)
    return await rewrap_everything(session)


async def rewrap_everything(session: Session) -> int:
    from privacy import rewrap_all, versions_in_use

    bar = ProgressBar("rewrapping")
    try:
        report = await rewrap_all(session.engine, session.keyring, progress=bar)
    finally:
        bar.close()
    primary = report.primary
    out(f"re-wrapped {report.rewrapped} data keys and the system keys under version {primary}")
    in_use = await versions_in_use(session.engine)
    left = sorted(v for v, n in in_use.items() if n and v != primary)
    if left:
        # A gateway wrote keys under an old version while this ran: one more pass moves them.
        out(f"keys are still wrapped under {listed(left)}: run `orderlens keys rewrap` again")
    else:
        old = [v for v in session.keyring.versions() if v != primary]
        if old:
            out(f"no key is wrapped under {listed(old)} any more: `orderlens keys retire VERSION`")
    return 0


async def check_keyring_fits(session: Session) -> None:
    """Refuse to touch anything when this keyring cannot open the database's system keys: the
    usual cause is a data directory or key configuration other than the gateways' one."""
    from sqlalchemy import select

    from privacy import DecryptionFailed, KeyUnavailable, unwrap
    from privacy.tables import key_roots

    async with session.engine.connect() as conn:
        rows = (await conn.execute(select(key_roots.c.name, key_roots.c.wrapped))).all()
    for name, wrapped in rows:
        try:
            # The AAD is the vault's binding of a system key to its name.
            unwrap(session.keyring, wrapped, f"system-key|{name}".encode(), what="system key")
        except (DecryptionFailed, KeyUnavailable) as exc:
            raise Refused(
                f"{exc}: is this the gateways' keyring ({backend(session)})? nothing was changed"
            ) from None


class ProgressBar:
    """`rewrapping  1234/5000 [#####.....] 24%` on stderr: redrawn in place on a terminal,
    one line per batch otherwise, so logs keep every step."""

    def __init__(self, label: str, stream: TextIO | None = None) -> None:
        self.label = label
        self.stream = sys.stderr if stream is None else stream
        self.in_place = self.stream.isatty()
        self._drawn = False

    def __call__(self, done: int, total: int) -> None:
        line = render_bar(self.label, done, total)
        self.stream.write(f"\r{line}" if self.in_place else f"{line}\n")
        self.stream.flush()
        self._drawn = True

    def close(self) -> None:
        if self.in_place and self._drawn:
            self.stream.write("\n")
            self.stream.flush()


def render_bar(label: str, done: int, total: int, width: int = BAR_WIDTH) -> str:
    total = max(total, done)  # gateways may add keys while the count runs
    fraction = done / total if total else 1.0
    filled = int(fraction * width)
    bar = "#" * filled + "." * (width - filled)
    return f"{label}  {done:>{len(str(total))}}/{total} [{bar}] {int(fraction * 100)}%"


# -- retire ----------------------------------------------------------------------------------


async def retire_key(args: argparse.Namespace, session: Session) -> int:
    from privacy import LocalKeyring, ensure_unused

    version: int = args.version
    keyring = session.keyring
    if version == keyring.primary_version:
        raise Refused(f"version {version} is the primary master key: rotate to a new one first")
    if version in retired_versions(keyring):
        out(f"version {version} is already retired")
        return 0
    if version not in keyring.versions():
        raise Refused(f"version {version} is not in the keyring ({backend(session)})")
    await ensure_unused(session.engine, version)
    if not isinstance(keyring, LocalKeyring):
        raise Refused(static_retirement_steps(version))
    keyring.retire(version)
    out(f"retired version {version}: its key is deleted from {keyring.path}")
    return 0


def static_retirement_steps(version: int) -> str:
    return (
        f"version {version} wraps no keys, but master keys come from configuration: to retire "
        f"it, remove it from ORDERLENS_MASTER_KEYS (or {version}.key from "
        "ORDERLENS_MASTER_KEYS_DIR), deploy every gateway, and destroy it in your secret store"
    )
