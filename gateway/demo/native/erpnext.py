"""ERPNext Sales Orders as a Frappe webhook (`on_change`, body `{{ doc | tojson }}`) sends them:
the whole document on every save, datetimes naive in the site's time zone (Asia/Shanghai).

What a save changes, and what the connector makes of it (connectors/erpnext/parse.py):
submit -> order.placed (customer, contact, shipping address, items, delivery_date); On Hold
-> order.on_hold; a delivery note booked by the WMS integration moves `per_delivered` ->
order.partially_shipped / order.shipped; cancel (docstatus 2) -> order.cancelled. Every save
re-sends what earlier ones proved (order.placed, ...), and a save that proves nothing new (a
hold lifted) is sent too: the gateway answers with duplicates of what it already has.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any, Final
from zoneinfo import ZoneInfo

from gateway.demo.native.delivery import JSON, Delivery
from gateway.demo.script import ERP, PlannedEvent
from gateway.events import OrderMilestone

SITE_ZONE: Final = ZoneInfo("Asia/Shanghai")
COMPANY: Final = "Acme Appliances (Shanghai) Co., Ltd."
COUNTRY_NAMES: Final = {
    "CN": "China",
    "DE": "Germany",
    "GB": "United Kingdom",
    "US": "United States",
    "AU": "Australia",
    "NL": "Netherlands",
    "JP": "Japan",
    "KR": "South Korea",
    "SG": "Singapore",
}
OM = OrderMilestone


def frappe_time(at: datetime, rng: random.Random) -> str:
    """Frappe's naive site-local datetime, with the microseconds a real save has."""
    return f"{at.astimezone(SITE_ZONE):%Y-%m-%d %H:%M:%S}.{rng.randrange(10**6):06d}"


def address_text(address: dict[str, str], phone: str) -> str:
    """The shipping address as ERPNext's address templates print it (lines joined by <br>):
    street, district, then `postal city` (DE, NL), `city, state postal` (US) or city and
    postal code on lines of their own, the country, and a Phone line."""
    street, district, city = address["street"], address["district"], address["city"]
    postal, country = address["postal_code"], address["country"]
    if country in ("DE", "NL"):
        lines = [street, district, f"{postal} {city}"]
    elif country == "US":
        lines = [street, district, f"{city}, {address['region']} {postal}"]
    else:
        lines = [street, district, city, postal]
    return "<br>".join([*lines, COUNTRY_NAMES[country], f"Phone: {phone}"]) + "<br>"


@dataclass
class SalesOrder:
    name: str
    customer: str
    contact: dict[str, str]
    address: dict[str, str]
    rows: list[dict[str, Any]]
    created: str  # Frappe's `creation`: when order.placed happened
    delivery_date: str
    docstatus: int = 1
    held: bool = False
    billed: bool = False
    delivered: dict[str, int] = field(default_factory=dict)

    @property
    def per_delivered(self) -> float:
        ordered = sum(int(row["quantity"]) for row in self.rows)
        shipped = sum(self.delivered.values())
        return round(100.0 * shipped / ordered, 2) if ordered else 0.0

    def status(self) -> tuple[str, str]:
        """(status, delivery_status), as ERPNext derives them."""
        per = self.per_delivered
        delivery = "Not Delivered" if not per else "Partly Delivered"
        delivery = "Fully Delivered" if per >= 100 else delivery
        if self.docstatus == 2:
            return "Cancelled", delivery
        if self.held:
            return "On Hold", delivery
        if per >= 100:
            return ("Completed" if self.billed else "To Bill"), delivery
        return ("To Deliver" if self.billed else "To Deliver and Bill"), delivery

    def document(self, modified: str) -> dict[str, Any]:
        status, delivery_status = self.status()
        name, phone = self.contact["name"], self.contact["phone"]
        shipping = address_text(self.address, phone)
        created = self.created
        return {
            "name": self.name,
            "owner": "webshop@acme.example",
            "creation": created,
            "modified": modified,
            "modified_by": "webshop@acme.example",
            "docstatus": self.docstatus,
            "idx": 0,
            "title": name,
            "naming_series": "SAL-ORD-.YYYY.-",
            "customer": self.customer,
            "customer_name": name,
            "order_type": "Sales",
            "transaction_date": created[:10],
            "delivery_date": self.delivery_date,
            "company": COMPANY,
            "currency": "CNY",
            "set_warehouse": "Stores - ACS",
            "total_qty": float(sum(int(row["quantity"]) for row in self.rows)),
            "shipping_address_name": f"{self.customer}-Shipping",
            "shipping_address": shipping,
            "address_display": shipping,
            # A Custom Field fetched from shipping_address_name.county (the district).
            "custom_shipping_county": self.address["district"],
            "contact_person": f"{self.customer}-Contact",
            "contact_display": name,
            "contact_phone": "",
            "contact_mobile": phone,
            "contact_email": self.contact["email"],
            "territory": COUNTRY_NAMES[self.address["country"]],
            "customer_group": "Individual",
            "status": status,
            "delivery_status": delivery_status,
            "per_delivered": self.per_delivered,
            "per_billed": 100.0 if self.billed else 0.0,
            "billing_status": "Fully Billed" if self.billed else "Not Billed",
            "doctype": "Sales Order",
            "items": [self._item(n, row, created) for n, row in enumerate(self.rows, 1)],
            "taxes": [],
            "packed_items": [],
        }

    def _item(self, idx: int, row: dict[str, Any], created: str) -> dict[str, Any]:
        return {
            "name": row["line_id"],
            "creation": created,
            "docstatus": self.docstatus,
            "idx": idx,
            "item_code": row["sku"],
            "item_name": row["description"],
            "description": f"<div><p>{row['description']}</p></div>",
            "qty": float(row["quantity"]),
            "uom": "Nos",
            "stock_uom": "Nos",
            "conversion_factor": 1.0,
            "delivered_qty": float(self.delivered.get(row["line_id"], 0)),
            "delivery_date": self.delivery_date,
            "warehouse": "Stores - ACS",
            "parent": self.name,
            "parentfield": "items",
            "parenttype": "Sales Order",
            "doctype": "Sales Order Item",
        }


