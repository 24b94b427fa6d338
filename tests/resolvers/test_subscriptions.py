"""orderUpdates over graphql-transport-ws: every frame authorized and masked for its viewer."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from starlette.testclient import TestClient, WebSocketTestSession
from starlette.websockets import WebSocketDisconnect

from connectors.webhooks import signature_headers
from gateway.app import create_app
from gateway.runtime import Runtime
from privacy import Role
from tests.conftest import SECRETS, Clock, cloud_event, make_settings
from tests.resolvers.pii_matrix import (
    CUSTOMER_REF,
    INSTALLER,
    MATRIX,
    ORDER,
    SUBSCRIPTION,
    job_closed,
    order_events,
)
from tests.resolvers.test_personal_data_access import CALLERS

PROTOCOL = "graphql-transport-ws"


class Live:
    """A gateway served in-thread by Starlette's TestClient, with signed ingestion."""

    def __init__(self, client: TestClient, clock: Clock) -> None:
        self.client = client
        self.clock = clock
        self.sent = 0

    @property
    def runtime(self) -> Runtime:
        runtime: Runtime = self.client.app.state.runtime  # type: ignore[attr-defined]
        return runtime

    def post(self, events: list[dict[str, Any]]) -> dict[str, Any]:
        body = json.dumps(events).encode()
        self.sent += 1
        headers = signature_headers(
            SECRETS["erp"], f"msg_ws_{self.sent}", body, int(self.clock().timestamp())
        )
        headers["content-type"] = "application/cloudevents-batch+json"
        response = self.client.post("/ingest/events", content=body, headers=headers)
        assert response.status_code == 200, response.text
        result: dict[str, Any] = response.json()
        return result

    def token(self, role: Role, subject: str, customer_ref: str | None = None) -> str:
        return self.runtime.auth.issue(
            role=role, subject=subject, customer_ref=customer_ref, now=self.clock()
        )

    @contextmanager
    def connect(self, caller: str) -> Iterator[tuple[WebSocketTestSession, str | None]]:
        role, subject, customer_ref, verification = CALLERS[caller]
        payload: dict[str, Any] = {}
        if role is not None:
            payload["authorization"] = f"Bearer {self.token(role, subject, customer_ref)}"
        with self.client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws:
            ws.send_json({"type": "connection_init", "payload": payload})
            assert ws.receive_json() == {"type": "connection_ack"}
            yield ws, verification


@pytest.fixture
def live(sqlite_url: str, tmp_path: Path, clock: Clock) -> Iterator[Live]:
    app = create_app(make_settings(sqlite_url, tmp_path), clock=clock)
    with TestClient(app) as client:
        yield Live(client, clock)


def subscribe(ws: WebSocketTestSession, verification: str | None) -> None:
    variables = {"number": ORDER, "verification": verification}
    payload = {"query": SUBSCRIPTION, "variables": variables}
    ws.send_json({"id": "1", "type": "subscribe", "payload": payload})


def next_order(ws: WebSocketTestSession) -> Any:
    message = ws.receive_json()
    assert message["type"] == "next", message
    assert "errors" not in message["payload"], message
    return message["payload"]["data"]["orderUpdates"]


def ended_with_error(ws: WebSocketTestSession) -> str:
    message = ws.receive_json()
    if message["type"] == "next":  # strawberry reports a failed source as a result
        assert message["payload"]["data"] is None
        return str(message["payload"]["errors"][0]["message"])
    assert message["type"] == "error", message
    return str(message["payload"][0]["message"])


@pytest.mark.parametrize("caller", sorted(MATRIX))
def test_every_frame_is_masked_for_its_viewer(live: Live, caller: str) -> None:
    live.post(order_events())
    with live.connect(caller) as (ws, verification):
        subscribe(ws, verification)
        if MATRIX[caller] is None:
            assert f"no order {ORDER}" in ended_with_error(ws)
            return
        assert next_order(ws) == MATRIX[caller]
        live.post([cloud_event("order.confirmed", ORDER)])
        assert next_order(ws) == MATRIX[caller]  # the second frame is masked the same way


def test_the_subscription_ends_when_access_ends(live: Live) -> None:
    live.post(order_events())
    with live.connect("installer") as (ws, _):
        subscribe(ws, None)
        assert next_order(ws)["contact"]["phone"] == "+86 138 1234 5678"
        live.post([job_closed()])
        assert "access to order" in ended_with_error(ws)


def test_erasure_reaches_live_subscribers(live: Live) -> None:
    live.post(order_events())
    with live.connect("customer") as (ws, _):
        subscribe(ws, None)
        assert next_order(ws)["contact"]["name"] == "王秀英"
        token = live.token(Role.ADMIN, "admin-1")
        erased = live.client.post(
            "/graphql",
            json={
                "query": f'mutation {{ eraseCustomer(customerRef: "{CUSTOMER_REF}") '
                "{ orderNumbers userErrors { message } } }"
            },  # fmt: skip
            headers={"authorization": f"Bearer {token}"},
        ).json()
        assert erased["data"]["eraseCustomer"]["orderNumbers"] == [ORDER]
        after = next_order(ws)
        assert after["personalDataErased"] is True
        assert after["contact"] is None and after["deliveryAddress"] is None


def test_a_bad_token_in_connection_init_is_refused(live: Live) -> None:
    with live.client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws:
        ws.send_json({"type": "connection_init", "payload": {"authorization": "Bearer forged"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403


def test_subscribing_before_connection_init_is_refused(live: Live) -> None:
    with live.client.websocket_connect("/graphql", subprotocols=[PROTOCOL]) as ws:
        subscribe(ws, None)
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4401


def test_an_installers_token_for_another_partner_sees_nothing(live: Live) -> None:
    live.post(order_events())
    with live.connect("installer_without_open_job") as (ws, _):
        subscribe(ws, None)
        assert "no order" in ended_with_error(ws)
    assert INSTALLER != CALLERS["installer_without_open_job"][1]
