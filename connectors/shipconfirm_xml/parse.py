"""Warehouse ship confirmations in XML -> normalized CloudEvents (pure).

The format is the X12 945 "Warehouse Shipping Advice" (what a 3PL sends the depositor once an
order has shipped: stedi.com/edi/x12-004010/945) rendered as XML with one element per 945
field, the way 3PLs post ship confirms to merchants that do not run an EDI translator:

```xml
<ShipmentConfirmation usage="P">                   <!-- ISA-15: P production, T test -->
  <Header>
    <DepositorOrderNumber>SO-000123</DepositorOrderNumber>  <!-- W06-02: our order number -->
    <ShipmentId>PVG1-SHP-0007731</ShipmentId>         <!-- W06-04: the warehouse's shipment -->
    <PurchaseOrderNumber>PO-88817</PurchaseOrderNumber>  <!-- W06-06 (not used) -->
    <ShipDateTime>2026-11-21T15:42:00+08:00</ShipDateTime>  <!-- G62*11, offset required -->
    <ShipFrom>                                        <!-- N1*SF: the warehouse -->
      <WarehouseCode>PVG1</WarehouseCode><Name>Pudong DC</Name>
      <City>Shanghai</City><Country>CN</Country>
    </ShipFrom>
    <ShipTo>...</ShipTo>                              <!-- N1*ST: personal data, never read -->
    <Carrier><SCAC>UPSN</SCAC><Service>GND</Service></Carrier>  <!-- W27-02, W27-03 -->
  </Header>
  <Packages>
    <Package>                                         <!-- MAN per carton -->
      <SSCC>003123450000000017</SSCC>                 <!-- MAN*GM -->
      <TrackingNumber>1Z...</TrackingNumber>          <!-- MAN*CP -->
      <SCAC>UPSN</SCAC>                               <!-- optional, overrides the header -->
      <Weight uom="KG">12.5</Weight>                  <!-- KG, G, LB, OZ (X12 355 / UN/ECE) -->
    </Package>
  </Packages>
  <Lines>
    <Line>                                            <!-- LX + W12 -->
      <LineNumber>1</LineNumber><Status>CC</Status>   <!-- W12-01: X12 element 368 -->
      <QuantityOrdered>1</QuantityOrdered><QuantityShipped>1</QuantityShipped>
      <SKU>WM-8KG</SKU><Description>Washing machine 8 kg</Description>
    </Line>
  </Lines>
</ShipmentConfirmation>
```

Elements may be in any namespace (only local names are read). Parsed with
`defusedxml.ElementTree` with DTDs forbidden: entity expansion ("billion laughs") and external
entities are refused as a PayloadError before anything is built.

Mapping (mapping_version `shipconfirm-xml-2026.11`):

| input                                           | event                         | visibility |
|-------------------------------------------------|-------------------------------|------------|
| every line CC / CP / CS / CM / IC               | order.shipped                 | customer   |
| any line BP, or no status and shipped < ordered | order.partially_shipped       | customer   |
| any other line status                           | problem; no order event       |            |
| each Package                                    | shipment.label_created        | public     |
| `usage="T"`                                     | ignored (test transmission)   |            |

Each package is its own shipment (`<ShipmentId>-<n>`) with its tracking number, so courier
scans (subject `tracking:<number>`) link to this order and that parcel. Event ids are built from
ShipmentId, the milestone and the package's position, so a re-sent confirmation is a no-op.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterator
from datetime import UTC, datetime
from decimal import Decimal
from typing import Any
from xml.etree.ElementTree import Element, ParseError

import defusedxml
import defusedxml.ElementTree

from connectors.sdk import PayloadError, Translation, raw_status
from connectors.sdk.numbers import plain_decimal
from connectors.shipconfirm_xml.codes import (
    GRAMS_PER_UNIT,
    LINE_STATUS,
    MAPPING_VERSION,
    SCAC_CARRIER,
    LineOutcome,
)
from gateway.events import Visibility

SOURCE = "urn:x12-945-xml:shipment-confirmation"
ROOT = "ShipmentConfirmation"
MEDIA_TYPES = frozenset({"application/xml", "text/xml"})
SUBJECT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
REF = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.:/-]{0,99}$")
TRACKING = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$")
COUNTRY = re.compile(r"^[A-Z]{2}$")


def _local(tag: Any) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def _children(element: Element | None, name: str) -> Iterator[Element]:
    if element is not None:
        yield from (child for child in element if _local(child.tag) == name)


def _child(element: Element | None, name: str) -> Element | None:
    return next(_children(element, name), None)


def _text(element: Element | None, name: str) -> str | None:
    child = _child(element, name)
    value = (child.text or "").strip() if child is not None else ""
    return value or None


def parse_document(payload: bytes, content_type: str) -> Element:
    media = content_type.split(";")[0].strip().lower()
    if media not in MEDIA_TYPES and not media.endswith("+xml"):
        raise PayloadError(f"ship confirmations are XML (application/xml), not {media[:60]!r}")
    try:
        root: Element = defusedxml.ElementTree.fromstring(payload, forbid_dtd=True)
    except defusedxml.DefusedXmlException as exc:
        raise PayloadError(
            f"XML refused: {type(exc).__name__} (DTDs, entity declarations and external "
            "references are not accepted)"
        ) from None
    except ParseError as exc:
        raise PayloadError(f"body is not well-formed XML: {exc}") from None
    if _local(root.tag) != ROOT:
        raise PayloadError(f"root element must be {ROOT}, got {_local(root.tag)[:60]!r}")
    return root


def translate(payload: bytes, *, content_type: str) -> Translation:
    root = parse_document(payload, content_type)
    if (root.get("usage") or "P").strip().upper() == "T":
        return Translation(ignored="test transmission (usage=T)")
    header = _child(root, "Header")
    problems: list[str] = []
    order = _text(header, "DepositorOrderNumber")
    if order is None or not SUBJECT.match(order):
        return Translation(
            problems=(
                "Header/DepositorOrderNumber: missing, or not 1-64 letters, "
                "digits, '.', '_' or '-'",
            )
        )
    shipped_at = _ship_time(_text(header, "ShipDateTime"))
    if shipped_at is None:
        return Translation(
            problems=(
                "Header/ShipDateTime: missing, or not ISO 8601 with a UTC "
                "offset (e.g. 2026-11-21T15:42:00+08:00)",
            )
        )
    packages = list(_children(_child(root, "Packages"), "Package"))
    shipment_id = _text(header, "ShipmentId") or _fallback_id(order, packages)
    if not REF.match(shipment_id):
        return Translation(problems=("Header/ShipmentId: not 1-100 letters, digits or . _ : / -",))
    context = _Context(order, shipment_id, shipped_at, _location(header, problems))
    carrier = _child(header, "Carrier")
    labels = [
        _label_event(package, position, len(packages), carrier, context, problems)
        for position, package in enumerate(packages, start=1)
    ]
    untracked = [str(n) for n, label in enumerate(labels, start=1) if label is None]
    order_event = _order_event(root, context, untracked, problems)
    events = [e for e in [order_event, *labels] if e is not None]
    return Translation(events=tuple(events), problems=tuple(problems))


class _Context:
    __slots__ = ("location", "order", "shipment_id", "time")

    def __init__(
        self, order: str, shipment_id: str, time: datetime, location: dict[str, str]
    ) -> None:
        self.order = order
        self.shipment_id = shipment_id
        self.time = time.astimezone(UTC).isoformat().replace("+00:00", "Z")
        self.location = location

    def event(self, event_id: str, kind: str, data: dict[str, Any]) -> dict[str, Any]:
        if self.location:
            data["location"] = self.location
        return {
            "specversion": "1.0",
            "id": event_id,
            "source": SOURCE,
            "type": f"io.orderlens.{kind}",
            "subject": self.order,
            "time": self.time,
            "datacontenttype": "application/json",
            "data": data,
        }


def _ship_time(value: str | None) -> datetime | None:
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    # Without an offset the time could be anywhere in a 26-hour span: refuse to guess.
    return moment if moment.tzinfo is not None else None


def _fallback_id(order: str, packages: list[Element]) -> str:
    """Without W06-04, an id from what identifies this shipment: order and its parcels."""
    parcels = sorted(_text(p, "TrackingNumber") or _text(p, "SSCC") or "" for p in packages)
    digest = hashlib.sha256("\n".join([order, *parcels]).encode()).hexdigest()[:24]
    return f"{order}-{digest}"


def _location(header: Element | None, problems: list[str]) -> dict[str, str]:
    ship_from = _child(header, "ShipFrom")
    found = {
        "hub_id": _text(ship_from, "WarehouseCode"),
        "hub_name": _text(ship_from, "Name"),
        "city": _text(ship_from, "City"),
        "country": _text(ship_from, "Country"),
    }
    if found["country"] and not COUNTRY.match(found["country"]):
        problems.append("Header/ShipFrom/Country: not an ISO 3166 alpha-2 code; left out")
        found["country"] = None
    limits = {"hub_id": 64, "hub_name": 100, "city": 100, "country": 2}
    return {k: v[: limits[k]] for k, v in found.items() if v}


def _order_event(
    root: Element, context: _Context, untracked: list[str], problems: list[str]
) -> dict[str, Any] | None:
    lines: list[dict[str, Any]] = []
    outcomes: set[LineOutcome] = set()
    codes: list[str] = []
    for index, line in enumerate(_children(_child(root, "Lines"), "Line"), start=1):
        where = f"Lines/Line[{index}]"
        line_id = _text(line, "LineNumber") or str(index)
        sku = _text(line, "SKU")
        shipped = _quantity(_text(line, "QuantityShipped"))
        ordered = _quantity(_text(line, "QuantityOrdered"))
        status = (_text(line, "Status") or "").upper()
        if status:
            if status not in LINE_STATUS:
                problems.append(f"{where}/Status: unknown line status {status[:8]!r}")
                return None
            outcome = LINE_STATUS[status][0]
            codes.append(status)
        elif shipped is not None and ordered is not None and shipped < ordered:
            outcome = LineOutcome.BACKORDER
        else:
            outcome = LineOutcome.COMPLETE
        outcomes.add(outcome)
        if shipped is None or sku is None or not REF.match(line_id):
            problems.append(f"{where}: needs LineNumber, SKU and a whole QuantityShipped")
            continue
        if shipped > 0 and outcome is not LineOutcome.CANCELLED:
            description = _text(line, "Description") or ""
            lines.append(
                {
                    "line_id": line_id,
                    "sku": sku[:64],
                    "description": description[:200],
                    "quantity": shipped,
                }
            )
    if not lines:
        problems.append("Lines: no line shipped anything; no order milestone")
        return None
    partial = LineOutcome.BACKORDER in outcomes
    milestone = "partially_shipped" if partial else "shipped"
    code = "BP" if "BP" in codes else (codes[0] if codes else None)
    text = f"Shipment {context.shipment_id} confirmed"
    if code:
        text += f": {code} {LINE_STATUS[code][1]}"
    elif partial:
        text += ": shipped less than ordered"
    if untracked:
        text += f" (no tracking number for package {'+'.join(untracked)})"
    return context.event(
        f"shipconfirm:{context.shipment_id}:{milestone}",
        f"order.{milestone}",
        {
            "visibility": Visibility.CUSTOMER.value,
            "raw": raw_status(code, text, MAPPING_VERSION),
            "lines": lines,
        },
    )


def _quantity(value: str | None) -> int | None:
    number = plain_decimal(value, maximum=100_000)
    if number is None or number < 0 or number != number.to_integral_value() or number > 100_000:
        return None
    return int(number)


def _label_event(
    package: Element,
    position: int,
    count: int,
    header_carrier: Element | None,
    context: _Context,
    problems: list[str],
) -> dict[str, Any] | None:
    """The package's shipment.label_created; None without a tracking number (LTL freight,
    own fleet): nothing a courier will scan, so no shipment that would look stuck."""
    where = f"Packages/Package[{position}]"
    parcel = f"{context.shipment_id}-{position}"
    scac = (_text(package, "SCAC") or _text(header_carrier, "SCAC") or "").upper() or None
    service = _text(header_carrier, "Service")
    tracking = "".join((_text(package, "TrackingNumber") or "").split()) or None
    if tracking is not None and not TRACKING.match(tracking):
        problems.append(f"{where}/TrackingNumber: not 1-64 letters, digits, '.', '_' or '-'")
        tracking = None
    if tracking is None:
        return None
    sscc = _text(package, "SSCC")
    package_ref: dict[str, Any] = {
        "id": sscc if sscc and REF.match(sscc) else parcel,
        "tracking_number": tracking,
    }
    grams = _grams(_child(package, "Weight"), where, problems)
    if grams:
        package_ref["weight_grams"] = grams
    shipment = {
        "id": parcel,
        "carrier": SCAC_CARRIER.get(scac, scac.lower()) if scac else None,
        "tracking_number": tracking,
        "service_level": service[:64] if service else None,
    }
    text = f"Package {position} of {count} of shipment {context.shipment_id}"
    return context.event(
        f"shipconfirm:{context.shipment_id}:label:{position}",
        "shipment.label_created",
        {
            "visibility": Visibility.PUBLIC.value,
            "raw": raw_status(scac, text, MAPPING_VERSION),
            "shipment": {k: v for k, v in shipment.items() if v},
            "packages": [package_ref],
        },
    )


def _grams(weight: Element | None, where: str, problems: list[str]) -> int | None:
    if weight is None or not (weight.text or "").strip():
        return None
    unit = (weight.get("uom") or "").strip().upper()
    # Checked before any arithmetic: rounding 9e999990 stalled the event loop for 26 s.
    value = plain_decimal(weight.text, maximum=1_000_000) or Decimal(-1)
    if unit not in GRAMS_PER_UNIT or not value > 0:
        problems.append(f"{where}/Weight: needs a positive number and uom KG, G, LB or OZ")
        return None
    grams = int((value * GRAMS_PER_UNIT[unit]).to_integral_value())
    return grams if 0 < grams <= 10_000_000 else None
