"""Erasure: the key is gone, nothing decrypts with what is left, lookups find nothing, and the
signed timeline still verifies (through `orderlens erase` and the admin mutation)."""

from __future__ import annotations

import asyncio
import json
import uuid
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select

from gateway.cli import main
from privacy import DecryptionFailed, Role, Sealed, unseal, unwrap, unwrap_data_key
from privacy.tables import customers, deliveries, key_roots, order_contacts, subject_keys
from tests.conftest import Gateway, placed
from tests.resolvers.pii_matrix import CONTACT, CUSTOMER_REF, ORDER, order_events

ERASE = """mutation($ref: String!) { eraseCustomer(customerRef: $ref, ticket: "DSR-77") {
  customerRef orderNumbers alreadyErased auditEventIds userErrors { field message } } }"""


async def sealed_cells(gateway: Gateway) -> list[tuple[str, str, str, Sealed]]:
    """(table, column, row id, ciphertext) of every sealed value in the database."""
    cells = []
    async with gateway.runtime.engine.connect() as conn:
        for table, columns in (
            (customers, ("name", "phone", "email")),
            (order_contacts, ("district", "street", "postal_code")),
            (deliveries, ("signer_name", "photo_ref")),
        ):
            for row in await conn.execute(select(table)):
                for column in columns:
                    value = row._mapping[column]
                    if value is not None:
                        cells.append((table.name, column, row.id, value))
    return cells


async def remaining_keys(gateway: Gateway) -> list[Any]:
    """Every data key and system key still in the database, unwrapped."""
    keyring = gateway.runtime.vault.keyring
    async with gateway.runtime.engine.connect() as conn:
        subjects = (await conn.execute(select(subject_keys))).all()
        roots = (await conn.execute(select(key_roots))).all()
    keys: list[Any] = [
        unwrap_data_key(keyring, uuid.UUID(r.subject_id), r.wrapped) for r in subjects
    ]
    raw = [unwrap(keyring, r.wrapped, f"system-key|{r.name}".encode()) for r in roots]
    return keys + raw


async def seed_two_customers(gateway: Gateway) -> None:
    other = placed("SO-000002", customer_ref="CUST-0002")
    other["data"]["contact"] = {"name": "Ana Souza", "phone": "+55 11 91234 5678"}
    response = await gateway.post_events("erp", [*order_events(), other])
    assert response.json()["accepted"] == 6, response.text


def run_cli(gateway: Gateway, monkeypatch: pytest.MonkeyPatch, *argv: str) -> int:
    settings = gateway.runtime.settings
    monkeypatch.setenv("ORDERLENS_DATABASE_URL", settings.database_url)
    monkeypatch.setenv("ORDERLENS_DATA_DIR", str(settings.data_dir))
    return main(list(argv))


