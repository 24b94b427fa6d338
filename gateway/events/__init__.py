"""Canonical events: the taxonomy and its milestone table, the draft a source hands in, the
logged document and its canonical JSON bytes."""

from gateway.events.canonical import canonical_json
from gateway.events.model import EventDraft, build_document, iso, parse_iso, uuid7
from gateway.events.secret import WebhookSecret
from gateway.events.taxonomy import (
    MILESTONE_TABLE,
    MILESTONES,
    AuditMilestone,
    Layer,
    Milestone,
    MilestoneInfo,
    OrderMilestone,
    Reason,
    ServiceMilestone,
    ShipmentMilestone,
    Visibility,
    default_visibility,
    event_type,
    is_exception,
    is_terminal,
    milestone_by_name,
    milestone_info,
    milestones_where,
    parse_event_type,
    rank,
)

__all__ = [
    "MILESTONES",
    "MILESTONE_TABLE",
    "AuditMilestone",
    "EventDraft",
    "Layer",
    "Milestone",
    "MilestoneInfo",
    "OrderMilestone",
    "Reason",
    "ServiceMilestone",
    "ShipmentMilestone",
    "Visibility",
    "WebhookSecret",
    "build_document",
    "canonical_json",
    "default_visibility",
    "event_type",
    "is_exception",
    "is_terminal",
    "iso",
    "milestone_by_name",
    "milestone_info",
    "milestones_where",
    "parse_event_type",
    "parse_iso",
    "rank",
    "uuid7",
]
