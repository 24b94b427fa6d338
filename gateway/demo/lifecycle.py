"""One fake order's life, planned up front as a time-ordered script of steps.

Pure: everything comes from the caller's seeded `random.Random` and the placement time. The
simulator decides when each step is sent. Pacing follows a merchant in China: payment minutes
after the order, warehouse work in opening hours, the carrier's evening pickup.

Who reports what: the ERP (ERPNext) places, holds and cancels orders and counts what left the
warehouse; in-house systems capture payments, refund, book installations and (the service
desk) correct a contact; ShipHero runs the merchant's warehouses (allocation, pack-out, labels),
a cross-border 3PL in Shenzhen ships the UPS exports and confirms them in X12 945 XML; UPS is
pulled, every other carrier reports through EasyPost.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Final

from gateway.demo.catalog import (
    BULKY_CARRIER,
    BULKY_WAREHOUSE,
    DOMESTIC,
    INTERNATIONAL,
    INTERNATIONAL_CARRIERS,
    PARCEL_CARRIER,
    PARCEL_WAREHOUSES,
    PRODUCTS,
    UPS,
    Carrier,
    Place,
    Product,
)
from gateway.demo.people import customer, new_phone
from gateway.demo.script import (
    INSTALLATIONS,
    PAYMENTS,
    SERVICE_DESK,
    WMS,
    PlannedEvent,
    Script,
    at_local,
    done,
    local_date,
)
from gateway.demo.shipping import Line, Shipment, ship
from gateway.events import Layer, OrderMilestone, Reason, ServiceMilestone

MERCHANT_OFFSET: Final = 8  # the merchant and its warehouses run on China time
INTERNATIONAL_RATE: Final = 0.25  # orders shipped to a customer abroad
NEW_PHONE_RATE: Final = 0.06  # orders whose contact the service desk corrects
HOLD_RATE: Final = 0.04  # orders held in the ERP until stock arrives
OM = OrderMilestone
Route = list[tuple[Carrier, Place, list[Line]]]


def row_name(rng: random.Random) -> str:
    """A Frappe child-row name (10 hex digits), the id of a Sales Order line everywhere."""
    return f"{rng.getrandbits(40):010x}"


class OrderPlanner:
    """Plans whole order lives; shares the simulator's random generator."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def plan(
        self, order: str, placed: datetime, traits: frozenset[str] = frozenset()
    ) -> list[PlannedEvent]:
        """The order's steps. `traits` force incidents: cancel, exception, attempt, slip,
        hold, late (a scan the carrier uploads late) and ups (an export shipped by UPS)."""
        rng = self._rng
        s = Script(rng, order)
        international = rng.random() < INTERNATIONAL_RATE or "ups" in traits
        dest = rng.choice(INTERNATIONAL if international else DOMESTIC)
        who = customer(rng, dest)  # lives in the city the carrier delivers to
        lines = self._lines(international)
        bulky = any(product.bulky for product, _ in lines)
        promised = local_date(placed, MERCHANT_OFFSET) + timedelta(
            days=7 if international else 5 if bulky else 3
        )
        if rng.random() < 0.1:  # stock sits in a farther DC: the merchant promises later
            promised += timedelta(days=rng.randint(1, 2))
        rows = [
            {"line_id": row_name(rng), "sku": p.sku, "description": p.description, "quantity": q}
            for p, q in lines
        ]
        s.erp(
            OM.PLACED,
            placed,
            customer_ref=f"CUST-{rng.getrandbits(24):06X}",
            lines=rows,
            promised_date=promised.isoformat(),
            # Personal data: only under these keys, which the gateway seals.
            contact=who.contact(),
            delivery_address=who.delivery_address(),
        )
        confirmed = placed + s.minutes(0.5, 3)
        if rng.random() < NEW_PHONE_RATE:  # the desk calls back and corrects the phone number
            who = new_phone(rng, who, dest)
            s.inhouse(SERVICE_DESK, Layer.ORDER, OM.CONFIRMED, confirmed, contact=who.contact())
        fate = 0.04 if "cancel" in traits else rng.random()
        if fate < 0.02:
            failed = confirmed + s.minutes(30, 90)
            s.erp(OM.CANCELLED, failed, reason=Reason.PAYMENT_FAILED.value)
            return done(s)
        paid = confirmed + s.minutes(1, 15)
        s.inhouse(PAYMENTS, Layer.ORDER, OM.PAYMENT_CAPTURED, paid)
        if any(product.installation for product, _ in lines):
            offered = paid + s.minutes(0.2, 1)
            s.inhouse(INSTALLATIONS, Layer.SERVICE, ServiceMilestone.INSTALLATION_OFFERED, offered)
        route = self._split(lines, rows, international, traits)
        own = next((origin for carrier, origin, _ in route if not carrier.pulled), None)
        ready = self._warehouse(s, paid, traits, own)
        if fate < 0.06:  # the customer changes their mind before anything ships
            cancelled = paid + (ready - paid) * rng.uniform(0.1, 0.9)
            s.events = [e for e in s.events if e.at <= cancelled]
            s.erp(OM.CANCELLED, cancelled, reason=Reason.CUSTOMER_REQUEST.value)
            if any(e.milestone is OM.ALLOCATED for e in s.events):  # ShipHero cancels it too
                data: dict[str, object] = {"visibility": "customer"}
                s.emit(WMS, Layer.ORDER, OM.CANCELLED, cancelled + s.minutes(1, 10), data)
            s.inhouse(PAYMENTS, Layer.ORDER, OM.REFUNDED, cancelled + s.minutes(60, 480))
            return done(s)
        for index, (carrier, origin, parcel) in enumerate(route, 1):
            labelled = ready + (s.minutes(2, 10) if index == 1 else s.minutes(30, 150))
            plan = Shipment(carrier, origin, dest, parcel, promised, traits, who, index, len(route))
            delivered = ship(s, plan, labelled)
            # The WMS integration books a delivery note in ERPNext: per_delivered moves.
            share = OM.SHIPPED if index == len(route) else OM.PARTIALLY_SHIPPED
            shipped = {str(row["line_id"]): row["quantity"] for _, row in parcel}
            s.erp(share, labelled + s.minutes(1, 5), native={"shipped": shipped})
            if any(product.installation for product, _ in parcel):
                self._install(s, delivered)
        return done(s)

    def _lines(self, international: bool) -> list[tuple[Product, int]]:
        rng = self._rng
        pool = [p for p in PRODUCTS if not (international and p.bulky)]
        lines: list[tuple[Product, int]] = [(rng.choice(pool), 1)]
        for _ in range(rng.choices((0, 1, 2), weights=(65, 25, 10))[0]):
            extras = [p for p in pool if not p.bulky and p not in {q for q, _ in lines}]
            product = rng.choice(extras)
            lines.append((product, rng.randint(1, 3) if product.sku.startswith("ACC") else 1))
        return lines

    def _warehouse(
        self,
        s: Script,
        paid: datetime,
        traits: frozenset[str],
        own: Place | None,
    ) -> datetime:
        """Allocation to pack-out, in warehouse hours; returns when the order was packed.
        `own` is the merchant's (ShipHero) warehouse, None when the 3PL ships everything: it
        reports nothing before its ship confirmation."""
        at = self._working(paid + s.minutes(5, 45))
        if self._rng.random() < HOLD_RATE or "hold" in traits:
            s.erp(OM.ON_HOLD, at, reason=Reason.OUT_OF_STOCK.value)  # waits for stock
            at = self._working(at + timedelta(days=1) + s.minutes(0, 600))
        if own is not None:
            data: dict[str, object] = {"visibility": "internal"}
            s.emit(WMS, Layer.ORDER, OM.ALLOCATED, at, data, native={"warehouse": own.code})
        at = self._working(at + s.minutes(10, 90)) + s.minutes(10, 70)  # picking, packing
        if own is not None:
            s.emit(WMS, Layer.ORDER, OM.PACKED, at, {"visibility": "customer"})
        return at

    def _working(self, at: datetime) -> datetime:
        """The same time if the warehouse is open (08:00-22:00), else soon after it opens."""
        local = at + timedelta(hours=MERCHANT_OFFSET)
        if 8 <= local.hour < 22:
            return at
        day = local.date() if local.hour < 8 else local.date() + timedelta(days=1)
        return at_local(day, MERCHANT_OFFSET, self._rng.uniform(8, 8.75))

    def _split(
        self,
        lines: list[tuple[Product, int]],
        rows: list[dict[str, object]],
        international: bool,
        traits: frozenset[str],
    ) -> Route:
        """Large appliances go by a large-item carrier from their own DC, the rest as parcels;
        exports leave from Shenzhen, UPS ones through the 3PL there."""
        rng = self._rng
        paired: list[Line] = list(zip((p for p, _ in lines), rows, strict=True))
        if international:
            carrier = rng.choice(INTERNATIONAL_CARRIERS)
            return [(UPS if "ups" in traits else carrier, PARCEL_WAREHOUSES[1], paired)]
        bulky = [line for line in paired if line[0].bulky]
        parcels = [line for line in paired if not line[0].bulky]
        shipments = [(PARCEL_CARRIER, rng.choice(PARCEL_WAREHOUSES), parcels)] if parcels else []
        return shipments + ([(BULKY_CARRIER, BULKY_WAREHOUSE, bulky)] if bulky else [])

    def _install(self, s: Script, delivered: datetime) -> None:
        """The customer books installation after delivery; a technician comes the next day."""
        booked = delivered + s.minutes(60, 240)
        service = Layer.SERVICE
        s.inhouse(INSTALLATIONS, service, ServiceMilestone.INSTALLATION_BOOKED, booked)
        day = local_date(booked, MERCHANT_OFFSET) + timedelta(days=1)
        en_route = at_local(day, MERCHANT_OFFSET, self._rng.uniform(8.5, 13))
        s.inhouse(INSTALLATIONS, service, ServiceMilestone.TECHNICIAN_EN_ROUTE, en_route)
        on_site = en_route + s.minutes(30, 90)
        s.inhouse(INSTALLATIONS, service, ServiceMilestone.TECHNICIAN_ON_SITE, on_site)
        commissioned = on_site + s.minutes(45, 120)
        s.inhouse(INSTALLATIONS, service, ServiceMilestone.COMMISSIONED, commissioned)
