"""The Query root and the resolvers behind Order's list fields."""

from __future__ import annotations

from typing import Annotated, Any

import strawberry
from sqlalchemy.ext.asyncio import AsyncConnection

from gateway.audit import read_records
from gateway.freshness import source_state
from gateway.ledger import Redacted, build_bundle
from gateway.ledger.store import (
    StoredCheckpoint,
    checkpoint_at,
    latest_checkpoint,
    signed_sizes_around,
    verified_consistency,
    verified_inclusion_proofs,
)
from gateway.ops import connector_health
from gateway.timeline.store import load_events
from privacy import Role
from resolvers.access import authorize
from resolvers.context import Info
from resolvers.errors import ClientError
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


class BadArgument(ClientError, ValueError):
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

    @strawberry.field(
        description="Proof that the log at `toSize` extends the log at `fromSize` (RFC 9162 "
        "2.1.4). `toSize` must be a signed checkpoint size (default: the latest); `fromSize` "
        "may be any size from 1 to `toSize`: its root is then authenticated by the proof. "
        "Null with an error naming the problem when the sizes cannot be proven."
    )
    async def consistency_proof(
        self,
        info: Info,
        from_size: Annotated[
            int, strawberry.argument(description="1 to toSize; need not be a signed size.")
        ],
        to_size: Annotated[
            int | None,
            strawberry.argument(
                description="A signed checkpoint size (see log.checkpoint); default the latest."
            ),
        ] = None,
    ) -> ConsistencyProof | None:
        runtime = info.context.runtime
        async with runtime.engine.connect() as conn:
            new = await _proof_target(conn, from_size, to_size)
            old_root, proof = await verified_consistency(conn, from_size, new, runtime.cache)
            old = new if from_size == new.tree_size else await checkpoint_at(conn, from_size)
        return ConsistencyProof(
            from_size=from_size,
            to_size=new.tree_size,
            proof=[b64(p) for p in proof],
            from_root=b64(old_root),
            to_root=b64(new.root),
            from_checkpoint=old.note if old else None,
            to_checkpoint=new.note,
        )


async def _proof_target(
    conn: AsyncConnection, from_size: int, to_size: int | None
) -> StoredCheckpoint:
    """The signed checkpoint to prove into, or a BadArgument that says what to ask instead."""
    if from_size < 1:
        raise BadArgument(f"fromSize must be at least 1, got {from_size}")
    if to_size is not None and to_size < 1:
        raise BadArgument(f"toSize must be at least 1, got {to_size}")
    if to_size is not None and from_size > to_size:
        raise BadArgument(
            f"fromSize {from_size} is above toSize {to_size}: the log only grows, "
            "so the smaller size comes first"
        )
    latest = await latest_checkpoint(conn)
    if latest is None:
        raise BadArgument("the log has no signed checkpoint yet")
    wanted = to_size if to_size is not None else from_size
    if wanted > latest.tree_size:
        name = "toSize" if to_size is not None else "fromSize"
        raise BadArgument(
            f"{name} {wanted} is beyond the latest signed checkpoint, size {latest.tree_size} "
            "(see log.checkpoint)"
        )
    if to_size is None or to_size == latest.tree_size:
        return latest
    found = await checkpoint_at(conn, to_size)
    if found is None:
        below, above = await signed_sizes_around(conn, to_size)
        nearest = " and ".join(str(size) for size in (below, above) if size is not None)
        raise BadArgument(
            f"toSize {to_size} is not the size of a signed checkpoint; the nearest signed "
            f"sizes are {nearest} (omit toSize for the latest, {latest.tree_size})"
        )
    return found


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
