"""`orderlens demo`: the gateway on SQLite, dev keys, and simulated ERP, WMS and courier feeds."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import replace

import uvicorn
from sqlalchemy import select

from gateway.app import LOG_KEY_PATH, create_app
from gateway.db import create_engine
from gateway.demo.simulator import Simulator, SimulatorConfig
from gateway.ingest.webhooks import WebhookSecret
from gateway.settings import Settings
from gateway.tables import orders

SOURCES = ("erp", "wms", "courier")


async def run_demo(
    settings: Settings, *, host: str, port: int, simulate: bool, seed: int, orders: int
) -> int:
    # Fresh secrets each run: the simulator is the only sender, and it lives in this process.
    secrets = {name: WebhookSecret.generate() for name in SOURCES}
    settings = replace(settings, ingest_secrets=secrets)
    server = uvicorn.Server(
        uvicorn.Config(create_app(settings), host=host, port=port, log_level="warning")
    )
    serving = asyncio.create_task(server.serve())
    while not server.started:
        if serving.done():
            return 1  # uvicorn already said why (port in use, ...)
        await asyncio.sleep(0.05)
    base_url = f"http://{host}:{port}"
    stop = asyncio.Event()
    live: asyncio.Task[None] | None = None
    if simulate:
        simulator = Simulator(
            SimulatorConfig(base_url=base_url, secrets=secrets, seed=seed, orders=orders)
        )
        stats = await simulator.backfill()
        print(f"simulator: {stats}")
        live = asyncio.create_task(simulator.run_live(stop))
    await print_banner(settings, base_url)
    try:
        await serving
    finally:
        stop.set()
        if live is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(live, timeout=5)
    return 0


async def print_banner(settings: Settings, base_url: str) -> None:
    engine = create_engine(settings.database_url)
    try:
        async with engine.connect() as conn:
            delivered = await conn.scalar(
                select(orders.c.number)
                .where(orders.c.status == "delivered")
                .order_by(orders.c.event_count.desc())
                .limit(1)
            )
            moving = await conn.scalar(
                select(orders.c.number)
                .where(orders.c.status.in_(["shipped", "out_for_delivery"]))
                .order_by(orders.c.number)
                .limit(1)
            )
    finally:
        await engine.dispose()
    example = delivered or moving or "SO-000001"
    key_file = settings.data_dir / "log.vkey"
    print(
        f"""
orderlens demo is running: {base_url}/graphql  (GraphiQL in your browser)
log public key:            {base_url}{LOG_KEY_PATH}  (also in {key_file})

Try:
  query {{ order(number: "{example}") {{ status promisedDate carrierEstimatedDelivery
    shipments {{ carrier trackingNumber status carrierEstimate {{ date }} }}
    timeline(first: 50) {{ totalCount
      edges {{ node {{ seq title occurredAt source reason }} }} }} }} }}

  query {{ order(number: "{moving or example}") {{ verificationBundle }} }}

Verify offline (save the bundle JSON to a file first):
  curl -s {base_url}/graphql -H 'content-type: application/json' \\
    -d '{{"query":"{{ order(number: \\"{example}\\") {{ verificationBundle }} }}"}}' > answer.json
  orderlens verify answer.json --key {key_file}

Press Ctrl+C to stop.""",
        flush=True,
    )
