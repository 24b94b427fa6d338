"""A request id on every response and on every log line written while handling it."""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from starlette.datastructures import Headers
from starlette.testclient import TestClient

from gateway.app import create_app
from gateway.request_id import MAX_LENGTH, choose_request_id
from tests.conftest import Clock, Gateway, make_settings

GENERATED = re.compile(r"[0-9a-f]{32}")
TRACE_ID = "4bf92f3577b34da6a3ce929d0e0e4736"


def chosen(**headers: str) -> str:
    return choose_request_id(Headers(headers={k.replace("_", "-"): v for k, v in headers.items()}))


def test_a_plain_incoming_id_is_kept() -> None:
    assert chosen(x_request_id="req-2026.11/abc:7") == "req-2026.11/abc:7"


@pytest.mark.parametrize(
    "bad",
    ["x" * (MAX_LENGTH + 1), "has spaces", "<script>", "line\nbreak", "", "ünïcode"],
)
def test_an_unsafe_incoming_id_is_replaced(bad: str) -> None:
    assert GENERATED.fullmatch(chosen(x_request_id=bad))


def test_the_trace_id_of_a_traceparent_is_used() -> None:
    assert chosen(traceparent=f"00-{TRACE_ID}-00f067aa0ba902b7-01") == TRACE_ID
    # An invalid traceparent (all-zero trace id, wrong shape) is ignored.
    assert GENERATED.fullmatch(chosen(traceparent=f"00-{'0' * 32}-00f067aa0ba902b7-01"))
    assert GENERATED.fullmatch(chosen(traceparent="garbage"))
    # X-Request-ID wins over traceparent.
    both = chosen(x_request_id="mine", traceparent=f"00-{TRACE_ID}-00f067aa0ba902b7-01")
    assert both == "mine"


async def test_every_response_carries_the_request_id(sqlite_gateway: Gateway) -> None:
    gw = sqlite_gateway
    given = {"x-request-id": "probe-1"}
    answers = [
        await gw.client.get("/livez", headers=given),
        await gw.client.get("/no/such/page", headers=given),  # 404
        await gw.client.post(
            "/graphql",
            json={"query": "{ log { size } }"},
            headers={**given, "authorization": "Bearer forged"},
        ),  # fmt: skip
        await gw.client.post(
            "/ingest/events",
            content=b"x" * (gw.runtime.settings.max_body_bytes + 1),
            headers=given,
        ),
    ]
    assert [a.status_code for a in answers] == [200, 404, 401, 413]
    assert {a.headers["x-request-id"] for a in answers} == {"probe-1"}
    first, second = (
        (await gw.client.get("/livez")).headers["x-request-id"],
        (await gw.client.get("/livez")).headers["x-request-id"],
    )
    assert GENERATED.fullmatch(first) and GENERATED.fullmatch(second) and first != second


async def test_log_lines_during_a_request_carry_its_id(
    sqlite_gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    response = await sqlite_gateway.client.post(
        "/ingest/events",
        content=b"[]",
        headers={"content-type": "application/json", "x-request-id": "ingest-77"},
    )
    assert response.status_code == 401
    [refused] = [r for r in caplog.records if r.getMessage().startswith("ingest refused")]
    assert refused.request_id == "ingest-77"  # type: ignore[attr-defined]
    caplog.clear()
    logging.getLogger("outside").warning("no request here")
    assert caplog.records[0].request_id == "-"  # type: ignore[attr-defined]


async def test_a_500_carries_the_id_and_is_logged_once_with_it(
    sqlite_gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    sqlite_gateway.runtime.signer = None  # type: ignore[assignment]  # log-key now raises
    response = await sqlite_gateway.client.get(
        "/.well-known/orderlens/log-key", headers={"x-request-id": "crash-1"}
    )
    assert response.status_code == 500
    assert response.headers["x-request-id"] == "crash-1"
    [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert error.request_id == "crash-1"  # type: ignore[attr-defined]
    assert error.exc_info is not None and error.exc_info[0] is AttributeError
    assert "/.well-known/orderlens/log-key" in error.getMessage()


@pytest.fixture
def client(sqlite_url: str, tmp_path: Path, clock: Clock) -> Iterator[TestClient]:
    with TestClient(create_app(make_settings(sqlite_url, tmp_path), clock=clock)) as client:
        yield client


def test_a_websocket_accept_carries_the_request_id(client: TestClient) -> None:
    with client.websocket_connect(
        "/graphql", subprotocols=["graphql-transport-ws"], headers={"x-request-id": "ws-9"}
    ) as ws:
        ws.send_json({"type": "connection_init", "payload": {}})
        assert ws.receive_json() == {"type": "connection_ack"}
        assert ws.extra_headers is not None
        assert (b"x-request-id", b"ws-9") in ws.extra_headers
