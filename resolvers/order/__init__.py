"""Orders on the GraphQL surface: the order, its shipments and timeline, how it is loaded
for a viewer, the queries that hand it out and the live subscription."""

from resolvers.order.query import OrderQuery, load_order
from resolvers.order.subscription import OrderSubscription
from resolvers.order.types import Order

__all__ = ["Order", "OrderQuery", "OrderSubscription", "load_order"]
