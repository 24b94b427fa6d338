"""The normalized vocabulary every source is mapped onto.

Three layers (order, shipment, service), each with its own milestones, plus one shared set of
reason codes. The taxonomy merges the tracking anchors (see shared/reference/tracking.md (b)):
a short milestone list that drives status and ordering, and a finer reason that carries cause
and what the customer can do. Delay is not a milestone: it is an overlay computed elsewhere.

Every property of a milestone (rank, terminal, exception, default visibility, customer title)
is in ONE table, `MILESTONE_TABLE`; the timeline, the resolvers and the connectors read it
there, so a new milestone is an enum member plus one row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from enum import StrEnum


class Layer(StrEnum):
    ORDER = "order"
    SHIPMENT = "shipment"
    SERVICE = "service"
    AUDIT = "audit"  # who saw or erased personal data: staff-only, in the same signed log


class Visibility(StrEnum):
    PUBLIC = "public"  # anyone holding the order number and a verification factor
    CUSTOMER = "customer"  # the order's customer and staff
    INTERNAL = "internal"  # staff only


class OrderMilestone(StrEnum):
    PLACED = "placed"
    CONFIRMED = "confirmed"
    PAYMENT_AUTHORIZED = "payment_authorized"
    PAYMENT_CAPTURED = "payment_captured"
    ON_HOLD = "on_hold"
    BACKORDERED = "backordered"
    ALLOCATED = "allocated"
    PICKING = "picking"
    PICKED = "picked"
    PACKED = "packed"
    SHIPPED = "shipped"
    PARTIALLY_SHIPPED = "partially_shipped"
    OUT_FOR_DELIVERY = "out_for_delivery"
    PARTIALLY_DELIVERED = "partially_delivered"
    DELIVERED = "delivered"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    RETURN_REQUESTED = "return_requested"
    RETURN_RECEIVED = "return_received"
    REFUNDED = "refunded"


class ShipmentMilestone(StrEnum):
    REGISTERED = "registered"
    LABEL_CREATED = "label_created"
    PICKED_UP = "picked_up"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    AVAILABLE_FOR_PICKUP = "available_for_pickup"
    DELIVERY_ATTEMPTED = "delivery_attempted"
    EXCEPTION = "exception"
    DELIVERED = "delivered"
    RETURNING = "returning"
    RETURNED = "returned"
    CANCELLED = "cancelled"
    STALE = "stale"


class ServiceMilestone(StrEnum):
    INSTALLATION_OFFERED = "installation_offered"
    INSTALLATION_BOOKED = "installation_booked"
    INSTALLATION_RESCHEDULED = "installation_rescheduled"
    TECHNICIAN_EN_ROUTE = "technician_en_route"
    TECHNICIAN_ON_SITE = "technician_on_site"
    COMMISSIONED = "commissioned"
    TRAINED = "trained"
    INSTALLATION_FAILED = "installation_failed"
    INSTALLATION_CANCELLED = "installation_cancelled"
    WARRANTY_OFFERED = "warranty_offered"
    WARRANTY_PURCHASED = "warranty_purchased"
    WARRANTY_ACTIVE = "warranty_active"
    WARRANTY_CANCELLED = "warranty_cancelled"
    CLAIM_SUBMITTED = "claim_submitted"
    CLAIM_RESOLVED = "claim_resolved"


class AuditMilestone(StrEnum):
    SENSITIVE_REVEAL = "sensitive_reveal"  # an agent saw personal data in clear, with a reason
    REVEAL_DENIED = "reveal_denied"  # a reveal was refused (OWASP authz_fail)
    CUSTOMER_ERASED = "customer_erased"  # the customer's data key was destroyed


Milestone = OrderMilestone | ShipmentMilestone | ServiceMilestone | AuditMilestone

MILESTONES: dict[
    Layer,
    type[OrderMilestone] | type[ShipmentMilestone] | type[ServiceMilestone] | type[AuditMilestone],
] = {
    Layer.ORDER: OrderMilestone,
    Layer.SHIPMENT: ShipmentMilestone,
    Layer.SERVICE: ServiceMilestone,
    Layer.AUDIT: AuditMilestone,
}
# Sources may send these layers; audit events are written by the gateway only.
SOURCE_LAYERS = frozenset({Layer.ORDER, Layer.SHIPMENT, Layer.SERVICE})


@dataclass(frozen=True, slots=True)
class MilestoneInfo:
    """One row of the milestone table: all the gateway knows about a milestone but its name.

    Order and shipment milestones share names ("delivered"), so a row is always read by its
    layer and milestone together, never by the name alone.
    """

    layer: Layer
    milestone: Milestone
    title: str  # what a customer reads in the timeline
    # Place on the layer's forward path (equal ranks are alternatives). None when off it (an
    # exception, the return branch, a cancellation) or when the layer is not judged.
    rank: int | None
    exception: bool  # a detour: entered from any non-final state, left in any direction
    # The journey is over: nothing more is expected (no more polling, its estimate no longer
    # counts). On the forward path only an exception or a return may still follow it.
    terminal: bool
    shipped: bool  # the goods have left the warehouse
    open_job: bool  # an installation partner's job is under way (the partner sees the order)
    visibility: Visibility  # who sees the event when its source does not say

    @property
    def final(self) -> bool:
        """A terminal milestone off the forward path: only explicit return steps leave it."""
        return self.terminal and self.rank is None


_LAYER_OF: dict[type, Layer] = {enum: layer for layer, enum in MILESTONES.items()}
# Shipments are tracked publicly (anyone with the order number and a factor); audit records
# are for staff; everything else is for the customer unless a row says otherwise.
_LAYER_VISIBILITY = {
    Layer.ORDER: Visibility.CUSTOMER,
    Layer.SHIPMENT: Visibility.PUBLIC,
    Layer.SERVICE: Visibility.CUSTOMER,
    Layer.AUDIT: Visibility.INTERNAL,
}


def _row(
    milestone: Milestone,
    title: str,
    rank: int | None = None,
    *,
    exception: bool = False,
    terminal: bool = False,
    shipped: bool = False,
    open_job: bool = False,
    visibility: Visibility | None = None,
) -> MilestoneInfo:
    layer = _LAYER_OF[type(milestone)]
    shown = visibility or _LAYER_VISIBILITY[layer]
    return MilestoneInfo(
        layer, milestone, title, rank, exception, terminal, shipped, open_job, shown
    )


OM = OrderMilestone
SM = ShipmentMilestone
SV = ServiceMilestone
AM = AuditMilestone
# The one table. Rows are in each layer's declaration order (the GraphQL enums follow it).
MILESTONE_TABLE: Mapping[Layer, tuple[MilestoneInfo, ...]] = {
    Layer.ORDER: (
        _row(OM.PLACED, "Order placed", 0),
        _row(OM.CONFIRMED, "Order confirmed", 1),
        _row(OM.PAYMENT_AUTHORIZED, "Payment authorized", 2),
        _row(OM.PAYMENT_CAPTURED, "Payment received", 3),
        _row(OM.ON_HOLD, "Order on hold", exception=True),
        _row(OM.BACKORDERED, "Waiting for stock", exception=True),
        _row(OM.ALLOCATED, "Stock reserved in the warehouse", 4, visibility=Visibility.INTERNAL),
        _row(OM.PICKING, "Being picked in the warehouse", 5, visibility=Visibility.INTERNAL),
        _row(OM.PICKED, "Picked in the warehouse", 6, visibility=Visibility.INTERNAL),
        _row(OM.PACKED, "Packed", 7),
        _row(OM.SHIPPED, "Shipped", 9, shipped=True),
        _row(OM.PARTIALLY_SHIPPED, "Partly shipped", 8, shipped=True),
        _row(OM.OUT_FOR_DELIVERY, "Out for delivery", 10, shipped=True),
        _row(OM.PARTIALLY_DELIVERED, "Partly delivered", 11, shipped=True),
        _row(OM.DELIVERED, "Delivered", 12, shipped=True),
        _row(OM.COMPLETED, "Completed", 13, shipped=True, terminal=True),
        _row(OM.CANCELLED, "Order cancelled", terminal=True),
        _row(OM.RETURN_REQUESTED, "Return requested", shipped=True),
        _row(OM.RETURN_RECEIVED, "Return received", shipped=True),
        _row(OM.REFUNDED, "Refunded", terminal=True),  # also after a cancellation
    ),
    Layer.SHIPMENT: (
        _row(SM.REGISTERED, "Shipment registered", 0),
        _row(SM.LABEL_CREATED, "Shipping label created", 1),
        _row(SM.PICKED_UP, "Handed to the carrier", 2, shipped=True),
        _row(SM.IN_TRANSIT, "In transit", 3, shipped=True),
        _row(SM.OUT_FOR_DELIVERY, "Out for delivery", 4, shipped=True),
        _row(SM.AVAILABLE_FOR_PICKUP, "Ready for pickup", 4, shipped=True),
        _row(SM.DELIVERY_ATTEMPTED, "Delivery attempted", exception=True, shipped=True),
        _row(SM.EXCEPTION, "Shipment problem", exception=True, shipped=True),
        _row(SM.DELIVERED, "Delivered", 5, shipped=True, terminal=True),
        _row(SM.RETURNING, "Returning to sender", shipped=True),
        _row(SM.RETURNED, "Returned to sender", shipped=True, terminal=True),
        _row(SM.CANCELLED, "Shipment cancelled", terminal=True),
        _row(SM.STALE, "No news from the carrier", exception=True, shipped=True),
    ),
    # Service and audit milestones are not judged against each other: no ranks.
    Layer.SERVICE: (
        _row(SV.INSTALLATION_OFFERED, "Installation offered"),
        _row(SV.INSTALLATION_BOOKED, "Installation booked", open_job=True),
        _row(SV.INSTALLATION_RESCHEDULED, "Installation rescheduled", open_job=True),
        _row(SV.TECHNICIAN_EN_ROUTE, "Technician en route", open_job=True),
        _row(SV.TECHNICIAN_ON_SITE, "Technician on site", open_job=True),
        _row(SV.COMMISSIONED, "Commissioned", open_job=True),
        _row(SV.TRAINED, "Trained", terminal=True),
        _row(SV.INSTALLATION_FAILED, "Installation failed", exception=True, terminal=True),
        _row(SV.INSTALLATION_CANCELLED, "Installation cancelled", terminal=True),
        _row(SV.WARRANTY_OFFERED, "Warranty offered"),
        _row(SV.WARRANTY_PURCHASED, "Warranty purchased"),
        _row(SV.WARRANTY_ACTIVE, "Warranty active"),
        _row(SV.WARRANTY_CANCELLED, "Warranty cancelled", terminal=True),
        _row(SV.CLAIM_SUBMITTED, "Claim submitted"),
        _row(SV.CLAIM_RESOLVED, "Claim resolved"),
    ),
    Layer.AUDIT: (
        _row(AM.SENSITIVE_REVEAL, "Sensitive reveal"),
        _row(AM.REVEAL_DENIED, "Reveal denied"),
        _row(AM.CUSTOMER_ERASED, "Customer erased"),
    ),
}
_INDEX = {
    (row.layer, row.milestone.value): row for rows in MILESTONE_TABLE.values() for row in rows
}


def milestone_info(milestone: Milestone) -> MilestoneInfo:
    """The table's row for `milestone` (its enum type says its layer)."""
    layer = _LAYER_OF.get(type(milestone))
    if layer is None:
        raise TypeError(f"{milestone!r} is not a milestone of any layer")
    return _INDEX[(layer, milestone.value)]


