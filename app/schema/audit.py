"""The audit trail (操作记录) of one object, for the bureau whose region holds it and admins."""

from datetime import datetime
from typing import Annotated

import strawberry

from app.errors import NotFoundError
from app.models import County
from app.models import Event as EventRow
from app.schema.context import Info
from app.schema.node import resolve_node
from app.schema.pagination import (
    AFTER_DESCRIPTION,
    DEFAULT_PAGE_SIZE,
    FIRST_DESCRIPTION,
    Connection,
    page_request,
)
from app.schema.scalars import JSONValue
from app.services import audit_trail
from app.services.queries.audit import county_of
from app.services.queries.batches import Slice


@strawberry.type(description="操作记录：谁在何时对哪个对象做了什么，以及变更前后的内容")
class Event:
    occurred_at: datetime = strawberry.field(description="发生时间")
    actor_label: str = strawberry.field(description="操作人")
    action: str = strawberry.field(description="动作，如 agreement.propose")
    summary: str = strawberry.field(description="中文摘要")
    before: JSONValue | None = strawberry.field(description="变更前的内容")
    after: JSONValue | None = strawberry.field(description="变更后的内容")


@strawberry.type
class AuditQueries:
    @strawberry.field(
        description="一个对象的操作记录，先发生的在前（乡村振兴局限本辖区的对象；管理员）"
    )
    async def events(
        self,
        info: Info,
        object_id: Annotated[strawberry.ID, strawberry.argument(description="对象的全局编号")],
        first: Annotated[
            int | None, strawberry.argument(description=FIRST_DESCRIPTION)
        ] = DEFAULT_PAGE_SIZE,
        after: Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)] = None,
    ) -> Connection[Event]:
        request = page_request(first, after)
        context = info.context
        obj = await resolve_node(context, object_id)
        if obj is None:
            raise NotFoundError("对象不存在或您无权查看", code="not_found")

        key = obj.code if isinstance(obj, County) else obj.id

        def read(session) -> list[EventRow]:
            return audit_trail.object_events(
                session=session,
                actor=context.actor,
                object_type=type(obj).__name__,
                object_id=key,
                county_code=county_of(session, obj),
            )

        rows = await context.read(read)
        window = rows[request.offset : request.offset + request.limit]
        has_next = request.offset + len(window) < len(rows)
        page = Slice(rows=window, total=len(rows), has_next=has_next)
        return Connection(slice=page, offset=request.offset)
