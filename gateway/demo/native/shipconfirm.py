"""The cross-border 3PL's ship confirmations: an X12 945 rendered as XML, one per shipment,
sent when the parcel leaves (it reports nothing before). The ship-to block carries the
customer's name, address and phone, which the connector never reads."""

from __future__ import annotations

import random
from datetime import timedelta, timezone
from typing import Any, Final
from xml.etree.ElementTree import Element, SubElement, tostring

from gateway.demo.catalog import Carrier, Place
from gateway.demo.native.delivery import XML, Delivery
from gateway.demo.people import Customer
from gateway.demo.script import WMS_XML, PlannedEvent
from gateway.events import ShipmentMilestone

NAMESPACE: Final = "urn:demo:3pl:shipconfirm:1"
SCAC: Final = {"ups": "UPSN"}  # Standard Carrier Alpha Codes of the carriers the 3PL uses
GS1_PREFIX: Final = "0690123"  # the 3PL's GS1 company prefix, for SSCC-18 carton labels


def _add(parent: Element, name: str, text: object | None = None, **attributes: str) -> Element:
    child = SubElement(parent, name, attributes)
    if text is not None:
        child.text = str(text)
    return child


def sscc(rng: random.Random) -> str:
    """An SSCC-18: extension digit, company prefix, serial, GS1 mod-10 check digit."""
    body = "0" + GS1_PREFIX + f"{rng.randrange(10**9):09d}"
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return body + str((10 - total % 10) % 10)


class ShipConfirmFeed:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def step(self, step: PlannedEvent, webhook_id: str) -> Delivery | None:
        if step.milestone is not ShipmentMilestone.LABEL_CREATED:
            return None  # the order's shipped milestone is in the same confirmation
        native = step.native
        carrier, origin, recipient = native["carrier"], native["warehouse"], native["recipient"]
        assert isinstance(carrier, Carrier) and isinstance(origin, Place)
        assert isinstance(recipient, Customer)
        rows: list[dict[str, Any]] = native["rows"]  # type: ignore[assignment]
        local = timezone(timedelta(hours=origin.utc_offset))
        root = Element("ShipmentConfirmation", {"xmlns": NAMESPACE, "usage": "P"})
        header = _add(root, "Header")
        _add(header, "DepositorOrderNumber", step.order)
        _add(header, "ShipmentId", native["shipment_ref"])
        _add(header, "ShipDateTime", step.at.astimezone(local).isoformat(timespec="seconds"))
        ship_from = _add(header, "ShipFrom")
        _add(ship_from, "WarehouseCode", "SZX3PL")
        _add(ship_from, "Name", "Qianhai Cross-Border Fulfilment")
        _add(ship_from, "City", origin.city)
        _add(ship_from, "Country", origin.country)
        ship_to = _add(header, "ShipTo")
        address = recipient.address
        _add(ship_to, "Name", recipient.name)
        _add(ship_to, "Address1", address["street"])
        _add(ship_to, "City", address["city"])
        _add(ship_to, "PostalCode", address["postal_code"])
        _add(ship_to, "Country", address["country"])
        _add(ship_to, "Phone", recipient.phone)
        carrier_element = _add(header, "Carrier")
        _add(carrier_element, "SCAC", SCAC[carrier.name])
        _add(carrier_element, "Service", carrier.service_level)
        package = _add(_add(root, "Packages"), "Package")
        _add(package, "SSCC", sscc(self._rng))
        _add(package, "TrackingNumber", native["tracking"])
        _add(package, "Weight", f"{int(str(native['weight_grams'])) / 1000:.3f}", uom="KG")
        lines = _add(root, "Lines")
        for number, row in enumerate(rows, 1):
            line = _add(lines, "Line")
            _add(line, "LineNumber", number)
            _add(line, "Status", "CC")  # shipment complete: the 3PL ships whole orders
            _add(line, "QuantityOrdered", row["quantity"])
            _add(line, "QuantityShipped", row["quantity"])
            _add(line, "UOM", "EA")
            _add(line, "SKU", row["sku"])
            _add(line, "Description", row["description"])
        body = tostring(root, encoding="utf-8", xml_declaration=True)
        return Delivery(WMS_XML, step.at, body, XML, delivery_id=webhook_id)
