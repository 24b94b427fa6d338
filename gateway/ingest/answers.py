"""The answer to a delivery: one line per event, the counts, and the HTTP-style status.

Every source is answered by the same code; two styles exist because POST /ingest/events had
its answer before connector instances did, and senders rely on both as they are: that one
carries each event's receipt, names the delivery, counts no parked events (its format cannot
name a tracking number) and is 422 when nothing was usable.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from connectors.sdk import echoable_id
from gateway.sequencer import Outcome


@dataclass(frozen=True, slots=True)
class AnswerStyle:
    receipts: bool = False  # each logged event's inclusion receipt in its line
    names_delivery: bool = False  # the answer repeats the delivery id as "webhook_id"
    counts: tuple[str, ...] = ("accepted", "duplicate", "parked", "rejected")
    all_rejected_status: int = 207
    unreadable_names_source: bool = True  # the 400 answer to an unreadable body
    not_committed: str = "events could not be committed; retry"


CONNECTOR_ANSWER = AnswerStyle()
CLOUDEVENTS_ANSWER = AnswerStyle(
    receipts=True,
    names_delivery=True,
    counts=("accepted", "duplicate", "rejected"),
    all_rejected_status=422,
    unreadable_names_source=False,
    not_committed="events could not be committed; nothing was stored, retry",
)


def event_result(
    index: int, source_event_id: str | None, outcome: Outcome, *, receipt: bool
) -> dict[str, Any]:
    """The line of an event the sequencer answered for."""
    result: dict[str, Any] = {"index": index, "id": source_event_id, "status": outcome.status}
    if outcome.status == "rejected":
        result["errors"] = [outcome.error]
        result["dead_letter_id"] = outcome.dead_letter_id
    else:
        result["event_id"] = outcome.event_id
        if receipt:
            result["receipt"] = outcome.receipt
    return result


def rejected_result(
    index: int, event_id: Any, errors: Sequence[str], dead_letter_id: str
) -> dict[str, Any]:
    """The line of an event that did not validate (`id` as the sender wrote it, unless it is
    not an id's shape or looks like personal data: then null)."""
    return {
        "index": index,
        "id": echoable_id(event_id),
        "status": "rejected",
        "errors": list(errors),
        "dead_letter_id": dead_letter_id,
    }


def parked_result(index: int, source_event_id: str | None, parked_id: str) -> dict[str, Any]:
    return {"index": index, "id": source_event_id, "status": "parked", "parked_id": parked_id}


def answer(
    style: AnswerStyle, source: str, delivery_id: str | None, results: dict[int, dict[str, Any]]
) -> tuple[int, dict[str, Any]]:
    ordered = [results[index] for index in sorted(results)]
    counts = {name: sum(r["status"] == name for r in ordered) for name in style.counts}
    rejected = sum(r["status"] == "rejected" for r in ordered)
    status = 200
    if rejected:
        status = style.all_rejected_status if rejected == len(ordered) else 207
    head: dict[str, Any] = {"source": source}
    if style.names_delivery:
        head["webhook_id"] = delivery_id
    return status, {**head, **counts, "results": ordered}


def unreadable(
    style: AnswerStyle, source: str, error: str, dead_letter_id: str
) -> tuple[int, dict[str, Any]]:
    """The answer to a body that could not be read at all (kept as one dead letter)."""
    head = {"source": source} if style.unreadable_names_source else {}
    return 400, {**head, "error": error, "dead_letter_id": dead_letter_id}
