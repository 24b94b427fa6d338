"""Personal data out of every string of a validated event, before anything is logged.

Structured fields (codes, ids, city, hub, service level, customer_ref, the CloudEvents id
and source...) refuse a value with a personal-data shape (`connectors.sdk.shapes`); free text
(`raw.text`, line descriptions) has it replaced by a marker. A refusal names the field and the
kind of data, never the value: reasons are stored with dead letters and logged.

Not screened: the personal-data fields themselves (`contact`, `proof_of_delivery`, the sealed
parts of `delivery_address`), which are sealed on arrival and never written into an event.
"""

from __future__ import annotations

import re
from typing import Any

from connectors.sdk.shapes import CONTROL, KIND_WORDS, MAX_SCAN, find, own_runs, redact

# Free text: scrubbed. Paths with "*" for a list index.
FREE_TEXT = frozenset({("raw", "text"), ("lines", "*", "description")})
# Sealed on arrival: screened by the vault, not here.
SEALED = frozenset(
    {
        ("contact",),
        ("proof_of_delivery",),
        ("delivery_address", "street"),
        ("delivery_address", "postal_code"),
    }
)
# The event's own identifiers: their long digit runs are allowed anywhere in the event.
OWN_IDS = frozenset(
    {
        ("shipment", "id"),
        ("shipment", "tracking_number"),
        ("packages", "*", "id"),
        ("packages", "*", "tracking_number"),
        ("lines", "*", "line_id"),
        ("job", "id"),
    }
)
FREE_TEXT_LIMIT = {("raw", "text"): 300, ("lines", "*", "description"): 200}

# Opaque identifiers are checked for shape first: no '@', '%', '?' or spaces to hide data in.
EVENT_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 _.:/+-]{0,199}$")
EVENT_SOURCE = re.compile(r"^[A-Za-z0-9/][A-Za-z0-9_.:/~+-]{0,299}$")
EVENT_TYPE = re.compile(r"^io\.orderlens\.[a-z][a-z_]{0,39}\.[a-z][a-z_]{0,59}$")


def _key(path: tuple[str | int, ...]) -> tuple[str, ...]:
    return tuple("*" if isinstance(part, int) else part for part in path)


def _dotted(prefix: str, path: tuple[str | int, ...]) -> str:
    return ".".join([prefix, *(str(part) for part in path)])


Path = tuple[str | int, ...]


def _leaves(value: Any, path: Path = ()) -> list[tuple[Path, str]]:
    if isinstance(value, dict):
        return [leaf for k, v in value.items() for leaf in _leaves(v, (*path, k))]
    if isinstance(value, list):
        return [leaf for i, v in enumerate(value) for leaf in _leaves(v, (*path, i))]
    return [(path, value)] if isinstance(value, str) else []


def _sealed(key: tuple[str, ...]) -> bool:
    return any(key[: len(s)] == s for s in SEALED)


def refusal(field: str, kind: str) -> str:
    return f"{field}: looks like {KIND_WORDS[kind]}; personal data is not accepted in this field"


def _check(field: str, value: str, allowed: frozenset[str]) -> str | None:
    if len(value) > MAX_SCAN:
        return f"{field}: longer than {MAX_SCAN} characters"
    if CONTROL.search(value):
        return f"{field}: control or invisible formatting characters are not accepted"
    kind = find(value, allowed)
    return refusal(field, kind) if kind else None


def screen_envelope(item: dict[str, Any]) -> list[str]:
    """The CloudEvents attributes: shape first, then the scan. Only strings are looked at
    (the model reports wrong types)."""
    errors: list[str] = []
    for name, shape in (("id", EVENT_ID), ("source", EVENT_SOURCE), ("type", EVENT_TYPE)):
        value = item.get(name)
        if isinstance(value, str) and not shape.match(value):
            errors.append(f"{name}: not a valid {name} ({_SHAPE_WORDS[name]})")
    return errors


_SHAPE_WORDS = {
    "id": "1-200 letters, digits, spaces and '_.:/+-'",
    "source": "a URI reference of 1-300 letters, digits and '_.:/~+-'",
    "type": "io.orderlens.<layer>.<milestone>, lowercase letters and '_'",
}


def echoable_id(value: object) -> str | None:
    """A sender's event id as an answer may repeat it: only one of the id's shape and without
    personal-data shapes, else None."""
    if isinstance(value, str) and EVENT_ID.match(value) and find(value) is None:
        return value
    return None


def scrub_reason(reason: str) -> str:
    """A reason or problem as it may be stored and logged: personal-data shapes removed
    (connectors quote the payload's own words in their problems). Plain digit runs stay: a
    connector's problem names the parcel or order it is about (a 22-digit USPS number), and
    phone numbers, e-mail addresses and ID numbers are still removed by their own shapes."""
    return redact(reason, keep_digit_runs=True)


def screen_event(
    envelope: dict[str, str], data: dict[str, Any]
) -> tuple[list[str], dict[str, Any]]:
    """(refusals, data with its free text scrubbed). `envelope` holds id, source, subject and
    dataschema as validated."""
    leaves = _leaves(data)
    allowed = own_runs([envelope.get("subject", "")] + [v for p, v in leaves if _key(p) in OWN_IDS])
    errors: list[str] = []
    for name in ("id", "source", "subject", "dataschema"):
        value = envelope.get(name)
        if value and (error := _check(name, value, allowed)):
            errors.append(error)
    cleaned = data
    for path, value in leaves:
        key = _key(path)
        if _sealed(key):
            continue
        if key in FREE_TEXT:
            scrubbed = redact(value, allowed)[: FREE_TEXT_LIMIT[key]]
            if scrubbed != value:
                cleaned = _replace(cleaned, path, scrubbed)
        elif error := _check(_dotted("data", path), value, allowed):
            errors.append(error)
    return errors, cleaned


def _replace(value: Any, path: tuple[str | int, ...], new: str) -> Any:
    """A copy of `value` with the leaf at `path` replaced (the rest shared)."""
    if not path:
        return new
    head, rest = path[0], path[1:]
    if isinstance(value, list) and isinstance(head, int):
        return [_replace(v, rest, new) if i == head else v for i, v in enumerate(value)]
    assert isinstance(value, dict)
    return {**value, head: _replace(value[head], rest, new)}
