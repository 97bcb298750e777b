"""Top-level list fields: ``(first, after, filter[, orderBy]) -> Connection[Node]``.

Every such list reads the same way: the filter input (absent means an empty one) becomes the
domain filter through its ``to_filter()``, one scoped query selects the rows, a page of it is read
and the rows prime their ``<Model>ByIdLoader``. ``list_field`` builds that resolver, as
``data_mutation`` builds a mutation; what differs per list is passed in.
"""

from collections.abc import Callable
from typing import Annotated, Any

import sqlalchemy as sa
import strawberry

from app.schema import enums
from app.schema.context import Info
from app.schema.pagination import (
    DEFAULT_PAGE_SIZE,
    After,
    Connection,
    First,
    list_connection,
    page_request,
)

FILTER_DESCRIPTION = "筛选条件"


def list_field(
    node: type,
    description: str,
    filter_type: type,
    loader: str,
    *,
    select: Callable[..., sa.Select],
    order: tuple[Any, str] | None = None,
    where: Callable[[Any], sa.ColumnElement[bool] | None] | None = None,
    prefetch: Callable[[Info], Callable | None] | None = None,
) -> Any:
    """A list of ``node`` read by ``select(actor=, filters=[, order=])``, ``filters`` being what
    ``filter_type.to_filter()`` gives, its rows priming ``context.loaders.<loader>``.

    ``order`` is (default value, argument description) of the ``orderBy`` argument, whose
    domain value ``select`` receives; without it the list has no ``orderBy``. ``where(input)`` may
    narrow the query by input fields the domain filter does not hold; ``prefetch(info)`` may give
    ``list_connection`` a ``then`` for what the asked-for fields need of the rows.
    """
    FilterArgument = Annotated[
        filter_type | None, strawberry.argument(description=FILTER_DESCRIPTION)
    ]

    async def read(info: Info, first, after, given, **ordered) -> Connection:
        given = given or filter_type()
        query = select(actor=info.context.actor, filters=given.to_filter(), **ordered)
        condition = where(given) if where is not None else None
        if condition is not None:
            query = query.where(condition)
        return await list_connection(
            info,
            query,
            page_request(first, after),
            prime=getattr(info.context.loaders, loader),
            then=prefetch(info) if prefetch is not None else None,
        )

    if order is None:

        async def resolver(
            info: Info,
            first: First = DEFAULT_PAGE_SIZE,
            after: After = None,
            filter: FilterArgument = None,
        ) -> Connection[node]:
            return await read(info, first, after, filter)

    else:
        default, order_description = order
        OrderArgument = Annotated[type(default), strawberry.argument(description=order_description)]

        async def resolver(
            info: Info,
            first: First = DEFAULT_PAGE_SIZE,
            after: After = None,
            filter: FilterArgument = None,
            order_by: OrderArgument = default,
        ) -> Connection[node]:
            return await read(info, first, after, filter, order=enums.domain(order_by))

    return strawberry.field(resolver=resolver, description=description)
