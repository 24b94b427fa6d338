"""Small, forgiving readers for ShipHero's loosely typed JSON (ids as ints or strings, "0"/"1"
flags, timestamps without offsets), each returning None rather than guessing."""

from __future__ import annotations

import re
from datetime import UTC, datetime, tzinfo
from typing import Any

# The gateway's shapes: a subject (order number), a reference (ids, tracking numbers).
SUBJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$")
# A tracking number must also work as a courier event's `tracking:<number>` subject.
TRACKING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
# What shops type where no carrier label exists ("Pickup" for will-call orders): never link on
# these, or every pickup order would claim the same "tracking number".
NOT_TRACKING = frozenset({"pickup", "localpickup", "n/a", "na", "none", "null", "-", "0"})
_PACKAGE_NAME = re.compile(r"#\s*(\d{1,4})\s*$")


def text(value: Any) -> str | None:
    """A non-empty string (whole numbers become strings: ShipHero sends ids both ways)."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else None
    if isinstance(value, str) and value.strip():
        return value.strip()
    return None


def first(*values: Any) -> str | None:
    for value in values:
        if (found := text(value)) is not None:
            return found
    return None


def integer(value: Any) -> int | None:
    found = text(value)
    return int(found) if found is not None and found.isascii() and found.isdigit() else None


def flag(value: Any) -> bool:
    """ShipHero's "0"/"1" flags (also true/false and 0/1)."""
    if isinstance(value, bool):
        return value
    return text(value) in {"1", "true", "True"}


def obj(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[dict[str, Any]]:
    return [item for item in value if isinstance(item, dict)] if isinstance(value, list) else []


def timestamp(value: Any, zone: tzinfo) -> datetime | None:
    """`2025-06-10 16:02:11`, `2021-07-24T02:03:01` (read in `zone`) or ISO 8601 with an
    offset, as UTC; None if absent or unreadable."""
    found = text(value) if isinstance(value, str) else None
    if found is None:
        return None
    try:
        parsed = datetime.fromisoformat(found)
    except ValueError:
        return None
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=zone)
    return parsed.astimezone(UTC)


def rfc3339(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")


def tracking_number(value: Any) -> tuple[str | None, str | None]:
    """(usable tracking number, problem). Blanks inside are dropped (USPS prints them);
    placeholders such as "Pickup" mean "no label" and are neither a number nor a problem."""
    found = text(value)
    if found is None or found.replace(" ", "").lower() in NOT_TRACKING:
        return None, None
    compact = "".join(found.split())
    if TRACKING.match(compact):
        return compact, None
    return None, "its tracking number is not 1-64 letters, digits, '.', '_' or '-'"


def carrier(value: Any) -> str | None:
    found = text(value)
    return found.lower()[:64] if found else None


def package_number(name: Any) -> int | None:
    """ShipHero names packages "Package #2"."""
    found = text(name)
    match = _PACKAGE_NAME.search(found) if found else None
    return int(match.group(1)) if match else None
