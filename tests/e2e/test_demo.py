"""`orderlens demo` as a user starts it: GraphiQL, queries and live frames from the real process."""

from __future__ import annotations

from pathlib import Path

import httpx

from tests.e2e.demo import Demo, running_demo
from tests.e2e.live import subscribe

SUBSCRIPTION = """subscription ($number: String!) {
  orderUpdates(number: $number) { number status timeline(first: 500) { totalCount } }
}"""
REVEAL = """mutation ($number: String!) {
  revealCustomerContact(orderNumber: $number, purpose: CUSTOMER_REQUEST, ticket: "CS-1") {
    auditEventId
  }
}"""


async def assert_live_frame_after_a_change(demo: Demo) -> None:
    """An admin's subscription to the example order gets a frame once an agent's audited
    reveal appends to that order's timeline."""
    assert demo.example_order is not None
    variables = {"number": demo.example_order}
    async with subscribe(demo.running.ws_url, SUBSCRIPTION, variables, demo.admin) as live:
        first = (await live.next())["data"]["orderUpdates"]
        assert first["number"] == demo.example_order
        revealed = demo.graphql(REVEAL, variables, demo.agent)
        assert "errors" not in revealed, revealed
        # The simulator may move this order too; the reveal's audit event is in the frame
        # that follows it, at the latest.
        while True:
            frame = (await live.next())["data"]["orderUpdates"]
            if frame["timeline"]["totalCount"] > first["timeline"]["totalCount"]:
                break


def assert_graphiql_and_graphql_answer(demo: Demo) -> None:
    page = httpx.get(demo.running.base_url + "/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()
    answer = demo.graphql("{ log { origin checkpoint { treeSize } } }")
    assert answer["data"]["log"]["origin"] == "orderlens.local/timeline/v1"


async def test_demo_with_simulator_serves_and_streams(tmp_path: Path) -> None:
    with running_demo(tmp_path, "--orders", "3") as demo:
        assert "simulator: SimulatorStats(orders=3," in demo.running.stdout()
        assert "NOT FOR PRODUCTION: dev keys in" in demo.running.stdout()
        assert_graphiql_and_graphql_answer(demo)
        assert demo.example_order is not None
        order = demo.graphql(
            "query ($n: String!) { order(number: $n) { number status } }",
            {"n": demo.example_order},
            demo.agent,
        )
        assert order["data"]["order"]["number"] == demo.example_order
        await assert_live_frame_after_a_change(demo)


async def test_demo_without_simulator_on_an_earlier_demos_data(tmp_path: Path) -> None:
    with running_demo(tmp_path, "--orders", "2"):
        pass  # fills ./orderlens.db and ./.orderlens as a first `make demo` would
    with running_demo(tmp_path, "--no-simulator") as demo:
        assert "simulator:" not in demo.running.stdout()
        assert_graphiql_and_graphql_answer(demo)
        await assert_live_frame_after_a_change(demo)
