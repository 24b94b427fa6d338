"""Pure parsing of a normalized CloudEvents batch: into EventDrafts (POST /ingest/events), or
into a connector Translation (an instance of type `cloudevents`).

Each event is validated on its own (by the SDK's one validator, `parse_event`): one bad event
does not sink its batch. Every problem is reported with the JSON path of the offending field,
so a sender can fix it without guessing.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from connectors.sdk import PayloadError as UnreadablePayload
from connectors.sdk import Translation, parse_event, safe_json
from gateway.events import EventDraft

MAX_EVENTS_PER_BATCH = 1000


class PayloadError(ValueError):
    """The body as a whole cannot be read as CloudEvents."""


@dataclass(frozen=True, slots=True)
class Rejected:
    index: int
    event_id: str | None
    errors: tuple[str, ...]
    raw: bytes  # the event exactly as received, for the dead-letter queue

    @property
    def reason(self) -> str:
        return "; ".join(self.errors)


@dataclass(frozen=True, slots=True)
class Parsed:
    index: int
    draft: EventDraft
    raw: bytes  # the event as received, kept if a later check dead-letters it


@dataclass(frozen=True, slots=True)
class ParsedBatch:
    drafts: tuple[Parsed, ...]
    rejected: tuple[Rejected, ...]


def parse_batch(body: bytes, *, source: str) -> ParsedBatch:
    """Parse a JSON array of CloudEvents (or one CloudEvent object) sent by `source`."""
    try:
        document = safe_json.loads(body)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"body is not valid JSON: {exc}") from None
    if not isinstance(document, list | dict):
        raise PayloadError("body must be a CloudEvent object or a JSON array of CloudEvents")
    items = document if isinstance(document, list) else [document]
    if not items:
        raise PayloadError("batch is empty")
    if len(items) > MAX_EVENTS_PER_BATCH:
        raise PayloadError(f"batch has {len(items)} events; the limit is {MAX_EVENTS_PER_BATCH}")
    drafts: list[Parsed] = []
    rejected: list[Rejected] = []
    for index, item in enumerate(items):
        result = parse_event(item, source=source)
        raw = json.dumps(item, ensure_ascii=False).encode()
        if isinstance(result, EventDraft):
            drafts.append(Parsed(index, result, raw))
        else:
            event_id = item.get("id") if isinstance(item, dict) else None
            rejected.append(
                Rejected(
                    index=index,
                    event_id=event_id if isinstance(event_id, str) else None,
                    errors=tuple(result),
                    raw=raw,
                )
            )
    return ParsedBatch(drafts=tuple(drafts), rejected=tuple(rejected))


def translate(payload: bytes) -> Translation:
    """The events of a batch, as they are: each is validated later like any connector's."""
    try:
        document = safe_json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UnreadablePayload(f"body is not valid JSON: {exc}") from None
    items = document if isinstance(document, list) else [document]
    if not items or len(items) > MAX_EVENTS_PER_BATCH:
        raise UnreadablePayload(f"a batch holds 1 to {MAX_EVENTS_PER_BATCH} events")
    if not all(isinstance(item, dict) for item in items):
        raise UnreadablePayload("every event must be a JSON object")
    return Translation(events=tuple(items))
