"""UPS Track API v1 activity codes -> the shipment taxonomy (`gateway/events/taxonomy.py`).

An activity carries three codes, from coarse to fine: `status.type` (the UPS "Package
Activity Types" appendix), `status.code` (the scan code, e.g. OR, AR, DP, OT) and
`status.statusCode` (the three-digit "Status/Description Codes" appendix, e.g. 021). The
finest one present wins; the description only adds a reason (or turns an exception into a
delivery attempt) and never invents a milestone. A type we do not know is reported as a
problem, never guessed.

UPS type / code / statusCode                          -> milestone (reason)
- M; statusCode 003 079 080 157                        -> label_created
- MV; statusCode 007 (information voided)              -> cancelled
- P; I/OR, I/PU; statusCode 038 160 167-169            -> picked_up
- I, W, DO, DD                                         -> in_transit (I/AR arrived_at_facility,
  I/DP I/EP departed_facility, I/IP arrived_at_destination_country; customs, weather,
  rescheduled... from the statusCode or description)
- O; I/OT, I/OD; statusCode 006 021 037 072 078 089 ... -> out_for_delivery
- statusCode 017 040 144 161; D "access point"         -> available_for_pickup
- D; statusCode 011 026 143                            -> delivered (signed, safe place,
  neighbour or picked up by customer, from `deliveryInformation`)
- X                                                    -> exception (reason from the
  statusCode or description: weather, refused, damage, customs, address, ...)
- X "attempt"/"receiver was not available"; statusCode 022-024 060-062 066 145
                                                       -> delivery_attempted
- RS; statusCode 033 035 036 118 119                   -> returning
- statusCode 034 067; "returned to sender"             -> returned
- NA, U or anything else                               -> a problem, not an event

Every event is `public`: these are the carrier's own customer-facing scans.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from connectors.sdk import first_reason, wording
from gateway.events import Reason, ShipmentMilestone

MAPPING_VERSION = "ups-2026.11"

SM = ShipmentMilestone
R = Reason


@dataclass(frozen=True, slots=True)
class Mapped:
    milestone: ShipmentMilestone
    reason: Reason | None = None


TYPES: dict[str, Mapped] = {
    "M": Mapped(SM.LABEL_CREATED),
    "MV": Mapped(SM.CANCELLED),
    "P": Mapped(SM.PICKED_UP),
    "I": Mapped(SM.IN_TRANSIT),
    "W": Mapped(SM.IN_TRANSIT),  # warehousing (freight)
    "DO": Mapped(SM.IN_TRANSIT, R.ARRIVED_AT_FACILITY),  # delivered to origin CFS (freight)
    "DD": Mapped(SM.IN_TRANSIT, R.ARRIVED_AT_FACILITY),  # delivered to destination CFS
    "O": Mapped(SM.OUT_FOR_DELIVERY),
    "D": Mapped(SM.DELIVERED),
    "X": Mapped(SM.EXCEPTION),
    "RS": Mapped(SM.RETURNING),  # returned to shipper (in progress until it arrives)
}

# (type, scan code) refinements.
SCAN_CODES: dict[tuple[str, str], Mapped] = {
    ("I", "OR"): Mapped(SM.PICKED_UP),  # origin scan
    ("I", "PU"): Mapped(SM.PICKED_UP),  # pickup scan
    ("I", "AR"): Mapped(SM.IN_TRANSIT, R.ARRIVED_AT_FACILITY),
    ("I", "DP"): Mapped(SM.IN_TRANSIT, R.DEPARTED_FACILITY),
    ("I", "EP"): Mapped(SM.IN_TRANSIT, R.DEPARTED_FACILITY),  # export scan
    ("I", "IP"): Mapped(SM.IN_TRANSIT, R.ARRIVED_AT_DESTINATION_COUNTRY),  # import scan
    ("I", "OT"): Mapped(SM.OUT_FOR_DELIVERY),
    ("I", "OD"): Mapped(SM.OUT_FOR_DELIVERY),
}


def _codes(milestone: ShipmentMilestone, reason: Reason | None, *codes: int) -> dict[int, Mapped]:
    return dict.fromkeys(codes, Mapped(milestone, reason))


# The three-digit statusCode ("Status/Description Codes" appendix).
STATUS_CODES: dict[int, Mapped] = {
    **_codes(SM.LABEL_CREATED, None, 3, 79, 80, 157, 166),
    **_codes(SM.CANCELLED, None, 7),
    **_codes(SM.PICKED_UP, None, 38, 160, 167, 168, 169),
    **_codes(SM.IN_TRANSIT, None, 5, 10, 16, 25, 39, 44, 45, 47, 57, 71, 87, 158, 159, 164, 165),
    **_codes(SM.IN_TRANSIT, R.CUSTOMS_PROCESSING, 12, 92),
    **_codes(SM.IN_TRANSIT, R.CUSTOMS_RELEASED, 14, 84, 134),
    **_codes(SM.IN_TRANSIT, R.TRANSFERRED_TO_LAST_MILE_CARRIER, 73, 74, 137),
    **_codes(SM.IN_TRANSIT, R.DELIVERY_SCHEDULED, 75),
    **_codes(SM.IN_TRANSIT, R.DELIVERY_RESCHEDULED, 55, 115, 136, 153, 154),
    **_codes(SM.IN_TRANSIT, R.ADDRESS_CORRECTED, 28, 63, 96),
    **_codes(SM.IN_TRANSIT, R.WEATHER_DELAY, 32),
    **_codes(SM.OUT_FOR_DELIVERY, None, 6, 21, 37, 72, 78, 89, 91, 146, 162),
    **_codes(SM.AVAILABLE_FOR_PICKUP, None, 17, 40, 144, 161),
    **_codes(SM.DELIVERED, None, 11, 26, 143),
    **_codes(SM.DELIVERY_ATTEMPTED, None, 22, 23, 24, 60, 66, 145),
    **_codes(SM.DELIVERY_ATTEMPTED, R.CONSIGNEE_NOT_AVAILABLE, 61),
    **_codes(SM.DELIVERY_ATTEMPTED, R.HELD_FOR_PAYMENT, 62),
    **_codes(SM.EXCEPTION, None, 13, 29, 30, 46, 48, 49, 76, 86, 90),
    **_codes(SM.EXCEPTION, R.CONSIGNEE_REFUSED, 64),
    **_codes(SM.EXCEPTION, R.AWAITING_INFORMATION, 50),
    **_codes(SM.EXCEPTION, R.CUSTOMS_DOCUMENTATION, 58, 124, 125, 141),
    **_codes(SM.EXCEPTION, R.CUSTOMS_DELAY, 123, 126),
    **_codes(SM.EXCEPTION, R.HELD_FOR_PAYMENT, 85),
    **_codes(SM.EXCEPTION, R.CARRIER_DAMAGED_PARCEL, 59),
    **_codes(SM.EXCEPTION, R.CARRIER_PARCEL_LOST, 68),
    **_codes(SM.EXCEPTION, R.PARCEL_DESTROYED, 147, 149),
    **_codes(SM.EXCEPTION, R.WEATHER_DELAY, 51, 52, 53),
    **_codes(SM.EXCEPTION, R.CONSIGNEE_ACCESS_RESTRICTED, 139),
    **_codes(SM.RETURNING, None, 33, 35, 36, 118, 119),
    **_codes(SM.RETURNING, R.CARRIER_DAMAGED_PARCEL, 81),
    **_codes(SM.RETURNED, None, 34, 67),
}

# Milestones that say "all is well": a scan of type X keeps its exception milestone even when
# its statusCode is one of these (e.g. an X scan "UPS is updating the delivery date").
_PROGRESS = {SM.LABEL_CREATED, SM.PICKED_UP, SM.IN_TRANSIT, SM.OUT_FOR_DELIVERY}


# Description -> reason, first match wins; written for UPS's own texts.
_INCIDENT_TEXT = wording(
    (r"weather", R.WEATHER_DELAY),
    (r"emergency situation|natural disaster", R.NATURAL_DISASTER),
    (r"refused", R.CONSIGNEE_REFUSED),
    (r"business (was )?closed|closed on arrival", R.CONSIGNEE_BUSINESS_CLOSED),
    (r"(has|customer|receiver) moved", R.CONSIGNEE_MOVED),
    (r"not available|not home|no one (was )?available", R.CONSIGNEE_NOT_AVAILABLE),
    (r"security access|access (to the )?(building|gate)", R.CONSIGNEE_ACCESS_RESTRICTED),
    (
        r"address (is )?(incorrect|incomplete|invalid)|incorrect address|street number",
        R.CONSIGNEE_INCORRECT_ADDRESS,
    ),
    (r"do not (currently )?serve the destination", R.CARRIER_ADDRESS_NOT_FOUND),
    (r"damage", R.CARRIER_DAMAGED_PARCEL),
    (r"misrout|missort|incorrectly sorted|sorting error", R.CARRIER_SORTING_ERROR),
    (r"lost and found|could not be located|cannot be located", R.CARRIER_PARCEL_LOST),
    (r"destroyed", R.PARCEL_DESTROYED),
    (
        r"mechanical failure|late (ups )?(trailer|flight)|derailment|unable to (dispatch|load)",
        R.CARRIER_VEHICLE_ISSUE,
    ),
    (r"operating conditions|capacity", R.CARRIER_CAPACITY),
    (r"missed the scheduled|not enough time", R.CARRIER_NOT_ENOUGH_TIME),
    (r"import charges|duties|taxes", R.CUSTOMS_DUTIES_UNPAID),
    (r"c\.o\.d\.|\bcod\b|funds|payment", R.HELD_FOR_PAYMENT),
    (r"clearance information|documentation|paperwork", R.CUSTOMS_DOCUMENTATION),
    (r"customs|government agency|broker|clearance", R.CUSTOMS_DELAY),
    (r"rescheduled", R.DELIVERY_RESCHEDULED),
    (r"hold for pickup|held for pickup|held at", R.DELIVERY_EXCEPTION_HOLD),
)
_PROGRESS_TEXT = wording(
    (r"weather", R.WEATHER_DELAY),
    (
        r"released by (the )?customs|cleared (import )?customs|clearance completed",
        R.CUSTOMS_RELEASED,
    ),
    (r"customs|clearance", R.CUSTOMS_PROCESSING),
    (r"rescheduled|updated delivery date", R.DELIVERY_RESCHEDULED),
    (r"address (was )?(changed|corrected|updated)", R.ADDRESS_CORRECTED),
    (r"arrived at (a |the )?(ups )?facility", R.ARRIVED_AT_FACILITY),
    (r"departed from (a |the )?(ups )?facility", R.DEPARTED_FACILITY),
)
_ATTEMPT = re.compile(
    r"delivery attempt|attempted|attempt (was )?made|not available for delivery|"
    r"receiver was not available|business was closed|unable to (receive|collect) (payment|funds)",
    re.IGNORECASE,
)
_PICKUP_POINT = re.compile(
    r"delivered to (a |the )?(ups )?access point|ready for (customer )?pickup|"
    r"held for (customer )?pickup|available for pickup",
    re.IGNORECASE,
)
_RETURNED = re.compile(
    r"^\s*returned to (the )?(shipper|sender)\b|delivered to (the )?(shipper|sender)",
    re.IGNORECASE,
)
_PICKED_UP_BY_CUSTOMER = re.compile(
    r"picked up by (the )?(customer|receiver)|customer picked up", re.IGNORECASE
)


def map_activity(status_type: str, code: str, status_code: str, description: str) -> Mapped | None:
    """One activity's codes -> milestone and reason; None when the type is not known."""
    base = TYPES.get(status_type)
    by_scan = SCAN_CODES.get((status_type, code))
    by_status = STATUS_CODES.get(int(status_code)) if status_code.isdigit() else None
    mapped = by_status or by_scan or base
    if mapped is None:
        return None
    milestone = mapped.milestone
    # The finest reason that agrees with the milestone (statusCode 005 "On the Way" says
    # nothing more than scan code DP "departed facility").
    reason = next(
        (
            m.reason
            for m in (by_status, by_scan, base)
            if m and m.milestone is milestone and m.reason
        ),
        None,
    )
    if status_type == "X" and milestone in _PROGRESS:
        milestone = SM.EXCEPTION
    if status_type == "D" and _PICKUP_POINT.search(description):
        milestone = SM.AVAILABLE_FOR_PICKUP
    if milestone in (SM.RETURNING, SM.EXCEPTION) and _RETURNED.search(description):
        milestone = SM.RETURNED
    if milestone is SM.EXCEPTION and _ATTEMPT.search(description):
        milestone = SM.DELIVERY_ATTEMPTED
    if reason is None and milestone is SM.DELIVERED and _PICKED_UP_BY_CUSTOMER.search(description):
        reason = R.PICKED_UP_BY_CUSTOMER
    if reason is None and milestone in (SM.EXCEPTION, SM.DELIVERY_ATTEMPTED):
        reason = first_reason(_INCIDENT_TEXT, description)
    elif reason is None and milestone is SM.IN_TRANSIT:
        reason = first_reason(_PROGRESS_TEXT, description)
    return Mapped(milestone, reason)


_SAFE_PLACE = re.compile(
    r"front door|back door|side door|porch|garage|mailbox|mail room|parcel locker|"
    r"doorstep|patio|safe place|left at",
    re.IGNORECASE,
)
_NEIGHBOUR = re.compile(r"neighbou?r", re.IGNORECASE)
_RECIPIENT = re.compile(
    r"receiver|recipient|residential|inside delivery|office|reception", re.IGNORECASE
)


def delivered_reason(location: str, signed: bool) -> Reason | None:
    """How a package was delivered, from `deliveryInformation` (location text, signer)."""
    if _NEIGHBOUR.search(location):
        return R.DELIVERED_TO_NEIGHBOR
    if signed:
        return R.DELIVERED_SIGNED
    if _SAFE_PLACE.search(location):
        return R.DELIVERED_SAFE_PLACE
    if _RECIPIENT.search(location):
        return R.DELIVERED_TO_RECIPIENT
    return None
