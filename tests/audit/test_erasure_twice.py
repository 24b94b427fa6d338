"""Erasure is idempotent: erasing a customer again appends nothing (CLI and mutation), and a
first run whose audit record failed is completed by the next one."""

from __future__ import annotations

import asyncio
from collections import Counter

import pytest
from sqlalchemy import select

import gateway.audit.erasure as erase_module
from gateway.audit import AuditNotRecorded
from gateway.db.tables import events
from tests.conftest import Gateway
from tests.privacy.test_erasure import ERASE, run_cli, seed_two_customers
from tests.resolvers.pii_matrix import CUSTOMER_REF, ORDER


async def erasure_records(gateway: Gateway) -> Counter[str]:
    async with gateway.runtime.engine.connect() as conn:
        rows = await conn.execute(
            select(events.c.order_number).where(events.c.milestone == "customer_erased")
        )
        return Counter(rows.scalars())


async def tree_size(gateway: Gateway) -> int:
    answer = await gateway.graphql("{ log { checkpoint { treeSize } } }")
    size: int = answer["data"]["log"]["checkpoint"]["treeSize"]
    return size


async def test_orderlens_erase_twice_appends_one_record_and_says_so(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    await seed_two_customers(gateway)
    argv = ("erase", "--customer", CUSTOMER_REF, "--ticket", "DSR-1")
    assert await asyncio.to_thread(run_cli, gateway, monkeypatch, *argv) == 0
    assert f"customer {CUSTOMER_REF} erased" in capsys.readouterr().out
    size = await tree_size(gateway)

    assert await asyncio.to_thread(run_cli, gateway, monkeypatch, *argv) == 0
    assert capsys.readouterr().out == (
        f"customer {CUSTOMER_REF} was already erased: nothing left to erase, nothing appended\n"
    )
    assert await erasure_records(gateway) == Counter({ORDER: 1})
    assert await tree_size(gateway) == size


async def test_the_mutation_twice_appends_nothing_the_second_time(gateway: Gateway) -> None:
    await seed_two_customers(gateway)
    first = (await gateway.graphql(ERASE, {"ref": CUSTOMER_REF}))["data"]["eraseCustomer"]
    assert len(first["auditEventIds"]) == 1 and not first["alreadyErased"]
    size = await tree_size(gateway)
    again = (await gateway.graphql(ERASE, {"ref": CUSTOMER_REF}))["data"]["eraseCustomer"]
    assert again == {
        "customerRef": CUSTOMER_REF,
        "orderNumbers": [ORDER],
        "alreadyErased": True,
        "auditEventIds": [],
        "userErrors": [],
    }
    assert await erasure_records(gateway) == Counter({ORDER: 1})
    assert await tree_size(gateway) == size


async def test_a_run_whose_record_failed_is_completed_by_the_next(
    gateway: Gateway, monkeypatch: pytest.MonkeyPatch
) -> None:
    await seed_two_customers(gateway)

    async def unavailable(*args: object) -> list[str]:
        raise AuditNotRecorded("the audit record could not be written")

    with monkeypatch.context() as patch:
        patch.setattr(erase_module, "record", unavailable)
        failed = (await gateway.graphql(ERASE, {"ref": CUSTOMER_REF}))["data"]["eraseCustomer"]
    assert (
        failed["userErrors"][0]["message"] == "erased, but the audit records failed: run it again"
    )
    assert await erasure_records(gateway) == Counter()

    again = (await gateway.graphql(ERASE, {"ref": CUSTOMER_REF}))["data"]["eraseCustomer"]
    assert again["alreadyErased"] is True and len(again["auditEventIds"]) == 1
    assert await erasure_records(gateway) == Counter({ORDER: 1})
