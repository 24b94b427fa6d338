"""Acceptance: after the demo data load, the raw database holds none of the customers' personal
data in clear, on SQLite (the bytes of the .db, -wal and -shm files) and on PostgreSQL (the
contents of every table of the public schema).

The demo's simulated systems send 60 orders through the gateway's connectors, each in its own
native format (ERPNext Sales Orders carrying customer name, phone, email and the printed
shipping address; ShipHero and 3PL ship-to blocks; EasyPost signers; UPS answers pulled from
the demo's fake UPS), then live ticks carry them to delivery. Three deliberately refused
payloads carrying personal data follow, one per dead-letter path: a Sales Order the ERPNext
connector refuses, an event the sequencer refuses (illegal transition) and a ship
confirmation that is not XML at all. Every personal value is collected from the simulator's
own record of what it sent (checked against the bytes that went over the wire) and from what
the connectors made of it, with the variants a careless copy could store (phone digits and
E.164, lowercased email, JSON \\u-escapes), and searched for. Country, region and city stay
in clear by design.

Each search is shown to be able to succeed: values stored in clear (an order number, a city, a
country code) must be found, and every sealed value must read back through the vault, so the
personal data is in the database and the search does look at it. Failures name the file or
table.column and the kind of value, never the value itself (CI logs are public).
"""

from __future__ import annotations

import contextlib
import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import AsyncIterator, Iterable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import httpx
import phonenumbers
import pytest

from connectors.erpnext import HEADER as FRAPPE_HEADER
from connectors.erpnext import sign as frappe_sign
from connectors.ups import CONNECTOR as UPS_CONNECTOR
from connectors.webhooks import signature_headers
from gateway.demo import DemoConnectors, Simulator, SimulatorConfig, UpsTracking
from gateway.demo.fake_ups import FakeUps
from gateway.demo.runner import pull_now
from gateway.events import WebhookSecret
from gateway.ingest import translate
from gateway.settings import Settings
from tests.conftest import (
    POSTGRES_URL,
    Clock,
    Gateway,
    make_settings,
    require_server,
    reset_postgres,
    running_gateway,
)

ORDERS = 60
LIVE_DAYS = 12  # one live tick per simulated day: enough for every order to reach the door
# Personal data travels only under these keys; country, region and city stay in clear.
PII_KEYS = ("contact", "delivery_address", "proof_of_delivery")
CLEAR_BY_DESIGN = {"delivery_address": {"country", "region", "city"}}

Event = dict[str, Any]
Dump = list[tuple[str, bytes, bool]]  # (file or table.column, content, numeric column)


def hint(value: str) -> str:
    """What a failure may print about a personal value: its first character and its length."""
    return f"{value[:1]!r}… ({len(value)} chars)"


# --- what was sent ---------------------------------------------------------------------------


@dataclass
class Posted:
    """Every body POSTed to a connector endpoint, as it went over the wire."""

    bodies: list[tuple[str, str, bytes]] = field(default_factory=list)  # id, media type, body

    def __repr__(self) -> str:  # the bodies hold personal data
        return f"Posted({len(self.bodies)} bodies)"

    async def record(self, request: httpx.Request) -> None:
        if request.url.path.startswith("/ingest/"):
            media = request.headers.get("content-type", "")
            self.bodies.append((request.url.path[len("/ingest/") :], media, request.content))

    def text(self) -> str:
        return "\n".join(body.decode(errors="replace") for *_, body in self.bodies)


def translated(gw: Gateway, posted: Posted, ups: UpsTracking) -> list[Event]:
    """What the connectors made of every posted body and every UPS answer: the events the
    gateway was handed, personal data under the keys it seals."""
    events: list[Event] = []
    for system, media, body in posted.bodies:
        instance = gw.runtime.connectors[system]
        events += translate(instance, body, media, gw.clock()).events
    for number in sorted(ups.parcels):
        answer = ups.response(number)
        if answer is not None:
            events += UPS_CONNECTOR.translate(answer, content_type="application/json").events
    return events


