"""GraphQL over HTTP behaviour and the hardening limits."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path

import pytest

from privacy import Role
from tests.conftest import Clock, Gateway, make_settings, placed, running_gateway

GRAPHQL_RESPONSE = "application/graphql-response+json"


@pytest.fixture
async def public_gateway(sqlite_url: str, tmp_path: Path, clock: Clock) -> AsyncIterator[Gateway]:
    """As `orderlens serve` runs by default: no GraphiQL, no introspection."""
    async with running_gateway(make_settings(sqlite_url, tmp_path, graphiql=False), clock) as gw:
        yield gw


async def post(gw: Gateway, query: str, accept: str) -> tuple[int, str, dict[str, object]]:
    token = gw.token(Role.AGENT)
    headers = {"accept": accept, "authorization": f"Bearer {token}"}
    response = await gw.client.post("/graphql", json={"query": query}, headers=headers)
    return response.status_code, response.headers["content-type"], response.json()


async def test_graphql_response_media_type_and_status_codes(sqlite_gateway: Gateway) -> None:
    await sqlite_gateway.post_events("erp", [placed()])
    ok = await post(sqlite_gateway, '{ order(number: "SO-000001") { number } }', GRAPHQL_RESPONSE)
    assert ok[0] == 200 and ok[1].startswith(GRAPHQL_RESPONSE)
    assert ok[2] == {"data": {"order": {"number": "SO-000001"}}}
    syntax = await post(sqlite_gateway, "{ order(number: ", GRAPHQL_RESPONSE)
    assert syntax[0] == 400 and "errors" in syntax[2]
    unknown_field = await post(sqlite_gateway, "{ nope }", GRAPHQL_RESPONSE)
    assert unknown_field[0] == 400
    legacy = await post(sqlite_gateway, "{ nope }", "application/json")
    assert legacy[0] == 200 and legacy[1].startswith("application/json")


async def test_unacceptable_accept_header_is_406(sqlite_gateway: Gateway) -> None:
    status, _, body = await post(sqlite_gateway, "{ __typename }", "text/csv")
    assert status == 406
    assert "text/csv" in str(body)


async def test_depth_alias_and_token_limits(sqlite_gateway: Gateway) -> None:
    aliases = "{ " + " ".join(f"a{i}: __typename" for i in range(16)) + " }"
    answer = await sqlite_gateway.graphql(aliases)
    assert "aliases found" in answer["errors"][0]["message"]
    tokens = "{ " + " ".join("__typename" for _ in range(2100)) + " }"
    answer = await sqlite_gateway.graphql(tokens)
    assert "tokens" in answer["errors"][0]["message"]
    deep = (
        '{ order(number: "x") { shipments { packages { id } } '
        "timeline { edges { node { receipt { event } } } } } }"
    )
    assert "errors" not in await sqlite_gateway.graphql(deep)


async def test_public_endpoint_hides_schema_details(public_gateway: Gateway) -> None:
    introspection = await public_gateway.graphql("{ __schema { types { name } } }")
    assert "introspection" in introspection["errors"][0]["message"].lower()
    typo = await public_gateway.graphql('{ ordr(number: "x") { number } }')
    assert "Did you mean" not in typo["errors"][0]["message"]
    ide = await public_gateway.client.get("/graphql", headers={"accept": "text/html"})
    assert ide.status_code == 404


async def test_internal_errors_are_masked(
    sqlite_gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    from resolvers import loaders

    async def broken(self: object, numbers: object) -> object:
        raise RuntimeError("secret connection string postgres://admin:hunter2@db")

    monkeypatch.setattr(loaders.Loaders, "_load_orders", broken)
    answer = await sqlite_gateway.graphql('{ order(number: "SO-000001") { number } }')
    assert answer["errors"][0]["message"] == "Unexpected error."
    assert "hunter2" not in str(answer)


async def test_queries_over_get_are_refused(sqlite_gateway: Gateway) -> None:
    response = await sqlite_gateway.client.get(
        "/graphql", params={"query": "{ __typename }"}, headers={"accept": "application/json"}
    )
    assert response.status_code in {400, 405}


async def test_well_known_key_and_checkpoint(sqlite_gateway: Gateway) -> None:
    assert (await sqlite_gateway.client.get("/log/checkpoint")).status_code == 404
    await sqlite_gateway.post_events("erp", [placed()])
    key = (await sqlite_gateway.client.get("/.well-known/orderlens/log-key")).text.strip()
    assert key == sqlite_gateway.runtime.signer.vkey
    note = (await sqlite_gateway.client.get("/log/checkpoint")).text
    assert note.startswith(f"{sqlite_gateway.runtime.signer.name}\n1\n")
    assert "\n\n\u2014 " in note


REVEAL = (
    "mutation($p: RevealPurpose!) "
    '{ revealCustomerContact(orderNumber: "x", purpose: $p) { __typename } }'
)


@pytest.mark.parametrize(
    ("document", "variables", "message"),
    [
        # an argument
        (
            '{ order(number: "x", numbr: "y") { number } }',
            None,
            "Unknown argument 'numbr' on field 'Query.order'.",
        ),
        # a type
        (
            "query($n: Strin!) { order(number: $n) { number } }",
            None,
            "Unknown type 'Strin'.",
        ),
        # an enum value, written in the document
        (
            'mutation { revealCustomerContact(orderNumber: "x", purpose: CUSTOMER_REQUES) '
            "{ __typename } }",
            None,
            "Value 'CUSTOMER_REQUES' does not exist in 'RevealPurpose' enum.",
        ),
        # an enum value, sent as a variable
        (
            REVEAL,
            {"p": "CUSTOMER_REQUES"},
            "Variable '$p' has invalid value: "
            "Value 'CUSTOMER_REQUES' does not exist in 'RevealPurpose' enum.",
        ),
    ],
)
async def test_public_endpoint_suggests_no_argument_type_or_enum_value(
    public_gateway: Gateway, document: str, variables: dict[str, object] | None, message: str
) -> None:
    answer = await public_gateway.graphql(document, variables, as_=None)
    assert [e["message"] for e in answer["errors"]] == [message]
    assert "Did you mean" not in str(answer)


async def test_the_dev_endpoint_still_suggests(sqlite_gateway: Gateway) -> None:
    answer = await sqlite_gateway.graphql('{ order(number: "x", numbr: "y") { number } }')
    assert "Did you mean 'number'?" in answer["errors"][0]["message"]
