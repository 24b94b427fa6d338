"""ERPNext's own vocabulary: the doctypes read, and the statuses the mapping knows (see the
mapping table in `parse.py`). A status outside these sets is a problem, never guessed."""

from __future__ import annotations

MAPPING_VERSION = "erpnext-2026.11"

SALES_ORDER = "Sales Order"
DELIVERY_NOTE = "Delivery Note"
SOURCES = {SALES_ORDER: "urn:erpnext:sales-order", DELIVERY_NOTE: "urn:erpnext:delivery-note"}
ACTIVE_STATUSES = frozenset({"", "Draft", "To Pay", "To Deliver and Bill", "To Deliver", "To Bill"})
DELIVERY_STATUSES = frozenset(
    {"", "Not Delivered", "Partly Delivered", "Fully Delivered", "Closed", "Not Applicable"}
)
FULL = 99.995  # per_delivered is a rounded percentage