def kind(event: Event) -> str:
    return str(event["type"]).removeprefix("io.orderlens.")


def personal_fields(events: Iterable[Event]) -> Iterator[tuple[str, str]]:
    """(e.g. "contact.phone", value) for every string under a personal-data key."""
    for event in events:
        data = event.get("data")
        for key in PII_KEYS:
            part = data.get(key) if isinstance(data, dict) else None
            if not isinstance(part, dict):
                continue
            for name, value in part.items():
                if isinstance(value, str) and value and name not in CLEAR_BY_DESIGN.get(key, ()):
                    yield f"{key}.{name}", value


def variants(field_name: str, value: str) -> Iterator[tuple[str, str]]:
    """The value as sent, and the forms a careless copy could have stored it in."""
    yield field_name, value
    if field_name.endswith(".phone"):
        number = phonenumbers.parse(value, "CN")
        yield f"{field_name} (digits only)", re.sub(r"\D", "", value)
        yield (
            f"{field_name} (E.164)",
            phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164),
        )
        yield f"{field_name} (national number)", str(number.national_number)
    if field_name.endswith(".email"):
        yield f"{field_name} (lowercased)", value.lower()
    escaped = json.dumps(value)[1:-1]  # what json.dumps (SQLAlchemy's JSON type) writes
    if escaped != value:
        yield f"{field_name} (JSON \\u-escaped)", escaped


# --- searching -------------------------------------------------------------------------------

# A short value (a postal code like "2010" or "100020") turns up by chance inside hex, base64,
# uuids, timestamps and JSON numbers; it only counts as found as a token of its own.
WORDISH = frozenset(b"0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_+/=.:-")
SHORT = re.compile(r"[0-9][0-9 -]{0,7}")


@dataclass(frozen=True, slots=True)
class Secret:
    kind: str  # e.g. "contact.phone (E.164)"
    value: str  # what is searched for
    sent: str = ""  # the value as sent, when `value` is a variant of it (for hints only)
    needle: bytes = field(init=False)
    weak: bool = field(init=False)

    def __post_init__(self) -> None:
        needle = self.value.encode()
        object.__setattr__(self, "needle", needle)
        object.__setattr__(self, "weak", len(needle) <= 4 or bool(SHORT.fullmatch(self.value)))

    def __repr__(self) -> str:
        return f"Secret({self.kind}, {self.hint()})"

    def hint(self) -> str:
        return hint(self.sent or self.value)

    def occurs_in(self, data: bytes) -> bool:
        if not self.weak:
            return self.needle in data
        at = data.find(self.needle)
        while at >= 0:
            end = at + len(self.needle)
            before = data[at - 1] if at else 0
            after = data[end] if end < len(data) else 0
            if before not in WORDISH and after not in WORDISH and data[at - 2 : at] != b": ":
                return True
            at = data.find(self.needle, at + 1)
        return False


def secrets_of(fields: Iterable[tuple[str, str]]) -> list[Secret]:
    secrets: dict[str, Secret] = {}
    for field_name, value in fields:
        for variant_kind, variant in variants(field_name, value):
            secrets.setdefault(variant, Secret(variant_kind, variant, value))
    return list(secrets.values())


def leaks(dump: Dump, secrets: Sequence[Secret]) -> list[str]:
    """One line per place and kind of value found in clear, without the values."""
    problems: list[str] = []
    for where, data, numeric in dump:
        found: dict[str, list[Secret]] = defaultdict(list)
        for secret in secrets:
            # A number column cannot hold a postal code *string*; only long digit runs (a
            # phone stored as an integer) are looked for there.
            if not (numeric and secret.weak) and secret.occurs_in(data):
                found[secret.kind].append(secret)
        problems += [
            f"{where}: {kind} in clear ({len(values)} value(s), e.g. {values[0].hint()})"
            for kind, values in sorted(found.items())
        ]
    return problems


def found_in(dump: Dump, control: Secret) -> set[str]:
    return {where for where, data, _ in dump if control.occurs_in(data)}


# --- loading the demo data ---------------------------------------------------------------------


