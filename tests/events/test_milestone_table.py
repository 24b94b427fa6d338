"""The milestone table: one row per milestone, and rows that say what the timeline does."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product
from typing import Any

import pytest

from gateway.events import (
    MILESTONE_TABLE,
    MILESTONES,
    EventDraft,
    Layer,
    Milestone,
    MilestoneInfo,
    OrderMilestone,
    ShipmentMilestone,
    Visibility,
    build_document,
    default_visibility,
    is_exception,
    is_terminal,
    milestone_by_name,
    milestone_info,
    milestones_where,
    parse_event_type,
    rank,
)
from gateway.sources import FINAL_SHIPMENT_STATES
from gateway.timeline.model import LoggedEvent
from gateway.timeline.project import project, rollup
from gateway.timeline.transitions import transition_error

OM = OrderMilestone
SM = ShipmentMilestone
JUDGED = (Layer.ORDER, Layer.SHIPMENT)
ROWS = [row for rows in MILESTONE_TABLE.values() for row in rows]


def rows(layer: Layer) -> tuple[MilestoneInfo, ...]:
    return MILESTONE_TABLE[layer]


def ranked(layer: Layer) -> list[MilestoneInfo]:
    return [row for row in rows(layer) if row.rank is not None]


def allowed(current: Milestone, new: Milestone) -> bool:
    return transition_error(current, new) is None


# --- one row per milestone ------------------------------------------------------------------


def test_every_milestone_of_every_layer_has_exactly_one_row_in_declaration_order() -> None:
    assert set(MILESTONE_TABLE) == set(MILESTONES) == set(Layer)
    for layer, enum in MILESTONES.items():
        # Declaration order, so a GraphQL enum built from the table keeps its schema.
        assert [row.milestone for row in rows(layer)] == list(enum)
        assert all(row.layer is layer and type(row.milestone) is enum for row in rows(layer))


def test_lookups_find_each_row_by_its_milestone_and_by_layer_and_name() -> None:
    for row in ROWS:
        assert milestone_info(row.milestone) is row
        assert milestone_by_name(row.layer, row.milestone.value) is row
        assert rank(row.milestone) == row.rank
        assert is_terminal(row.milestone) is row.terminal
        assert is_exception(row.milestone) is row.exception
        assert default_visibility(row.milestone) is row.visibility


def test_shared_names_keep_their_own_rows() -> None:
    assert OM.DELIVERED.value == SM.DELIVERED.value
    assert milestone_info(OM.DELIVERED).layer is Layer.ORDER
    assert milestone_info(SM.DELIVERED).layer is Layer.SHIPMENT
    assert milestone_info(OM.DELIVERED).rank != milestone_info(SM.DELIVERED).rank


def test_a_bare_name_is_refused_with_the_reason() -> None:
    with pytest.raises(TypeError, match="'delivered' is not a milestone of any layer"):
        milestone_info("delivered")  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="unknown shipment milestone 'lost'; expected one of"):
        milestone_by_name(Layer.SHIPMENT, "lost")
    with pytest.raises(ValueError, match="unknown order milestone 'lost'; expected one of placed"):
        parse_event_type("io.orderlens.order.lost")


def test_every_milestone_has_a_title_of_its_own_within_its_layer() -> None:
    for layer in Layer:
        titles = [row.title for row in rows(layer)]
        assert all(title and title[0].isupper() for title in titles)
        assert len(set(titles)) == len(titles)
    assert milestone_info(SM.STALE).title == "No news from the carrier"


def test_milestones_where_keeps_table_order() -> None:
    assert milestones_where(Layer.SHIPMENT, lambda row: row.terminal) == (
        SM.DELIVERED,
        SM.RETURNED,
        SM.CANCELLED,
    )


# --- ranks and flags agree with the transitions --------------------------------------------


@pytest.mark.parametrize("layer", JUDGED)
def test_ranks_order_the_forward_path(layer: Layer) -> None:
    for low, high in product(ranked(layer), repeat=2):
        assert low.rank is not None and high.rank is not None
        if low.rank <= high.rank:
            assert allowed(low.milestone, high.milestone), (low.milestone, high.milestone)
        else:
            assert not allowed(low.milestone, high.milestone), (low.milestone, high.milestone)


@pytest.mark.parametrize("layer", JUDGED)
def test_an_exception_is_entered_and_left_anywhere_off_the_final_states(layer: Layer) -> None:
    detours = [row for row in rows(layer) if row.exception]
    assert detours
    for detour, step in product(detours, ranked(layer)):
        assert allowed(step.milestone, detour.milestone)
        assert allowed(detour.milestone, step.milestone)
    for row in rows(layer):
        if not row.exception and row.rank is None and not row.final:
            # a return step is no detour: it cannot be left back onto the forward path
            assert any(not allowed(row.milestone, step.milestone) for step in ranked(layer))


@pytest.mark.parametrize("layer", JUDGED)
def test_final_states_are_terminal_and_left_only_by_a_return_step(layer: Layer) -> None:
    finals = [row for row in rows(layer) if row.final]
    assert finals
    for final in finals:
        assert final.terminal and final.rank is None
        leaving = [r.milestone for r in rows(layer) if allowed(final.milestone, r.milestone)]
        # only itself (a repeat) and return steps: refunded after cancelled
        assert set(leaving) <= {final.milestone, OM.REFUNDED}


def test_terminal_steps_on_the_forward_path_may_still_meet_an_exception_or_a_return() -> None:
    assert allowed(SM.DELIVERED, SM.EXCEPTION)
    assert allowed(SM.DELIVERED, SM.RETURNING)
    assert allowed(OM.COMPLETED, OM.RETURN_REQUESTED)
    assert not milestone_info(SM.DELIVERED).final


def test_the_flagged_rows_are_the_ones_the_timeline_has_always_had() -> None:
    def where(layer: Layer, flag: str) -> set[str]:
        return {m.value for m in milestones_where(layer, lambda row: bool(getattr(row, flag)))}

    assert where(Layer.ORDER, "exception") == {"on_hold", "backordered"}
    assert where(Layer.SHIPMENT, "exception") == {"exception", "delivery_attempted", "stale"}
    assert where(Layer.ORDER, "final") == {"cancelled", "refunded"}
    assert where(Layer.SHIPMENT, "final") == {"returned", "cancelled"}
    assert where(Layer.SHIPMENT, "terminal") == {"delivered", "returned", "cancelled"}
    assert where(Layer.SERVICE, "open_job") == {
        "installation_booked",
        "installation_rescheduled",
        "technician_en_route",
        "technician_on_site",
        "commissioned",
    }


# --- the projection reads the same rows -----------------------------------------------------


def test_order_states_off_the_forward_path_override_the_shipments() -> None:
    delivered = milestone_info(OM.DELIVERED)
    assert delivered.rank is not None
    for row in rows(Layer.ORDER):
        shown = rollup(row.milestone, [SM.DELIVERED.value])
        if row.rank is None:
            assert shown == row.milestone.value
        else:  # whichever of the two is further on
            assert shown == (row if row.rank > delivered.rank else delivered).milestone.value


def test_a_shipment_counts_as_shipped_exactly_when_its_row_says_so() -> None:
    for row in rows(Layer.SHIPMENT):
        if row.milestone is SM.CANCELLED:
            continue  # a cancelled shipment does not count at all
        assert (rollup(OM.PACKED, [row.milestone.value]) != OM.PACKED.value) is row.shipped


T0 = datetime(2026, 11, 20, 8, 0, tzinfo=UTC)


def _shipment_event(seq: int, milestone: SM, **details: Any) -> LoggedEvent:
    draft = EventDraft(
        source="test",
        order_number="SO-1",
        layer=Layer.SHIPMENT,
        milestone=milestone,
        occurred_at=T0 + timedelta(hours=seq),
        source_event_id=f"e{seq}",
        shipment_id="A",
        details={"shipment": {"id": "A"}, **details},
    )
    document = build_document(
        draft, event_id=f"id-{seq}", seq=seq, prev=None, received_at=T0 + timedelta(days=1)
    )
    return LoggedEvent.from_document(document, seq - 1)


@pytest.mark.parametrize("milestone", list(SM))
def test_a_terminal_shipment_drops_out_of_the_estimate_and_out_of_polling(milestone: SM) -> None:
    events = [_shipment_event(1, milestone, edd={"date": "2026-11-25"})]
    view = project("SO-1", events)
    assert view.shipments[0].status == milestone.value
    assert (view.carrier_edd is None) is is_terminal(milestone)
    assert (milestone.value in FINAL_SHIPMENT_STATES) is is_terminal(milestone)


def test_default_visibility_per_layer_and_for_warehouse_steps() -> None:
    internal = {OM.ALLOCATED, OM.PICKING, OM.PICKED}
    for row in ROWS:
        expected = {
            Layer.SHIPMENT: Visibility.PUBLIC,
            Layer.AUDIT: Visibility.INTERNAL,
        }.get(row.layer, Visibility.INTERNAL if row.milestone in internal else Visibility.CUSTOMER)
        assert row.visibility is expected, row.milestone
