"""ShipHero webhooks from the merchant's own warehouses (one ShipHero account, three sites).

Order Allocated (with `allocated_at`), Order Packed Out and Order Canceled (ShipHero sends
no time with these two: the gateway dates them on receipt), and one Shipment Update per
package, numbered across the order ("Package #2" of `total_packages`), so the first of a
split order reads as partially shipped and the last as shipped. Every message names the order
by `partner_order_id`, the ERPNext Sales Order name. Timestamps are naive UTC.
"""

from __future__ import annotations

import base64
import json
import random
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Final

from gateway.demo.catalog import Carrier, Place
from gateway.demo.native.delivery import JSON, Delivery
from gateway.demo.people import Customer
from gateway.demo.script import WMS, PlannedEvent
from gateway.events import OrderMilestone, ShipmentMilestone

ACCOUNT_ID: Final = 6334
WAREHOUSES: Final = {  # Place.code -> (ShipHero warehouse id, name)
    "SHA": (76733, "Shanghai DC"),
    "SZX": (76734, "Shenzhen DC"),
    "CTU": (76735, "Chengdu Large Items DC"),
}


def gid(kind: str, number: int) -> str:
    """ShipHero's GraphQL ids: base64 of "<Type>:<id>"."""
    return base64.b64encode(f"{kind}:{number}".encode()).decode()


def naive_utc(at: datetime) -> str:
    return f"{at.astimezone(UTC):%Y-%m-%d %H:%M:%S}"


@dataclass(frozen=True, slots=True)
class _Order:
    order_id: int
    number: str  # the web shop's order number; orderlens uses partner_order_id
    line_ids: tuple[int, ...]


class ShipHeroFeed:
    def __init__(self, rng: random.Random) -> None:
        self._rng = rng
        self._orders: dict[str, _Order] = {}

    def step(self, step: PlannedEvent, rows: list[dict[str, Any]]) -> Delivery | None:
        order = self._order(step.order, len(rows))
        head = {
            "order_id": order.order_id,
            "order_uuid": gid("Order", order.order_id),
            "partner_order_id": step.order,
            "order_number": order.number,
        }
        if step.milestone is OrderMilestone.ALLOCATED:
            code = str(step.native["warehouse"])
            body = self._allocated(head, order, rows, code, step.at)
        elif step.milestone is OrderMilestone.PACKED:
            tote = self._rng.randrange(10**7, 10**8)
            items = [
                {"order_id": order.order_id, "line_item_id": line, "pick_id": n, "sku": row["sku"]}
                for n, (line, row) in enumerate(zip(order.line_ids, rows, strict=True), 1)
            ]
            tote_ref = {"tote_id": str(tote), "tote_uuid": gid("Tote", tote)}
            tote_ref["tote_name"] = f"Tote-{tote}"
            body = {"webhook_type": "Order Packed Out", **tote_ref, **head, "items": items}
        elif step.milestone is OrderMilestone.CANCELLED:
            body = {
                **head,
                "fulfillment-status": "canceled",
                "shop_name": "acme-appliances",
                "shop_order_number": order.number,
                "webhook_type": "Order Canceled",
            }
        elif step.milestone is ShipmentMilestone.LABEL_CREATED:
            body = self._shipment_update(head, step)
        else:
            return None  # order.shipped rides on the Shipment Update of its label
        message_id = str(uuid.UUID(int=self._rng.getrandbits(128), version=4))
        encoded = json.dumps(body, ensure_ascii=False).encode()
        return Delivery(WMS, step.at, encoded, JSON, delivery_id=message_id)

    def _order(self, number: str, lines: int) -> _Order:
        if number not in self._orders:
            order_id = self._rng.randrange(9 * 10**8, 10**9)
            first = self._rng.randrange(6 * 10**8, 7 * 10**8)
            shop = f"WEB-{self._rng.randrange(10**5, 10**6)}"
            self._orders[number] = _Order(order_id, shop, tuple(range(first, first + lines)))
        return self._orders[number]

    def _allocated(
        self,
        head: dict[str, Any],
        order: _Order,
        rows: list[dict[str, Any]],
        warehouse: str,
        at: datetime,
    ) -> dict[str, Any]:
        site, _ = WAREHOUSES[warehouse]
        lines = [
            {
                "id": line,
                "item_uuid": gid("LineItem", line),
                "partner_line_item_id": row["line_id"],
                "quantity": row["quantity"],
                "sku": row["sku"],
                "is_kit_component": False,
                "created_at": naive_utc(at),
            }
            for line, row in zip(order.line_ids, rows, strict=True)
        ]
        return {
            "webhook_type": "Order Allocated",
            "allocation_reference": self._rng.randrange(4 * 10**8, 5 * 10**8),
            "account_id": ACCOUNT_ID,
            "account_uuid": gid("Account", ACCOUNT_ID),
            "warehouse_id": site,
            "warehouse_uuid": gid("Warehouse", site),
            "allocated_at": naive_utc(at).replace(" ", "T"),
            **head,
            "line_items": lines,
            "ready_to_ship": 1,
        }

    def _shipment_update(self, head: dict[str, Any], step: PlannedEvent) -> dict[str, Any]:
        native = step.native
        carrier, origin = native["carrier"], native["warehouse"]
        recipient = native["recipient"]
        assert isinstance(carrier, Carrier) and isinstance(origin, Place)
        assert isinstance(recipient, Customer)
        site, site_name = WAREHOUSES[origin.code]
        shipment_id = int(str(native["shipment_ref"]))
        package = f"Package #{native['package']}"
        tracking = str(native["tracking"])
        rows: list[dict[str, Any]] = native["rows"]  # type: ignore[assignment]
        lines = [
            {
                "id": f"{head['order_number']}-{n}",
                "shiphero_id": self._rng.randrange(8 * 10**8, 9 * 10**8),
                "partner_line_item_id": row["line_id"],
                "quantity": row["quantity"],
                "sku": row["sku"],
                "serial_numbers": [],
                "customs_description": row["description"],
                "package": package,
            }
            for n, row in enumerate(rows, 1)
        ]
        address = recipient.address
        fulfillment = {
            "shipment_id": shipment_id,
            "shipment_uuid": gid("Shipment", shipment_id),
            "warehouse": site_name,
            "warehouse_id": site,
            "warehouse_uuid": gid("Warehouse", site),
            "webhook_type": "Shipment Update",
            **head,
            "tracking_number": tracking,
            "line_items": lines,
            "custom_tracking_url": "",
            "package_number": native["package"],
            "total_packages": native["packages"],
            "shipping_method": carrier.service_level,
            "shipping_carrier": carrier.native,
            # Personal data ShipHero sends along; the connector never reads it.
            "shipping_address": {
                "name": recipient.name,
                "address1": address["street"],
                "address_city": address["city"],
                "address_zip": address["postal_code"],
                "address_state": address["region"],
                "address_country": address["country"],
                "phone": recipient.phone,
            },
            "completed": True,
            "created_at": naive_utc(step.at),
            "order_gift_note": "",
        }
        label = {
            "tracking_number": tracking,
            "carrier": carrier.native,
            "shipping_method": carrier.service_level,
            "tracking_url": f"https://track.example.com/{carrier.slug}/{tracking}",
        }
        return {
            "test": "0",
            "webhook_type": "Shipment Update",
            "fulfillment": fulfillment,
            "total_packages": native["packages"],
            "packages": [{"name": package, "tracking_number": tracking, "shipping_label": label}],
        }
