"""Erasure by crypto-shredding: destroy the customer's data key and their blind-index entries.

What stays is ciphertext nobody can open and, in the signed log, events that never held
personal data: their `pii_commit` values were keyed with the destroyed key, so they can be
neither recomputed nor brute-forced, and every proof still verifies.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from privacy.tables import customers, deliveries, order_contacts, subject_keys


class UnknownCustomer(LookupError):
    pass


@dataclass(frozen=True, slots=True)
class Erasure:
    subject_id: str
    order_numbers: tuple[str, ...]
    already_erased: bool


async def erase_customer(conn: AsyncConnection, customer_ref: str, now: datetime) -> Erasure:
    row = (
        await conn.execute(
            select(customers.c.id, customers.c.erased_at).where(
                customers.c.customer_ref == customer_ref
            )
        )
    ).first()
    if row is None:
        raise UnknownCustomer(f"no customer {customer_ref!r}")
    orders = set(
        (
            await conn.execute(
                select(order_contacts.c.order_number).where(order_contacts.c.customer_id == row.id)
            )
        ).scalars()
    )
    orders |= set(
        (
            await conn.execute(
                select(deliveries.c.order_number).where(deliveries.c.customer_id == row.id)
            )
        ).scalars()
    )
    await conn.execute(delete(subject_keys).where(subject_keys.c.subject_id == row.id))
    # A surviving HMAC index would still answer "was this phone ever a customer?". The
    # ciphertext is unreadable without the key; it is dropped too, so that nothing depends
    # on a key staying destroyed (secure_delete overwrites the freed SQLite pages).
    await conn.execute(
        update(customers)
        .where(customers.c.id == row.id)
        .values(
            name=None,
            phone=None,
            email=None,
            phone_bidx=None,
            email_bidx=None,
            erased_at=row.erased_at or now,
        )
    )
    await conn.execute(
        update(order_contacts)
        .where(order_contacts.c.customer_id == row.id)
        .values(
            country=None,
            region=None,
            city=None,
            district=None,
            street=None,
            postal_code=None,
            updated_at=now,
        )
    )
    await conn.execute(
        update(deliveries)
        .where(deliveries.c.customer_id == row.id)
        .values(signer_name=None, photo_ref=None, updated_at=now)
    )
    return Erasure(row.id, tuple(sorted(orders)), already_erased=row.erased_at is not None)
