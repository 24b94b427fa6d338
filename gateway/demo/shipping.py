"""One shipment's life after pack-out: the warehouse's label, then the carrier's scans.

Incidents are planned here: carrier estimate slips, exceptions with recovery, failed delivery
attempts, and scans a carrier uploads late. Each incident pushes the rest of the route back, so
the scans stay in time order; a late scan keeps its time but reaches the feed two scans later.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Final

from gateway.demo.catalog import (
    BULKY_CARRIER,
    EXPORT_GATEWAYS,
    NATIONAL_HUBS,
    Carrier,
    Place,
    Product,
)
from gateway.demo.people import Customer, proof_of_delivery
from gateway.demo.script import EASYPOST, UPS, WMS, WMS_XML, Script, at_local
from gateway.events import Layer, OrderMilestone, Reason, ShipmentMilestone, Visibility

DELAY_REASONS: Final = (
    Reason.WEATHER_DELAY,
    Reason.CARRIER_DAMAGED_PARCEL,
    Reason.CARRIER_SORTING_ERROR,
    Reason.CARRIER_VEHICLE_ISSUE,
    Reason.CARRIER_CAPACITY,
)
DELIVERED_REASONS: Final = (
    Reason.DELIVERED_TO_RECIPIENT,
    Reason.DELIVERED_SAFE_PLACE,
    Reason.DELIVERED_SIGNED,
)
WINDOWS: Final[tuple[tuple[str, str], ...]] = (
    ("09:00", "12:00"),
    ("12:00", "15:00"),
    ("14:00", "18:00"),
)

LATE_RATE: Final = 0.04  # scans the carrier's handheld uploads after the next one

Line = tuple[Product, dict[str, object]]  # a product and its Sales Order row
Stop = tuple[str, Reason, Place, dict[str, object]]  # scan kind, reason, where, location


@dataclass(frozen=True, slots=True)
class Shipment:
    carrier: Carrier
    origin: Place
    dest: Place
    lines: list[Line]
    promised: date
    traits: frozenset[str]  # incidents the simulator wants to be sure to show
    recipient: Customer
    index: int  # this shipment's position among the order's shipments (1-based)
    count: int  # how many shipments the order has


@dataclass(frozen=True, slots=True)
class _Courier:
    """Writes one shipment's carrier scans, in the local time of where each happened."""

    script: Script
    carrier: Carrier
    ship: dict[str, object]
    key: str
    native: dict[str, object]

    def scan(
        self,
        milestone: ShipmentMilestone,
        at: datetime,
        kind: str,
        where: Place,
        location: dict[str, object],
        reason: Reason | None = None,
        edd: dict[str, object] | None = None,
        proof: dict[str, object] | None = None,
    ) -> None:
        data: dict[str, object] = {"visibility": Visibility.PUBLIC.value}
        data |= {"shipment": self.ship, "location": location}
        if reason is not None:
            data["reason"] = reason.value
        if edd is not None:
            data["edd"] = edd
        if proof:  # personal data, sealed by the gateway: delivered scans only
            data["proof_of_delivery"] = proof
        feed = UPS if self.carrier.pulled else EASYPOST
        native = self.native | {"scan": kind, "place": where, "location": location}
        self.script.emit(
            feed,
            Layer.SHIPMENT,
            milestone,
            at,
            data,
            utc_offset=where.utc_offset,
            shipment=self.key,
            native=native,
        )


def _edd(day: date, kind: str, window: tuple[str, str] | None = None) -> dict[str, object]:
    edd: dict[str, object] = {"date": day.isoformat()}
    if window is not None:
        edd |= {"window_start": window[0], "window_end": window[1]}
    return edd | {"kind": kind}


