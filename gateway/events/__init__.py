"""Canonical events: the taxonomy, the draft a source hands in, and the logged document."""

from gateway.events.model import EventDraft, build_document, iso, parse_iso, uuid7
from gateway.events.taxonomy import (
    MILESTONES,
    AuditMilestone,
    Layer,
    Milestone,
    OrderMilestone,
    Reason,
    ServiceMilestone,
    ShipmentMilestone,
    Visibility,
    event_type,
    parse_event_type,
)

__all__ = [
    "MILESTONES",
    "AuditMilestone",
    "EventDraft",
    "Layer",
    "Milestone",
    "OrderMilestone",
    "Reason",
    "ServiceMilestone",
    "ShipmentMilestone",
    "Visibility",
    "build_document",
    "event_type",
    "iso",
    "parse_event_type",
    "parse_iso",
    "uuid7",
]
