"""`orderlens demo`: the gateway on SQLite, dev keys, and simulated systems feeding it through
its connectors: ERPNext, ShipHero, a 3PL's XML, EasyPost and in-house systems push to
/ingest/<id>; UPS is pulled from a fake Track API the demo serves on a free local port."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
import socket
from datetime import timedelta

import uvicorn
from sqlalchemy import select

from gateway.app import create_app
from gateway.db.tables import orders
from gateway.demo.fake_ups import FakeUps
from gateway.demo.instances import DemoConnectors
from gateway.demo.native import UpsTracking
from gateway.demo.script import UPS
from gateway.demo.simulator import Simulator, SimulatorConfig
from gateway.listen import bind
from gateway.runtime import Runtime
from gateway.settings import Settings
from gateway.sources import Pulling
from gateway.wellknown import LOG_KEY_PATH
from privacy import Role
from resolvers.access import verification_factors

ORDER_NUMBER = re.compile(r"^SAL-ORD-\d{4}-(\d+)$")
EXAMPLE_ORDER_FILE = "example-order"  # in the data directory: the order the banner uses


async def run_demo(
    settings: Settings, *, host: str, port: int, simulate: bool, seed: int, orders: int
) -> int:
    # A busy port is one line (CannotListen) before the fake UPS or the gateway start.
    listening = bind(host, port, hint="choose another with --port (make demo PORT=8100)")
    # One line per simulated delivery would bury the banner.
    logging.getLogger("httpx").setLevel(logging.WARNING)
    # Fresh secrets each run: the simulated systems are the only senders, in this process.
    connectors = DemoConnectors.generate()
    tracking = UpsTracking()
    ups = FakeUps(tracking, connectors.ups_client_id, connectors.ups_client_secret)
    await ups.start()
    try:
        settings = connectors.configure(settings, ups.base_url)
        return await _serve(
            settings, connectors, tracking, ups, listening, host, port, simulate, seed, orders
        )
    finally:
        listening.close()
        await ups.stop()


async def _serve(
    settings: Settings,
    connectors: DemoConnectors,
    tracking: UpsTracking,
    ups: FakeUps,
    listening: socket.socket,
    host: str,
    port: int,
    simulate: bool,
    seed: int,
    orders: int,
) -> int:
    app = create_app(settings)
    # log_config=None: uvicorn's warnings go through the handler configure_logging set up
    # (JSON with ORDERLENS_LOG_FORMAT=json); log_level still keeps access lines out.
    server = uvicorn.Server(
        uvicorn.Config(app, host=host, port=port, log_level="warning", log_config=None)
    )
    serving = asyncio.create_task(server.serve(sockets=[listening]))
    while not server.started:
        if serving.done():
            return 1  # uvicorn already said why (port in use, ...)
        await asyncio.sleep(0.05)
    runtime: Runtime = app.state.runtime
    base_url = f"http://{host}:{port}"
    stop = asyncio.Event()
    live: asyncio.Task[None] | None = None
    if simulate:
        config = SimulatorConfig(
            base_url,
            connectors.secrets,
            seed=seed,
            orders=orders,
            ups=tracking,
            first_order=await next_order(runtime),
        )
        simulator = Simulator(config)
        stats = await simulator.backfill()
        await pull_now(runtime, UPS)  # the UPS parcels' history, before the banner
        print(f"simulator: {stats}")
        live = asyncio.create_task(simulator.run_live(stop))
    await print_banner(runtime, base_url, ups_url=ups.base_url)
    try:
        await serving
    finally:
        stop.set()
        if live is not None:
            with contextlib.suppress(Exception):
                await asyncio.wait_for(live, timeout=5)
    return 0


async def next_order(runtime: Runtime) -> int | None:
    """On a database an earlier demo filled, new Sales Orders continue its numbering (so
    their events never collide with the old ones); None on a fresh one."""
    async with runtime.engine.connect() as conn:
        numbers = (await conn.execute(select(orders.c.number))).scalars().all()
    found = [int(m.group(1)) for n in numbers if (m := ORDER_NUMBER.match(n))]
    return max(found) + 1 if found else None


async def pull_now(runtime: Runtime, instance_id: str) -> None:
    """One pull of `instance_id` right away, instead of at its next scheduled time."""
    for part in runtime.background:
        if isinstance(part, Pulling):
            await part.runner.poll(instance_id)


async def print_banner(runtime: Runtime, base_url: str, ups_url: str | None = None) -> None:
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
        first = await conn.scalar(select(orders.c.number).order_by(orders.c.number).limit(1))
        example = delivered or moving or first or "SAL-ORD-2026-00001"
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
    # Order numbers carry the year they were placed in, so the README's recipes read a real
    # one from this file instead of naming one that exists only this year.
    example_file = runtime.settings.data_dir / EXAMPLE_ORDER_FILE
    if first is not None:
        example_file.write_text(example + "\n")
    else:
        example_file.unlink(missing_ok=True)
    pulled = f"pulled every 5 s from a fake UPS Track API at {ups_url}" if ups_url else "pulled"
    print(
        f"""
orderlens demo is running: {base_url}/graphql  (GraphiQL in your browser)
NOT FOR PRODUCTION: dev keys in {runtime.settings.data_dir}, introspection, suggestions and
GraphiQL are on. Production is `orderlens serve` with configured keys (docs/operations.md).
log public key:            {base_url}{LOG_KEY_PATH}  (also in {key_file})

Simulated systems, each in its own format through its connector (POST {base_url}/ingest/<id>):
  erp       ERPNext Sales Orders (Frappe webhooks)      wms       ShipHero webhooks
  wms-xml   a 3PL's X12 945 ship confirmations (XML)    easypost  EasyPost tracker events
  inhouse   payments, installations, service desk (CloudEvents)
  ups       UPS Track API, {pulled}
  Instances: {runtime.settings.connectors_file}. How each is doing (as the admin):
    query {{ sources {{ id type mode lastSyncedAt stale deadLetters parked lastError }} }}

Callers send `Authorization: Bearer <token>` (GraphiQL: the Headers tab). Tokens for 24 h:
  agent:     {agent}
  admin:     {admin}
  customer of {example}: {customer}
  (anonymous tracking needs no token: {tracker or "order(number:, verification:)"})

Try (as the agent; personal data comes back masked for that role):
  query {{ order(number: "{example}") {{ status promisedDate carrierEstimatedDelivery
    contact {{ name phone email }} deliveryAddress {{ summary district postalCode }}
    sources {{ source lastReceivedAt }}
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
