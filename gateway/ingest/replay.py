"""`orderlens deadletters replay`: re-process kept payloads once their cause is fixed.

A replay goes through the same path as the payload's first arrival (its connector, or the
normalized-event checks), except that nothing it rejects becomes a new dead letter: a letter
that still fails stays pending with its payload, the current reason and one more attempt, and
can be replayed again. A letter is marked replayed only when all of it is in the log (accepted
now or earlier, or parked to wait for its order); its events land once, since re-delivery of
a logged event is a duplicate. Replaying a letter already replayed changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from gateway.ingest.deadletters import list_dead_letters, record_attempt
from gateway.ingest.pipeline import NotCommitted, ingest
from gateway.ingest.ports import IngestPorts
from gateway.ingest.sources import connector_source, normalized_source, requires_known_order
from gateway.sequencer import NORMALIZED, DeadLetter


@dataclass
class ReplayReport:
    lines: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(
        default_factory=lambda: {"replayed": 0, "failed": 0, "skipped": 0}
    )

    @property
    def failed(self) -> int:
        return self.counts["failed"]

    def add(self, outcome: str, letter_id: str, line: str) -> None:
        self.counts[outcome] += 1
        self.lines.append(f"{letter_id}: {line}")


async def replay_dead_letters(
    ports: IngestPorts, *, ids: Sequence[str] = (), source: str | None = None
) -> ReplayReport:
    """Replay the pending letters (or only `ids`; only `source`'s when given)."""
    async with ports.engine.connect() as conn:
        letters = await list_dead_letters(
            conn, ports.vault, status=None if ids else "pending", ids=ids
        )
    report = ReplayReport()
    for missing in sorted(set(ids) - {d.id for d in letters}):
        report.add("skipped", missing, "no dead letter with this id")
    for letter in letters:
        if source not in (None, letter.source):
            continue
        if letter.status != "pending":
            when = f"{letter.replayed_at:%Y-%m-%d %H:%M:%S}" if letter.replayed_at else "earlier"
            report.add("skipped", letter.id, f"already replayed ({when}); nothing to do")
            continue
        await _replay_one(ports, letter, report)
    return report


async def _replay_one(ports: IngestPorts, letter: DeadLetter, report: ReplayReport) -> None:
    try:
        answer = await _reprocess(ports, letter)
    except NotCommitted:
        report.add("failed", letter.id, "the log is unavailable; left pending")
        return
    if answer is None:
        report.add("skipped", letter.id, f"source {letter.source} is not configured; skipped")
        return
    failure = failure_reason(answer)
    async with ports.writer.transaction() as conn:
        counted = await record_attempt(conn, letter.id, failure=failure, now=ports.clock())
    if not counted:
        report.add("skipped", letter.id, "replayed meanwhile by another run; nothing to do")
    elif failure is None:
        report.add("replayed", letter.id, f"ingested ({_summary(answer)})")
    else:
        attempt = letter.attempts + 1
        report.add("failed", letter.id, f"still failing (attempt {attempt}); kept: {failure}")


async def _reprocess(ports: IngestPorts, letter: DeadLetter) -> dict[str, Any] | None:
    """The ingestion answer for the letter's payload, or None if its source is unknown."""
    instance = ports.connectors.get(letter.source)
    if instance is not None and letter.content_type != NORMALIZED:
        source = connector_source(instance)
    elif instance is None and letter.source not in ports.settings.ingest_secrets:
        return None
    else:
        known = instance is not None and requires_known_order(instance)
        source = normalized_source(letter.source, require_known_order=known)
    _, answer = await ingest(
        ports,
        source,
        letter.payload,
        content_type=letter.content_type,
        delivery_id=f"replay:{letter.id}",
        received_at=letter.received_at,
        replaying=letter.id,
    )
    return answer


def failure_reason(answer: dict[str, Any]) -> str | None:
    """Everything an ingestion answer refused, in one line; None when nothing was."""
    reasons = [answer["error"]] if answer.get("error") else []
    reasons += answer.get("problems", [])
    for result in answer.get("results", []):
        if result["status"] == "rejected":
            reasons += result.get("errors", [])
    return "; ".join(reasons) or None


def _summary(answer: dict[str, Any]) -> str:
    if answer.get("ignored"):
        return f"ignored: {answer['ignored']}"
    counts = [
        f"{answer[name]} {name}" for name in ("accepted", "duplicate", "parked") if answer.get(name)
    ]
    return ", ".join(counts) or "nothing to log"
