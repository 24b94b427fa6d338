"""Acceptance: after the demo data load, the raw database holds none of the customers' personal
data in clear, on SQLite (the bytes of the .db, -wal and -shm files) and on PostgreSQL (the
contents of every table of the public schema).

The demo simulator posts 60 orders through the real, signed ingestion endpoint, then a few
weeks of live ticks carry them to delivery (proofs of delivery, re-sent contacts). Three
deliberately rejected payloads carrying personal data follow, one per dead-letter path: an
event the parser refuses, an event the sequencer refuses (illegal transition) and a body that
is not JSON at all. Every personal value is collected from the bytes actually posted, with the
variants a careless copy could store (phone digits and E.164, lowercased email, JSON
\\u-escapes), and searched for. Country, region and city stay in clear by design.

Each search is shown to be able to succeed: values stored in clear (an order number, a city, a
country code) must be found, and every sealed value must read back through the vault, so the
personal data is in the database and the search does look at it. Failures name the file or
table.column and the kind of value, never the value itself (CI logs are public).
"""

from __future__ import annotations

import json
import re
import sqlite3
from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import phonenumbers
import pytest

from gateway.demo import INGEST_PATH, Simulator, SimulatorConfig
from tests.conftest import (
    POSTGRES_URL,
    SECRETS,
    Clock,
    Gateway,
    make_settings,
    require_server,
    reset_postgres,
    running_gateway,
)

ORDERS = 60
LIVE_DAYS = 20  # one live tick per simulated day: enough for every order to reach the door
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
    """Every body POSTed to the ingestion endpoint, as it went over the wire."""

    bodies: list[bytes] = field(default_factory=list)

    def __repr__(self) -> str:  # the bodies hold personal data
        return f"Posted({len(self.bodies)} bodies)"

    async def record(self, request: httpx.Request) -> None:
        if request.url.path == INGEST_PATH:
            self.bodies.append(request.content)

    def events(self, start: int = 0, stop: int | None = None) -> list[Event]:
        events: list[Event] = []
        for body in self.bodies[start:stop]:
            try:
                document = json.loads(body)
            except ValueError:
                continue  # the deliberately broken body; its values are added by hand
            events += document if isinstance(document, list) else [document]
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
    accepted: list[Event]  # what the simulator sent (all of it accepted)
    secrets: list[Secret]
    order: str  # an order number (stored in clear)
    city: str  # a Chinese delivery city (stored in clear, UTF-8)


def probe_placed(order: str) -> Event:
    return {
        "specversion": "1.0",
        "id": f"probe-{order}",
        "source": "urn:test:probe",
        "type": "io.orderlens.order.placed",
        "subject": order,
        "time": "2026-11-23T09:00:00Z",
        "datacontenttype": "application/json",
        "data": {
            "customer_ref": f"PROBE-{order}",
            "promised_date": "2026-11-30",
            "lines": [{"line_id": "1", "sku": "WM-8KG", "description": "Washer", "quantity": 1}],
        },
    }


async def post_rejected(gw: Gateway, packed_order: str) -> list[Event]:
    """Three payloads with personal data that end up as (sealed) dead letters."""
    # 1. Refused by the parser: a field the contact schema does not know.
    unknown_field = probe_placed("SO-990001")
    unknown_field["data"]["contact"] = {
        "name": "上官思远",
        "phone": "+86 199 0000 7315",
        "email": "SiYuan.ShangGuan@Example.cn",
        "wechat": "siyuan_shangguan_1990",
    }
    unknown_field["data"]["delivery_address"] = {
        "country": "CN",
        "region": "浙江省",
        "city": "杭州市",
        "district": "拱墅区",
        "street": "莫干山路 1418 号 7 幢 902 室",
        "postal_code": "310011",
    }
    response = await gw.post_events("erp", [unknown_field])
    assert response.status_code == 422, response.status_code
    # 2. Refused by the sequencer: a corrected contact for an order already packed.
    late = {
        **probe_placed(packed_order),
        "id": "probe-late-confirmation",
        "type": "io.orderlens.order.confirmed",
        "time": gw.clock().isoformat().replace("+00:00", "Z"),
        "data": {
            "contact": {
                "name": "司马晓明",
                "phone": "+86 186 0000 2468",
                "email": "xiaoming.sima@example.cn",
            }
        },
    }
    response = await gw.post_events("erp", [late])
    assert response.status_code == 422, response.status_code
    assert "illegal transition" in response.json()["results"][0]["errors"][0]
    # 3. Not JSON at all: the whole body is kept.
    broken = probe_placed("SO-990003")
    broken["data"]["contact"] = {
        "name": "Grace O'Neill",
        "phone": "+44 20 7946 0958",
        "email": "grace.oneill@example.co.uk",
    }
    broken["data"]["delivery_address"] = {
        "country": "GB",
        "region": "England",
        "city": "London",
        "district": "Marylebone",
        "street": "221B Baker Street, Flat 3",
        "postal_code": "NW1 6XE",
    }
    response = await gw.post_events("erp", json.dumps([broken]).encode()[:-1])
    assert response.status_code == 400, response.status_code
    return [unknown_field, late, broken]


