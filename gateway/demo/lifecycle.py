"""One fake order's life, planned up front as a time-ordered script of events.

Pure: everything comes from the caller's seeded `random.Random` and the placement time. The
simulator decides when each planned event is posted. Pacing follows a merchant in China: payment
minutes after the order, warehouse work in opening hours, the carrier's evening pickup.
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
    Carrier,
    Place,
)
from gateway.demo.people import customer, new_phone
from gateway.demo.script import PlannedEvent, Script, at_local, done, local_date
from gateway.demo.shipping import Line, Shipment, ship
from gateway.events.taxonomy import Layer, OrderMilestone, Reason, ServiceMilestone, Visibility

MERCHANT_OFFSET: Final = 8  # the merchant and its warehouses run on China time
INTERNATIONAL_RATE: Final = 0.25  # orders shipped to a customer abroad
NEW_PHONE_RATE: Final = 0.06  # orders whose confirmation re-sends the contact with a new phone


class OrderPlanner:
    """Plans whole order lives; shares the simulator's random generator."""

    def __init__(self, rng: random.Random) -> None:
        self._rng = rng

    def plan(
        self, order: str, placed: datetime, traits: frozenset[str] = frozenset()
    ) -> list[PlannedEvent]:
        """The order's events. `traits` force incidents: cancel, exception, attempt, slip."""
        rng = self._rng
        s = Script(rng, order)
        international = rng.random() < INTERNATIONAL_RATE
        dest = rng.choice(INTERNATIONAL if international else DOMESTIC)
        who = customer(rng, dest)  # lives in the city the carrier delivers to
        lines = self._lines(international)
        bulky = any(product.bulky for product, _ in lines)
        promised = local_date(placed, MERCHANT_OFFSET) + timedelta(
            days=7 if international else 5 if bulky else 3
        )
        s.erp(
            Layer.ORDER,
            OrderMilestone.PLACED,
            placed,
            customer_ref=f"CUST-{rng.getrandbits(24):06X}",
            lines=[
                {"line_id": f"L{n}", "sku": p.sku, "description": p.description, "quantity": q}
                for n, (p, q) in enumerate(lines, 1)
            ],
            promised_date=promised.isoformat(),
            # Personal data: only under these keys, which the gateway seals.
            contact=who.contact(),
            delivery_address=who.delivery_address(),
        )
        confirmed = placed + s.minutes(0.5, 3)
        revised: dict[str, object] = {}
        if rng.random() < 0.1:  # stock sits in a farther DC: the merchant revises its promise
            promised += timedelta(days=rng.randint(1, 2))
            revised["promised_date"] = promised.isoformat()
        if rng.random() < NEW_PHONE_RATE:  # the customer corrected the phone number they gave
            who = new_phone(rng, who, dest)
            revised["contact"] = who.contact()
        s.erp(Layer.ORDER, OrderMilestone.CONFIRMED, confirmed, **revised)
        fate = rng.random()
        if "cancel" in traits:
            fate = 0.04  # the customer cancels after paying
        if fate < 0.02:
            failed = confirmed + s.minutes(30, 90)
            s.erp(Layer.ORDER, OrderMilestone.CANCELLED, failed, reason=Reason.PAYMENT_FAILED.value)
            return done(s)
        paid = confirmed + s.minutes(1, 15)
        s.erp(Layer.ORDER, OrderMilestone.PAYMENT_CAPTURED, paid)
        if any(product.installation for product, _ in lines):
            offered = paid + s.minutes(0.2, 1)
            s.erp(Layer.SERVICE, ServiceMilestone.INSTALLATION_OFFERED, offered)
        packed = self._warehouse(s, paid)
        if fate < 0.06:  # the customer changes their mind before anything ships
            cancelled = paid + (packed - paid) * rng.uniform(0.1, 0.9)
            reason = Reason.CUSTOMER_REQUEST.value
            s.erp(Layer.ORDER, OrderMilestone.CANCELLED, cancelled, reason=reason)
            s.erp(Layer.ORDER, OrderMilestone.REFUNDED, cancelled + s.minutes(60, 480))
            s.events = [e for e in s.events if e.source != "wms" or e.at <= cancelled]
            return done(s)
        for index, (carrier, origin, parcel) in enumerate(self._split(lines, international), 1):
            labelled = packed + (s.minutes(2, 10) if index == 1 else s.minutes(30, 150))
            plan = Shipment(carrier, origin, dest, parcel, promised, traits, who)
            delivered = ship(s, index, plan, labelled)
            if any(product.installation for product, _ in parcel):
                self._install(s, delivered)
        return done(s)

    def _lines(self, international: bool) -> list[Line]:
        rng = self._rng
        pool = [p for p in PRODUCTS if not (international and p.bulky)]
        lines: list[Line] = [(rng.choice(pool), 1)]
        for _ in range(rng.choices((0, 1, 2), weights=(65, 25, 10))[0]):
            extras = [p for p in pool if not p.bulky and p not in {q for q, _ in lines}]
            product = rng.choice(extras)
            lines.append((product, rng.randint(1, 3) if product.sku.startswith("ACC") else 1))
        return lines

    def _warehouse(self, s: Script, paid: datetime) -> datetime:
        """Allocation to pack-out, in warehouse hours; returns when the order was packed."""
        at = self._working(paid + s.minutes(5, 45))
        if self._rng.random() < 0.04:
            s.wms(
                OrderMilestone.BACKORDERED,
                at,
                Visibility.CUSTOMER,
                reason=Reason.OUT_OF_STOCK.value,
            )
            at = self._working(at + timedelta(days=1) + s.minutes(0, 600))
        s.wms(OrderMilestone.ALLOCATED, at, Visibility.INTERNAL)
        at = self._working(at + s.minutes(10, 90))
        s.wms(OrderMilestone.PICKING, at, Visibility.INTERNAL)
        at += s.minutes(5, 40)
        s.wms(OrderMilestone.PICKED, at, Visibility.INTERNAL)
        at += s.minutes(5, 30)
        s.wms(OrderMilestone.PACKED, at, Visibility.CUSTOMER)
        return at

    def _working(self, at: datetime) -> datetime:
        """The same time if the warehouse is open (08:00-22:00), else soon after it opens."""
        local = at + timedelta(hours=MERCHANT_OFFSET)
        if 8 <= local.hour < 22:
            return at
        day = local.date() if local.hour < 8 else local.date() + timedelta(days=1)
        return at_local(day, MERCHANT_OFFSET, self._rng.uniform(8, 8.75))

    def _split(
        self, lines: list[Line], international: bool
    ) -> list[tuple[Carrier, Place, list[Line]]]:
        """Large appliances go by a large-item carrier from their own DC, the rest as parcels."""
        rng = self._rng
        if international:
            return [(rng.choice(INTERNATIONAL_CARRIERS), PARCEL_WAREHOUSES[1], lines)]
        bulky = [line for line in lines if line[0].bulky]
        parcels = [line for line in lines if not line[0].bulky]
        shipments = [(PARCEL_CARRIER, rng.choice(PARCEL_WAREHOUSES), parcels)] if parcels else []
        return shipments + ([(BULKY_CARRIER, BULKY_WAREHOUSE, bulky)] if bulky else [])

    def _install(self, s: Script, delivered: datetime) -> None:
        """The customer books installation after delivery; a technician comes the next day."""
        booked = delivered + s.minutes(60, 240)
        s.erp(Layer.SERVICE, ServiceMilestone.INSTALLATION_BOOKED, booked)
        day = local_date(booked, MERCHANT_OFFSET) + timedelta(days=1)
        en_route = at_local(day, MERCHANT_OFFSET, self._rng.uniform(8.5, 13))
        s.erp(Layer.SERVICE, ServiceMilestone.TECHNICIAN_EN_ROUTE, en_route)
        on_site = en_route + s.minutes(30, 90)
        s.erp(Layer.SERVICE, ServiceMilestone.TECHNICIAN_ON_SITE, on_site)
        s.erp(Layer.SERVICE, ServiceMilestone.COMMISSIONED, on_site + s.minutes(45, 120))
