"""`orderlens token` (caller tokens for development and operations) and `orderlens erase`."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import re
import sys
from datetime import timedelta
from typing import Any

from gateway.settings import Settings

TICKET = re.compile(r"^[A-Za-z0-9#:._-]{1,64}$")


def add_admin_commands(commands: Any) -> None:
    token = commands.add_parser(
        "token", help="mint a caller token (HS256) with the gateway's auth secret"
    )
    # Spelled out: importing privacy here would slow every `orderlens` command down.
    token.add_argument("--role", required=True, choices=["agent", "admin", "customer", "installer"])
    token.add_argument("--subject", required=True, help="who the caller is (in audit records)")
    token.add_argument("--customer", help="the customer reference (customer tokens only)")
    token.add_argument("--hours", type=float, default=8.0, help="lifetime (default 8)")
    token.set_defaults(run=run_token)

    erase = commands.add_parser(
        "erase", help="erase a customer's personal data (destroys their key; audited)"
    )
    erase.add_argument("--customer", required=True, help="the customer reference")
    erase.add_argument("--ticket", help="request reference for the audit record")
    erase.set_defaults(run=run_erase)


def run_token(args: argparse.Namespace) -> int:
    from gateway.auth import Authenticator
    from gateway.runtime import load_auth_secret, token_policy
    from privacy import Role

    role = Role(args.role)
    if (role is Role.CUSTOMER) != bool(args.customer):
        print("orderlens token: --customer is required for, and only for, --role customer",
              file=sys.stderr)  # fmt: skip
        return 2
    settings = Settings.for_offline_command()
    policy = token_policy(settings)
    limit = policy.limit(role).total_seconds() / 3600
    if not 0 < args.hours <= limit:
        print(f"orderlens token: --hours must be between 0 and {limit:g} for {role.value}",
              file=sys.stderr)  # fmt: skip
        return 2
    auth = Authenticator(load_auth_secret(settings), policy=policy)
    print(
        auth.issue(
            role=role,
            subject=args.subject,
            customer_ref=args.customer,
            ttl=timedelta(hours=args.hours),
        )
    )
    return 0


def run_erase(args: argparse.Namespace) -> int:
    from gateway.audit import AuditNotRecorded, erase
    from gateway.runtime import Runtime
    from privacy import Role, UnknownCustomer

    if args.ticket is not None and not TICKET.match(args.ticket):
        print("orderlens erase: --ticket is 1-64 letters, digits or #:._-", file=sys.stderr)
        return 2

    async def run() -> int:
        runtime = await Runtime.start(Settings.for_offline_command(), serving=False)
        try:
            report = await erase(
                runtime,
                args.customer,
                actor=f"cli:{getpass.getuser()}",
                role=Role.ADMIN.value,
                ticket=args.ticket,
            )
        except UnknownCustomer:
            print(f"orderlens erase: no customer {args.customer}", file=sys.stderr)
            return 2
        except AuditNotRecorded:
            print("orderlens erase: erased, but the audit records failed; run it again",
                  file=sys.stderr)  # fmt: skip
            return 1
        finally:
            await runtime.close()
        if report.already_erased and not report.recorded:
            print(f"customer {report.customer_ref} was already erased: nothing left to erase, "
                  "nothing appended")  # fmt: skip
            return 0
        state = "was already erased" if report.already_erased else "erased"
        print(f"customer {report.customer_ref} {state}: data key destroyed, lookups removed")
        for number, event_id in zip(report.recorded, report.audit_event_ids, strict=True):
            print(f"  {number}: customer_erased event {event_id}")
        return 0

    return asyncio.run(run())
