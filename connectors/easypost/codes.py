"""EasyPost tracker statuses -> the shipment taxonomy (`gateway/events/taxonomy.py`).

`status` decides the milestone; `status_detail` (and, for failures, the carrier's message)
only adds a reason or narrows the milestone. A status we do not know is a problem, never a
guess; an unknown `status_detail` just carries no reason.

EasyPost status       -> milestone (refinements)
- unknown             -> registered (skipped once the tracker had a known status)
- pre_transit         -> label_created
- in_transit          -> in_transit (received_at_origin_facility -> picked_up; facility,
                         customs, transfer and address reasons from status_detail)
- out_for_delivery    -> out_for_delivery
- available_for_pickup -> available_for_pickup
- delivered           -> delivered (signed_by -> delivered_signed + proof_of_delivery)
- failure             -> exception; "attempt" / "notice left" -> delivery_attempted; reason
                         from status_detail (refused, damaged, lost, missorted, weather_delay,
                         held...) or the carrier's message
- return_to_sender    -> returning (reason from status_detail or message, e.g. refused)
- cancelled           -> cancelled
- error               -> a problem: EasyPost could not track the code, not a parcel event

Every event is `public`: these are the carrier's customer-facing scans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from connectors.sdk import first_reason, wording
from gateway.events import Reason, ShipmentMilestone

MAPPING_VERSION = "easypost-2026.11"

SM = ShipmentMilestone
R = Reason

STATUSES: dict[str, ShipmentMilestone] = {
    "unknown": SM.REGISTERED,
    "pre_transit": SM.LABEL_CREATED,
    "in_transit": SM.IN_TRANSIT,
    "out_for_delivery": SM.OUT_FOR_DELIVERY,
    "available_for_pickup": SM.AVAILABLE_FOR_PICKUP,
    "delivered": SM.DELIVERED,
    "failure": SM.EXCEPTION,
    "return_to_sender": SM.RETURNING,
    "cancelled": SM.CANCELLED,
}
NOT_TRACKED = "error"  # EasyPost's own failure to track the code

# status_detail -> reason, for the milestones where it means something: "arrived_at_destination"
# on a delivered scan says nothing more than "delivered".
PROGRESS_DETAILS: dict[str, Reason] = {
    "arrived_at_facility": R.ARRIVED_AT_FACILITY,
    "arrived_at_destination": R.ARRIVED_AT_FACILITY,
    "received_at_destination_facility": R.ARRIVED_AT_FACILITY,
    "departed_facility": R.DEPARTED_FACILITY,
    "departed_origin_facility": R.DEPARTED_FACILITY,
    "transferred_to_destination_carrier": R.TRANSFERRED_TO_LAST_MILE_CARRIER,
    "address_correction": R.ADDRESS_CORRECTED,
    "customs_processing": R.CUSTOMS_PROCESSING,
    "weather_delay": R.WEATHER_DELAY,
}
INCIDENT_DETAILS: dict[str, Reason] = {
    "address_correction": R.CONSIGNEE_INCORRECT_ADDRESS,
    "incorrect_address": R.CONSIGNEE_INCORRECT_ADDRESS,
    "awaiting_information": R.AWAITING_INFORMATION,
    "customs_issue": R.CUSTOMS_DELAY,
    "damaged": R.CARRIER_DAMAGED_PARCEL,
    "held": R.DELIVERY_EXCEPTION_HOLD,
    "lost": R.CARRIER_PARCEL_LOST,
    "missorted": R.CARRIER_SORTING_ERROR,
    "refused": R.CONSIGNEE_REFUSED,
    "weather_delay": R.WEATHER_DELAY,
}
PICKED_UP_DETAILS = frozenset({"received_at_origin_facility"})
ATTEMPT_DETAILS = frozenset({"attempted_delivery", "delivery_attempted"})
PROGRESS = frozenset({SM.PICKED_UP, SM.IN_TRANSIT, SM.OUT_FOR_DELIVERY})
INCIDENTS = frozenset({SM.EXCEPTION, SM.DELIVERY_ATTEMPTED, SM.RETURNING})


# Carrier messages on failures (USPS, UPS, FedEx wordings), first match wins.
_INCIDENT_TEXT = wording(
    (r"weather", R.WEATHER_DELAY),
    (r"refused", R.CONSIGNEE_REFUSED),
    (r"business (was )?closed", R.CONSIGNEE_BUSINESS_CLOSED),
    (r"no (authorized )?recipient available|not available|not home", R.CONSIGNEE_NOT_AVAILABLE),
    (r"no access|access (was )?(denied|restricted)", R.CONSIGNEE_ACCESS_RESTRICTED),
    (
        r"insufficient address|incorrect address|addressee unknown|no such (number|street)",
        R.CONSIGNEE_INCORRECT_ADDRESS,
    ),
    (r"moved|forwarding order expired", R.CONSIGNEE_MOVED),
    (r"damage", R.CARRIER_DAMAGED_PARCEL),
    (r"missent|missort|misrout", R.CARRIER_SORTING_ERROR),
    (r"customs|clearance", R.CUSTOMS_DELAY),
    (r"postage due|payment|duties", R.HELD_FOR_PAYMENT),
)
_ATTEMPT = re.compile(r"attempt|notice left|no (authorized )?recipient available", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Mapped:
    milestone: ShipmentMilestone
    reason: Reason | None = None


def map_detail(status: str, detail: str, message: str) -> Mapped | None:
    """One tracking detail -> milestone and reason; None when the status is not known."""
    milestone = STATUSES.get(status)
    if milestone is None:
        return None
    if milestone is SM.IN_TRANSIT and detail in PICKED_UP_DETAILS:
        milestone = SM.PICKED_UP
    if milestone is SM.EXCEPTION and (detail in ATTEMPT_DETAILS or _ATTEMPT.search(message)):
        milestone = SM.DELIVERY_ATTEMPTED
    reason: Reason | None = None
    if milestone in PROGRESS:
        reason = PROGRESS_DETAILS.get(detail)
    elif milestone in INCIDENTS:
        reason = INCIDENT_DETAILS.get(detail) or first_reason(_INCIDENT_TEXT, message)
    return Mapped(milestone, reason)
