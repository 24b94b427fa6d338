"""Released steps -> what each system sends, in the order it would send it.

Besides routing each step to its system's encoder, this is where systems touch each other:
a captured payment is booked on the Sales Order (its next save shows it), a held order comes
off hold when the warehouse starts on it, the service desk's contact correction reaches the
ERP's contact. It also withholds the two ShipHero webhooks that carry no time (Packed Out,
Canceled: the gateway dates them on receipt) once a later step of the same order has happened
too: dated "now", they would land after that step and read as going backwards.

Every personal value put into a payload (or into the fake UPS's records) is noted in `people`,
so a test can look for each of them at rest.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

from gateway.demo.native.delivery import CLOUDEVENTS_BATCH, Delivery
from gateway.demo.native.easypost import REFRESH, EasyPostFeed
from gateway.demo.native.erpnext import ErpNextFeed
from gateway.demo.native.shipconfirm import ShipConfirmFeed
from gateway.demo.native.shiphero import ShipHeroFeed
from gateway.demo.native.ups import UpsTracking
from gateway.demo.script import EASYPOST, ERP, INHOUSE, UPS, WMS, WMS_XML, PlannedEvent
from gateway.events import Layer, OrderMilestone, ShipmentMilestone

OM = OrderMilestone
PERSONAL_ADDRESS = ("street", "district", "postal_code")  # country, region, city stay clear


def untimed(step: PlannedEvent) -> bool:
    """ShipHero webhooks without a timestamp of their own."""
    ordered = step.layer is Layer.ORDER
    return step.system == WMS and ordered and step.milestone in (OM.PACKED, OM.CANCELLED)


class NativeFeeds:
    def __init__(
        self,
        rng: random.Random,
        ups: UpsTracking,
        *,
        batch_size: int,
        webhook_id: Callable[[], str],
    ) -> None:
        self.erp = ErpNextFeed(rng)
        self.shiphero = ShipHeroFeed(rng)
        self.shipconfirm = ShipConfirmFeed(rng)
        self.easypost = EasyPostFeed(rng)
        self.ups = ups
        self._batch_size = batch_size
        self._webhook_id = webhook_id
        self._rows: dict[str, list[dict[str, Any]]] = {}
        self.people: list[tuple[str, str]] = []  # (e.g. "contact.phone", value), as sent
        self.reported: list[PlannedEvent] = []  # the steps that went into a payload
        self.withheld = 0  # untimed webhooks not sent (see above)
        self.late = 0  # scans that reached a feed after a later scan
        self.ups_scans = 0

    def encode(self, steps: list[PlannedEvent]) -> list[Delivery]:
        """The deliveries for `steps` (released together), sorted by when they are sent."""
        later = self._superseded(steps)
        deliveries: list[Delivery] = []
        inhouse: list[PlannedEvent] = []
        refresh: dict[str, list[PlannedEvent]] = {}  # tracking number -> scans of one refresh
        for step in steps:
            if id(step) in later:
                self.withheld += 1
                continue
            self.reported.append(step)
            if step.system == INHOUSE:
                inhouse.append(step)
                self._inhouse_effects(step)
            elif step.system == EASYPOST:
                self._signer(step)
                number = str(step.native["tracking"])
                scans = refresh.setdefault(number, [])
                if scans and step.at - scans[0].at > REFRESH:
                    deliveries.append(self.easypost.update(scans))
                    scans = refresh[number] = []
                scans.append(step)
            else:
                deliveries += self._native(step)
        deliveries += [self.easypost.update(scans) for scans in refresh.values()]
        deliveries += self._batches(inhouse)
        self.late += sum(d.late for d in deliveries)
        return sorted(deliveries, key=lambda d: d.at)

    def _superseded(self, steps: list[PlannedEvent]) -> set[int]:
        last: dict[str, datetime] = {}
        for step in steps:
            if step.layer is Layer.ORDER and not untimed(step):
                last[step.order] = max(step.at, last.get(step.order, step.at))
        return {id(s) for s in steps if untimed(s) and last.get(s.order, s.at) > s.at}

    def _native(self, step: PlannedEvent) -> list[Delivery]:
        out: list[Delivery | None] = []
        if step.system == ERP:
            if step.milestone is OM.PLACED:
                self._placed(step)
            out.append(self.erp.step(step))
        elif step.system in (WMS, WMS_XML):
            if step.milestone in (OM.ALLOCATED, ShipmentMilestone.LABEL_CREATED):
                out.append(self.erp.lift_hold(step.order, step.at))
            if step.system == WMS:
                out.append(self.shiphero.step(step, self._rows[step.order]))
            else:
                out.append(self.shipconfirm.step(step, self._webhook_id()))
        elif step.system == UPS:
            self._signer(step)
            self.late += self.ups.scan(step)
            self.ups_scans += 1
        else:
            raise ValueError(f"no encoder for {step.system}")
        return [d for d in out if d is not None]

    def _inhouse_effects(self, step: PlannedEvent) -> None:
        if step.milestone is OM.PAYMENT_CAPTURED:
            self.erp.invoiced(step.order)
        contact = step.data.get("contact")
        if isinstance(contact, dict):  # the service desk corrected the phone number
            self.erp.correct_contact(step.order, {"phone": str(contact["phone"])})
            self.people.append(("contact.phone", str(contact["phone"])))

    def _batches(self, steps: list[PlannedEvent]) -> Iterable[Delivery]:
        """In-house systems batch their CloudEvents and send when a batch is full or due."""
        for start in range(0, len(steps), self._batch_size):
            chunk = steps[start : start + self._batch_size]
            body = json.dumps([s.cloudevent() for s in chunk], ensure_ascii=False).encode()
            yield Delivery(
                INHOUSE,
                chunk[-1].at,
                body,
                CLOUDEVENTS_BATCH,
                delivery_id=self._webhook_id(),
                steps=len(chunk),
            )

    def _placed(self, step: PlannedEvent) -> None:
        self._rows[step.order] = list(step.data["lines"])  # type: ignore[call-overload]
        contact, address = step.data["contact"], step.data["delivery_address"]
        assert isinstance(contact, dict) and isinstance(address, dict)
        self.people += [(f"contact.{k}", str(v)) for k, v in contact.items()]
        self.people += [(f"delivery_address.{k}", str(address[k])) for k in PERSONAL_ADDRESS]

    def _signer(self, step: PlannedEvent) -> None:
        proof = step.data.get("proof_of_delivery")
        if isinstance(proof, dict) and proof.get("signer_name"):
            self.people.append(("proof_of_delivery.signer_name", str(proof["signer_name"])))
