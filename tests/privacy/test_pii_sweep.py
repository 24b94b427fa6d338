"""The personal-data sweep (issue 10): a phone number, an e-mail address and a national ID
number through every string field of every connector's format, and none of them reaches a
logged leaf, a clear column, an answer, a dead-letter reason or a log line.

Variants are made by walking each fixture payload's string leaves (JSON values, XML texts
and attributes) and putting each value there, alone and inside other words. The fixtures'
golden outputs, which are CloudEvents, are walked the same way for the generic connector.
Personal-data fields proper (`contact`, the sealed address parts, `proof_of_delivery`) are
sealed by design and not looked for in the sealed columns; their clear parts are.
"""

from __future__ import annotations

import functools
import json
import logging
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from defusedxml.ElementTree import fromstring

from connectors import Connector, to_draft
from connectors.cloudevents import CONNECTOR as CLOUDEVENTS
from connectors.easypost import CONNECTOR as EASYPOST
from connectors.erpnext import CONNECTOR as ERPNEXT
from connectors.shipconfirm_xml import CONNECTOR as SHIPCONFIRM
from connectors.shiphero import CONNECTOR as SHIPHERO
from connectors.ups import CONNECTOR as UPS
from gateway.events import EventDraft
from tests.conftest import START, Gateway

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
VALUES = {
    "phone": "13800138000",
    "e164": "+44 20 7946 0958",
    "email": "jane.roe@example.com",
    "national_id": "110101199003078515",
}
FORMATS: dict[str, tuple[Connector, str]] = {
    "erpnext": (ERPNEXT, "application/json"),
    "shiphero": (SHIPHERO, "application/json"),
    "ups": (UPS, "application/json"),
    "easypost": (EASYPOST, "application/json"),
    "shipconfirm_xml": (SHIPCONFIRM, "application/xml"),
}
SEALED_KEYS = ("contact", "proof_of_delivery", "street", "postal_code")


def _json_variants(doc: Any, path: tuple[Any, ...] = ()) -> Iterator[tuple[tuple[Any, ...], Any]]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _json_variants(value, (*path, key))
    elif isinstance(doc, list):
        for index, value in enumerate(doc):
            yield from _json_variants(value, (*path, index))
    elif isinstance(doc, str):
        yield path, doc


def _set(doc: Any, path: tuple[Any, ...], new: Any) -> Any:
    if not path:
        return new
    copy = dict(doc) if isinstance(doc, dict) else list(doc)
    copy[path[0]] = _set(doc[path[0]], path[1:], new)
    return copy


def _placements(value: str) -> tuple[str, ...]:
    return (value, f"call {value} now")


def json_bodies(doc: Any) -> Iterator[tuple[str, str, Any]]:
    """(leaf path, value kind, variant document) for every string leaf."""
    for path, _ in _json_variants(doc):
        for kind, value in VALUES.items():
            for placed in _placements(value):
                yield "/".join(map(str, path)), kind, _set(doc, path, placed)


def xml_bodies(raw: bytes) -> Iterator[tuple[str, str, bytes]]:
    root = fromstring(raw)
    elements = list(root.iter())
    for index, element in enumerate(elements):
        slots = [None] if element.text and element.text.strip() else []
        for slot in [*slots, *element.attrib]:
            for kind, value in VALUES.items():
                for placed in _placements(value):
                    copy = fromstring(raw)
                    target = list(copy.iter())[index]
                    if slot is None:
                        target.text = placed
                    else:
                        target.set(slot, placed)
                    yield f"{element.tag}@{slot or 'text'}", kind, ET.tostring(copy)


def leaked(kind: str, text: str) -> bool:
    value = VALUES[kind]
    return value in text or value.replace(" ", "") in text.replace(" ", "")


def visible(draft: EventDraft) -> str:
    """What an event writes in clear: its leaf's fields (personal data split off)."""
    return json.dumps(
        [draft.details, draft.source_event_id, draft.source_uri, draft.order_number],
        ensure_ascii=False,
    )


def check(events: list[dict[str, Any]], problems: list[str], kind: str, where: str) -> list[Any]:
    for problem in problems:
        assert not leaked(kind, problem), f"{where}: {kind} echoed in a problem"
    accepted = []
    for event in events:
        result = to_draft(event, source="sweep")
        if isinstance(result, EventDraft):
            assert not leaked(kind, visible(result)), f"{where}: {kind} reached a leaf"
            accepted.append(event)
        else:
            assert not any(leaked(kind, r) for r in result), f"{where}: {kind} in a reason"
    return accepted


