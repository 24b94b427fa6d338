"""`orderlens connectors` and `orderlens deadletters list|replay`."""

from __future__ import annotations

import argparse
import asyncio
import json
from typing import Any

from gateway.settings import Settings


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
    from gateway.ops import connector_health
    from gateway.runtime import Runtime

    async def run() -> int:
        runtime = await Runtime.start(Settings.for_offline_command(), serving=False)
        try:
            rows = await connector_health(runtime)
        finally:
            await runtime.close()
        if not rows:
            print("no connector instances (set ORDERLENS_CONNECTORS_FILE)")
            return 0
        print(f"{'id':<16} {'type':<16} {'kind':<8} {'mode':<18} {'last synced':<26} "
              f"{'stale':<6} {'dead letters':>12} {'parked':>7}")  # fmt: skip
        for row in rows:
            print(
                f"{row.id:<16} {row.type:<16} {row.kind:<8} {row.mode:<18} "
                f"{row.last_synced_at or '-':<26} {('yes' if row.stale else 'no'):<6} "
                f"{row.dead_letters:>12} {row.parked:>7}"
            )
        return 0

    return asyncio.run(run())


def run_list(args: argparse.Namespace) -> int:
    from gateway.ingest.deadletters import list_dead_letters
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
    from gateway.ops import replay_dead_letters
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
