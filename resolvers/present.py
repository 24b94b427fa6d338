"""THE choke point where a read-model value meets its viewer: every personal field that any
type shows (queries, mutations and subscription frames alike) passes through `masked`, which
asks privacy's policy (decide + apply) for the viewer's role. The domain presenters
(resolvers/<domain>/present.py) build their types from read models and call this for every
personal value; nothing else turns a clear value into a GraphQL answer."""

from __future__ import annotations

from privacy import CLEAR, REVEALABLE, Address, Role, Rule, apply, decide
from resolvers.access import Access

# The pseudonymous customer id is for the customer and staff, not for trackers.
OWNER_OR_STAFF = frozenset({Role.CUSTOMER, Role.AGENT, Role.ADMIN})


def masked(
    access: Access,
    field: str,
    value: str | None,
    area: Address | None = None,
    *,
    reveal: bool = False,
) -> str | None:
    """One personal field as this viewer may see it (privacy.policy decides), or in clear
    for an audited reveal of a field the policy lists as revealable."""
    if reveal and field in REVEALABLE and not field.endswith(".summary"):
        rule: Rule = CLEAR
    else:
        rule = decide(access.role, field, job_open=access.job_open)
    return apply(rule, field, value, address=area.area() if area is not None else None)
