"""The `orderlens` command: demo, serve, migrate, verify, rebuild, token, erase, keys."""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path

from gateway.cli.admin import add_admin_commands
from gateway.cli.keys import add_keys_commands
from gateway.cli.ops import add_ops_commands
from gateway.listen import CannotListen
from gateway.logging_setup import configure_logging
from gateway.settings import DevKeys, Settings, SettingsError, parse_log_format


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        configure_logging(parse_log_format(os.environ))
        result: int = args.run(args)
    except (SettingsError, CannotListen) as exc:
        print(f"orderlens: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return result


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="orderlens", description="GraphQL gateway for one signed, verifiable order timeline."
    )
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    demo = commands.add_parser(
        "demo", help="everything for a first look: SQLite, dev keys, simulator"
    )
    demo.add_argument("--host", default="127.0.0.1")
    demo.add_argument("--port", type=int, default=8000)
    demo.add_argument("--db", type=Path, default=Path("orderlens.db"), help="SQLite file")
    demo.add_argument("--data-dir", type=Path, default=Path(".orderlens"), help="dev keys")
    demo.add_argument("--no-simulator", action="store_true", help="serve without simulated feeds")
    demo.add_argument("--seed", type=int, default=7, help="simulator seed (repeatable data)")
    demo.add_argument("--orders", type=int, default=60, help="orders the simulator creates")
    demo.set_defaults(run=run_demo)

    serve = commands.add_parser("serve", help="production server; settings from ORDERLENS_* env")
    serve.add_argument("--host", default="0.0.0.0")  # noqa: S104 - a server is meant to listen
    serve.add_argument("--port", type=int, default=8000)
    serve.add_argument(
        "--dev-keys",
        action="store_true",
        help="throw-away dev keys in ORDERLENS_DATA_DIR for unset secrets (never in production)",
    )
    serve.set_defaults(run=run_serve)

    migrate = commands.add_parser("migrate", help="create or upgrade the database schema")
    migrate.set_defaults(run=run_migrate)

    verify = commands.add_parser("verify", help="verify a receipt or exported timeline offline")
    verify.add_argument("file", type=Path, help="receipt, timeline bundle or saved GraphQL answer")
    verify.add_argument("--key", required=True, help="the log's vkey, or a file containing it")
    verify.add_argument(
        "--partial", action="store_true", help="accept receipts that do not start at seq 1"
    )
    verify.set_defaults(run=run_verify)

    rebuild = commands.add_parser("rebuild", help="replay the log into fresh projections")
    rebuild.set_defaults(run=run_rebuild)

    export = commands.add_parser("export-schema", help="write the GraphQL SDL (schema.graphql)")
    export.add_argument("--output", type=Path, default=Path("schema.graphql"))
    export.set_defaults(run=run_export_schema)
    add_keys_commands(commands)
    add_admin_commands(commands)
    add_ops_commands(commands)
    return parser


def run_export_schema(args: argparse.Namespace) -> int:
    from strawberry.printer import print_schema

    from resolvers import schema

    args.output.write_text(print_schema(schema) + "\n")
    print(f"wrote {args.output}")
    return 0


def run_demo(args: argparse.Namespace) -> int:
    from gateway.demo.runner import run_demo as serve_demo

    settings = replace(
        Settings.from_env({}),
        database_url=f"sqlite+aiosqlite:///{args.db}",
        data_dir=args.data_dir,
        graphiql=True,
        auto_migrate=True,
        dev_keys=DevKeys.CREATE,
    )
    return asyncio.run(
        serve_demo(
            settings,
            host=args.host,
            port=args.port,
            simulate=not args.no_simulator,
            seed=args.seed,
            orders=args.orders,
        )
    )


def run_serve(args: argparse.Namespace) -> int:
    import uvicorn

    from gateway.app import create_app
    from gateway.listen import bind
    from gateway.runtime import preflight

    settings = Settings.from_env()
    if args.dev_keys:
        settings = replace(settings, dev_keys=DevKeys.CREATE)
    preflight(settings)  # missing secrets or a broken connector file: one message, exit 2
    if not settings.auto_migrate:
        asyncio.run(_require_migrated(settings))
    listening = bind(args.host, args.port)
    logging.getLogger(__name__).info("starting with %r", settings)
    app = create_app(settings)
    # log_config=None: uvicorn's own lines go through the handler configure_logging set up.
    config = uvicorn.Config(
        app, host=args.host, port=args.port, proxy_headers=True, log_config=None
    )
    logging.getLogger(__name__).info("listening on http://%s:%d", args.host, args.port)
    uvicorn.Server(config).run(sockets=[listening])
    return 0


async def _require_migrated(settings: Settings) -> None:
    """An unmigrated database is one line before the port opens, not a lifespan traceback."""
    from gateway.db import create_engine
    from gateway.runtime import check_schema_or_say_so

    engine = create_engine(settings.database_url)
    try:
        await check_schema_or_say_so(engine)
    finally:
        await engine.dispose()


def run_migrate(args: argparse.Namespace) -> int:
    from gateway.db import migrate_sync
    from gateway.settings import redact_url

    settings = Settings.from_env()
    migrate_sync(settings.database_url)
    print(f"schema up to date: {redact_url(settings.database_url)}")
    return 0


def run_verify(args: argparse.Namespace) -> int:
    from gateway.ledger import verify_file

    report = verify_file(args.file, args.key, allow_partial=args.partial)
    print(report.summary())
    return 0 if report.ok else 1


def run_rebuild(args: argparse.Namespace) -> int:
    from gateway.db import create_engine
    from gateway.runtime import check_schema_or_say_so
    from gateway.timeline import rebuild

    settings = Settings.from_env()

    def progress(done: int, total: int) -> None:
        print(f"\rrebuilding projections: {done}/{total} orders", end="", file=sys.stderr)

    async def run() -> int:
        engine = create_engine(settings.database_url)
        try:
            await check_schema_or_say_so(engine)
            report = await rebuild(engine, progress=progress)
        finally:
            await engine.dispose()
        print(file=sys.stderr)
        for line in report.chain_problems + report.differences:
            print(f"  {line}")
        verdict = "identical to the previous projection" if report.identical else "DIFFERENT"
        print(f"rebuilt {report.orders} orders from {report.events} events: {verdict}")
        return 0 if report.identical else 1

    return asyncio.run(run())
