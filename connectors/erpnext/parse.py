"""Pure mapping of ERPNext Sales Orders and Delivery Notes onto normalized CloudEvents.

A Frappe document is a *snapshot*: every webhook or pull carries the whole document as it is
now, not what changed. So each snapshot is mapped to every milestone it proves, with ids that
name the milestone (not the snapshot), and the gateway's dedup keeps the first of each: the
tenth update of an order still says `placed` once. The order number is the Sales Order `name`.

Sales Order (docstatus 0, a draft, is ignored; 1 submitted; 2 cancelled). Id suffix in [ ];
order events happen at `modified`, except placed:

| ERPNext | event [id suffix] |
|---|---|
| docstatus 1 or 2 | order.placed [placed] at `creation` (else `transaction_date`): customer_ref = |
| | `customer`, lines = items, promised_date = `delivery_date`, contact, delivery_address |
| 0 < per_delivered < 100 | order.partially_shipped / partially_delivered [<milestone>:<%>] |
| per_delivered 100 | order.shipped / order.delivered (handover) [<milestone>] |
| status On Hold | order.on_hold [on_hold:<modified>] (holds recur, so the id names the snapshot) |
| status Completed | order.completed [completed] (handover only: with dispatch it is billing news) |
| status Closed | nothing delivered: order.cancelled [cancelled], reason merchant_request; |
| | else order.completed [completed], reason merchant_request (handover only) |
| docstatus 2, Cancelled | order.cancelled [cancelled] |
| Draft, To Pay, To Deliver and Bill, To Deliver, To Bill | nothing beyond the rows above |
| any other status | a problem; the other events still go in |

Why "dispatch" is the default (`delivery_note_marks`): ERPNext's per_delivered and
delivery_status count *submitted Delivery Notes*, that is goods issued from stock; the customer
has them only when the courier says so (its shipment.delivered rolls the order up to
delivered). Sites that submit delivery notes on handover (own fleet) choose "handover".

Delivery Note (docstatus 0 ignored): one set of events per Sales Order named in
items[].against_sales_order, with that order as subject, at posting_date + posting_time, and
shipment = {id: the note's name, carrier: transporter_name or transporter, tracking_number:
lr_no without blanks, upper-cased}, which is what links a courier's events to the order:

| ERPNext | event [id suffix] |
|---|---|
| submitted, lr_no set | shipment.label_created [<SO>:label_created:<lr_no>] |
| submitted, no lr_no | shipment.registered [<SO>:registered] |
| submitted, handover | shipment.delivered [<SO>:delivered] |
| cancelled (docstatus 2) | shipment.cancelled [<SO>:cancelled] at `modified` |
| is_return, submitted | order.return_requested [<SO>:return_requested], then |
| | order.return_received [<SO>:return_received]: ERPNext has no return request of its own |
| | and the gateway takes a receipt only after a request |
| is_return, cancelled | ignored |

Order events are `customer` visible, shipment events `public`. Every event's `data.raw`
carries ERPNext's own status and `mapping_version`; raw texts never quote personal data.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Literal
from zoneinfo import ZoneInfo

from connectors.erpnext import codes
from connectors.erpnext.address import parse_address
from connectors.erpnext.codes import SALES_ORDER, SOURCES
from connectors.erpnext.models import (
    day,
    flag,
    moment,
    number,
    posting,
    read_document,
    rfc3339,
    text,
)
from connectors.sdk import Translation, raw_status

ORDER_NUMBER = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
CUSTOMER_REF = re.compile(r"^[A-Za-z0-9_-]{1,64}$")
REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$")
MAX_LINES = 500

Marks = Literal["dispatch", "handover"]


def _squash(value: str) -> str:
    return "".join(ch for ch in value.casefold() if ch.isalnum())


@dataclass
class _Out:
    """What one document becomes: events and problems, built in order."""

    doctype: str
    name: str
    mapping_version: str
    events: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(self, key: str, kind: str, subject: str, when: datetime, data: dict[str, Any]) -> None:
        self.events.append(
            {
                "specversion": "1.0",
                "id": f"erpnext:{self.doctype}:{self.name}:{key}",
                "source": SOURCES[self.doctype],
                "type": f"io.orderlens.{kind}",
                "subject": subject,
                "time": rfc3339(when),
                "datacontenttype": "application/json",
                "data": data,
            }
        )

    def raw(self, code: str | None, words: str | None) -> dict[str, Any]:
        return raw_status(code, words, self.mapping_version)

    def problem(self, message: str) -> None:
        self.problems.append(f"{self.doctype} {self.name}: {message}")

    def result(self, nothing: str) -> Translation:
        if not self.events and not self.problems:
            return Translation(ignored=f"{self.doctype} {self.name} {nothing}")
        return Translation(events=tuple(self.events), problems=tuple(self.problems))


@dataclass(frozen=True, slots=True)
class Mapper:
    """The mapping for one instance: its site time zone and what a delivery note marks."""

    zone: ZoneInfo
    marks: Marks
    mapping_version: str
    district_field: str | None = None

    def translate(
        self, payload: bytes, *, content_type: str, received_at: datetime | None = None
    ) -> Translation:
        doc = read_document(payload)
        doctype, name = doc["doctype"], doc["name"].strip()
        if doctype not in SOURCES:
            return Translation(
                ignored=f"doctype {doctype!r} is not mapped (only Sales Order, Delivery Note)"
            )
        docstatus = number(doc.get("docstatus"))
        if docstatus == 0:
            return Translation(ignored=f"{doctype} {name} is a draft (docstatus 0)")
        out = _Out(doctype, name, self.mapping_version)
        if docstatus not in (1, 2):
            out.problem("docstatus is missing or not 0, 1 or 2")
            return out.result("has an unknown docstatus")
        if doctype == SALES_ORDER:
            self._sales_order(doc, out, cancelled=docstatus == 2)
            return out.result("has nothing to map")
        if flag(doc.get("is_return")) and docstatus == 2:
            return Translation(ignored=f"{doctype} {name} is a cancelled return")
        self._delivery_note(doc, out, cancelled=docstatus == 2)
        return out.result("is not against a Sales Order")

    # -- Sales Order ------------------------------------------------------------------------

    def _sales_order(self, doc: dict[str, Any], out: _Out, *, cancelled: bool) -> None:
        if not ORDER_NUMBER.match(out.name):
            out.problem("the name cannot be an order number (1-64 letters, digits, '.', '_', '-')")
            return
        modified = moment(doc.get("modified"), self.zone)
        placed_at = (
            moment(doc.get("creation"), self.zone)
            or moment(doc.get("transaction_date"), self.zone)
            or modified
        )
        changed_at = modified or placed_at
        if placed_at is None or changed_at is None:
            out.problem("no readable creation, transaction_date or modified")
            return
        self._placed(doc, out, placed_at)
        status = text(doc.get("status"), 100) or ""
        if cancelled or status == "Cancelled":
            data = {"visibility": "customer", "raw": out.raw(status or "Cancelled", "cancelled")}
            out.add("cancelled", "order.cancelled", out.name, changed_at, data)
            return
        shipped_any = self._progress(doc, out, changed_at)
        self._status(doc, out, status, changed_at, shipped_any=shipped_any)

    def _placed(self, doc: dict[str, Any], out: _Out, when: datetime) -> None:
        data: dict[str, Any] = {
            "visibility": "customer",
            "raw": out.raw("docstatus:1", "Sales Order submitted"),
        }
        customer = doc.get("customer")
        customer_name = doc.get("customer_name")
        if not isinstance(customer, str) or not CUSTOMER_REF.match(customer):
            out.problem(
                "customer is not an opaque id (1-64 letters, digits, '_', '-'), so order.placed "
                "is not sent; name customers by naming series (Selling Settings)"
            )
            return
        if isinstance(customer_name, str) and _squash(customer) == _squash(customer_name):
            out.problem(
                "customer id is the customer's own name, which must not enter the signed log; "
                "order.placed is not sent: name customers by naming series (Selling Settings)"
            )
            return
        data["customer_ref"] = customer
        lines = self._lines(doc, out)
        if not lines:
            out.problem("no item can be an order line, so order.placed is not sent")
            return
        data["lines"] = lines
        if (promised := day(doc.get("delivery_date"))) is not None:
            data["promised_date"] = promised.isoformat()
        elif doc.get("delivery_date"):
            out.problem("delivery_date is not a date")
        if contact := self._contact(doc, out):
            data["contact"] = contact
        shipping = doc.get("shipping_address")
        if isinstance(shipping, str) and shipping.strip():
            address = parse_address(shipping, text(doc.get(self.district_field or ""), 100))
            if isinstance(address, str):
                out.problem(f"{address}; delivery_address is not sent")
            else:
                data["delivery_address"] = address.as_data()
        out.add("placed", "order.placed", out.name, when, data)

    def _lines(self, doc: dict[str, Any], out: _Out) -> list[dict[str, Any]]:
        items = doc.get("items")
        if not isinstance(items, list):
            out.problem("items is missing (a list view has no child tables)")
            return []
        lines: list[dict[str, Any]] = []
        for position, item in enumerate(items, start=1):
            if not isinstance(item, dict):
                out.problem(f"items row {position} is not an object")
                continue
            row = item.get("idx", position)
            sku = text(item.get("item_code"), 64)
            qty = number(item.get("qty"))
            if sku is None or qty is None or qty <= 0:
                out.problem(f"items row {row}: no item_code or no positive qty; line skipped")
                continue
            line_id = item.get("name") if isinstance(item.get("name"), str) else None
            if line_id is None or not REF.match(line_id):
                line_id = str(row)
            description = text(item.get("item_name"), 200) or text(item.get("description"), 200)
            quantity = int(qty)
            if qty != quantity:  # 2.5 kg: one line, the measure kept in the description
                uom = text(item.get("uom") or item.get("stock_uom"), 20) or ""
                description = f"{description or sku} ({qty:g} {uom})".replace(" )", ")")[:200]
                quantity = max(1, math.ceil(qty))
            lines.append(
                {
                    "line_id": line_id,
                    "sku": sku,
                    "description": description or sku,
                    "quantity": min(quantity, 100_000),
                }
            )
        if len(lines) > MAX_LINES:
            out.problem(f"{len(lines)} lines; only the first {MAX_LINES} are sent")
            lines = lines[:MAX_LINES]
        return lines

    def _contact(self, doc: dict[str, Any], out: _Out) -> dict[str, str]:
        contact: dict[str, str] = {}
        if name := text(doc.get("customer_name"), 100):
            contact["name"] = name
        phone = text(doc.get("contact_mobile"), 40) or text(doc.get("contact_phone"), 40)
        if phone is not None:
            if 3 <= len(phone) <= 32:
                contact["phone"] = phone
            else:
                out.problem("contact phone is not 3-32 characters; not sent")
        if email := text(doc.get("contact_email"), 300):
            if 3 <= len(email) <= 254 and "@" in email:
                contact["email"] = email
            else:
                out.problem("contact_email is not an email address; not sent")
        return contact

    def _progress(self, doc: dict[str, Any], out: _Out, when: datetime) -> bool:
        """Delivery progress events; True when anything was delivered."""
        delivery_status = doc.get("delivery_status") or ""
        if not isinstance(delivery_status, str) or delivery_status not in codes.DELIVERY_STATUSES:
            out.problem("unknown delivery_status; delivery progress read from per_delivered")
            delivery_status = ""
        if delivery_status == "Not Applicable":
            return False
        per = number(doc.get("per_delivered"))
        full = delivery_status == "Fully Delivered" or (per is not None and per >= codes.FULL)
        partial = not full and ((per or 0) > 0 or delivery_status == "Partly Delivered")
        partial_milestone, full_milestone = (
            ("partially_delivered", "delivered")
            if self.marks == "handover"
            else ("partially_shipped", "shipped")
        )
        words = f"{per:.4g}% delivered" if per is not None else None
        data = {"visibility": "customer", "raw": out.raw(delivery_status or None, words)}
        if full:
            out.add(full_milestone, f"order.{full_milestone}", out.name, when, data)
        elif partial:
            share = f"{round(per or 0, 2):g}"
            key = f"{partial_milestone}:{share}"
            out.add(key, f"order.{partial_milestone}", out.name, when, data)
        return full or partial

    def _status(
        self, doc: dict[str, Any], out: _Out, status: str, when: datetime, *, shipped_any: bool
    ) -> None:
        raw = out.raw(status, None)
        if status == "On Hold":
            modified = text(doc.get("modified"), 40) or rfc3339(when)
            data = {"visibility": "customer", "raw": raw}
            out.add(f"on_hold:{modified}", "order.on_hold", out.name, when, data)
        elif status == "Completed":
            if self.marks == "handover":
                data = {"visibility": "customer", "raw": raw}
                out.add("completed", "order.completed", out.name, when, data)
        elif status == "Closed":
            data = {"visibility": "customer", "reason": "merchant_request", "raw": raw}
            if not shipped_any:
                out.add("cancelled", "order.cancelled", out.name, when, data)
            elif self.marks == "handover":
                out.add("completed", "order.completed", out.name, when, data)
        elif status not in codes.ACTIVE_STATUSES:
            out.problem("unknown status (not mapped; the other events are sent)")

    # -- Delivery Note ----------------------------------------------------------------------

    def _delivery_note(self, doc: dict[str, Any], out: _Out, *, cancelled: bool) -> None:
        orders = self._against(doc, out)
        if not orders:
            return
        when = posting(doc.get("posting_date"), doc.get("posting_time"), self.zone)
        modified = moment(doc.get("modified"), self.zone)
        if when is None:
            when = modified
        if when is None:
            out.problem("no readable posting_date/posting_time or modified")
            return
        status = text(doc.get("status"), 100)
        if flag(doc.get("is_return")):
            for order in orders:
                for step in ("return_requested", "return_received"):
                    data = {
                        "visibility": "customer",
                        "raw": out.raw(status, "return delivery note"),
                    }
                    out.add(f"{order}:{step}", f"order.{step}", order, when, data)
            return
        if not REF.match(out.name):
            out.problem("the name cannot be a shipment id; no shipment events")
            return
        shipment: dict[str, Any] = {"id": out.name}
        carrier = text(doc.get("transporter_name"), 64) or text(doc.get("transporter"), 64)
        if carrier:
            shipment["carrier"] = carrier
        tracking = self._tracking(doc, out)
        if tracking:
            shipment["tracking_number"] = tracking
        if cancelled:
            kind, key, when = "cancelled", "cancelled", modified or when
            words = "delivery note cancelled"
        elif self.marks == "handover":
            kind, key, words = "delivered", "delivered", "delivery note submitted (handover)"
        elif tracking:
            kind, key, words = (
                "label_created",
                f"label_created:{tracking}",
                "delivery note submitted",
            )
        else:
            kind, key, words = "registered", "registered", "delivery note submitted, no lr_no"
        for order in orders:
            data = {"visibility": "public", "shipment": shipment, "raw": out.raw(status, words)}
            out.add(f"{order}:{key}", f"shipment.{kind}", order, when, data)

    def _against(self, doc: dict[str, Any], out: _Out) -> list[str]:
        items = doc.get("items")
        if not isinstance(items, list):
            out.problem("items is missing (a list view has no child tables)")
            return []
        orders: list[str] = []
        for item in items:
            order = item.get("against_sales_order") if isinstance(item, dict) else None
            if not isinstance(order, str) or not order.strip() or order.strip() in orders:
                continue
            if ORDER_NUMBER.match(order.strip()):
                orders.append(order.strip())
            else:
                out.problem("an against_sales_order cannot be an order number; skipped")
        return orders

    def _tracking(self, doc: dict[str, Any], out: _Out) -> str | None:
        lr_no = doc.get("lr_no")
        if not isinstance(lr_no, str) or not lr_no.strip():
            return None
        number_ = "".join(lr_no.split()).upper()
        if not ORDER_NUMBER.match(number_):  # what a courier's `tracking:<number>` allows
            out.problem("lr_no is not a tracking number (letters, digits, '.', '_', '-'); not sent")
            return None
        return number_
