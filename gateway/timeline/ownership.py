"""Who an order belongs to: set once, by the first logged event that names a customer.

A later event naming another customer would hand the order, and the personal data the owner
may read, to someone else; any configured source could send one. It is refused at commit (so
it ends as a dead letter with the reason) and the projection keeps the first owner, so a log
written before this rule still projects to its first owner.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable

from gateway.events import EventDraft
from gateway.timeline.model import LoggedEvent

OWNER_FIELD = "customer_ref"
OWNER_CHANGE_REFUSED = (
    "order {number} already has an owner and this event names another customer: "
    "the owner of an order is set once (a change needs an audited transfer)"
)


def owner_of(events: Iterable[LoggedEvent]) -> str | None:
    """The customer the order belongs to: the first one any of its events named."""
    return next((e.data[OWNER_FIELD] for e in events if e.data.get(OWNER_FIELD)), None)


def owner_problem(past: Iterable[LoggedEvent], draft: EventDraft) -> str | None:
    """Why `draft` may not join the order: it names another customer than its owner."""
    claimed = draft.details.get(OWNER_FIELD)
    if not claimed:
        return None
    owner = owner_of(past)
    if owner is None or hmac.compare_digest(str(owner).encode(), str(claimed).encode()):
        return None
    # Neither customer reference is echoed: reasons are stored and shown to operators.
    return OWNER_CHANGE_REFUSED.format(number=draft.order_number)
