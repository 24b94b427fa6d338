"""`orderlens connectors` and `orderlens deadletters list|replay`."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from gateway.settings import Settings

if TYPE_CHECKING:
    from connectors import Instance


def add_ops_commands(commands: Any) -> None:
    connectors = commands.add_parser(
        "connectors", help="configured connector instances and their health"
    )
    connectors.set_defaults(run=run_connectors)

    letters = commands.add_parser("deadletters", help="payloads that could not be ingested")
    actions = letters.add_subparsers(required=True, metavar="ACTION")
    listing = actions.add_parser("list", help="list dead letters (never their content)")
    listing.add_argument("--source")
    listing.add_argument("--status", default="pending", choices=["pending", "replayed"])
    listing.set_defaults(run=run_list)
    replay = actions.add_parser("replay", help="re-process dead letters after a fix")
    replay.add_argument("ids", nargs="*", help="dead letter ids (default: all pending)")
    replay.add_argument("--source", help="only this source's letters")
    replay.set_defaults(run=run_replay)


def run_connectors(args: argparse.Namespace) -> int:
    """Opens only the database (no keys, nothing started): what is configured and how it is
    doing, or, on a database that cannot say, what is configured and what to do."""
    from sqlalchemy.exc import SQLAlchemyError

    from gateway.db import SchemaOutOfDate, check_schema, create_engine
    from gateway.runtime import load_sources, utc_now
    from gateway.settings import redact_url
    from gateway.sources import source_health

    settings = Settings.from_env()
    instances = {instance.id: instance for instance in load_sources(settings)}

    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            await check_schema(engine)
            rows = await source_health(engine, settings, instances, utc_now())
        except SchemaOutOfDate as exc:
            print(f"orderlens connectors: {exc}", file=sys.stderr)
            print_configured(settings, instances)
            return 2
        except (SQLAlchemyError, OSError) as exc:
            where = redact_url(settings.database_url)
            reason = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            print(f"orderlens connectors: cannot open the database {where}: {reason}",
                  file=sys.stderr)  # fmt: skip
            print_configured(settings, instances)
            return 2
        finally:
            await engine.dispose()
        if not rows:
            print(NO_SOURCES)
            return 0
        print_table(
            ["id", "type", "kind", "mode", "last synced", "stale", "dead letters", "parked"],
            [
                [
                    row.id,
                    row.type,
                    row.kind,
                    row.mode,
                    synced_at(row.last_synced_at),
                    "yes" if row.stale else "no",
                    str(row.dead_letters),
                    str(row.parked),
                ]
                for row in rows
            ],
            numeric=2,
        )
        return 0

    status = asyncio.run(run())
    print_types()  # what could be configured, whatever the database said
    return status


NO_SOURCES = "no sources configured (set ORDERLENS_CONNECTORS_FILE or ORDERLENS_INGEST_SECRETS)"


def print_types() -> None:
    """Built-in types, then those of installed packages (entry points) with where they live."""
    from connectors import BUILTIN, available

    types = sorted(available().items(), key=lambda item: (item[0] not in BUILTIN, item[0]))
    listed = ", ".join(name if name in BUILTIN else f"{name} ({where})" for name, where in types)
    print(f"\nconnector types available: {listed}")


def print_configured(settings: Settings, instances: Mapping[str, Instance]) -> None:
    """The configured sources without their health (which needs the database)."""
    from gateway.sources import INGEST_SECRETS_MODE, INGEST_SECRETS_TYPE, instance_mode

    rows = [[i.id, i.connector.name, i.kind.value, instance_mode(i)] for i in instances.values()]
    rows += [[name, INGEST_SECRETS_TYPE, "generic", INGEST_SECRETS_MODE]
             for name in sorted(settings.ingest_secrets)]  # fmt: skip
    if rows:
        print("configured sources (health unknown until the database answers):")
        print_table(["id", "type", "kind", "mode"], rows)
    else:
        print(NO_SOURCES)


def print_table(header: list[str], rows: list[list[str]], *, numeric: int = 0) -> None:
    """Columns as wide as their widest cell; the last `numeric` ones right-aligned."""
    widths = [max(len(cell) for cell in column) for column in zip(header, *rows, strict=True)]
    first_numeric = len(header) - numeric
    for line in [header, *rows]:
        cells = [
            cell.rjust(width) if index >= first_numeric else cell.ljust(width)
            for index, (cell, width) in enumerate(zip(line, widths, strict=True))
        ]
        print("  ".join(cells).rstrip())


def synced_at(moment: datetime | None) -> str:
    if moment is None:
        return "-"
    aware = moment if moment.tzinfo else moment.replace(tzinfo=UTC)  # stored as UTC
    return f"{aware.astimezone(UTC):%Y-%m-%d %H:%M:%S} UTC"


def run_list(args: argparse.Namespace) -> int:
    from gateway.ingest import list_dead_letters
    from gateway.runtime import Runtime

    async def run() -> int:
        runtime = await Runtime.start(Settings.for_offline_command(), serving=False)
        try:
            async with runtime.engine.connect() as conn:
                letters = await list_dead_letters(conn, runtime.vault, status=args.status)
        finally:
            await runtime.close()
        shown = [d for d in letters if args.source in (None, d.source)]
        for d in shown:
            # The payload may hold personal data: only its size is shown.
            print(f"{d.id}  {d.received_at:%Y-%m-%d %H:%M:%S}  {d.source:<12} "
                  f"{len(d.payload):>7} B  {_attempts(d.attempts):<12} "
                  f"{d.reason[:120]}")  # fmt: skip
        print(f"{len(shown)} {args.status} dead letter(s)")
        return 0

    return asyncio.run(run())


def _attempts(count: int) -> str:
    return "not replayed" if count == 0 else f"{count} replay" + ("s" if count > 1 else "")


def run_replay(args: argparse.Namespace) -> int:
    from gateway.ingest import replay_dead_letters
    from gateway.runtime import Runtime

    async def run() -> int:
        runtime = await Runtime.start(Settings.for_offline_command(), serving=False)
        try:
            report = await replay_dead_letters(runtime, ids=args.ids, source=args.source)
        finally:
            await runtime.close()
        for line in report.lines:
            print(line)
        print(json.dumps(report.counts))
        return 0 if not report.failed else 1

    return asyncio.run(run())