def ship(s: Script, plan: Shipment, labelled: datetime) -> datetime:
    """Label, then the carrier's scans up to delivery; returns when it was delivered."""
    rng, carrier, origin, dest = s.rng, plan.carrier, plan.origin, plan.dest
    key = f"{s.order}/{plan.index}"
    tracking = carrier.tracking_number(rng)
    weight = _weight(rng, plan.lines)
    # ShipHero numbers packages across the order ("Package #2") and names the gateway's
    # shipment <shipment_id>-<package>; the 3PL confirms one package per 945: <ShipmentId>-1.
    system = WMS_XML if carrier.pulled else WMS
    ref = f"SZX3PL-{rng.randrange(10**7):07d}" if carrier.pulled else str(rng.randrange(10**9))
    details: dict[str, object] = {
        "id": f"{ref}-{1 if carrier.pulled else plan.index}",
        "carrier": carrier.slug,
        "tracking_number": tracking,
        "service_level": carrier.service_level,
    }
    native: dict[str, object] = {
        "shipment_ref": ref,
        "package": plan.index,
        "packages": plan.count,
        "warehouse": origin,
        "rows": [row for _, row in plan.lines],
        "weight_grams": weight,
        "carrier": carrier,
        "tracking": tracking,
        "recipient": plan.recipient,
    }
    # One WMS message says both: the order (partly) shipped, and this package has a label.
    last = plan.index == plan.count
    shipped = OrderMilestone.SHIPPED if last else OrderMilestone.PARTIALLY_SHIPPED
    s.emit(system, Layer.ORDER, shipped, labelled, {"visibility": "customer"}, native=native)
    label: dict[str, object] = {"visibility": Visibility.PUBLIC.value, "shipment": details}
    label["packages"] = [{"tracking_number": tracking, "weight_grams": weight}]
    label_created = ShipmentMilestone.LABEL_CREATED
    s.emit(system, Layer.SHIPMENT, label_created, labelled, label, shipment=key, native=native)
    first = len(s.events)
    c = _Courier(s, carrier, details, key, native)
    # Pickup is the evening collection run: today if labelled before the 16:00 cut-off.
    local = labelled + timedelta(hours=origin.utc_offset)
    day = local.date() + timedelta(days=0 if local.hour < 16 else 1)
    picked_up = at_local(day, origin.utc_offset, rng.uniform(17, 19.5))
    if not dest.domestic:
        transit = rng.randint(3, 5)
    elif dest.city == origin.city:
        transit = 1
    else:
        transit = rng.randint(1, 3) + (1 if carrier is BULKY_CARRIER else 0)
    edd = day + timedelta(days=transit)
    c.scan(
        ShipmentMilestone.PICKED_UP,
        picked_up,
        "picked_up",
        origin,
        origin.area(),
        edd=_edd(edd, "scheduled"),
    )
    route = _route(rng, carrier, origin, dest)
    # Scans are spread between pickup and 07:00 on the delivery day; the van leaves later.
    slot = (at_local(edd, dest.utc_offset, 7.0) - picked_up) / (len(route) + 1)
    # rng.random() comes first so forcing an incident does not change the draws that follow.
    slipping = rng.random() < 0.12 or "slip" in plan.traits
    slip_at = rng.randrange(len(route)) if slipping else -1
    in_trouble = rng.random() < 0.05 or "exception" in plan.traits
    trouble_at = rng.randrange(len(route)) if in_trouble else -1
    shift = timedelta(0)
    for n, (kind, reason, where, location) in enumerate(route):
        at = picked_up + slot * (n + 1 + rng.uniform(-0.3, 0.3)) + shift
        c.scan(ShipmentMilestone.IN_TRANSIT, at, kind, where, location, reason)
        # Each incident pushes the rest of the route (and the estimate) back by whole days.
        if n == trouble_at:
            problem = Reason.CUSTOMS_DELAY if kind == "customs" else rng.choice(DELAY_REASONS)
            at += s.minutes(60, 240)
            c.scan(ShipmentMilestone.EXCEPTION, at, "exception", where, location, problem)
            days = rng.randint(1, 2)
            shift, edd = shift + timedelta(days=days), edd + timedelta(days=days)
            at += timedelta(hours=rng.uniform(6, 20))
            customs = kind == "customs"
            again = Reason.CUSTOMS_RELEASED if customs else Reason.DEPARTED_FACILITY
            resumed = "customs_released" if customs else "departed"
            revised = _edd(edd, "rescheduled")
            c.scan(ShipmentMilestone.IN_TRANSIT, at, resumed, where, location, again, revised)
        if n == slip_at:
            # The carrier revises its estimate, past what the merchant promised.
            days = max(rng.randint(1, 2), (plan.promised - edd).days + 1)
            shift, edd = shift + timedelta(days=days), edd + timedelta(days=days)
            at += s.minutes(20, 90)
            why, revised = Reason.DELIVERY_RESCHEDULED, _edd(edd, "rescheduled")
            c.scan(ShipmentMilestone.IN_TRANSIT, at, "rescheduled", where, location, why, revised)
    station = dest.hub("Delivery Station", 2)
    kind = "window"
    for attempt in (1, 2):
        window = rng.choice(WINDOWS)
        out = at_local(edd, dest.utc_offset, rng.uniform(7.5, 8.75))
        c.scan(
            ShipmentMilestone.OUT_FOR_DELIVERY,
            out,
            "out_for_delivery",
            dest,
            station,
            edd=_edd(edd, kind, window),
        )
        arrived = at_local(
            edd, dest.utc_offset, rng.uniform(int(window[0][:2]), int(window[1][:2]))
        )
        missed = rng.random() < 0.1 or "attempt" in plan.traits
        if attempt == 1 and missed:  # nobody home: the van comes back tomorrow
            why = Reason.CONSIGNEE_NOT_HOME
            c.scan(
                ShipmentMilestone.DELIVERY_ATTEMPTED,
                arrived,
                "attempted",
                dest,
                dest.area(),
                why,
            )
            edd, kind = edd + timedelta(days=1), "rescheduled"
            continue
        how = Reason.DELIVERED_SIGNED if carrier is BULKY_CARRIER else rng.choice(DELIVERED_REASONS)
        proof = proof_of_delivery(rng, plan.recipient, how is Reason.DELIVERED_SAFE_PLACE)
        area = dest.area()
        c.scan(ShipmentMilestone.DELIVERED, arrived, "delivered", dest, area, how, proof=proof)
        _late_scans(s, first, "late" in plan.traits)
        return arrived
    raise AssertionError("unreachable: the second attempt always delivers")


