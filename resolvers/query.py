"""The Query root and the resolvers behind Order's list fields."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry

from gateway.audit import read_records
from gateway.freshness import source_state
from gateway.ledger import Redacted, build_bundle
from gateway.ledger.store import (
    checkpoint_at,
    consistency_proof,
    latest_checkpoint,
    verified_inclusion_proofs,
)
from gateway.ops import connector_health
from gateway.timeline.store import load_events
from privacy import Role
from resolvers.access import authorize
from resolvers.context import Info
from resolvers.loaders import MAX_PAGE, PageKey, decode_cursor, encode_cursor
from resolvers.present import b64, present_audit_record, present_event, present_order
from resolvers.types import (
    AuditRecord,
    Checkpoint,
    ConsistencyProof,
    Log,
    Order,
    PageInfo,
    SourceStatus,
    TimelineConnection,
    TimelineEdge,
)

MAX_AUDIT_PAGE = 200


class BadArgument(ValueError):
    """A client mistake; its message is safe to show."""


class Forbidden(BadArgument):
    """The viewer may not do this; safe to show (it names no data)."""


async def load_order(info: Info, number: str, verification: str | None) -> Order | None:
    """An order as this viewer may see it, or None when it does not exist for them."""
    if not number or len(number) > 64:
        raise BadArgument("number must be 1 to 64 characters")
    loaders = info.context.loaders
    view = await loaders.orders.load(number)
    if view is None:
        return None
    access = await authorize(info, view, verification)
    if access is None:
        return None
    runtime = info.context.runtime
    synced, now = await loaders.sync_times(), runtime.clock()
    return present_order(
        view,
        access,
        await loaders.pii.load(number),
        lambda source: source_state(source, synced, runtime.connectors, now),
    )


@strawberry.type
class Query:
    @strawberry.field(description="An order by its number, or null if there is none.")
    async def order(
        self,
        info: Info,
        number: Annotated[
            str, strawberry.argument(description="The order number, e.g. SO-100042.")
        ],
        verification: Annotated[
            str | None,
            strawberry.argument(
                description="For tracking without signing in: the last four digits of the "
                "customer's phone or the delivery postal code."
            ),
        ] = None,
    ) -> Order | None:
        return await load_order(info, number, verification)

    @strawberry.field(
        description="Staff only: orders of the customer with this phone or email (exact "
        "match after normalization). At most 50, newest order numbers last."
    )
    async def orders_by_contact(
        self, info: Info, phone: str | None = None, email: str | None = None
    ) -> list[Order]:
        context = info.context
        if not context.viewer.is_staff or context.viewer.expired(context.runtime.clock()):
            raise Forbidden("only agents and administrators can look orders up by contact")
        if (phone is None) == (email is None):
            raise BadArgument("give exactly one of phone or email")
        vault = context.runtime.vault
        try:
            async with context.runtime.engine.connect() as conn:
                if phone is not None:
                    numbers = await vault.orders_by_phone(conn, phone)
                else:
                    numbers = await vault.orders_by_email(conn, email or "")
        except ValueError:
            field = "phone" if phone is not None else "email"
            raise BadArgument(f"{field} is not a valid {field}") from None
        orders = [await load_order(info, n, None) for n in numbers[-50:]]
        return [o for o in orders if o is not None]

    @strawberry.field(
        description="Administrators: audit records (reveals, refused reveals, erasures), "
        "newest first; page with `before` = the last record's leafIndex."
    )
    async def audit_records(
        self,
        info: Info,
        order_number: str | None = None,
        first: Annotated[int, strawberry.argument(description="1 to 200.")] = 50,
        before: int | None = None,
    ) -> list[AuditRecord]:
        context = info.context
        viewer = context.viewer
        if viewer.role is not Role.ADMIN or viewer.expired(context.runtime.clock()):
            raise Forbidden("only administrators can read audit records")
        if not 1 <= first <= MAX_AUDIT_PAGE:
            raise BadArgument(f"first must be between 1 and {MAX_AUDIT_PAGE}")
        async with context.runtime.engine.connect() as conn:
            found = await read_records(
                conn, order_number=order_number, first=first, before_leaf=before
            )
        return [present_audit_record(e) for e in found]

    @strawberry.field(
        description="Staff only: configured sources, how current each is, and what waits."
    )
    async def sources(self, info: Info) -> list[SourceStatus]:
        context = info.context
        if not context.viewer.is_staff or context.viewer.expired(context.runtime.clock()):
            raise Forbidden("only agents and administrators can see source health")
        return [
            SourceStatus(
                id=h.id,
                type=h.type,
                kind=h.kind,
                mode=h.mode,
                last_synced_at=h.last_synced_at,
                stale=h.stale,
                dead_letters=h.dead_letters,
                parked=h.parked,
                breaker=h.breaker,
                last_error=h.last_error,
                consecutive_failures=h.consecutive_failures,
            )
            for h in await connector_health(context.runtime)
        ]

    @strawberry.field(description="The transparency log: origin, public key, latest checkpoint.")
    async def log(self, info: Info) -> Log:
        runtime = info.context.runtime
        async with runtime.engine.connect() as conn:
            stored = await latest_checkpoint(conn)
        return Log(
            origin=runtime.signer.name,
            public_key=runtime.signer.vkey,
            checkpoint=Checkpoint(
                tree_size=stored.tree_size,
                root_hash=b64(stored.root),
                note=stored.note,
                created_at=stored.created_at,
            )
            if stored
            else None,
        )

    @strawberry.field(description="Consistency proof between two checkpoints (RFC 9162 2.1.4).")
    async def consistency_proof(
        self, info: Info, from_size: int, to_size: int | None = None
    ) -> ConsistencyProof:
        runtime = info.context.runtime
        async with runtime.engine.connect() as conn:
            newest = await latest_checkpoint(conn)
            target = to_size if to_size is not None else (newest.tree_size if newest else 0)
            if newest is None or not 0 < from_size <= target <= newest.tree_size:
                raise BadArgument(
                    f"need 0 < fromSize <= toSize <= {newest.tree_size if newest else 0}"
                )
            old = await checkpoint_at(conn, from_size)
            new = await checkpoint_at(conn, target)
            if old is None or new is None:
                raise BadArgument("both sizes must be sizes of signed checkpoints")
            proof = await consistency_proof(conn, from_size, target, runtime.cache)
        return ConsistencyProof(
            from_size=from_size,
            to_size=target,
            proof=[b64(p) for p in proof],
            from_checkpoint=old.note,
            to_checkpoint=new.note,
        )


async def timeline_page(
    info: Info, order: Order, first: int, after: str | None
) -> TimelineConnection:
    if not 1 <= first <= MAX_PAGE:
        raise BadArgument(f"first must be between 1 and {MAX_PAGE}")
    try:
        cursor = decode_cursor(after) if after else None
    except ValueError as exc:
        raise BadArgument(str(exc)) from None
    access = order.access
    visibilities = frozenset(v.value for v in access.visibilities)
    key = PageKey(order.number, first, cursor, visibilities, access.audit)
    page = await info.context.loaders.pages.load(key)
    edges = [TimelineEdge(cursor=encode_cursor(e), node=present_event(e)) for e in page.events]
    return TimelineConnection(
        edges=edges,
        page_info=PageInfo(
            has_next_page=page.has_next, end_cursor=edges[-1].cursor if edges else None
        ),
        total_count=order.event_count,
    )


async def verification_bundle(info: Info, order: Order) -> dict[str, Any]:
    runtime = info.context.runtime
    number = order.number
    async with runtime.engine.connect() as conn:
        checkpoint = await latest_checkpoint(conn)
        events = (await load_events(conn, [number])).get(number, [])
        if checkpoint is None or not events:
            raise BadArgument(f"order {number} has no logged events")
        proofs = await verified_inclusion_proofs(
            conn, {e.leaf_index: e.leaf_hash for e in events}, checkpoint, runtime.cache
        )
    ordered = sorted(events, key=lambda e: e.seq)
    return build_bundle(
        number,
        [
            (e.document, e.leaf_index, proofs[e.leaf_index])
            if order.access.sees(e)
            else Redacted(e.seq, e.leaf_hash, e.leaf_index, proofs[e.leaf_index])
            for e in ordered
        ],
        checkpoint.tree_size,
        checkpoint.note,
    )