class ErpNextFeed:
    """Keeps each order's Sales Order and posts it whenever it is saved."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self.orders: dict[str, SalesOrder] = {}

    def step(self, step: PlannedEvent) -> Delivery | None:
        milestone, data = step.milestone, step.data
        if milestone is OM.PLACED:
            self.orders[step.order] = SalesOrder(
                step.order,
                str(data["customer_ref"]),
                dict(data["contact"]),  # type: ignore[call-overload]
                dict(data["delivery_address"]),  # type: ignore[call-overload]
                list(data["lines"]),  # type: ignore[call-overload]
                frappe_time(step.at, self._rng),
                str(data["promised_date"]),
            )
            # The webhook fires when the order is submitted, a little after it was created.
            submitted = step.at + timedelta(seconds=self._rng.uniform(2, 20))
            return self._save(step.order, submitted, barrier=True)
        order = self.orders[step.order]
        if milestone is OM.CANCELLED:
            order.docstatus = 2
        elif milestone is OM.ON_HOLD:
            order.held = True
        elif milestone in (OM.SHIPPED, OM.PARTIALLY_SHIPPED):
            order.held = False
            shipped = step.native["shipped"]
            assert isinstance(shipped, dict)
            order.delivered.update(shipped)
        else:
            raise ValueError(f"ERPNext does not report {step.kind}")
        # A refund may only follow the cancellation: nothing overtakes it.
        return self._save(step.order, step.at, barrier=milestone is OM.CANCELLED)

    def invoiced(self, number: str) -> None:
        """The payment is booked against the order (a Sales Invoice); the next save shows it."""
        if number in self.orders:
            self.orders[number].billed = True

    def lift_hold(self, number: str, at: datetime) -> Delivery | None:
        """Stock arrived: the order comes off hold before the warehouse starts on it."""
        order = self.orders.get(number)
        if order is None or not order.held:
            return None
        order.held = False
        return self._save(number, at)

    def correct_contact(self, number: str, contact: dict[str, str]) -> None:
        """The service desk's correction reaches the Contact; the next save carries it."""
        if number in self.orders:
            self.orders[number].contact |= contact

    def _save(self, number: str, at: datetime, *, barrier: bool = False) -> Delivery:
        document = self.orders[number].document(frappe_time(at, self._rng))
        body = json.dumps(document, ensure_ascii=False).encode()
        name = f"{number}@{document['modified']}"
        return Delivery(ERP, at, body, JSON, delivery_id=name, barrier=barrier)
