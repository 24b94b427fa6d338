"""Shared by the connector tests: the golden form of a translation, and its validated drafts."""

from __future__ import annotations

from typing import Any

from connectors import Translation, to_draft
from gateway.events import EventDraft


def as_golden(translation: Translation) -> dict[str, Any]:
    """What `<scenario>.events.json` holds."""
    return {
        "events": list(translation.events),
        "problems": list(translation.problems),
        "ignored": translation.ignored,
    }


def drafts(translation: Translation, source: str = "connector") -> list[EventDraft]:
    """Every event validated exactly as the gateway validates it; fails on the first bad one."""
    result = []
    for event in translation.events:
        draft = to_draft(event, source=source)
        assert isinstance(draft, EventDraft), f"{event.get('id')}: {draft}"
        result.append(draft)
    return result
