"""The only code that writes or reads personal data.

Ingestion hands it the personal part of an event inside the log transaction; it seals each
value under the customer's data key and returns a keyed commitment for the event. Reads
decrypt per request and never cache plaintext or unwrapped keys, so erasing a customer (one
deleted key row) takes effect everywhere at once, on every replica.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable, Collection, Mapping
from datetime import datetime
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncConnection

from privacy.blind_index import BlindIndex, normalize_email, normalize_phone
from privacy.commitment import pii_commit
from privacy.keys import (
    DataKey,
    MasterKeyring,
    generate_data_key,
    generate_root_key,
    unwrap,
    unwrap_data_key,
    wrap,
    wrap_data_key,
    wrapped_version,
)
from privacy.reading import (
    ADDRESS_SEALED,
    CONTACT_COLUMNS,
    PROOF_COLUMNS,
    find_orders,
    read_order_pii,
)
from privacy.records import OrderPii
from privacy.sealed import Sealed, seal, unseal
from privacy.tables import customers, deliveries, key_roots, order_contacts, subject_keys

log = logging.getLogger(__name__)

INDEX_ROOT = "blind-index"
DEAD_LETTER_KEY = "dead-letters"
SYSTEM_SUBJECT = uuid.UUID(int=0)  # the AAD subject of system-owned sealed values


class Vault:
    def __init__(self, keyring: MasterKeyring) -> None:
        self.keyring = keyring
        self._index: BlindIndex | None = None
        self._dead_letter_key: DataKey | None = None

    def __repr__(self) -> str:
        return f"Vault(keyring={self.keyring!r})"

    @property
    def index(self) -> BlindIndex:
        if self._index is None:
            raise RuntimeError("vault not started")
        return self._index

    async def start(self, conn: AsyncConnection, now: datetime) -> None:
        """Load (or create, on first run) the system keys."""
        self._index = BlindIndex(await self._system_key(conn, INDEX_ROOT, now, generate_root_key))

        def dead_letter_key() -> bytes:
            key = generate_data_key()
            return key.key_id + key.key

        raw = await self._system_key(conn, DEAD_LETTER_KEY, now, dead_letter_key)
        self._dead_letter_key = DataKey(key_id=raw[:4], key=raw[4:])

    async def _system_key(
        self, conn: AsyncConnection, name: str, now: datetime, make: Callable[[], bytes]
    ) -> bytes:
        aad = f"system-key|{name}".encode()
        row = (await conn.execute(select(key_roots).where(key_roots.c.name == name))).first()
        if row is not None:
            return unwrap(self.keyring, row.wrapped, aad, what=f"system key {name!r}")
        secret = make()
        blob = wrap(self.keyring, secret, aad)
        await conn.execute(
            insert(key_roots).values(
                name=name, wrapped=blob, kek_version=wrapped_version(blob), created_at=now
            )
        )
        return secret

    # -- ingestion ----------------------------------------------------------------------

    async def store(
        self,
        conn: AsyncConnection,
        *,
        order_number: str,
        customer_ref: str | None,
        shipment_id: str | None,
        pii: Mapping[str, Any],
        now: datetime,
    ) -> str:
        """Seal the personal part of one event; returns the event's `pii_commit`."""
        subject, dek = await self._subject_for(conn, order_number, customer_ref, now)
        link = await self._link_order(conn, subject, order_number, now)
        if "contact" in pii:
            await self._store_contact(conn, subject, dek, pii["contact"], now)
        if "delivery_address" in pii:
            await self._store_address(conn, subject, dek, link, pii["delivery_address"], now)
        if "proof_of_delivery" in pii and shipment_id is not None:
            await self._store_proof(
                conn, subject, dek, order_number, shipment_id, pii["proof_of_delivery"], now
            )
        return pii_commit(dek, pii)

    async def _subject_for(
        self, conn: AsyncConnection, order_number: str, customer_ref: str | None, now: datetime
    ) -> tuple[uuid.UUID, DataKey]:
        if customer_ref is None:
            linked = await conn.scalar(
                select(order_contacts.c.customer_id).where(
                    order_contacts.c.order_number == order_number
                )
            )
            if linked is not None:
                return await self._key_of(conn, uuid.UUID(linked), now)
            # Personal data for an order we know no customer of yet: give it its own
            # subject, so it is still sealed and erasable.
            customer_ref = f"unlinked:{order_number}"
        found = await conn.scalar(
            select(customers.c.id).where(customers.c.customer_ref == customer_ref)
        )
        if found is not None:
            return await self._key_of(conn, uuid.UUID(found), now)
        subject = uuid.uuid4()
        await conn.execute(
            insert(customers).values(id=str(subject), customer_ref=customer_ref, updated_at=now)
        )
        return subject, await self._new_key(conn, subject, now)

    async def _key_of(
        self, conn: AsyncConnection, subject: uuid.UUID, now: datetime
    ) -> tuple[uuid.UUID, DataKey]:
        blob = await conn.scalar(
            select(subject_keys.c.wrapped).where(subject_keys.c.subject_id == str(subject))
        )
        if blob is not None:
            return subject, unwrap_data_key(self.keyring, subject, blob)
        # An erased customer who orders again: new data under a new key. Nothing erased
        # comes back, because the old ciphertext was deleted with the old key.
        log.info("new data key for a previously erased subject")
        await conn.execute(
            update(customers).where(customers.c.id == str(subject)).values(erased_at=None)
        )
        return subject, await self._new_key(conn, subject, now)

    async def _new_key(self, conn: AsyncConnection, subject: uuid.UUID, now: datetime) -> DataKey:
        dek = generate_data_key()
        blob = wrap_data_key(self.keyring, subject, dek)
        await conn.execute(
            insert(subject_keys).values(
                subject_id=str(subject),
                wrapped=blob,
                kek_version=wrapped_version(blob),
                created_at=now,
            )
        )
        return dek

    async def _link_order(
        self, conn: AsyncConnection, subject: uuid.UUID, order_number: str, now: datetime
    ) -> uuid.UUID:
        """The order's contact row, which ties the order to its customer."""
        existing = await conn.scalar(
            select(order_contacts.c.id).where(order_contacts.c.order_number == order_number)
        )
        if existing is not None:
            return uuid.UUID(existing)
        row = uuid.uuid4()
        await conn.execute(
            insert(order_contacts).values(
                id=str(row), order_number=order_number, customer_id=str(subject), updated_at=now
            )
        )
        return row

    async def _store_contact(
        self,
        conn: AsyncConnection,
        subject: uuid.UUID,
        dek: DataKey,
        contact: Mapping[str, str | None],
        now: datetime,
    ) -> None:
        values: dict[str, Any] = {"updated_at": now, "bidx_version": self.index.VERSION}
        for column in CONTACT_COLUMNS:
            value = contact.get(column)
            if value:
                values[column] = _seal(dek, value, "customers", column, subject, subject)
        if phone := contact.get("phone"):
            values["phone_bidx"] = _bucket_or_none(self.index.phone, phone)
        if email := contact.get("email"):
            values["email_bidx"] = _bucket_or_none(self.index.email, email)
        await conn.execute(update(customers).where(customers.c.id == str(subject)).values(values))

    async def _store_address(
        self,
        conn: AsyncConnection,
        subject: uuid.UUID,
        dek: DataKey,
        row: uuid.UUID,
        address: Mapping[str, str | None],
        now: datetime,
    ) -> None:
        values: dict[str, Any] = {
            "country": address.get("country"),
            "region": address.get("region"),
            "city": address.get("city"),
            "updated_at": now,
        }
        for column in ADDRESS_SEALED:
            value = address.get(column)
            values[column] = (
                _seal(dek, value, "order_contacts", column, row, subject) if value else None
            )
        await conn.execute(
            update(order_contacts).where(order_contacts.c.id == str(row)).values(values)
        )

    async def _store_proof(
        self,
        conn: AsyncConnection,
        subject: uuid.UUID,
        dek: DataKey,
        order_number: str,
        shipment_id: str,
        proof: Mapping[str, str | None],
        now: datetime,
    ) -> None:
        existing = await conn.scalar(
            select(deliveries.c.id).where(
                deliveries.c.order_number == order_number, deliveries.c.shipment_id == shipment_id
            )
        )
        row = uuid.UUID(existing) if existing else uuid.uuid4()
        values: dict[str, Any] = {"customer_id": str(subject), "updated_at": now}
        for column in PROOF_COLUMNS:
            value = proof.get(column)
            values[column] = (
                _seal(dek, value, "deliveries", column, row, subject) if value else None
            )
        if existing:
            await conn.execute(update(deliveries).where(deliveries.c.id == existing).values(values))
        else:
            await conn.execute(
                insert(deliveries).values(
                    id=str(row), order_number=order_number, shipment_id=shipment_id, **values
                )
            )

    # -- dead letters -------------------------------------------------------------------

    def seal_dead_letter(self, letter_id: uuid.UUID, payload: bytes) -> Sealed:
        """Dead letters are raw payloads and may hold personal data: sealed under a system key."""
        return seal(
            self._dead_letter_dek(),
            payload,
            table="dead_letters",
            column="payload",
            row_id=letter_id,
            subject_id=SYSTEM_SUBJECT,
        )

    def open_dead_letter(self, letter_id: uuid.UUID, sealed: Sealed) -> bytes:
        return unseal(
            self._dead_letter_dek(),
            sealed,
            table="dead_letters",
            column="payload",
            row_id=letter_id,
            subject_id=SYSTEM_SUBJECT,
        )

    def _dead_letter_dek(self) -> DataKey:
        if self._dead_letter_key is None:
            raise RuntimeError("vault not started")
        return self._dead_letter_key

    # -- reading (privacy/reading.py) -----------------------------------------------------

    async def order_pii(
        self, conn: AsyncConnection, order_numbers: Collection[str]
    ) -> dict[str, OrderPii]:
        """Clear personal data of these orders: two statements whatever the count."""
        return await read_order_pii(conn, self.keyring, order_numbers)

    async def orders_by_phone(self, conn: AsyncConnection, phone: str) -> list[str]:
        """Orders of customers with this phone: blind-index candidates, then exact match."""
        wanted = normalize_phone(phone)
        bucket = self.index.phone(wanted)
        return await find_orders(conn, self.keyring, "phone", bucket, wanted, normalize_phone)

    async def orders_by_email(self, conn: AsyncConnection, email: str) -> list[str]:
        wanted = normalize_email(email)
        bucket = self.index.email(wanted)
        return await find_orders(conn, self.keyring, "email", bucket, wanted, normalize_email)


def _seal(
    dek: DataKey, value: str, table: str, column: str, row: uuid.UUID, subject: uuid.UUID
) -> Sealed:
    return seal(dek, value, table=table, column=column, row_id=row, subject_id=subject)


def _bucket_or_none(index: Callable[[str], int], value: str) -> int | None:
    """A value that cannot be normalized is stored, but cannot be looked up."""
    try:
        return index(value)
    except ValueError:
        return None