@dataclass
class Load:
    accepted: list[Event]  # what the connectors made of what was sent (all of it accepted)
    secrets: list[Secret]
    order: str  # an order number (stored in clear)
    city: str  # a Chinese delivery city (stored in clear, UTF-8)
    last_order: str  # the order of the latest Sales Order sent


def refused_sales_order() -> dict[str, Any]:
    """A Sales Order whose customer id is the customer's own name: the ERPNext connector
    refuses it (the id would enter the signed log), so the whole document is kept."""
    return {
        "doctype": "Sales Order",
        "name": "SAL-ORD-2026-99001",
        "docstatus": 1,
        "creation": "2026-11-23 09:00:00.000000",
        "modified": "2026-11-23 09:00:05.000000",
        "customer": "上官思远",
        "customer_name": "上官思远",
        "contact_mobile": "+86 199 0000 7315",
        "contact_email": "SiYuan.ShangGuan@Example.cn",
        "custom_wechat_id": "siyuan_shangguan_1990",  # a personal field nobody maps
        "shipping_address": "莫干山路 1418 号 7 幢 902 室<br>拱墅区<br>杭州市<br>310011<br>China",
        "status": "To Deliver and Bill",
        "items": [{"name": "a1", "item_code": "WM-8KG", "item_name": "Washer", "qty": 1.0}],
    }


PROBE_FIELDS = [  # the personal values of the three refused payloads, by kind
    ("contact.name", "上官思远"),
    ("contact.phone", "+86 199 0000 7315"),
    ("contact.email", "SiYuan.ShangGuan@Example.cn"),
    ("contact.wechat", "siyuan_shangguan_1990"),
    ("delivery_address.street", "莫干山路 1418 号 7 幢 902 室"),
    ("delivery_address.district", "拱墅区"),
    ("delivery_address.postal_code", "310011"),
    ("contact.name", "司马晓明"),
    ("contact.phone", "+86 186 0000 2468"),
    ("contact.email", "xiaoming.sima@example.cn"),
    ("contact.name", "Grace O'Neill"),
    ("contact.phone", "+44 20 7946 0958"),
    ("delivery_address.street", "221B Baker Street, Flat 3"),
    ("delivery_address.district", "Marylebone"),
    ("delivery_address.postal_code", "NW1 6XE"),
]


async def post_refused(gw: Gateway, connectors: DemoConnectors, shipped_order: str) -> None:
    """Three payloads with personal data that end up as (sealed) dead letters."""
    secrets, now = connectors.secrets, int(gw.clock().timestamp())
    # 1. Refused by the ERPNext connector: the whole Sales Order is kept.
    body = json.dumps(refused_sales_order(), ensure_ascii=False).encode()
    headers = {FRAPPE_HEADER: frappe_sign(secrets["erp"], body), "content-type": "application/json"}
    response = await gw.client.post("/ingest/erp", content=body, headers=headers)
    assert response.status_code == 207 and response.json()["dead_letter_id"], response.text
    # 2. Refused by the sequencer: the service desk "confirms" an order that already shipped.
    late = {
        "specversion": "1.0",
        "id": "probe-late-confirmation",
        "source": "urn:demo:inhouse:service-desk",
        "type": "io.orderlens.order.confirmed",
        "subject": shipped_order,
        "time": gw.clock().isoformat().replace("+00:00", "Z"),
        "data": {
            "contact": {
                "name": "司马晓明",
                "phone": "+86 186 0000 2468",
                "email": "xiaoming.sima@example.cn",
            }
        },
    }
    body = json.dumps([late], ensure_ascii=False).encode()
    headers = signature_headers(WebhookSecret(secrets["inhouse"]), "msg_probe_2", body, now)
    headers["content-type"] = "application/cloudevents-batch+json"
    response = await gw.client.post("/ingest/inhouse", content=body, headers=headers)
    assert response.status_code == 207, response.status_code
    assert "illegal transition" in response.json()["results"][0]["errors"][0]
    # 3. Not XML at all (cut off mid-way): the whole body is kept.
    body = (
        b"<ShipmentConfirmation><Header><DepositorOrderNumber>SAL-ORD-2026-99003"
        b"</DepositorOrderNumber><ShipTo><Name>Grace O'Neill</Name><Address1>221B Baker Street, "
        b"Flat 3</Address1><Address2>Marylebone</Address2><City>London</City><PostalCode>NW1 6XE"
        b"</PostalCode><Phone>+44 20 7946 0958</Phone></ShipTo><Carr"
    )
    headers = signature_headers(WebhookSecret(secrets["wms-xml"]), "msg_probe_3", body, now)
    headers["content-type"] = "application/xml"
    response = await gw.client.post("/ingest/wms-xml", content=body, headers=headers)
    assert response.status_code == 400, response.status_code


