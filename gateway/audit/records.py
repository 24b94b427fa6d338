"""Audit records: who saw or destroyed personal data, when and why. Never the values.

Each record is an event of the audit layer, committed through the sequencer like any other,
so it is append-only, chained into its order's timeline and covered by a signed checkpoint
before the action it records is allowed to happen.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from gateway.events import AuditMilestone, EventDraft, Layer, Visibility, uuid7
from gateway.sequencer import Outcome, Sequencer, Submission
from privacy import POLICY_VERSION

AUDIT_SOURCE = "orderlens:audit"


class AuditNotRecorded(RuntimeError):
    """The audit record could not be committed, so the audited action must not happen."""


@dataclass(frozen=True, slots=True)
class AuditEntry:
    order_number: str
    milestone: AuditMilestone
    actor: str
    role: str
    purpose: str
    fields: tuple[str, ...] = ()
    ticket: str | None = None


def audit_draft(entry: AuditEntry, now: datetime) -> EventDraft:
    details: dict[str, Any] = {
        "audit": {
            "actor": entry.actor,
            "role": entry.role,
            "purpose": entry.purpose,
            "fields": list(entry.fields),
            "ticket": entry.ticket,
            "policy_version": POLICY_VERSION,
        }
    }
    return EventDraft(
        source=AUDIT_SOURCE,
        order_number=entry.order_number,
        layer=Layer.AUDIT,
        milestone=entry.milestone,
        occurred_at=now,
        source_event_id=uuid7(),
        visibility=Visibility.INTERNAL,
        details=details,
    )


async def record(sequencer: Sequencer, entries: Sequence[AuditEntry], now: datetime) -> list[str]:
    """Commit the records; returns their event ids. Raises AuditNotRecorded otherwise."""
    try:
        outcomes = await sequencer.submit(
            [Submission(audit_draft(e, now), raw=b"") for e in entries]
        )
    except Exception as exc:
        raise AuditNotRecorded("the audit record could not be written") from exc
    ids = [o.event_id for o in outcomes if _accepted(o)]
    if len(ids) != len(entries):
        raise AuditNotRecorded("the audit record was not accepted")
    return [i for i in ids if i is not None]


def _accepted(outcome: Outcome) -> bool:
    return outcome.status == "accepted" and outcome.event_id is not None
