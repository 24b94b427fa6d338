"""Client mistakes are logged at INFO as one line without a traceback or the document;
only unexpected failures are logged at ERROR, with their traceback and the request id."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from privacy import Role
from resolvers.order import query as query_module
from tests.conftest import Gateway

PHONE = "8613800001234"
MISTAKES = [
    # syntax errors
    f"query Lookup {{ ordersByContact(phone: +{PHONE}) {{ number }} }}",
    f'query Lookup {{ ordersByContact(phone: "+{PHONE}" {{ number }} }}',
    # validation errors
    f"query Lookup {{ ordersByContact(phone: {PHONE}) {{ number }} }}",
    f'query Lookup {{ ordersByContact(phone: "+{PHONE}") {{ number nope }} }}',
    # user errors raised by resolvers
    f'query Lookup {{ ordersByContact(phone: "+{PHONE}", email: "a@example.com") {{ number }} }}',
    f'query Lookup {{ ordersByContact(phone: "not a phone {PHONE}") {{ number }} }}',
    '{ order(number: "' + "x" * 65 + '") { number } }',
    # an unknown order is no error at all
    '{ order(number: "SO-404404") { number } }',
]


def logged(caplog: pytest.LogCaptureFixture) -> str:
    return "\n".join(
        f"{r.levelname} {r.getMessage()} {r.args!r} {r.exc_text or ''}" for r in caplog.records
    )


@pytest.mark.parametrize("document", MISTAKES)
async def test_client_mistakes_are_one_info_line_without_the_document(
    sqlite_gateway: Gateway, caplog: pytest.LogCaptureFixture, document: str
) -> None:
    caplog.set_level(logging.DEBUG)
    response = await sqlite_gateway.client.post(
        "/graphql",
        json={"query": document},
        headers={
            "authorization": f"Bearer {sqlite_gateway.token(Role.AGENT)}",
            "x-request-id": "mistake-1",
        },
    )
    answer: dict[str, Any] = response.json()
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []
    assert all(r.exc_info is None for r in caplog.records)
    assert PHONE not in logged(caplog) and "a@example.com" not in logged(caplog)
    graphql = [r for r in caplog.records if r.name == "orderlens.graphql"]
    assert len(graphql) == len(answer.get("errors") or [])
    for record in graphql:
        assert record.levelno == logging.INFO
        assert record.getMessage().startswith("client error in ")
        assert record.request_id == "mistake-1"  # type: ignore[attr-defined]
        assert "\n" not in record.getMessage()


async def test_variables_are_never_logged(
    sqlite_gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    document = "query Lookup($p: String) { ordersByContact(phone: $p) { number } }"
    await sqlite_gateway.client.post(
        "/graphql", json={"query": document, "variables": {"p": int(PHONE)}}
    )
    assert caplog.records and PHONE not in logged(caplog)
    assert [r for r in caplog.records if r.levelno >= logging.WARNING] == []


async def test_the_log_line_names_the_operation_and_the_error_class(
    sqlite_gateway: Gateway, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO)
    await sqlite_gateway.graphql('query Track { order(number: "") { number } }')
    await sqlite_gateway.graphql('query Typo { order(number: "SO-1") { nope } }')
    await sqlite_gateway.graphql("query Broken { order(number: ")
    messages = [r.getMessage() for r in caplog.records if r.name == "orderlens.graphql"]
    assert messages == [
        "client error in Track: BadArgument: number must be 1 to 64 characters",
        "client error in Typo: GraphQLError: Cannot query field 'nope' on type 'Order'.",
        "client error in unknown: GraphQLSyntaxError: Syntax Error: Unexpected <EOF>.",
    ]


async def test_an_unexpected_failure_is_one_error_with_traceback_and_request_id(
    sqlite_gateway: Gateway, caplog: pytest.LogCaptureFixture, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def crash(*args: object) -> None:
        raise RuntimeError("the loader broke")

    monkeypatch.setattr(query_module, "load_order", crash)
    caplog.set_level(logging.INFO)
    response = await sqlite_gateway.client.post(
        "/graphql",
        json={"query": 'query Track { order(number: "SO-1") { number } }'},
        headers={"x-request-id": "bug-7"},
    )
    answer = response.json()
    assert answer["errors"][0]["message"] == "Unexpected error."  # masked to the client
    [error] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert error.getMessage() == "unexpected error in Track at order: RuntimeError"
    assert error.exc_info is not None and error.exc_info[0] is RuntimeError
    assert error.request_id == "bug-7"  # type: ignore[attr-defined]
    assert not [r for r in caplog.records if r.name == "strawberry.execution"]
