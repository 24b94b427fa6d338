"""Reading Frappe documents: the two body shapes, Frappe's naive datetimes, loose numbers.

A document arrives either as the REST answer `{"data": {...}}` (GET /api/resource/<doctype>/
<name>) or as a webhook body that is the document itself (a Webhook whose JSON body is
`{{ doc | tojson }}`, which keeps `doctype`). Datetimes are strings naive in the site's time
zone ("2025-06-10 18:31:02.123456"); times of day may have a one-digit hour ("9:05:00").
"""

from __future__ import annotations

import json
import re
from datetime import UTC, date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

from connectors.sdk import PayloadError, safe_json
from connectors.sdk.numbers import finite_number

_TIME = re.compile(r"^(\d{1,2}):(\d{2})(?::(\d{2})(?:\.(\d{1,6}))?)?$")


def read_document(payload: bytes) -> dict[str, Any]:
    """The one Frappe document in a payload; PayloadError says what is wrong (never values)."""
    try:
        body = safe_json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        position = exc.pos if isinstance(exc, json.JSONDecodeError) else exc.start
        raise PayloadError(
            f"body is not valid JSON ({type(exc).__name__} at position {position}); "
            "a Frappe webhook must use Request Structure 'JSON'"
        ) from None
    if not isinstance(body, dict):
        raise PayloadError('body must be a JSON object: a Frappe document or {"data": {...}}')
    if "doctype" not in body and "data" in body:
        if isinstance(body["data"], list):
            raise PayloadError(
                "body is a document list; each document is read on its own "
                "(GET /api/resource/<doctype>/<name>)"
            )
        body = body["data"]
        if not isinstance(body, dict):
            raise PayloadError('"data" must be a Frappe document (a JSON object)')
    doctype = body.get("doctype")
    if not isinstance(doctype, str) or not doctype:
        raise PayloadError(
            "the document has no doctype (a webhook's JSON body must carry it, for example "
            "{{ doc | tojson }})"
        )
    name = body.get("name")
    if not isinstance(name, str) or not name.strip():
        raise PayloadError(f"the {doctype} document has no name")
    return body


def text(value: Any, limit: int) -> str | None:
    """A non-empty single-line string of at most `limit` characters, else None."""
    if not isinstance(value, str):
        return None
    cleaned = " ".join(value.split())
    return cleaned[:limit] if cleaned else None


MAX_NUMBER = 1_000_000_000  # far above any quantity or percentage an order holds


def number(value: Any) -> float | None:
    """A finite number within a sane range (quantities, statuses, percentages), else None:
    `1e400` and `NaN` never reach int() or math.ceil()."""
    return finite_number(value, maximum=MAX_NUMBER)


def flag(value: Any) -> bool:
    """Frappe check fields: 0/1, sometimes "0"/"1" or booleans."""
    if isinstance(value, bool):
        return value
    parsed = number(value)
    return parsed is not None and parsed != 0


def moment(value: Any, zone: ZoneInfo) -> datetime | None:
    """A Frappe datetime (or date, at midnight) as an aware datetime; None if unreadable."""
    if not isinstance(value, str) or not value.strip():
        return None
    try:
        parsed = datetime.fromisoformat(value.strip())
    except ValueError:
        return None
    return parsed if parsed.tzinfo is not None else parsed.replace(tzinfo=zone)


def day(value: Any) -> date | None:
    if not isinstance(value, str):
        return None
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        return None


def posting(date_value: Any, time_value: Any, zone: ZoneInfo) -> datetime | None:
    """`posting_date` + `posting_time` (a Frappe Time, "14:05:00.000000" or "9:05:00")."""
    on = day(date_value)
    if on is None:
        return None
    at = time()
    if isinstance(time_value, str) and time_value.strip():
        match = _TIME.match(time_value.strip())
        if match is None:
            return None
        hour, minute, second, fraction = match.groups()
        if int(hour) > 23 or int(minute) > 59 or int(second or 0) > 59:
            return None
        micro = int((fraction or "0").ljust(6, "0"))
        at = time(int(hour), int(minute), int(second or 0), micro)
    return datetime.combine(on, at).replace(tzinfo=zone)


def rfc3339(value: datetime) -> str:
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
