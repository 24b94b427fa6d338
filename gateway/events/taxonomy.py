"""The normalized vocabulary every source is mapped onto.

Three layers (order, shipment, service), each with its own milestones, plus one shared set of
reason codes. The taxonomy merges the tracking anchors (see shared/reference/tracking.md (b)):
a short milestone list that drives status and ordering, and a finer reason that carries cause
and what the customer can do. Delay is not a milestone: it is an overlay computed elsewhere.
"""

from __future__ import annotations

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
    milestones = MILESTONES[layer]
    try:
        return layer, milestones(milestone_name)
    except ValueError:
        allowed = ", ".join(m.value for m in milestones)
        raise ValueError(
            f"unknown {layer.value} milestone {milestone_name!r}; expected one of {allowed}"
        ) from None


def event_type(layer: Layer, milestone: Milestone) -> str:
    return f"io.orderlens.{layer.value}.{milestone.value}"