def milestone_by_name(layer: Layer, name: str) -> MilestoneInfo:
    """The row for a milestone named as stored (`"delivered"`); ValueError names what is wrong."""
    row = _INDEX.get((layer, name))
    if row is None:
        allowed = ", ".join(m.value for m in MILESTONES[layer])
        raise ValueError(f"unknown {layer.value} milestone {name!r}; expected one of {allowed}")
    return row


def milestones_where(layer: Layer, test: Callable[[MilestoneInfo], bool]) -> tuple[Milestone, ...]:
    """The layer's milestones whose row passes `test`, in table order."""
    return tuple(row.milestone for row in MILESTONE_TABLE[layer] if test(row))


def rank(milestone: Milestone) -> int | None:
    return milestone_info(milestone).rank


def is_terminal(milestone: Milestone) -> bool:
    return milestone_info(milestone).terminal


def is_exception(milestone: Milestone) -> bool:
    return milestone_info(milestone).exception


def default_visibility(milestone: Milestone) -> Visibility:
    return milestone_info(milestone).visibility


class Reason(StrEnum):
    """Why something happened, namespaced by who is responsible (carrier / consignee / ...)."""

    # progress details (not incidents)
    ARRIVED_AT_FACILITY = "arrived_at_facility"
    DEPARTED_FACILITY = "departed_facility"
    ARRIVED_AT_DESTINATION_COUNTRY = "arrived_at_destination_country"
    CUSTOMS_PROCESSING = "customs_processing"
    CUSTOMS_RELEASED = "customs_released"
    TRANSFERRED_TO_LAST_MILE_CARRIER = "transferred_to_last_mile_carrier"
    DELIVERY_SCHEDULED = "delivery_scheduled"
    DELIVERY_RESCHEDULED = "delivery_rescheduled"
    ADDRESS_CORRECTED = "address_corrected"
    AWAITING_INFORMATION = "awaiting_information"
    # delivery outcomes
    DELIVERED_TO_RECIPIENT = "delivered_to_recipient"
    DELIVERED_SIGNED = "delivered_signed"
    DELIVERED_TO_NEIGHBOR = "delivered_to_neighbor"
    DELIVERED_SAFE_PLACE = "delivered_safe_place"
    PICKED_UP_BY_CUSTOMER = "picked_up_by_customer"
    COD_COLLECTED = "cod_collected"
    # carrier incidents
    CARRIER_DAMAGED_PARCEL = "carrier_damaged_parcel"
    CARRIER_SORTING_ERROR = "carrier_sorting_error"
    CARRIER_ADDRESS_NOT_FOUND = "carrier_address_not_found"
    CARRIER_PARCEL_LOST = "carrier_parcel_lost"
    CARRIER_NOT_ENOUGH_TIME = "carrier_not_enough_time"
    CARRIER_VEHICLE_ISSUE = "carrier_vehicle_issue"
    CARRIER_CAPACITY = "carrier_capacity"
    PARCEL_DESTROYED = "parcel_destroyed"
    # consignee incidents
    CONSIGNEE_REFUSED = "consignee_refused"
    CONSIGNEE_BUSINESS_CLOSED = "consignee_business_closed"
    CONSIGNEE_NOT_AVAILABLE = "consignee_not_available"
    CONSIGNEE_NOT_HOME = "consignee_not_home"
    CONSIGNEE_INCORRECT_ADDRESS = "consignee_incorrect_address"
    CONSIGNEE_ACCESS_RESTRICTED = "consignee_access_restricted"
    CONSIGNEE_MOVED = "consignee_moved"
    # customs incidents
    CUSTOMS_DELAY = "customs_delay"
    CUSTOMS_DOCUMENTATION = "customs_documentation"
    CUSTOMS_DUTIES_UNPAID = "customs_duties_unpaid"
    HELD_FOR_PAYMENT = "held_for_payment"
    # force majeure
    WEATHER_DELAY = "weather_delay"
    NATURAL_DISASTER = "natural_disaster"
    # delivery exceptions
    DELIVERY_EXCEPTION_HOLD = "delivery_exception_hold"
    DELIVERY_EXCEPTION_UNDELIVERABLE = "delivery_exception_undeliverable"
    # order and warehouse
    PAYMENT_FAILED = "payment_failed"
    FRAUD_REVIEW = "fraud_review"
    OUT_OF_STOCK = "out_of_stock"
    WAREHOUSE_CAPACITY = "warehouse_capacity"
    CUSTOMER_REQUEST = "customer_request"
    MERCHANT_REQUEST = "merchant_request"
    UNKNOWN = "unknown"


def parse_event_type(event_type: str) -> tuple[Layer, Milestone]:
    """`io.orderlens.<layer>.<milestone>` -> (layer, milestone); ValueError names what is wrong."""
    prefix = "io.orderlens."
    if not event_type.startswith(prefix):
        raise ValueError(f"type must look like '{prefix}<layer>.<milestone>', got {event_type!r}")
    layer_name, _, milestone_name = event_type[len(prefix) :].partition(".")
    try:
        layer = Layer(layer_name)
    except ValueError:
        allowed = ", ".join(layer.value for layer in Layer)
        raise ValueError(
            f"unknown layer {layer_name!r} in type; expected one of {allowed}"
        ) from None
    if layer not in SOURCE_LAYERS:
        raise ValueError(f"layer {layer_name!r} is written by the gateway, not by sources")
    return layer, milestone_by_name(layer, milestone_name).milestone


def event_type(layer: Layer, milestone: Milestone) -> str:
    return f"io.orderlens.{layer.value}.{milestone.value}"
