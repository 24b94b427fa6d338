"""`orderlens serve` as a real process, every secret configured: HTTP queries, live frames."""

from __future__ import annotations

import asyncio
import base64
import json
import secrets
import time
from collections.abc import AsyncIterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from websockets.asyncio.client import connect
from websockets.exceptions import ConnectionClosed

from connectors.webhooks import signature_headers
from gateway.auth import Authenticator
from gateway.events import WebhookSecret
from privacy import Role
from tests.conftest import POSTGRES_URL, require_server, reset_postgres
from tests.e2e.live import PROTOCOL, subscribe
from tests.e2e.process import Running, free_port, serving

SUBSCRIPTION = """subscription ($number: String!) {
  orderUpdates(number: $number) {
    number status timeline(first: 10) { totalCount edges { node { milestone title } } }
  }
}"""


class Serve:
    """A running `orderlens serve` and what a sender and a caller need to talk to it."""

    def __init__(self, running: Running, auth_secret: bytes, erp: WebhookSecret) -> None:
        self.running = running
        self.auth = Authenticator(auth_secret)
        self.erp = erp
        self.sent = 0

    def token(self, role: Role = Role.AGENT) -> str:
        return self.auth.issue(role=role, subject="e2e")

    def ingest(self, *events: dict[str, Any]) -> dict[str, Any]:
        body = json.dumps(list(events)).encode()
        self.sent += 1
        now = int(datetime.now(UTC).timestamp())
        headers = signature_headers(self.erp, f"msg_e2e_{self.sent}", body, now)
        headers["content-type"] = "application/cloudevents-batch+json"
        response = httpx.post(
            self.running.base_url + "/ingest/events", content=body, headers=headers, timeout=10
        )
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer

    def graphql(self, query: str, variables: dict[str, Any] | None = None) -> dict[str, Any]:
        response = httpx.post(
            self.running.base_url + "/graphql",
            json={"query": query, "variables": variables or {}},
            headers={"authorization": f"Bearer {self.token()}"},
            timeout=10,
        )
        assert response.status_code == 200, response.text
        answer: dict[str, Any] = response.json()
        return answer


def production_env(
    tmp_path: Path, database_url: str
) -> tuple[dict[str, str], bytes, WebhookSecret]:
    """Every secret `serve` reads, configured explicitly (no dev key anywhere)."""
    key = Ed25519PrivateKey.generate().private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    key_file = tmp_path / "log-signing-key.pem"
    key_file.write_bytes(key)
    auth_secret = secrets.token_bytes(32)
    erp = WebhookSecret.generate()
    env = {
        "ORDERLENS_DATABASE_URL": database_url,
        "ORDERLENS_DATA_DIR": str(tmp_path / "data"),
        "ORDERLENS_AUTH_SECRET": base64.b64encode(auth_secret).decode(),
        "ORDERLENS_SIGNING_KEY_FILE": str(key_file),
        "ORDERLENS_MASTER_KEYS": "1:" + base64.b64encode(secrets.token_bytes(32)).decode(),
        "ORDERLENS_INGEST_SECRETS": f"erp={erp.encoded}",
        "ORDERLENS_AUTO_MIGRATE": "true",
    }
    return env, auth_secret, erp


@pytest.fixture(params=["sqlite", "postgres"])
async def serve(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[Serve]:
    if request.param == "sqlite":
        database_url = f"sqlite+aiosqlite:///{tmp_path / 'orderlens.db'}"
    else:
        require_server("PostgreSQL", "127.0.0.1", 5432)
        await reset_postgres()
        database_url = POSTGRES_URL
    env, auth_secret, erp = production_env(tmp_path, database_url)
    port = free_port()
    args = ["serve", "--host", "127.0.0.1", "--port", str(port)]
    with serving(args, tmp_path / "run", env, port=port) as running:
        yield Serve(running, auth_secret, erp)


def event(type_: str, order: str, at: datetime, **data: Any) -> dict[str, Any]:
    return {
        "specversion": "1.0",
        "id": f"{order}-{type_}",
        "source": "urn:e2e",
        "type": f"io.orderlens.{type_}",
        "subject": order,
        "time": at.isoformat(),
        "data": data,
    }


def placed(order: str, at: datetime) -> dict[str, Any]:
    line = {"line_id": "1", "sku": "WM-8KG", "description": "Washing machine", "quantity": 1}
    return event("order.placed", order, at, customer_ref="CUST-E2E", lines=[line])


async def test_plain_http_query(serve: Serve) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    serve.ingest(placed("SO-E2E-1", now - timedelta(minutes=5)))
    answer = serve.graphql(
        'query { order(number: "SO-E2E-1") { number status timeline(first: 5) { totalCount } } '
        "log { checkpoint { treeSize } } }"
    )
    assert answer == {
        "data": {
            "order": {"number": "SO-E2E-1", "status": "PLACED", "timeline": {"totalCount": 1}},
            "log": {"checkpoint": {"treeSize": 1}},
        }
    }


async def test_websocket_subscription_receives_the_ingested_event(serve: Serve) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    serve.ingest(placed("SO-E2E-2", now - timedelta(minutes=5)))
    variables = {"number": "SO-E2E-2"}
    async with subscribe(serve.running.ws_url, SUBSCRIPTION, variables, serve.token()) as live:
        first = await live.next()
        assert first["data"]["orderUpdates"]["status"] == "PLACED"
        serve.ingest(event("order.payment_captured", "SO-E2E-2", now - timedelta(minutes=1)))
        frame = (await live.next())["data"]["orderUpdates"]
    assert frame["status"] == "PAYMENT_CAPTURED"
    milestones = [edge["node"]["milestone"] for edge in frame["timeline"]["edges"]]
    assert milestones == ["placed", "payment_captured"]
    assert frame["timeline"]["totalCount"] == 2


async def test_protocol_refusals_and_a_silent_socket(serve: Serve) -> None:
    # Issue 10: 405 for an operation over GET and 415 for a body that is not JSON (both 400
    # before), and a socket that never sends connection_init is closed within 10 s (was 60).
    url = serve.running.base_url + "/graphql"
    mutation = 'mutation { eraseCustomer(customerRef: "C-1") { erasedOrders } }'
    async with httpx.AsyncClient(timeout=10) as client:
        over_get = await client.get(url, params={"query": mutation})
        wrong = {
            media: await client.post(
                url, content=b'{"query": "{ __typename }"}', headers={"content-type": media}
            )
            for media in ("text/plain", "application/x-www-form-urlencoded", "multipart/form-data")
        }
    assert over_get.status_code == 405 and over_get.headers["allow"] == "POST"
    assert over_get.json() == {"errors": [{"message": "GraphQL operations are sent with POST"}]}
    for media, response in wrong.items():
        assert response.status_code == 415, media
        assert response.json() == {
            "errors": [{"message": "send the operation as application/json"}]
        }

    started = time.monotonic()
    async with connect(serve.running.ws_url, subprotocols=[PROTOCOL]) as ws:
        with pytest.raises(ConnectionClosed) as closed:
            async with asyncio.timeout(15):
                await ws.recv()
    assert closed.value.rcvd is not None and closed.value.rcvd.code == 4408
    assert time.monotonic() - started < 12
