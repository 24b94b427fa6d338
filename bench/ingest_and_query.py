"""Benchmark: ingestion throughput (with signing and checkpointing) and order-query throughput
beside a plain Starlette endpoint serving the same JSON, measured in one run.

Servers run as separate processes (`orderlens serve` and uvicorn on bench/plain_app.py) and
are driven over loopback HTTP by an async client in this process.

    .venv/bin/python bench/ingest_and_query.py [--seconds 5] [--concurrency 16] [--postgres URL]
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from loadclient import Connection

from connectors.webhooks import signature_headers
from gateway.auth import Authenticator
from gateway.events import WebhookSecret
from privacy import Role

ROOT = Path(__file__).resolve().parent.parent
SECRET = WebhookSecret.generate()
AUTH_SECRET = os.urandom(32)
QUERY = """query ($n: String!) { order(number: $n) { number status promisedDate
  shipments { carrier trackingNumber status carrierEstimate { date } }
  timeline(first: 50) { totalCount edges { node { seq title milestone reason occurredAt source
    receipt { leafIndex treeSize inclusionProof checkpoint event } } } } } }"""
T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def start(cmd: list[str], env: dict[str, str], port: int) -> subprocess.Popen[bytes]:
    process = subprocess.Popen(cmd, env={**os.environ, **env}, cwd=ROOT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.2):
                return process
        except OSError:
            time.sleep(0.1)
    process.kill()
    raise RuntimeError(f"server did not start: {cmd}")


def event(order: str, n: int) -> dict[str, Any]:
    base: dict[str, Any] = {
        "specversion": "1.0",
        "id": f"{order}-{n}",
        "source": "urn:bench",
        "subject": order,
        "time": (T0 + timedelta(minutes=n)).isoformat(),
    }
    if n == 0:
        return base | {
            "type": "io.orderlens.order.placed",
            "data": {
                "customer_ref": "CUST-1",
                "promised_date": "2026-11-25",
                "lines": [{"line_id": "1", "sku": "TV-55", "description": "TV", "quantity": 1}],
            },
        }
    return base | {
        "type": "io.orderlens.shipment.in_transit",
        "data": {
            "shipment": {"id": f"{order}-S", "carrier": "ups", "tracking_number": "1Z999"},
            "reason": "arrived_at_facility",
            "location": {"city": "Shanghai", "country": "CN"},
        },
    }


async def post_batch(conn: Connection, batch: list[dict[str, Any]], msg: str) -> None:
    body = json.dumps(batch).encode()
    headers = signature_headers(SECRET, msg, body, int(time.time()))
    headers["content-type"] = "application/cloudevents-batch+json"
    status, answer = await conn.post("/ingest/events", body, headers)
    if status != 200:
        raise RuntimeError(f"ingest answered {status}: {answer[:300]!r}")


Work = Callable[[Connection, int], Awaitable[int]]


async def drive(port: int, work: Work, seconds: float, concurrency: int) -> tuple[float, int]:
    """Run `work` from `concurrency` keep-alive connections for `seconds`: (rate, units)."""
    done = 0
    counter = 0
    stop_at = time.perf_counter() + seconds
    start = time.perf_counter()

    async def worker() -> None:
        nonlocal done, counter
        async with Connection("127.0.0.1", port) as conn:
            while time.perf_counter() < stop_at:
                counter += 1
                units = await work(conn, counter)
                done += units  # not `done += await ...`: that reads `done` before awaiting

    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - start
    return done / elapsed, done


async def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=float, default=5)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--postgres", help="run the gateway on this PostgreSQL URL instead")
    args = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="orderlens-bench-"))
    database = args.postgres or f"sqlite+aiosqlite:///{tmp / 'bench.db'}"
    gw_port, plain_port = free_port(), free_port()
    gateway = start(
        [
            sys.executable,
            "-m",
            "gateway.cli",
            "serve",
            "--dev-keys",  # a throw-away log key and keyring for the run
            "--host",
            "127.0.0.1",
            "--port",
            str(gw_port),
        ],
        {
            "ORDERLENS_DATABASE_URL": database,
            "ORDERLENS_DATA_DIR": str(tmp / "keys"),
            "ORDERLENS_INGEST_SECRETS": f"bench={SECRET.encoded}",
            "ORDERLENS_AUTH_SECRET": base64.b64encode(AUTH_SECRET).decode(),
            "ORDERLENS_AUTO_MIGRATE": "true",
        },
        gw_port,
    )
    plain: subprocess.Popen[bytes] | None = None
    results: dict[str, float] = {}
    try:
        for batch_size in (1, 50):

            async def ingest(conn: Connection, i: int, size: int = batch_size) -> int:
                order = f"B{size}-{i:07d}"
                await post_batch(conn, [event(order, n) for n in range(size)], f"m{order}")
                return size

            rate, total = await drive(gw_port, ingest, args.seconds, args.concurrency)
            results[f"ingest_batch_{batch_size}"] = rate
            print(
                f"ingest, {batch_size:>2} event(s) per request: {rate:8.0f} events/s "
                f"({total} events, {args.concurrency} connections)"
            )

        async with Connection("127.0.0.1", gw_port) as conn:
            await post_batch(conn, [event("Q-30", n) for n in range(30)], "mq30")
            payload = json.dumps({"query": QUERY, "variables": {"n": "Q-30"}}).encode()
            # Queried as an agent: every order and event is authorized and masked per viewer.
            token = Authenticator(AUTH_SECRET).issue(role=Role.AGENT, subject="bench")
            headers = {"content-type": "application/json", "authorization": f"Bearer {token}"}
            status, body = await conn.post("/graphql", payload, headers)
        assert status == 200 and b'"totalCount":30' in body, body[:500]
        body_file = tmp / "answer.json"
        body_file.write_bytes(body)
        plain = start(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "--app-dir",
                "bench",
                "plain_app:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(plain_port),
                "--log-level",
                "warning",
            ],
            {"BENCH_BODY_FILE": str(body_file)},
            plain_port,
        )

        async def query(conn: Connection, i: int) -> int:
            status, answer = await conn.post("/graphql", payload, headers)
            assert status == 200 and len(answer) > 1000
            return 1

        # Alternate short rounds so both servers see the same machine conditions.
        totals = {"gateway": 0.0, "plain": 0.0}
        rounds = 3
        for _ in range(rounds):
            for name, port in (("gateway", gw_port), ("plain", plain_port)):
                rate, _ = await drive(port, query, args.seconds / rounds, args.concurrency)
                totals[name] += rate / rounds
        print(f"order query, 30-event timeline with receipts ({len(body)} bytes of JSON):")
        print(f"  orderlens /graphql          {totals['gateway']:8.0f} queries/s")
        print(f"  plain Starlette, same JSON  {totals['plain']:8.0f} queries/s")
        print(f"  ratio orderlens / plain     {totals['gateway'] / totals['plain']:8.3f}")
        backend = "PostgreSQL" if args.postgres else "SQLite"
        print(f"(gateway on {backend}; {os.cpu_count()} CPUs shared by servers and client)")
    finally:
        for process in (gateway, plain):
            if process is not None:
                process.terminate()
                process.wait(timeout=10)


if __name__ == "__main__":
    asyncio.run(main())