@functools.cache
def sweep() -> tuple[int, list[tuple[str, dict[str, Any]]]]:
    """Every variant of every format through its connector and the validator: (variants,
    accepted normalized events with the kind they carried)."""
    count, accepted = 0, []
    for name, (connector, content_type) in FORMATS.items():
        for path in sorted((FIXTURES / name).iterdir()):
            if path.name.endswith(".events.json") or path.name == "scenarios.json":
                continue
            raw = path.read_bytes()
            variants: Iterator[tuple[str, str, Any]] = (
                xml_bodies(raw) if path.suffix == ".xml" else json_bodies(json.loads(raw))
            )
            for leaf, kind, body in variants:
                count += 1
                payload = body if isinstance(body, bytes) else json.dumps(body).encode()
                try:
                    out = connector.translate(payload, content_type=content_type, received_at=START)
                except Exception as exc:  # a refused payload: its message is a reason too
                    assert not leaked(kind, str(exc)), f"{name}/{leaf}: {kind} in an error"
                    continue
                where = f"{name}:{path.name}:{leaf}"
                events = list(out.events)
                for event in check(events, list(out.problems), kind, where):
                    if leaked(kind, json.dumps(event)):  # still carried into the gateway
                        accepted.append((kind, event))
    for path in sorted(FIXTURES.glob("*/*.events.json")):
        for event in json.loads(path.read_text())["events"]:
            for leaf, kind, variant in json_bodies(event):
                count += 1
                where = f"cloudevents:{path.name}:{leaf}"
                if any(key in leaf.split("/") for key in SEALED_KEYS):
                    continue
                accepted += [(kind, kept) for kept in check([variant], [], kind, where)]
    return count, accepted


def test_no_variant_of_any_format_reaches_a_leaf_or_a_reason() -> None:
    count, _ = sweep()
    assert count > 3000  # every leaf of every fixture, four values, two placements


def test_free_text_is_scrubbed_and_structured_fields_refuse() -> None:
    event = json.loads((FIXTURES / "ups" / "delivered_signed.events.json").read_text())
    first = event["events"][0]
    text = _set(first, ("data", "raw", "text"), f"call {VALUES['phone']} or {VALUES['email']}")
    draft = to_draft(text, source="sweep")
    assert isinstance(draft, EventDraft)
    assert draft.details["raw"]["text"] == "call [removed: phone] or [removed: email]"
    city = _set(first, ("data", "location"), {"city": VALUES["email"]})
    assert to_draft(city, source="sweep") == [
        "data.location.city: looks like an e-mail address; "
        "personal data is not accepted in this field"
    ]


async def test_nothing_reaches_a_clear_column_an_answer_or_a_log_line(
    sqlite_gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    _, accepted = sweep()
    assert CLOUDEVENTS.name == "cloudevents"
    # The normalized events (still carrying the value in their free text) through
    # POST /ingest/events, each under an id of its own so none is a duplicate.
    # One in every few keeps the test fast; the validator saw them all above.
    sample = accepted[:: max(1, len(accepted) // 400)]
    batch = [{**event, "id": f"{event['id']}:v{i}"} for i, (_, event) in enumerate(sample)]
    stored = 0
    for start in range(0, len(batch), 100):
        response = await sqlite_gateway.post_events("erp", batch[start : start + 100])
        assert response.status_code in {200, 207, 422}
        stored += response.json().get("accepted", 0)
        for kind in VALUES:
            assert not leaked(kind, response.text), f"{kind} echoed in an answer"
    assert stored > 50, "the sweep must write events to look for"
    orders = {e["subject"] for e in batch}
    for number in sorted(orders)[:30]:
        answer = await sqlite_gateway.graphql(
            "query Sweep($n: String!) { order(number: $n) { lines { description } "
            "verificationBundle } }",
            {"n": number},
        )
        for kind in VALUES:
            assert not leaked(kind, json.dumps(answer)), f"{kind} in the answer for an order"
    url = str(sqlite_gateway.runtime.settings.database_url)
    db = sqlite3.connect(url.split("///", 1)[1])
    tables = [r[0] for r in db.execute("select name from sqlite_master where type='table'")]
    for table in tables:
        columns = [r[1] for r in db.execute(f"pragma table_info('{table}')")]
        for column in columns:
            # Names from sqlite_master itself, not from input.
            query = f'select "{column}" from "{table}" where typeof("{column}") = \'text\''  # noqa: S608
            rows = db.execute(query)
            text = "\n".join(r[0] for r in rows)
            for kind in VALUES:
                assert not leaked(kind, text), f"{kind} in clear in {table}.{column}"
    db.close()
    logged = "\n".join(r.getMessage() for r in caplog.records)
    for kind in VALUES:
        assert not leaked(kind, logged), f"{kind} in a log line"