def demo_settings(settings: Settings, connectors: DemoConnectors, ups: FakeUps) -> Settings:
    # As `orderlens demo`: its sources are connector instances, no ORDERLENS_INGEST_SECRETS.
    return connectors.configure(replace(settings, ingest_secrets={}), ups.base_url)


async def load_demo(gw: Gateway, connectors: DemoConnectors, ups: UpsTracking) -> Load:
    posted = Posted()
    gw.client.event_hooks["request"].append(posted.record)
    config = SimulatorConfig("http://test", connectors.secrets, orders=ORDERS, ups=ups)
    simulator = Simulator(config, gw.client, clock=gw.clock)
    await simulator.backfill()
    await pull_now(gw.runtime, "ups")
    for _ in range(LIVE_DAYS):
        gw.clock.advance(days=1)
        assert await simulator.tick()
        await pull_now(gw.runtime, "ups")
    stats = simulator.stats
    assert stats.failures == stats.rejected == stats.problems == stats.dropped == 0, stats
    accepted = translated(gw, posted, ups)

    by_kind: dict[str, set[str]] = defaultdict(set)
    for event in accepted:
        by_kind[kind(event)].add(event["subject"])
    signed = [e for e in accepted if "signer_name" in e["data"].get("proof_of_delivery", {})]
    resent = [e for e in accepted if kind(e) == "order.confirmed" and "contact" in e["data"]]
    delivered = {e["subject"] for e in accepted if kind(e) == "shipment.delivered"}
    assert len(by_kind["order.placed"]) >= 50
    assert len(delivered) >= 50 and len(signed) >= 30  # at the door, most signed for
    assert resent  # the service desk corrected some phone numbers

    shipped = sorted(by_kind["order.shipped"] - by_kind["order.cancelled"])
    await post_refused(gw, connectors, shipped[0])
    letters = await gw.dead_letters()
    assert len(letters) == 3
    names = ["上官思远", "司马晓明", "Grace O'Neill"]
    sealed_there = [n for n in names if any(n.encode() in letter.payload for letter in letters)]
    assert sealed_there == names, "every probe's personal data is in a dead letter"

    # What the simulator says it sent is what went over the wire (or to the fake UPS).
    sent = simulator.personal_data()
    answers = (ups.response(n) for n in ups.parcels)
    wire = posted.text() + "".join(
        json.dumps(json.loads(a), ensure_ascii=False) for a in answers if a
    )
    assert all(value in wire for _, value in sent), "a personal value the simulator recorded"
    fields = sent + list(personal_fields(accepted)) + PROBE_FIELDS
    kinds = {name for name, _ in fields}
    assert kinds >= {
        "contact.name",
        "contact.phone",
        "contact.email",
        "delivery_address.district",
        "delivery_address.street",
        "delivery_address.postal_code",
        "proof_of_delivery.signer_name",
        "contact.wechat",  # a personal field nobody maps: dead-lettered
    }
    placed = next(
        e
        for e in accepted
        if kind(e) == "order.placed" and e["data"]["delivery_address"]["country"] == "CN"
    )
    await assert_sealed_values_read_back(gw, accepted)
    last_sales_order = json.loads(next(b for s, _, b in reversed(posted.bodies) if s == "erp"))
    return Load(
        accepted,
        secrets_of(fields),
        order=placed["subject"],
        city=placed["data"]["delivery_address"]["city"],
        last_order=last_sales_order["name"],
    )


