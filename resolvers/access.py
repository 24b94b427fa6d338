"""Who may see an order, and how much of it: the object-level half of authorization.

Every resolver that hands out an order (queries, subscriptions, mutations) asks `authorize`
first; the field-level half (masking personal data) is privacy's policy, applied in present.
"""

from __future__ import annotations

import hmac
from dataclasses import dataclass

from gateway.events import Layer, Visibility
from gateway.timeline import AUDIT_COUNT, LoggedEvent, OrderView
from privacy import OrderPii, Role, normalize_phone
from resolvers.context import Info

ALL = frozenset(Visibility)
CUSTOMER_VISIBLE = frozenset({Visibility.PUBLIC, Visibility.CUSTOMER})
PUBLIC = frozenset({Visibility.PUBLIC})
MAX_VERIFICATION = 16


@dataclass(frozen=True, slots=True)
class Access:
    """What one viewer may see of one order."""

    role: Role
    visibilities: frozenset[Visibility]
    audit: bool = False  # administrators see audit records in the timeline
    job_open: bool = False  # installers: a job of theirs on this order is open

    def sees(self, event: LoggedEvent) -> bool:
        if event.layer is Layer.AUDIT:
            return self.audit
        return event.visibility in self.visibilities

    def event_count(self, view: OrderView) -> int:
        counts = view.visibility_counts
        visible = sum(counts.get(v.value, 0) for v in self.visibilities)
        return visible + (counts.get(AUDIT_COUNT, 0) if self.audit else 0)


async def authorize(info: Info, view: OrderView, verification: str | None) -> Access | None:
    """The viewer's access to this order, or None: then the order does not exist for them."""
    context = info.context
    viewer = context.viewer
    if viewer.expired(context.runtime.clock()):
        return None
    if viewer.role is Role.ADMIN:
        return Access(Role.ADMIN, ALL, audit=True)
    if viewer.role is Role.AGENT:
        return Access(Role.AGENT, ALL)
    if viewer.role is Role.CUSTOMER and view.customer_ref is not None:
        if hmac.compare_digest(view.customer_ref, viewer.customer_ref or ""):
            return Access(Role.CUSTOMER, CUSTOMER_VISIBLE)
    if viewer.role is Role.INSTALLER and viewer.subject is not None:
        jobs = await context.loaders.jobs.load(view.number)
        if viewer.subject in jobs.open_for:
            return Access(Role.INSTALLER, PUBLIC, job_open=True)
    if verification is not None:
        pii = await context.loaders.pii.load(view.number)
        if pii is not None and verifies(pii, verification):
            return Access(Role.TRACKER, PUBLIC)
    return None


def verification_factors(pii: OrderPii) -> list[str]:
    """What an anonymous tracker may prove: the last four digits of the phone, or the
    delivery postal code (both in a canonical spelling)."""
    factors: list[str] = []
    if pii.contact is not None and pii.contact.phone:
        try:
            digits = normalize_phone(pii.contact.phone).lstrip("+")
        except ValueError:
            digits = "".join(c for c in pii.contact.phone if c.isdigit())
        if len(digits) >= 4:
            factors.append(digits[-4:])
    if pii.address is not None and pii.address.postal_code:
        factors.append(_canonical(pii.address.postal_code))
    return factors


def verifies(pii: OrderPii, answer: str) -> bool:
    if pii.erased or not answer or len(answer) > MAX_VERIFICATION:
        return False
    given = _canonical(answer).encode()
    # Compare against every factor, without stopping early, in constant time each.
    results = [hmac.compare_digest(given, f.encode()) for f in verification_factors(pii)]
    return any(results)


def _canonical(text: str) -> str:
    return "".join(text.split()).upper()
