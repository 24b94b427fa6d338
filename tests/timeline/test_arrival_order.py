"""Milestones are judged in occurred_at order, not arrival order: any arrival order of the
same events gives the same accepted set, timeline and projection.

Precisely: for a set of events each of which is legal in occurred_at order without help from
another one of the set (every sub-sequence is legal), every arrival order, in any batches,
accepts all of them. An event that is only legal because of another (an in_transit after
out_for_delivery, legal only with the delivery_attempted between them) is refused until that
one is in, and lands on a dead-letter replay (tests/ingest/test_deadletter_replay.py).
"""

from __future__ import annotations

import itertools
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from gateway.timeline import read_orders
from gateway.timeline.model import OrderView
from gateway.timeline.rebuild import rebuild
from tests.conftest import START, Gateway, cloud_event, placed

Story = list[tuple[str, dict[str, Any]]]
_orders = itertools.count(1)


def shipment(number: str, shipment_id: str) -> dict[str, str]:
    return {
        "id": shipment_id,
        "carrier": "sf-express",
        "tracking_number": f"SF{number}{shipment_id}",
    }


def story(number: str) -> Story:
    """One order's events from three sources, each legal in occurred_at order on its own."""

    def h(hours: float) -> datetime:
        return START + timedelta(hours=hours)

    one, two = shipment(number, "1"), shipment(number, "2")

    def scan(milestone: str, hours: float, ship: dict[str, str], **data: Any) -> dict[str, Any]:
        return cloud_event(f"shipment.{milestone}", number, id=f"{number}-{milestone}-{hours}",
                           time=h(hours), shipment=ship, **data)  # fmt: skip

    def step(type_: str, hours: float) -> dict[str, Any]:
        return cloud_event(type_, number, id=f"{number}-{type_}", time=h(hours))

    return [
        ("erp", placed(number, id=f"{number}-placed", time=h(0))),
        ("erp", step("order.payment_captured", 0)),  # the same instant: ERPs stamp by the second
        ("wms", step("order.packed", 2)),
        ("wms", scan("label_created", 3, one, edd={"date": "2026-11-23", "kind": "scheduled"})),
        ("wms", scan("label_created", 4, two)),
        ("courier", scan("picked_up", 5, one)),
        ("erp", step("order.shipped", 5.5)),
        ("courier", scan("picked_up", 4, two)),  # collected as its label was printed
        ("courier", scan("in_transit", 8, one, location={"city": "Wuhan", "country": "CN"})),
        ("courier", scan("in_transit", 14, one, location={"city": "Hefei", "country": "CN"})),
        ("courier", scan("exception", 15, one, reason="weather_delay")),
        ("courier", scan("in_transit", 20, one, location={"city": "Nanjing", "country": "CN"})),
        ("courier", scan("out_for_delivery", 26, one)),
        ("courier", scan("delivery_attempted", 28, one, reason="consignee_not_home")),
        ("courier", scan("delivered", 40, two)),
        (
            "courier",
            scan("out_for_delivery", 48, one, edd={"date": "2026-11-22", "kind": "rescheduled"}),
        ),  # fmt: skip
        ("courier", scan("delivered", 50, one, reason="delivered_to_recipient")),
    ]


async def deliver(gw: Gateway, steps: Story, cuts: set[int]) -> list[str]:
    """Post the steps in this order, split into batches at `cuts` (one source per batch)."""
    statuses: list[str] = []
    batch: Story = []
    for index, item in enumerate(steps):
        if batch and (index in cuts or batch[-1][0] != item[0]):
            statuses += await post(gw, batch)
            batch = []
        batch.append(item)
    return statuses + await post(gw, batch)


async def post(gw: Gateway, batch: Story) -> list[str]:
    answer = await gw.post_events(batch[0][0], [event for _, event in batch])
    assert answer.status_code in (200, 207, 422), answer.text
    return [result["status"] for result in answer.json()["results"]]


TIMELINE = """query($n: String!) { order(number: $n) { status
  shipments { id status statusReason carrierEstimate { date } lastEventAt }
  timeline { edges { node { milestone layer occurredAt source shipmentId reason title } } } } }"""


async def observed(gw: Gateway, number: str) -> tuple[Any, OrderView]:
    """What a viewer sees and the stored projection, with the order number taken out."""
    answer = (await gw.graphql(TIMELINE, {"n": number}))["data"]["order"]
    # Listed by occurredAt; events of one instant are listed by arrival (seq), so those are
    # put in a fixed order to compare.
    nodes = [edge["node"] for edge in answer["timeline"]["edges"]]
    assert [n["occurredAt"] for n in nodes] == sorted(n["occurredAt"] for n in nodes)
    answer["timeline"] = sorted(nodes, key=lambda n: (n["occurredAt"], str(sorted(n.items()))))
    async with gw.runtime.engine.connect() as conn:
        view = (await read_orders(conn, [number]))[number]
    shipments = tuple(replace(s, order_number="-", tracking_number="-") for s in view.shipments)
    return answer, replace(view, number="-", shipments=shipments)