async def assert_sealed_values_read_back(gw: Gateway, accepted: list[Event]) -> None:
    """The personal data is in the database, sealed: the vault opens what was sent."""
    orders = {e["subject"] for e in accepted if not e["subject"].startswith("tracking:")}
    async with gw.runtime.engine.connect() as conn:
        stored = await gw.runtime.vault.order_pii(conn, orders)
    sent: dict[str, set[str]] = defaultdict(set)
    for name, value in personal_fields(accepted):
        sent[name].add(value)
    opened: dict[str, set[str]] = defaultdict(set)
    for pii in stored.values():
        assert pii.contact is not None and pii.address is not None
        opened["contact.name"].add(pii.contact.name or "")
        opened["contact.phone"].add(pii.contact.phone or "")
        opened["delivery_address.street"].add(pii.address.street or "")
        opened["proof_of_delivery.signer_name"] |= {
            p.signer_name for p in pii.proofs.values() if p.signer_name
        }
    assert len(stored) == len(orders)
    for name in ("contact.name", "delivery_address.street", "proof_of_delivery.signer_name"):
        same = opened[name] == sent[name]
        assert same, f"{name}: the vault does not give back what was sent"
    assert opened["contact.phone"] <= sent["contact.phone"]


def assert_controls(dump: Dump, load: Load) -> None:
    """The search finds values that are stored in clear: it cannot pass vacuously."""
    controls = {
        "order number": (Secret("control", load.order), "orders.number"),
        "city": (Secret("control", load.city), "order_contacts.city"),
        "country code": (Secret("control", "CN"), "order_contacts.country"),
    }
    for name, (control, expected) in controls.items():
        assert control.weak == (name == "country code")
        places = found_in(dump, control)
        assert expected in places, f"control {name} not found in {expected}: {sorted(places)}"


# --- SQLite ------------------------------------------------------------------------------------


def sqlite_files(db: Path, when: str) -> Dump:
    paths = [db, db.with_name(db.name + "-wal"), db.with_name(db.name + "-shm")]
    return [(f"{path.name} ({when})", path.read_bytes(), False) for path in paths if path.exists()]


