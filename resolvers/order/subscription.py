"""Live order updates over graphql-transport-ws.

A subscription is authorized when it starts and again before every frame, with fresh loaders
(so a frame never reuses data read for an earlier one) and the same choke point as queries
(present_order), so every frame is masked for its viewer. Access that ends (token expired,
installer job closed, customer erased) ends the subscription with an error.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncGenerator
from typing import Annotated

import strawberry

from resolvers.context import Info
from resolvers.errors import BadArgument
from resolvers.loaders import Loaders
from resolvers.order.query import load_order
from resolvers.order.types import Order

# Re-authorize at least this often even when nothing happens, so an expired token or a
# revoked right does not keep a quiet subscription open.
RECHECK_SECONDS = 60.0


class AccessEnded(BadArgument):
    pass


@strawberry.type
class OrderSubscription:
    @strawberry.subscription(
        description="The order now and after every change, as this viewer may see it. "
        "Same arguments and rules as Query.order; ends when access ends."
    )
    async def order_updates(
        self,
        info: Info,
        number: str,
        verification: Annotated[
            str | None,
            strawberry.argument(description="As for Query.order, for anonymous tracking."),
        ] = None,
    ) -> AsyncGenerator[Order, None]:
        context = info.context
        first = await load_order(info, number, verification)
        if first is None:
            raise BadArgument(f"no order {number} for this viewer")
        metrics = context.runtime.metrics
        async with context.runtime.broker.subscribe(number) as changes, metrics.subscription():
            yield first
            while True:
                try:
                    async with asyncio.timeout(_recheck_in(info)):
                        await changes.get()
                    changed = True
                except TimeoutError:
                    changed = False
                while not changes.empty():  # a burst of commits is one frame
                    changes.get_nowait()
                context.loaders = Loaders(context.runtime)
                current = await load_order(info, number, verification)
                if current is None:
                    raise AccessEnded(f"access to order {number} has ended")
                if changed:
                    yield current


def _recheck_in(info: Info) -> float:
    viewer, now = info.context.viewer, info.context.runtime.clock()
    if viewer.expires_at is None:
        return RECHECK_SECONDS
    return max(0.0, min(RECHECK_SECONDS, (viewer.expires_at - now).total_seconds()))
