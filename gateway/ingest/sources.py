"""Where a delivery comes from, and how its format becomes validated events.

A `Source` is everything the pipeline needs to know about a sender: its name in the log, how
its payload is translated and validated, whether its events may start an order, and how it is
answered. Connector instances are sources; so is each sender of POST /ingest/events (the
built-in CloudEvents instance, named by the secret that signed the delivery).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import connectors.cloudevents as cloudevents
from connectors.cloudevents import CONNECTOR as NORMALIZED_EVENTS
from connectors.sdk import Instance, Kind, PayloadError, Translation, to_draft
from gateway.events import EventDraft
from gateway.ingest.answers import CLOUDEVENTS_ANSWER, CONNECTOR_ANSWER, AnswerStyle
from gateway.sequencer import NORMALIZED


@dataclass(frozen=True, slots=True)
class Checked:
    """One event of a payload after validation: a draft to log, or what is wrong with it."""

    index: int
    event_id: Any  # the sender's id for it, as sent (answers echo it)
    raw: bytes  # the event as received, kept if it is dead-lettered or parked
    draft: EventDraft | None = None
    errors: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Checks:
    """A payload translated and validated: its events, and what the translation reported."""

    events: tuple[Checked, ...] = ()
    problems: tuple[str, ...] = ()  # parts of the payload the mapping could not use
    ignored: str | None = None  # why the whole payload holds nothing to log


# (payload, content type, when it arrived) -> Checks; raises PayloadError when unreadable.
Check = Callable[[bytes, str, datetime], Checks]


@dataclass(frozen=True, slots=True)
class Source:
    id: str
    check: Check
    # Only the ERP may start an order; others' events for unknown orders wait for it.
    require_known_order: bool = False
    rejects_as: str = NORMALIZED  # content type of a refused event's dead letter
    answer: AnswerStyle = CONNECTOR_ANSWER


def connector_source(instance: Instance) -> Source:
    def check(payload: bytes, content_type: str, received_at: datetime) -> Checks:
        translation = translate(instance, payload, content_type, received_at)
        if translation.ignored is not None:
            return Checks(ignored=translation.ignored)
        return Checks(validated(translation.events, instance.id), tuple(translation.problems))

    return Source(instance.id, check, require_known_order=requires_known_order(instance))


def normalized_source(source: str, *, require_known_order: bool = False) -> Source:
    """Normalized events kept by `source` (a dead letter replayed without its connector)."""

    def check(payload: bytes, content_type: str, received_at: datetime) -> Checks:
        events = NORMALIZED_EVENTS.translate(payload, content_type=NORMALIZED).events
        return Checks(validated(events, source))

    return Source(source, check, require_known_order=require_known_order)


def cloudevents_source(source: str) -> Source:
    """A sender of POST /ingest/events: a CloudEvents batch, each event checked on its own;
    a refused event is kept as the JSON it was (replay reads it as any other body)."""

    def check(payload: bytes, content_type: str, received_at: datetime) -> Checks:
        try:
            batch = cloudevents.parse_batch(payload, source=source)
        except cloudevents.PayloadError as exc:
            raise PayloadError(str(exc)) from None
        events = [Checked(p.index, p.draft.source_event_id, p.raw, p.draft) for p in batch.drafts]
        events += [Checked(r.index, r.event_id, r.raw, errors=r.errors) for r in batch.rejected]
        return Checks(tuple(sorted(events, key=lambda c: c.index)))

    return Source(source, check, rejects_as="application/json", answer=CLOUDEVENTS_ANSWER)


def requires_known_order(instance: Instance) -> bool:
    return instance.kind in {Kind.WMS, Kind.COURIER}


def validated(events: Sequence[Mapping[str, Any]], source: str) -> tuple[Checked, ...]:
    checked = []
    for index, event in enumerate(events):
        raw = json.dumps(event, ensure_ascii=False, sort_keys=True).encode()
        draft = to_draft(event, source=source)
        if isinstance(draft, EventDraft):
            checked.append(Checked(index, draft.source_event_id, raw, draft))
        else:
            checked.append(Checked(index, event.get("id"), raw, errors=tuple(draft)))
    return tuple(checked)


def translate(
    instance: Instance, payload: bytes, content_type: str, received_at: datetime
) -> Translation:
    """The instance's own mapping (bound to its options; `received_at` dates payloads that
    carry no timestamp): the typed connector contract, no reflection."""
    return instance.translate(payload, content_type=content_type, received_at=received_at)
