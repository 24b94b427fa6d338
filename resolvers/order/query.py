"""Query fields that hand out orders: by number (customers, trackers, staff) and by contact
(staff). Every order passes `authorize` and the presenter before it leaves."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.sources import source_state
from resolvers.access import authorize
from resolvers.context import Info
from resolvers.errors import BadArgument, Forbidden
from resolvers.order.present import present_order
from resolvers.order.tracker_guard import failed, locked, missing_order
from resolvers.order.types import Order


async def load_order(info: Info, number: str, verification: str | None) -> Order | None:
    """An order as this viewer may see it, or None when it does not exist for them."""
    if not number or len(number) > 64:
        raise BadArgument("number must be 1 to 64 characters")
    loaders, runtime = info.context.loaders, info.context.runtime
    counters = runtime.counters
    if verification is not None and locked(counters, number):
        verification = ""  # still authorized as whoever else the viewer is, never as a tracker
    view = await loaders.orders.load(number)
    if view is None:
        if verification:
            missing_order(counters, number, verification)
        return None
    access = await authorize(info, view, verification)
    if access is None:
        if verification:
            failed(counters, number)
        return None
    synced, now = await loaders.sync_times(), runtime.clock()
    return present_order(
        view,
        access,
        await loaders.pii.load(number),
        lambda source: source_state(source, synced, runtime.connectors, now),
    )


@strawberry.type
class OrderQuery:
    @strawberry.field(description="An order by its number, or null if there is none.")
    async def order(
        self,
        info: Info,
        number: Annotated[
            str, strawberry.argument(description="The order number, e.g. SO-100042.")
        ],
        verification: Annotated[
            str | None,
            strawberry.argument(
                description="For tracking without signing in: the last four digits of the "
                "customer's phone or the delivery postal code."
            ),
        ] = None,
    ) -> Order | None:
        return await load_order(info, number, verification)

    @strawberry.field(
        description="Staff only: orders of the customer with this phone or email (exact "
        "match after normalization). At most 50, newest order numbers last."
    )
    async def orders_by_contact(
        self, info: Info, phone: str | None = None, email: str | None = None
    ) -> list[Order]:
        context = info.context
        if not context.viewer.is_staff or context.viewer.expired(context.runtime.clock()):
            raise Forbidden("only agents and administrators can look orders up by contact")
        if (phone is None) == (email is None):
            raise BadArgument("give exactly one of phone or email")
        vault = context.runtime.vault
        try:
            async with context.runtime.engine.connect() as conn:
                if phone is not None:
                    numbers = await vault.orders_by_phone(conn, phone)
                else:
                    numbers = await vault.orders_by_email(conn, email or "")
        except ValueError:
            field = "phone" if phone is not None else "email"
            raise BadArgument(f"{field} is not a valid {field}") from None
        orders = [await load_order(info, n, None) for n in numbers[-50:]]
        return [o for o in orders if o is not None]