def _route(rng: random.Random, carrier: Carrier, origin: Place, dest: Place) -> list[Stop]:
    arrived, departed = Reason.ARRIVED_AT_FACILITY, Reason.DEPARTED_FACILITY
    if dest.domestic:
        stops = [origin]
        if dest.city != origin.city:
            if rng.random() < 0.5:  # long hauls go through a national hub
                stops.append(rng.choice(NATIONAL_HUBS))
            stops.append(dest)
        route: list[Stop] = []
        for stop in stops:
            hub = stop.hub(carrier.facility)
            route += [("arrived", arrived, stop, hub), ("departed", departed, stop, hub)]
        return [*route, ("arrived", arrived, dest, dest.hub("Delivery Station", 2))]
    out_hub, gateway = origin.hub(carrier.facility), EXPORT_GATEWAYS[carrier.name]
    export, entry = gateway.hub("Gateway"), dest.hub("Gateway")
    return [
        ("arrived", arrived, origin, out_hub),
        ("departed", departed, origin, out_hub),
        ("arrived", arrived, gateway, export),
        ("departed", departed, gateway, export),
        ("dest_country", Reason.ARRIVED_AT_DESTINATION_COUNTRY, dest, entry),
        ("customs", Reason.CUSTOMS_PROCESSING, dest, entry),
        ("customs_released", Reason.CUSTOMS_RELEASED, dest, entry),
        ("departed", departed, dest, entry),
        ("arrived", arrived, dest, dest.hub("Delivery Station", 2)),
    ]


def _weight(rng: random.Random, lines: list[Line]) -> int:
    """One package per shipment: an appliance in its crate, or the small items in one box."""
    grams = sum(p.weight_grams * int(str(row["quantity"])) for p, row in lines)
    return grams + (0 if any(p.bulky for p, _ in lines) else rng.randint(150, 600))


def _late_scans(s: Script, first: int, forced: bool) -> None:
    """Mark a few of this shipment's scans as uploaded late: each reaches the feed with the
    scan after next, so it always arrives while the parcel is still on its way."""
    scans = [i for i in range(first, len(s.events)) if s.events[i].layer is Layer.SHIPMENT]
    candidates = scans[:-2]
    late = [i for i in candidates if s.rng.random() < LATE_RATE]
    if forced and candidates and not late:
        late = [candidates[len(candidates) // 2]]
    for i in late:
        event = s.events[i]
        s.events[i] = replace(event, native=event.native | {"late": True})