async def load_demo(gw: Gateway) -> Load:
    posted = Posted()
    gw.client.event_hooks["request"].append(posted.record)
    config = SimulatorConfig("http://test", SECRETS, orders=ORDERS, live_interval=0.001)
    simulator = Simulator(config, gw.client, clock=gw.clock)
    await simulator.backfill()
    for _ in range(LIVE_DAYS):
        gw.clock.advance(days=1)
        assert await simulator.tick()
    stats = simulator.stats
    assert stats.failures == stats.rejected == stats.dropped == 0, stats
    accepted = posted.events()
    simulated = len(posted.bodies)

    by_kind: dict[str, set[str]] = defaultdict(set)
    for event in accepted:
        by_kind[kind(event)].add(event["subject"])
    proofs = {
        e["subject"] for e in accepted if "photo_ref" in e["data"].get("proof_of_delivery", {})
    }
    resent = [e for e in accepted if kind(e) == "order.confirmed" and "contact" in e["data"]]
    assert len(by_kind["order.placed"]) >= 50
    assert len(proofs & by_kind["order.placed"]) >= 50  # delivered, with a proof of delivery
    assert any("signer_name" in e["data"].get("proof_of_delivery", {}) for e in accepted)
    assert resent  # some customers corrected their phone number

    packed = sorted(by_kind["order.packed"] - by_kind["order.cancelled"])
    probes = await post_rejected(gw, packed[0])
    letters = await gw.dead_letters()
    assert len(letters) == len(probes)
    names = [p["data"]["contact"]["name"].encode() for p in probes]
    sealed_there = sorted(n for n in names if any(n in letter.payload for letter in letters))
    assert sealed_there == sorted(names), "every probe's personal data is in a dead letter"
    assert len(posted.events(simulated)) == 2  # the third body is not JSON: added by hand below

    # Everything posted that parses, plus the values of the body that does not.
    fields = list(personal_fields(posted.events())) + list(personal_fields(probes[-1:]))
    kinds = {name for name, _ in fields}
    assert kinds >= {
        "contact.name",
        "contact.phone",
        "contact.email",
        "delivery_address.district",
        "delivery_address.street",
        "delivery_address.postal_code",
        "proof_of_delivery.signer_name",
        "proof_of_delivery.photo_ref",
        "contact.wechat",  # a personal field the schema does not know: dead-lettered
    }
    placed = next(
        e
        for e in accepted
        if kind(e) == "order.placed" and e["data"]["delivery_address"]["country"] == "CN"
    )
    await assert_sealed_values_read_back(gw, accepted)
    return Load(
        accepted,
        secrets_of(fields),
        order=placed["subject"],
        city=placed["data"]["delivery_address"]["city"],
    )


async def assert_sealed_values_read_back(gw: Gateway, accepted: list[Event]) -> None:
    """The personal data is in the database, sealed: the vault opens what was sent."""
    orders = {e["subject"] for e in accepted}
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
        opened["proof_of_delivery.photo_ref"] |= {p.photo_ref or "" for p in pii.proofs.values()}
    assert len(stored) == len(orders)
    for name in ("contact.name", "delivery_address.street", "proof_of_delivery.photo_ref"):
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


async def test_sqlite_files_hold_no_personal_data(tmp_path: Path, clock: Clock) -> None:
    db = tmp_path / "orderlens.db"
    settings = make_settings(f"sqlite+aiosqlite:///{db}", tmp_path)
    async with running_gateway(settings, clock) as gw:
        load = await load_demo(gw)
        # While the gateway runs, recent pages live in the write-ahead log.
        open_files = sqlite_files(db, "gateway running")
        wal = next((data for name, data, _ in open_files if "-wal" in name), b"")
        assert len(wal) > 0, "the database runs in WAL mode: the -wal file must be scanned"
        last_order = Secret("control", load.accepted[-1]["subject"])
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
    async with running_gateway(make_settings(postgres_url, tmp_path), clock) as gw:
        load = await load_demo(gw)
    dump = await postgres_tables()
    tables = {where.split(".")[0] for where, _, _ in dump}
    assert tables >= EXPECTED_TABLES, sorted(EXPECTED_TABLES - tables)
    assert_controls(dump, load)
    problems = leaks(dump, load.secrets)
    assert not problems, "personal data in clear at rest (PostgreSQL):\n" + "\n".join(problems)