@settings(
    max_examples=12,
    derandomize=True,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(data=st.data())
async def test_any_arrival_order_gives_the_same_timeline_and_projection(
    sqlite_gateway: Gateway, data: st.DataObject
) -> None:
    gw = sqlite_gateway
    reference = f"SO-{next(_orders):06d}"
    assert set(await deliver(gw, story(reference), set())) == {"accepted"}
    expected = await observed(gw, reference)

    number = f"SO-{next(_orders):06d}"
    steps = story(number)
    arrival = data.draw(st.permutations(steps), label="arrival")
    cuts = data.draw(st.sets(st.integers(1, len(steps) - 1), max_size=5), label="batch cuts")
    assert set(await deliver(gw, arrival, cuts)) == {"accepted"}
    timeline, projection = await observed(gw, number)
    assert timeline == expected[0]
    assert projection == expected[1]
    assert expected[0]["status"] == "DELIVERED"
    assert len(expected[0]["timeline"]) == len(steps)

    report = await rebuild(gw.runtime.engine)
    assert report.identical, report.differences + report.chain_problems


def hand_off(order: str, hours: float) -> dict[str, Any]:
    return cloud_event("shipment.picked_up", order, time=START + timedelta(hours=hours),
                       shipment=shipment(order, "1"))  # fmt: skip


def delivery(order: str, hours: float) -> dict[str, Any]:
    return cloud_event("shipment.delivered", order, time=START + timedelta(hours=hours),
                       shipment=shipment(order, "1"))  # fmt: skip


async def test_a_hand_off_dated_after_the_delivery_is_refused_in_either_arrival_order(
    gateway: Gateway,
) -> None:
    late_hand_off = "illegal transition for shipment 1: milestone would move backwards from "
    late_hand_off += "delivered to picked_up without an exception or return"
    for number, first, second in (
        ("SO-000901", delivery("SO-000901", 2), hand_off("SO-000901", 5)),
        ("SO-000902", hand_off("SO-000902", 5), delivery("SO-000902", 2)),
    ):
        assert (await gateway.post_events("courier", [first])).json()["accepted"] == 1
        answer = (await gateway.post_events("courier", [second])).json()
        assert answer["rejected"] == 1, number
        [error] = answer["results"][0]["errors"]
        if second["type"].endswith("picked_up"):
            assert error == late_hand_off
        else:
            assert error == (
                "illegal transition for shipment 1: delivered at 2026-11-20T10:00:00Z would come "
                "before picked_up at 2026-11-20T13:00:00Z, already logged: milestone would move "
                "backwards from delivered to picked_up without an exception or return"
            )


async def test_a_late_scan_dated_before_the_delivery_slots_in_whichever_arrives_first(
    gateway: Gateway,
) -> None:
    for number, events in (
        ("SO-000903", [hand_off("SO-000903", 2), delivery("SO-000903", 5)]),
        ("SO-000904", [delivery("SO-000904", 5), hand_off("SO-000904", 2)]),
    ):
        for event in events:
            assert (await gateway.post_events("courier", [event])).json()["accepted"] == 1
        timeline, view = await observed(gateway, number)
        assert [n["milestone"] for n in timeline["timeline"]] == ["picked_up", "delivered"]
        assert [s.status for s in view.shipments] == ["delivered"]


async def test_a_late_cancellation_cannot_undo_a_logged_delivery(gateway: Gateway) -> None:
    number = "SO-000905"
    ship = shipment(number, "1")
    label = cloud_event("shipment.label_created", number, time=START, shipment=ship)
    assert (await gateway.post_events("wms", [label, delivery(number, 30)])).json()["accepted"] == 2
    cancel = cloud_event("shipment.cancelled", number, time=START + timedelta(hours=1),
                         shipment=ship)  # fmt: skip
    answer = (await gateway.post_events("wms", [cancel])).json()
    assert answer["results"][0]["errors"] == [
        "illegal transition for shipment 1: cancelled at 2026-11-20T09:00:00Z would come before "
        "delivered at 2026-11-21T14:00:00Z, already logged: cancelled is final; delivered "
        "cannot follow it"
    ]
    _, view = await observed(gateway, number)
    assert [s.status for s in view.shipments] == ["delivered"]
