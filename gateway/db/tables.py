"""SQLAlchemy Core tables, declared on gateway.db's one MetaData so Alembic sees the whole schema.

The event log (`events`, `log_nodes`, `checkpoints`) is append-only: rows are inserted and
never updated or deleted. Projections (`orders`, `shipments`) are derived and can be rebuilt
from the log at any time.
"""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Column,
    Date,
    Index,
    Integer,
    LargeBinary,
    PrimaryKeyConstraint,
    SmallInteger,
    String,
    Table,
    Text,
    UniqueConstraint,
)

from gateway.db import SealedBytes, Timestamp, metadata

events = Table(
    "events",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("leaf_index", BigInteger, nullable=False, unique=True),
    Column("order_number", String(64), nullable=False),
    Column("seq", Integer, nullable=False),
    # "id:<source>:<source event id>" or "hash:<sha256 of the source's content>"
    Column("dedup_key", String(400), nullable=False, unique=True),
    Column("source", String(64), nullable=False),
    Column("layer", String(16), nullable=False),
    Column("milestone", String(40), nullable=False),
    Column("reason", String(60)),
    Column("visibility", String(16), nullable=False),
    Column("shipment_id", String(100)),
    Column("occurred_at", Timestamp, nullable=False),
    Column("received_at", Timestamp, nullable=False),
    # The CloudEvent exactly as committed to the log (RFC 8785 canonical JSON).
    Column("document", Text, nullable=False),
    Column("leaf_hash", LargeBinary(32), nullable=False),
    UniqueConstraint("order_number", "seq"),
    Index(None, "order_number", "occurred_at", "seq"),
)

# Hash of every perfect subtree of the Merkle log: (level, index) covers leaves
# [index * 2**level, (index + 1) * 2**level). Any proof needs one lookup of O(log n) rows.
log_nodes = Table(
    "log_nodes",
    metadata,
    Column("level", SmallInteger, nullable=False),
    Column("idx", BigInteger, nullable=False),
    Column("hash", LargeBinary(32), nullable=False),
    PrimaryKeyConstraint("level", "idx"),
)

checkpoints = Table(
    "checkpoints",
    metadata,
    Column("tree_size", BigInteger, primary_key=True, autoincrement=False),
    Column("root", LargeBinary(32), nullable=False),
    Column("note", Text, nullable=False),
    Column("created_at", Timestamp, nullable=False),
)

# Standard Webhooks deliveries already answered, for `webhook-id` idempotency.
webhook_deliveries = Table(
    "webhook_deliveries",
    metadata,
    Column("source", String(64), nullable=False),
    Column("webhook_id", String(256), nullable=False),
    Column("body_sha256", LargeBinary(32), nullable=False),
    Column("status_code", SmallInteger, nullable=False),
    Column("response", Text, nullable=False),
    Column("received_at", Timestamp, nullable=False),
    PrimaryKeyConstraint("source", "webhook_id"),
)

# Payloads that could not be ingested, kept with the reason so they can be replayed. They may
# hold personal data, so the payload is sealed under a system key (see privacy.vault).
dead_letters = Table(
    "dead_letters",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("source", String(64), nullable=False),
    Column("webhook_id", String(256)),
    Column("received_at", Timestamp, nullable=False),
    Column("reason", Text, nullable=False),
    Column("content_type", String(100), nullable=False),
    Column("payload", SealedBytes, nullable=False),
    Column("status", String(16), nullable=False, default="pending"),
    # Replays: how many were tried, the last one, and when one succeeded.
    Column("attempts", Integer, nullable=False, default=0, server_default="0"),
    Column("last_attempt_at", Timestamp),
    Column("replayed_at", Timestamp),
    Index(None, "status", "received_at"),
)

orders = Table(
    "orders",
    metadata,
    Column("number", String(64), primary_key=True),
    Column("customer_ref", String(64)),
    Column("status", String(40), nullable=False),
    Column("promised_date", Date),
    Column("carrier_edd", Date),
    Column("placed_at", Timestamp),
    Column("updated_at", Timestamp, nullable=False),
    Column("event_count", Integer, nullable=False),
    Column("last_seq", Integer, nullable=False),
    Column("lines", JSON, nullable=False),
    Column("sources", JSON, nullable=False),
    Column("visibility_counts", JSON, nullable=False),
)

shipments = Table(
    "shipments",
    metadata,
    Column("order_number", String(64), nullable=False),
    Column("shipment_id", String(100), nullable=False),
    Column("position", Integer, nullable=False),
    Column("carrier", String(64)),
    Column("tracking_number", String(100)),
    Column("service_level", String(64)),
    Column("status", String(40), nullable=False),
    Column("status_reason", String(60)),
    Column("carrier_edd", JSON),
    Column("original_carrier_edd", JSON),
    Column("packages", JSON, nullable=False),
    Column("last_location", JSON),
    Column("last_event_at", Timestamp, nullable=False),
    PrimaryKeyConstraint("order_number", "shipment_id"),
)

# Which order a tracking number belongs to, so courier events (which know only tracking
# numbers) join the right order's timeline. A projection: rebuilt from the log like the others.
tracking_links = Table(
    "tracking_links",
    metadata,
    Column("tracking_number", String(100), primary_key=True),
    Column("order_number", String(64), nullable=False),
    Column("shipment_id", String(100), nullable=False),
    Index(None, "order_number"),
)

PROJECTION_TABLES = (tracking_links, shipments, orders)

# Events that cannot join an order yet: a courier scan for a tracking number no order claims
# ("tracking:<number>"), or a warehouse or courier event for an order the ERP has not
# announced ("order:<number>"). Sealed: a delivered event may carry its proof of delivery.
parked_events = Table(
    "parked_events",
    metadata,
    Column("id", String(36), primary_key=True),
    Column("source", String(64), nullable=False),
    Column("waiting_for", String(110), nullable=False),
    Column("received_at", Timestamp, nullable=False),
    Column("event", SealedBytes, nullable=False),
    Index(None, "waiting_for"),
)

# Where each pull connector instance got to, and how that went.
connector_state = Table(
    "connector_state",
    metadata,
    Column("instance_id", String(64), primary_key=True),
    Column("cursor", Text),
    Column("last_synced_at", Timestamp),
    Column("updated_at", Timestamp, nullable=False),
)
