"""Query fields about personal data: the audit records of who saw or erased it."""

from __future__ import annotations

from typing import Annotated

import strawberry

from gateway.timeline import read_audit_records
from privacy import Role
from resolvers.context import Info
from resolvers.errors import BadArgument, Forbidden
from resolvers.personal_data.present import present_audit_record
from resolvers.personal_data.types import AuditRecord

MAX_AUDIT_PAGE = 200


@strawberry.type
class PersonalDataQuery:
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
            found = await read_audit_records(
                conn, order_number=order_number, first=first, before_leaf=before
            )
        return [present_audit_record(e) for e in found]
