"""ShipHero webhooks -> normalized CloudEvents (pure: no clock, network or keys).

Mapping (mapping_version `shiphero-2026.11`):

| webhook_type      | event(s)                                                  | visibility |
|-------------------|-----------------------------------------------------------|------------|
| Order Allocated   | order.allocated (allocated lines, warehouse as hub)       | internal   |
| Order Packed Out  | order.packed                                              | customer   |
| Order Canceled    | order.cancelled (`fulfillment-status` canceled or absent) | customer   |
| Shipment Update   | order.shipped, or order.partially_shipped while the       | customer   |
|                   | packages reported stop short of `total_packages`;         |            |
|                   | plus one shipment.label_created per package               | public     |
| any other type    | ignored (Inventory Update, PO Update, Tote Complete, ...) |            |
| `"test": "1"`     | ignored (ShipHero's test deliveries)                      |            |

The order is named by `partner_order_id` (the ERP's order name, which orderlens calls the
order number); without it, by ShipHero's `order_number`, and the event's `raw.text` says so.

Each package becomes its own shipment (`<shipment_id>-<package number>`) carrying its tracking
number, so a courier's scans of that parcel (subject `tracking:<number>`) link to this order
and to that parcel alone: two parcels of one shipment never fight over one shipment milestone.

Event ids come from ShipHero's ids (shipment_id, order_id, allocation_reference, tote_id) and
the webhook type, so a re-delivered webhook yields the same ids and is a no-op.

Limits of the source, kept visible rather than papered over:
* `created_at` / `allocated_at` carry no UTC offset: they are read in the instance's
  `timezone` (UTC by default).
* Order Canceled and Order Packed Out carry no timestamp at all
  (developer.shiphero.com/webhooks/order-canceled-webhook, .../order-packed-out-webhook): their
  time is the receipt time the gateway passes as `received_at`; without one, a problem.
* Order Packed Out names the order only by ShipHero's internal `order_id` / `order_uuid`:
  unless the payload also has `partner_order_id` or `order_number`, it cannot be placed on a
  timeline and is reported as a problem (kept as a dead letter, replayable).
* Shipment Update does not say whether other shipments of the order are still to come, so a
  split order whose first shipment is complete reads as shipped.
* `shipping_address` (a person's name and street) is never read.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from typing import Any

from connectors.sdk import PayloadError, Translation, raw_status, safe_json
from connectors.shiphero import models as f
from gateway.events import Visibility

MAPPING_VERSION = "shiphero-2026.11"
SOURCE = "urn:shiphero:webhook"
ALLOCATED = "Order Allocated"
PACKED = "Order Packed Out"
CANCELED = "Order Canceled"
SHIPMENT = "Shipment Update"
HANDLED = (ALLOCATED, PACKED, CANCELED, SHIPMENT)


@dataclass(frozen=True, slots=True)
class Context:
    zone: tzinfo = UTC
    received_at: datetime | None = None


@dataclass(slots=True)
class _Out:
    events: list[dict[str, Any]] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)

    def add(
        self, event_id: str, kind: str, subject: str, when: datetime, webhook: str, **data: Any
    ) -> None:
        self.events.append(
            {
                "specversion": "1.0",
                "id": event_id,
                "source": f"{SOURCE}:{webhook.lower().replace(' ', '-')}",
                "type": f"io.orderlens.{kind}",
                "subject": subject,
                "time": f.rfc3339(when),
                "datacontenttype": "application/json",
                "data": {k: v for k, v in data.items() if v},
            }
        )


def translate(payload: bytes, *, context: Context = Context()) -> Translation:
    try:
        document = safe_json.loads(payload)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PayloadError(f"ShipHero webhook body is not valid JSON: {exc}") from None
    if not isinstance(document, dict):
        raise PayloadError("ShipHero webhook body must be a JSON object")
    nested = f.obj(document.get("fulfillment")).get("webhook_type")
    kind = f.first(document.get("webhook_type"), nested)
    if kind is None:
        raise PayloadError("ShipHero webhook body has no webhook_type")
    if f.flag(document.get("test")):
        return Translation(ignored=f"ShipHero test delivery ({kind[:40]})")
    if kind not in HANDLED:
        return Translation(ignored=f"ShipHero webhook type {kind[:40]!r} has no timeline milestone")
    out = _Out()
    if kind == SHIPMENT:
        _shipment_update(document, context, out)
    else:
        _order_webhook(kind, document, context, out)
    return Translation(events=tuple(out.events), problems=tuple(out.problems))


def _order_number(doc: dict[str, Any]) -> tuple[str | None, str | None, str | None]:
    """(order number, note for raw.text, problem)."""
    partner = f.text(doc.get("partner_order_id"))
    number = partner or f.text(doc.get("order_number"))
    if number is None:
        return None, None, "names no order (neither partner_order_id nor order_number)"
    if not f.SUBJECT.match(number):
        return None, None, f"order {number[:64]!r} is not 1-64 letters, digits, '.', '_' or '-'"
    note = None if partner else "order named by ShipHero order_number, no partner_order_id"
    return number, note, None


def _when(value: Any, context: Context, kind: str, out: _Out) -> tuple[datetime | None, str | None]:
    """The event time, and a note when it is the receipt time."""
    moment = f.timestamp(value, context.zone)
    if moment is not None:
        return moment, None
    if f.text(value) is not None:
        out.problems.append(f"{kind}: timestamp {f.text(value)!s:.40} is not ISO 8601")
        return None, None
    if context.received_at is not None:
        return context.received_at, "time of receipt: ShipHero sends none"
    out.problems.append(f"{kind}: no timestamp in the payload and no receipt time given")
    return None, None


def _text(message: str, *notes: str | None) -> str:
    present = [note for note in notes if note]
    return f"{message} ({'; '.join(present)})" if present else message


def _lines(raw_lines: list[dict[str, Any]], kind: str, out: _Out) -> list[dict[str, Any]]:
    lines: list[dict[str, Any]] = []
    for line in raw_lines:
        quantity = f.integer(line.get("quantity"))
        if not quantity or f.flag(line.get("is_kit_component")):
            continue  # nothing moved, or a kit's component (the kit's line is what the ERP has)
        candidates = (line.get("partner_line_item_id"), line.get("id"), line.get("shiphero_id"))
        line_id = next((c for value in candidates if (c := f.text(value)) and f.REF.match(c)), None)
        sku = f.text(line.get("sku"))
        if line_id is None or sku is None:
            out.problems.append(f"{kind}: a line item has no usable id or sku; left out")
            continue
        description = f.text(line.get("customs_description")) or ""
        lines.append(
            {
                "line_id": line_id,
                "sku": sku[:64],
                "description": description[:200],
                "quantity": quantity,
            }
        )
    return lines


def _order_webhook(kind: str, doc: dict[str, Any], context: Context, out: _Out) -> None:
    order, note, problem = _order_number(doc)
    order_id = f.first(doc.get("order_id"), doc.get("order_uuid"))
    if order is None or order_id is None:
        known = f" (ShipHero order_id {order_id})" if order_id and order is None else ""
        out.problems.append(f"{kind}: {problem or 'has no order_id or order_uuid'}{known}")
        return
    if kind == CANCELED:
        status = f.text(doc.get("fulfillment-status"))
        if status not in (None, "canceled", "cancelled"):
            out.problems.append(f"{kind}: unknown fulfillment-status {status[:40]!r}")
            return
    when, time_note = _when(
        doc.get("allocated_at") if kind == ALLOCATED else None, context, kind, out
    )
    if when is None:
        return
    if kind == ALLOCATED:
        warehouse = f.text(doc.get("warehouse_id"))
        reference = f.text(doc.get("allocation_reference")) or "-"
        ready = "ready to ship" if f.flag(doc.get("ready_to_ship")) else "not ready to ship"
        out.add(
            f"shiphero:order:{order_id}:allocated:{reference}",
            "order.allocated",
            order,
            when,
            kind,
            visibility=Visibility.INTERNAL.value,
            raw=raw_status(
                kind,
                _text(f"Allocated in warehouse {warehouse}, {ready}", note, time_note),
                MAPPING_VERSION,
            ),
            location={"hub_id": warehouse} if warehouse else None,
            lines=_lines(f.items(doc.get("line_items")), kind, out),
        )
    elif kind == PACKED:
        tote = f.text(doc.get("tote_id")) or "-"
        out.add(
            f"shiphero:order:{order_id}:packed:{tote}",
            "order.packed",
            order,
            when,
            kind,
            visibility=Visibility.CUSTOMER.value,
            raw=raw_status(
                kind, _text(f"Packed out from tote {tote}", note, time_note), MAPPING_VERSION
            ),
        )
    else:
        out.add(
            f"shiphero:order:{order_id}:cancelled",
            "order.cancelled",
            order,
            when,
            kind,
            visibility=Visibility.CUSTOMER.value,
            raw=raw_status(
                kind, _text("Order canceled in ShipHero", note, time_note), MAPPING_VERSION
            ),
        )


@dataclass(frozen=True, slots=True)
class _Package:
    number: int
    name: str | None
    tracking_number: str | None
    carrier: str | None
    service_level: str | None


def _packages(doc: dict[str, Any], ful: dict[str, Any], out: _Out) -> list[_Package]:
    """The update's packages: `packages[]` (per ShipHero the accurate copy; carrier and method
    inside it win over the legacy fulfillment-level fields), else the legacy single package."""
    raw = f.items(doc.get("packages")) or [{"tracking_number": ful.get("tracking_number")}]
    legacy_number = f.integer(ful.get("package_number"))
    packages: list[_Package] = []
    for index, package in enumerate(raw, start=1):
        label = f.obj(package.get("shipping_label"))
        number = f.package_number(package.get("name")) or (
            legacy_number if len(raw) == 1 and legacy_number else index
        )
        tracking, problem = f.tracking_number(
            f.first(label.get("tracking_number"), package.get("tracking_number"))
        )
        if problem:
            out.problems.append(f"{SHIPMENT}: package {number}: {problem}; left unlinked")
        carrier = f.first(
            label.get("carrier"), package.get("shipping_carrier"), ful.get("shipping_carrier")
        )
        method = f.first(
            label.get("shipping_method"), package.get("shipping_method"), ful.get("shipping_method")
        )
        packages.append(
            _Package(
                number=number,
                name=f.text(package.get("name")),
                tracking_number=tracking,
                carrier=f.carrier(carrier),
                service_level=method[:64] if method else None,
            )
        )
    return packages


def _shipment_update(doc: dict[str, Any], context: Context, out: _Out) -> None:
    ful = f.obj(doc.get("fulfillment"))
    if not ful:
        out.problems.append(f"{SHIPMENT}: no fulfillment object")
        return
    order, note, problem = _order_number(ful)
    if order is None:
        out.problems.append(f"{SHIPMENT}: {problem}")
        return
    shipment_id = f.first(ful.get("shipment_id"), ful.get("shipment_uuid"))
    if shipment_id is None or not f.REF.match(shipment_id):
        out.problems.append(f"{SHIPMENT}: no usable shipment_id")
        return
    when, time_note = _when(ful.get("created_at"), context, SHIPMENT, out)
    if when is None:
        return
    packages = _packages(doc, ful, out)
    numbers = sorted({p.number for p in packages})
    total = f.integer(doc.get("total_packages")) or f.integer(ful.get("total_packages"))
    complete = not total or len(numbers) >= total or numbers[-1] >= total
    reported = "+".join(map(str, numbers))
    bare = [str(p.number) for p in packages if p.tracking_number is None]
    untracked = f"no tracking number for package {'+'.join(bare)}" if bare else None
    names = {p.name for p in packages if p.name}
    shipped_lines = [
        line
        for line in f.items(ful.get("line_items"))
        if complete or not names or f.text(line.get("package")) in names
    ]
    hub = {"hub_id": f.text(ful.get("warehouse_id")), "hub_name": f.text(ful.get("warehouse"))}
    location = {k: v for k, v in hub.items() if v}
    milestone = "shipped" if complete else "partially_shipped"
    out.add(
        f"shiphero:shipment:{shipment_id}:{milestone}"
        + ("" if complete else f":{reported}of{total}"),
        f"order.{milestone}",
        order,
        when,
        SHIPMENT,
        visibility=Visibility.CUSTOMER.value,
        raw=raw_status(
            SHIPMENT,
            _text(
                f"Shipment {shipment_id}: package {reported} of {total or len(numbers)}",
                untracked,
                note,
                time_note,
            ),
            MAPPING_VERSION,
        ),
        location=location,
        lines=_lines(shipped_lines, SHIPMENT, out),
    )
    for package in packages:
        if package.tracking_number is None:
            continue  # no carrier label (will call, own fleet): nothing a courier will scan
        parcel = f"{shipment_id}-{package.number}"
        shipment = {
            "id": parcel,
            "carrier": package.carrier,
            "tracking_number": package.tracking_number,
            "service_level": package.service_level,
        }
        out.add(
            f"shiphero:shipment:{shipment_id}:label:{package.number}",
            "shipment.label_created",
            order,
            when,
            SHIPMENT,
            visibility=Visibility.PUBLIC.value,
            raw=raw_status(
                SHIPMENT,
                _text(
                    f"Label for package {package.number} of shipment {shipment_id}",
                    note,
                    time_note,
                ),
                MAPPING_VERSION,
            ),
            shipment={k: v for k, v in shipment.items() if v},
            packages=[{"id": parcel, "tracking_number": package.tracking_number}],
            location=location,
        )