async def test_orderlens_erase_shreds_the_customer_and_the_timeline_still_verifies(
    gateway: Gateway,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    await seed_two_customers(gateway)
    theirs = [c for c in await sealed_cells(gateway) if c[0] != "customers" or c[2]]
    before = {(t, c, r): v for t, c, r, v in theirs}

    code = await asyncio.to_thread(
        run_cli, gateway, monkeypatch, "erase", "--customer", CUSTOMER_REF, "--ticket", "DSR-1"
    )
    out = capsys.readouterr().out
    assert code == 0, out
    assert f"customer {CUSTOMER_REF} erased" in out and ORDER in out

    # Nothing of theirs decrypts with any key that is left (other customers', system keys).
    keys = await remaining_keys(gateway)
    async with gateway.runtime.engine.connect() as conn:
        subject = await conn.scalar(
            select(customers.c.id).where(customers.c.customer_ref == CUSTOMER_REF)
        )
    assert subject is not None
    erased_cells = [
        (t, c, r, v)
        for (t, c, r), v in before.items()
        if r == subject or t in {"order_contacts", "deliveries"}
    ]
    assert len(erased_cells) >= 7
    for table, column, row, value in erased_cells:
        for key in keys:
            if not hasattr(key, "key_id"):
                continue  # raw system roots are not AES data keys for customer cells
            with pytest.raises(DecryptionFailed):
                unseal(
                    key,
                    value,
                    table=table,
                    column=column,
                    row_id=uuid.UUID(row),
                    subject_id=uuid.UUID(subject),
                )
    # ... and the ciphertext itself is gone from the tables.
    left = {(t, c, r) for t, c, r, _ in await sealed_cells(gateway)}
    assert not left & {(t, c, r) for t, c, r, _ in erased_cells}

    vault = gateway.runtime.vault
    async with gateway.runtime.engine.connect() as conn:
        assert await vault.orders_by_phone(conn, CONTACT["phone"]) == []
        assert await vault.orders_by_email(conn, CONTACT["email"]) == []
        assert await vault.orders_by_phone(conn, "+55 11 91234 5678") == ["SO-000002"]

    answer = await gateway.graphql(
        f'{{ order(number: "{ORDER}") {{ personalDataErased contact {{ name }} '
        "verificationBundle } }"
    )
    order = answer["data"]["order"]
    assert order["personalDataErased"] is True and order["contact"] is None
    bundle_file = tmp_path / "bundle.json"
    bundle_file.write_text(json.dumps(answer))
    key_file = gateway.runtime.settings.data_dir / "log.vkey"
    assert main(["verify", str(bundle_file), "--key", str(key_file)]) == 0
    last = order["verificationBundle"]["events"][-1]["event"]
    assert last["type"] == "io.orderlens.audit.customer_erased"
    assert last["data"]["audit"]["ticket"] == "DSR-1"
    assert "王" not in json.dumps(order["verificationBundle"], ensure_ascii=False)


async def test_the_admin_mutation_erases_once_and_refuses_others(gateway: Gateway) -> None:
    await seed_two_customers(gateway)
    refused = await gateway.graphql(ERASE, {"ref": CUSTOMER_REF}, as_=Role.AGENT)
    assert refused["data"]["eraseCustomer"]["userErrors"][0]["message"].startswith("only")
    unknown = await gateway.graphql(ERASE, {"ref": "CUST-404"})
    assert unknown["data"]["eraseCustomer"]["userErrors"][0]["field"] == "customerRef"

    first = (await gateway.graphql(ERASE, {"ref": CUSTOMER_REF}))["data"]["eraseCustomer"]
    assert first["orderNumbers"] == [ORDER] and not first["alreadyErased"]
    assert len(first["auditEventIds"]) == 1 and first["userErrors"] == []
    again = (await gateway.graphql(ERASE, {"ref": CUSTOMER_REF}))["data"]["eraseCustomer"]
    assert again["alreadyErased"] is True

    reveal = await gateway.graphql(
        f'mutation {{ revealCustomerContact(orderNumber: "{ORDER}", purpose: LEGAL_REQUEST) '
        "{ revealed { contact { name } } userErrors { message } } }",
        as_=Role.AGENT,
    )
    payload = reveal["data"]["revealCustomerContact"]
    assert payload["revealed"] is None and "erased" in payload["userErrors"][0]["message"]
    tracker = await gateway.graphql(
        f'{{ order(number: "{ORDER}", verification: "5678") {{ number }} }}', as_=None
    )
    assert tracker["data"]["order"] is None  # nothing left to verify against


async def test_a_customer_who_orders_again_after_erasure_gets_a_new_key(
    gateway: Gateway,
) -> None:
    await seed_two_customers(gateway)
    await gateway.graphql(ERASE, {"ref": CUSTOMER_REF})
    again = placed("SO-000003", customer_ref=CUSTOMER_REF)
    again["data"]["contact"] = {"name": "王秀英", "phone": "+86 139 0000 1111"}
    assert (await gateway.post_events("erp", [again])).json()["accepted"] == 1
    async with gateway.runtime.engine.connect() as conn:
        found = await gateway.runtime.vault.order_pii(conn, [ORDER, "SO-000003"])
        assert await gateway.runtime.vault.orders_by_phone(conn, CONTACT["phone"]) == []
    assert found["SO-000003"].contact is not None
    assert found["SO-000003"].contact.phone == "+86 139 0000 1111"
    old_address = found[ORDER].address
    assert old_address is not None and old_address.street is None


def test_orderlens_token_mints_tokens_the_gateway_accepts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from gateway.auth import Authenticator, load_or_create_secret

    monkeypatch.setenv("ORDERLENS_DATA_DIR", str(tmp_path))
    secret = load_or_create_secret(tmp_path / "auth-secret")  # as a dev gateway made it
    assert main(["token", "--role", "customer", "--subject", "u1", "--customer", "C-1"]) == 0
    token = capsys.readouterr().out.strip()
    viewer = Authenticator(secret).verify(token)
    assert (viewer.role, viewer.customer_ref) == (Role.CUSTOMER, "C-1")
    assert main(["token", "--role", "customer", "--subject", "u1"]) == 2
    assert main(["token", "--role", "agent", "--subject", "a", "--customer", "C-1"]) == 2
