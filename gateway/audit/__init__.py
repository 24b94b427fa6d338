"""Reveal and erase records: audit entries in the signed log (`records`) and the erasure of a
customer's personal data that records itself (`erasure`)."""

from gateway.audit.erasure import ErasureReport, erase, orders_recording_erasure
from gateway.audit.ports import ErasureHandles
from gateway.audit.records import (
    AUDIT_SOURCE,
    AuditEntry,
    AuditNotRecorded,
    audit_draft,
    record,
)

__all__ = [
    "ErasureHandles",
    "AUDIT_SOURCE",
    "AuditEntry",
    "AuditNotRecorded",
    "ErasureReport",
    "audit_draft",
    "erase",
    "orders_recording_erasure",
    "record",
]
