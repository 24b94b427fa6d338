"""GraphQL enums mirroring the event taxonomy (one source of truth: gateway.events)."""

from __future__ import annotations

from enum import Enum

import strawberry

from gateway.events import Layer as LayerEnum
from gateway.events import OrderMilestone, Reason, ShipmentMilestone
from gateway.events import Visibility as VisibilityEnum

Layer = strawberry.enum(
    LayerEnum, name="Layer", description="Which part of the order an event is about."
)
Visibility = strawberry.enum(VisibilityEnum, name="Visibility", description="Who may see an event.")
ReasonCode = strawberry.enum(Reason, name="ReasonCode", description="Why something happened.")

OrderStatusEnum = Enum(  # type: ignore[misc]
    "OrderStatusEnum", {"UNKNOWN": "unknown", **{m.name: m.value for m in OrderMilestone}}
)
ShipmentStatusEnum = Enum(  # type: ignore[misc]
    "ShipmentStatusEnum", {"UNKNOWN": "unknown", **{m.name: m.value for m in ShipmentMilestone}}
)
OrderStatus = strawberry.enum(
    OrderStatusEnum,
    name="OrderStatus",
    description="Where the order stands: its own milestone or its shipments', "
    "whichever is further.",
)
ShipmentStatus = strawberry.enum(ShipmentStatusEnum, name="ShipmentStatus")
