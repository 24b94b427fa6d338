"""STAGE 4: the order timeline. Milestone transitions, the pure projection fold, the typed read
models, projection storage, ALL read SQL (`queries`) and `rebuild`.

Other packages import only from here.
"""

from gateway.timeline.model import LoggedEvent, OrderView, ShipmentView
from gateway.timeline.ordering import insertion_problem
from gateway.timeline.ownership import owner_of, owner_problem
from gateway.timeline.project import AUDIT_COUNT, project
from gateway.timeline.queries import (
    OPEN_JOB,
    Jobs,
    Page,
    PageKey,
    load_events,
    read_audit_records,
    read_jobs,
    read_orders,
    read_pages,
    read_parked_counts,
    read_pending_dead_letters,
    read_sync_times,
)
from gateway.timeline.rebuild import RebuildReport, rebuild
from gateway.timeline.store import save_projections

__all__ = [
    "RebuildReport",
    "rebuild",
    "AUDIT_COUNT",
    "OPEN_JOB",
    "Jobs",
    "LoggedEvent",
    "OrderView",
    "Page",
    "PageKey",
    "ShipmentView",
    "insertion_problem",
    "load_events",
    "owner_of",
    "owner_problem",
    "project",
    "read_audit_records",
    "read_jobs",
    "read_orders",
    "read_pages",
    "read_parked_counts",
    "read_pending_dead_letters",
    "read_sync_times",
    "save_projections",
]
