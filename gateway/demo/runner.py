"""`orderlens demo`: the gateway on SQLite, dev keys, and simulated ERP, WMS and courier feeds."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace
from datetime import timedelta

import uvicorn
from sqlalchemy import select

from gateway.app import LOG_KEY_PATH, create_app
from gateway.demo.simulator import Simulator, SimulatorConfig
from gateway.ingest.webhooks import WebhookSecret
from gateway.runtime import Runtime
from gateway.settings import Settings
from gateway.tables import orders
from privacy import Role
from resolvers.access import verification_factors

SOURCES = ("erp", "wms", "courier")


async def run_demo(
    settings: Settings, *, host: str, port: int, simulate: bool, seed: int, orders: int
) -> int:
    # One line per simulated delivery would bury the banner.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Fresh secrets each run: the simulator is the only sender, and it lives in this process.
    secrets = {name: WebhookSecret.generate() for name in SOURCES}
    settings = replace(settings, ingest_secrets=secrets)
    app = create_app(settings)
    server = uvicorn.Server(uvicorn.Config(app, host=host, port=port, log_level="warning"))
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
    await print_banner(app.state.runtime, base_url)
    try:
        await serving
    finally:
        stop.set()
        if live is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(live, timeout=5)
    return 0


async def print_banner(runtime: Runtime, base_url: str) -> None:
    async with runtime.engine.connect() as conn:
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
        example = delivered or moving or "SO-000001"
        customer_ref = await conn.scalar(
            select(orders.c.customer_ref).where(orders.c.number == example)
        )
        pii = (await runtime.vault.order_pii(conn, [example])).get(example)
    factors = verification_factors(pii) if pii is not None else []
    tracker = f'order(number: "{example}", verification: "{factors[0]}")' if factors else ""
    auth, day = runtime.auth, timedelta(hours=24)
    agent = auth.issue(role=Role.AGENT, subject="demo-agent", ttl=day)
    admin = auth.issue(role=Role.ADMIN, subject="demo-admin", ttl=day)
    customer = (
        auth.issue(role=Role.CUSTOMER, subject="demo-customer", customer_ref=customer_ref, ttl=day)
        if customer_ref
        else "(no customer on this order)"
    )
    key_file = runtime.settings.data_dir / "log.vkey"
    print(
        f"""
orderlens demo is running: {base_url}/graphql  (GraphiQL in your browser)
log public key:            {base_url}{LOG_KEY_PATH}  (also in {key_file})

Callers send `Authorization: Bearer <token>` (GraphiQL: the Headers tab). Tokens for 24 h:
  agent:     {agent}
  admin:     {admin}
  customer of {example}: {customer}
  (anonymous tracking needs no token: {tracker or "order(number:, verification:)"})

Try (as the agent; personal data comes back masked for that role):
  query {{ order(number: "{example}") {{ status promisedDate carrierEstimatedDelivery
    contact {{ name phone email }} deliveryAddress {{ summary district postalCode }}
    shipments {{ carrier trackingNumber status carrierEstimate {{ date }} }}
    timeline(first: 50) {{ totalCount
      edges {{ node {{ seq title occurredAt source reason }} }} }} }} }}

  mutation {{ revealCustomerContact(orderNumber: "{example}", purpose: CUSTOMER_REQUEST,
    ticket: "CS-1") {{ revealed {{ contact {{ name phone }} }} auditEventId }} }}

  query {{ order(number: "{moving or example}") {{ verificationBundle }} }}

Verify offline:
  curl -s {base_url}/graphql -H 'content-type: application/json' \\
    -H 'authorization: Bearer {agent}' \\
    -d '{{"query":"{{ order(number: \\"{example}\\") {{ verificationBundle }} }}"}}' > answer.json
  orderlens verify answer.json --key {key_file}

Press Ctrl+C to stop.""",
        flush=True,
    )
