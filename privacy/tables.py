"""Where personal data lives: sealed columns only, each bound to its table, column and row.

Country, region and city of a delivery address stay in clear: they are what generalized views
show, and they identify nobody on their own. Everything else is a SealedBytes column, which
refuses plaintext. Blind indexes are truncated HMACs for lookup, never the value.
"""

from __future__ import annotations

from sqlalchemy import (
    Column,
    Index,
    Integer,
    LargeBinary,
    SmallInteger,
    String,
    Table,
    UniqueConstraint,
)

from gateway.db import SealedBytes, Timestamp, metadata

# One data key per data subject (customer), wrapped by the master key. Deleting the row is
# erasure: every sealed value and commitment of that customer becomes unreadable.
subject_keys = Table(
    "subject_keys",
    metadata,
    Column("subject_id", String(36), primary_key=True),
    Column("wrapped", LargeBinary, nullable=False),
    Column("kek_version", Integer, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

# Keys that belong to the system rather than to a subject (the blind-index root, the key for
# sealed dead letters), each wrapped by the master key.
key_roots = Table(
    "key_roots",
    metadata,
    Column("name", String(32), primary_key=True),
    Column("wrapped", LargeBinary, nullable=False),
    Column("kek_version", Integer, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

customers = Table(
    "customers",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("customer_ref", String(64), nullable=False, unique=True),
    Column("name", SealedBytes),
    Column("phone", SealedBytes),
    Column("email", SealedBytes),
    Column("phone_bidx", Integer),
    Column("email_bidx", Integer),
    Column("bidx_version", SmallInteger),
    Column("updated_at", Timestamp, nullable=False),
    Column("erased_at", Timestamp),
    Index(None, "phone_bidx"),
    Index(None, "email_bidx"),
)

order_contacts = Table(
    "order_contacts",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("order_number", String(64), nullable=False, unique=True),
    Column("customer_id", String(36), nullable=False),
    Column("country", String(2)),
    Column("region", String(100)),
    Column("city", String(100)),
    Column("district", SealedBytes),
    Column("street", SealedBytes),
    Column("postal_code", SealedBytes),
    Column("updated_at", Timestamp, nullable=False),
    Index(None, "customer_id"),
)

deliveries = Table(
    "deliveries",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("order_number", String(64), nullable=False),
    Column("shipment_id", String(100), nullable=False),
    Column("customer_id", String(36), nullable=False),
    Column("signer_name", SealedBytes),
    Column("photo_ref", SealedBytes),
    Column("updated_at", Timestamp, nullable=False),
    UniqueConstraint("order_number", "shipment_id"),
    Index(None, "customer_id"),
)
