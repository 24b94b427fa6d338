"""Reading personal data back: decrypt per request, never cache plaintext or unwrapped keys."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncConnection

from privacy.blind_index import BlindIndex
from privacy.keys import DataKey, MasterKeyring, unwrap_data_key
from privacy.records import Address, Contact, OrderPii, Proof
from privacy.sealed import Sealed, unseal_text
from privacy.tables import customers, deliveries, order_contacts, subject_keys

CONTACT_COLUMNS = ("name", "phone", "email")
ADDRESS_SEALED = ("district", "street", "postal_code")
PROOF_COLUMNS = ("signer_name", "photo_ref")


class _Opener:
    """Decrypts the cells of one subject with its data key."""

    def __init__(self, dek: DataKey, subject: uuid.UUID) -> None:
        self.dek = dek
        self.subject = subject

    def __call__(self, value: Sealed | None, table: str, column: str, row: uuid.UUID) -> str | None:
        if value is None:
            return None
        return unseal_text(
            self.dek, value, table=table, column=column, row_id=row, subject_id=self.subject
        )


async def read_order_pii(
    conn: AsyncConnection, keyring: MasterKeyring, order_numbers: Collection[str]
) -> dict[str, OrderPii]:
    """Clear personal data of these orders: two statements whatever the count."""
    wanted = sorted(order_numbers)
    contact_rows = (
        await conn.execute(
            select(
                order_contacts,
                customers.c.customer_ref,
                customers.c.name,
                customers.c.phone,
                customers.c.email,
                subject_keys.c.wrapped,
            )
            .join(customers, customers.c.id == order_contacts.c.customer_id)
            .join(subject_keys, subject_keys.c.subject_id == customers.c.id, isouter=True)
            .where(order_contacts.c.order_number.in_(wanted))
        )
    ).all()
    proof_rows = (
        await conn.execute(
            select(deliveries, subject_keys.c.wrapped)
            .join(
                subject_keys,
                subject_keys.c.subject_id == deliveries.c.customer_id,
                isouter=True,
            )
            .where(deliveries.c.order_number.in_(wanted))
        )
    ).all()
    found: dict[str, OrderPii] = {}
    for row in contact_rows:
        subject = uuid.UUID(row.customer_id)
        if row.wrapped is None:
            found[row.order_number] = OrderPii(customer_ref=row.customer_ref, erased=True)
            continue
        opened = _Opener(unwrap_data_key(keyring, subject, row.wrapped), subject)
        contact_row = uuid.UUID(row.id)
        found[row.order_number] = OrderPii(
            customer_ref=row.customer_ref,
            contact=Contact(
                **{c: opened(row._mapping[c], "customers", c, subject) for c in CONTACT_COLUMNS}
            ),
            address=Address(
                country=row.country,
                region=row.region,
                city=row.city,
                **{
                    c: opened(row._mapping[c], "order_contacts", c, contact_row)
                    for c in ADDRESS_SEALED
                },
            ),
        )
    proofs: dict[str, dict[str, Proof]] = {}
    for row in proof_rows:
        if row.wrapped is None:
            continue
        subject = uuid.UUID(row.customer_id)
        opened = _Opener(unwrap_data_key(keyring, subject, row.wrapped), subject)
        delivery = uuid.UUID(row.id)
        proofs.setdefault(row.order_number, {})[row.shipment_id] = Proof(
            **{c: opened(row._mapping[c], "deliveries", c, delivery) for c in PROOF_COLUMNS}
        )
    for number, by_shipment in proofs.items():
        current = found.get(number, OrderPii())
        found[number] = OrderPii(
            customer_ref=current.customer_ref,
            contact=current.contact,
            address=current.address,
            proofs=by_shipment,
            erased=current.erased,
        )
    return found


async def find_orders(
    conn: AsyncConnection,
    keyring: MasterKeyring,
    column: str,
    bucket: int,
    wanted: str,
    normalize: Callable[[str], str],
) -> list[str]:
    """Orders of the customers whose `column` is `wanted`: the blind-index bucket gives
    candidates, each decrypted and compared exactly (a bucket is shared by design)."""
    rows = (
        await conn.execute(
            select(customers.c.id, customers.c[column].label("value"), subject_keys.c.wrapped)
            .join(subject_keys, subject_keys.c.subject_id == customers.c.id)
            .where(
                customers.c[f"{column}_bidx"] == bucket,
                customers.c.bidx_version == BlindIndex.VERSION,
            )
        )
    ).all()
    matches = []
    for row in rows:
        subject = uuid.UUID(row.id)
        opened = _Opener(unwrap_data_key(keyring, subject, row.wrapped), subject)
        value = opened(row.value, "customers", column, subject)
        if value is not None and _normalized_or_none(normalize, value) == wanted:
            matches.append(row.id)
    if not matches:
        return []
    numbers = await conn.execute(
        select(order_contacts.c.order_number)
        .where(order_contacts.c.customer_id.in_(matches))
        .order_by(order_contacts.c.order_number)
    )
    return list(numbers.scalars())


def _normalized_or_none(normalize: Callable[[str], str], value: str) -> str | None:
    try:
        return normalize(value)
    except ValueError:
        return None
