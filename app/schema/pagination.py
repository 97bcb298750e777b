"""Relay-style connections: ``totalCount``, ``edges { cursor node }``, ``nodes``, ``pageInfo``.

Cursors are opaque (base64 of the position); ``first`` defaults to 20 and may not exceed 100.
Only forward paging (``first``/``after``) is offered.
"""

import base64
import binascii
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Annotated, Generic, TypeVar

import sqlalchemy as sa
import strawberry

from app.errors import ValidationError
from app.services.queries.batches import Slice, count, page

if TYPE_CHECKING:
    from app.schema.context import Info

T = TypeVar("T")
DEFAULT_PAGE_SIZE = 20
MAX_PAGE_SIZE = 100
_CURSOR_PREFIX = "cursor:"

FIRST_DESCRIPTION = f"取多少条，默认 {DEFAULT_PAGE_SIZE}，最多 {MAX_PAGE_SIZE}"
AFTER_DESCRIPTION = "从这个游标之后开始取（上一页 pageInfo.endCursor）"
# The paging arguments of every connection field.
First = Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)]
After = Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)]


@dataclass(frozen=True, slots=True)
class PageRequest:
    limit: int
    offset: int


def encode_cursor(position: int) -> str:
    return base64.b64encode(f"{_CURSOR_PREFIX}{position}".encode()).decode()


def decode_cursor(cursor: str) -> int:
    try:
        text = base64.b64decode(cursor.encode(), validate=True).decode()
        position = int(text.removeprefix(_CURSOR_PREFIX)) if text.startswith(_CURSOR_PREFIX) else -1
    except (binascii.Error, UnicodeError, ValueError):
        position = -1
    if position < 0:
        raise ValidationError("游标无效，请使用 pageInfo.endCursor 的值", code="invalid_cursor")
    return position


def page_request(first: int | None, after: str | None) -> PageRequest:
    """Check ``first`` and ``after``; a request past the limit is refused, not trimmed."""
    limit = DEFAULT_PAGE_SIZE if first is None else first
    if not 0 <= limit <= MAX_PAGE_SIZE:
        raise ValidationError(
            f"first 应在 0 到 {MAX_PAGE_SIZE} 之间", code="page_size_invalid", field="first"
        )
    offset = decode_cursor(after) + 1 if after else 0
    return PageRequest(limit=limit, offset=offset)


@strawberry.type(description="分页信息")
class PageInfo:
    has_next_page: bool = strawberry.field(description="后面是否还有")
    has_previous_page: bool = strawberry.field(description="前面是否还有")
    start_cursor: str | None = strawberry.field(description="本页第一项的游标")
    end_cursor: str | None = strawberry.field(description="本页最后一项的游标；传给 after 取下一页")


@strawberry.type(description="列表中的一项及其游标")
class Edge(Generic[T]):
    cursor: str = strawberry.field(description="这一项的游标")
    node: T = strawberry.field(description="这一项")


@strawberry.type(description="分页列表（Relay 连接）")
class Connection(Generic[T]):
    slice: strawberry.Private[Slice]
    offset: strawberry.Private[int]
    # Counting costs a statement: done only when totalCount is asked for (nested lists know it).
    counter: strawberry.Private[Callable[[], Awaitable[int]] | None] = None

    @strawberry.field(description="符合条件的总数")
    def total_count(self) -> int:
        if self.slice.total is not None:
            return self.slice.total
        assert self.counter is not None
        return self.counter()  # type: ignore[return-value]  # awaited by the executor

    @strawberry.field(description="本页各项及其游标")
    def edges(self) -> list[Edge[T]]:
        return [
            Edge(cursor=encode_cursor(self.offset + i), node=row)
            for i, row in enumerate(self.slice.rows)
        ]

    @strawberry.field(description="本页各项（不需要游标时用它）")
    def nodes(self) -> list[T]:
        return self.slice.rows

    @strawberry.field(description="分页信息")
    def page_info(self) -> PageInfo:
        rows = self.slice.rows
        return PageInfo(
            has_next_page=self.slice.has_next,
            has_previous_page=self.offset > 0,
            start_cursor=encode_cursor(self.offset) if rows else None,
            end_cursor=encode_cursor(self.offset + len(rows) - 1) if rows else None,
        )


async def list_connection(
    info: "Info", query: sa.Select, request: PageRequest, *, prime=None, then=None
) -> Connection:
    """One page of a scoped query; the total is counted only if asked for.

    ``prime`` (a ``<Model>ByIdLoader``) learns the loaded rows, so nested fields that need them
    again (an agreement's village for its county) cost no statement; ``then(session, rows)`` may
    fetch what the query selects on them in the same read.
    """
    context = info.context

    def read(session):
        rows = page(session, query, limit=request.limit, offset=request.offset)
        if then is not None and rows.rows:
            then(session, rows.rows)
        return rows

    rows = await context.read(read)
    if prime is not None:
        for row in rows.rows:
            prime.prime(row.id, row)

    async def counter() -> int:
        return await context.read(lambda session: count(session, query))

    return Connection(slice=rows, offset=request.offset, counter=counter)