def sqlite_cells(db: Path) -> Dump:
    """Every column of every table, cell by cell (NUL-separated), read with the stdlib driver."""
    dump: Dump = []
    conn = sqlite3.connect(f"file:{db}?mode=ro", uri=True)
    try:
        tables = [
            name for (name,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
        ]
        for table in tables:
            cursor = conn.execute(f"SELECT * FROM {quote(table)}")  # noqa: S608 (catalog name)
            columns = [d[0] for d in cursor.description]
            cells: dict[str, list[bytes]] = {c: [] for c in columns}
            numeric = dict.fromkeys(columns, True)
            for row in cursor:
                for column, value in zip(columns, row, strict=True):
                    if value is None:
                        continue
                    if isinstance(value, bytes | str):
                        numeric[column] = False
                    cells[column].append(value if isinstance(value, bytes) else str(value).encode())
            dump += [(f"{table}.{c}", b"\0".join(cells[c]), numeric[c]) for c in columns]
    finally:
        conn.close()
    return dump


def quote(identifier: str) -> str:
    return '"' + identifier.replace('"', '""') + '"'


@contextlib.asynccontextmanager
async def demo_gateway(settings: Settings, clock: Clock) -> AsyncIterator[Load]:
    """A gateway configured as `orderlens demo` configures it, loaded with the demo's data."""
    connectors = DemoConnectors.generate()
    tracking = UpsTracking()
    ups = FakeUps(tracking, connectors.ups_client_id, connectors.ups_client_secret)
    await ups.start()
    try:
        async with running_gateway(demo_settings(settings, connectors, ups), clock) as gw:
            yield await load_demo(gw, connectors, tracking)
    finally:
        await ups.stop()


async def test_sqlite_files_hold_no_personal_data(tmp_path: Path, clock: Clock) -> None:
    db = tmp_path / "orderlens.db"
    settings = make_settings(f"sqlite+aiosqlite:///{db}", tmp_path)
    async with demo_gateway(settings, clock) as load:
        # While the gateway runs, recent pages live in the write-ahead log.
        open_files = sqlite_files(db, "gateway running")
        wal = next((data for name, data, _ in open_files if "-wal" in name), b"")
        assert len(wal) > 0, "the database runs in WAL mode: the -wal file must be scanned"
        last_order = Secret("control", load.last_order)
        assert last_order.occurs_in(wal), "the latest writes are expected in the -wal file"
        open_leaks = leaks(open_files, load.secrets)

    closed_files = sqlite_files(db, "gateway stopped")
    for control in (load.order, load.city):
        found = Secret("control", control).occurs_in(closed_files[0][1])
        assert found, f"a value stored in clear must be found in {closed_files[0][0]}"
    cells = sqlite_cells(db)
    assert_controls(cells, load)
    problems = open_leaks + leaks(closed_files, load.secrets) + leaks(cells, load.secrets)
    assert not problems, "personal data in clear at rest (SQLite):\n" + "\n".join(problems)


# --- PostgreSQL --------------------------------------------------------------------------------


@pytest.fixture
async def postgres_url() -> str:
    require_server("PostgreSQL", "127.0.0.1", 5432)
    await reset_postgres()
    return POSTGRES_URL


NUMERIC_TYPES = {"smallint", "integer", "bigint", "numeric", "real", "double precision"}
EXPECTED_TABLES = {
    "events",
    "log_nodes",
    "checkpoints",
    "webhook_deliveries",
    "dead_letters",
    "orders",
    "shipments",
    "customers",
    "order_contacts",
    "deliveries",
    "subject_keys",
    "key_roots",
}


async def postgres_tables() -> Dump:
    """Every column of every table of the public schema: bytea raw, everything else ::text."""
    import asyncpg

    dump: Dump = []
    conn = await asyncpg.connect(POSTGRES_URL.replace("postgresql+asyncpg", "postgresql"))
    try:
        columns = await conn.fetch(
            "SELECT c.table_name, c.column_name, c.data_type FROM information_schema.columns c"
            " JOIN information_schema.tables t USING (table_schema, table_name)"
            " WHERE c.table_schema = 'public' AND t.table_type = 'BASE TABLE'"
            " ORDER BY c.table_name, c.ordinal_position"
        )
        for table, column, data_type in columns:
            cast = "" if data_type == "bytea" else "::text"
            rows = await conn.fetch(
                f"SELECT {quote(column)}{cast} FROM public.{quote(table)}"  # noqa: S608
                f" WHERE {quote(column)} IS NOT NULL"
            )
            cells = [r[0] if isinstance(r[0], bytes) else r[0].encode() for r in rows]
            dump.append((f"{table}.{column}", b"\0".join(cells), data_type in NUMERIC_TYPES))
        counts = {
            table: await conn.fetchval(f"SELECT count(*) FROM public.{quote(table)}")  # noqa: S608
            for table in ("customers", "order_contacts", "deliveries", "dead_letters")
        }
    finally:
        await conn.close()
    assert counts["customers"] >= 50 and counts["deliveries"] >= 50, counts
    assert counts["order_contacts"] >= 50 and counts["dead_letters"] == 3, counts
    return dump


async def test_postgres_tables_hold_no_personal_data(
    postgres_url: str, tmp_path: Path, clock: Clock
) -> None:
    async with demo_gateway(make_settings(postgres_url, tmp_path), clock) as load:
        pass
    dump = await postgres_tables()
    tables = {where.split(".")[0] for where, _, _ in dump}
    assert tables >= EXPECTED_TABLES, sorted(EXPECTED_TABLES - tables)
    assert_controls(dump, load)
    problems = leaks(dump, load.secrets)
    assert not problems, "personal data in clear at rest (PostgreSQL):\n" + "\n".join(problems)
