"""The answer of a search in GraphQL: a connection with highlights, facet counts and a suggestion.

``connection`` turns ``app.search`` results (already re-checked against the database) into it.
"""

from typing import Generic, TypeVar

import strawberry

from app.schema.pagination import PageInfo, PageRequest, encode_cursor
from app.search.results import MAX_RESULT_WINDOW

T = TypeVar("T")
FACET_LABELS = {"category": "类别", "county": "县（市、区）", "certification": "认证",
                "help": "帮扶方式"}  # fmt: skip
# Facets whose values are enumerations: shown as the GraphQL enum's names, as filters take them.
ENUM_FACETS = frozenset({"category", "certification", "help"})


@strawberry.type(description="搜索结果中的一项：对象及其游标，名称和摘要中标出匹配的词")
class SearchEdge(Generic[T]):
    cursor: str = strawberry.field(description="这一项的游标")
    node: T = strawberry.field(description="这一项（已按数据库核对状态和查看权限）")
    highlighted_name: str = strawberry.field(
        description="名称，HTML：其余内容已转义，匹配的词包在 <mark> 中"
    )
    snippet: str = strawberry.field(description="介绍中第一处匹配前后约 90 字，HTML，同上")


@strawberry.type(description="分面中的一个取值")
class FacetValue:
    value: str = strawberry.field(description="取值，可原样作为筛选条件传入（枚举名或县级代码）")
    label: str = strawberry.field(description="取值的中文名称")
    count: int = strawberry.field(
        description="选中它时的结果数（本分面之外的条件不变；同一分面多选为“或”）"
    )
    selected: bool = strawberry.field(description="是否已在筛选条件中")


@strawberry.type(description="分面：按一个维度统计的结果数，用于筛选复选框")
class SearchFacet:
    field: str = strawberry.field(
        description="维度：category 类别、county 县、certification 认证、help 帮扶方式"
    )
    label: str = strawberry.field(description="维度的中文名称")
    values: list[FacetValue] = strawberry.field(description="有结果（或已选中）的取值")


@strawberry.type(description="搜索结果：分页连接，另有分面计数和“您是不是要找”")
class SearchConnection(Generic[T]):
    total_count: int = strawberry.field(description="符合条件的总数（按索引统计）")
    edges: list[SearchEdge[T]] = strawberry.field(description="本页各项，带游标和高亮")
    page_info: PageInfo = strawberry.field(description="分页信息")
    facets: list[SearchFacet] = strawberry.field(description="各分面的计数")
    suggestion: str | None = strawberry.field(
        description="没有结果时，一个能找到结果的搜索词（您是不是要找 …）；否则为空"
    )
    available: bool = strawberry.field(
        description="索引是否可用；首次启动正在建立索引时为 false，结果为空"
    )

    @strawberry.field(description="本页各项（不需要游标和高亮时用它）")
    def nodes(self) -> list[T]:
        return [edge.node for edge in self.edges]


def connection(results, request: PageRequest, node_of) -> SearchConnection:
    """The connection of a search's results (None: no search service in this process)."""
    if results is None or not results.available:
        return SearchConnection(
            total_count=0,
            edges=[],
            page_info=PageInfo(
                has_next_page=False, has_previous_page=False, start_cursor=None, end_cursor=None
            ),
            facets=[],
            suggestion=None,
            available=False,
        )
    hits = results.hits[: request.limit]
    edges = [
        SearchEdge(
            cursor=encode_cursor(request.offset + i),
            node=node_of(hit),
            highlighted_name=str(hit.name),
            snippet=str(hit.snippet),
        )
        for i, hit in enumerate(hits)
    ]
    window = min(results.total, MAX_RESULT_WINDOW)
    return SearchConnection(
        total_count=results.total,
        edges=edges,
        page_info=PageInfo(
            has_next_page=request.offset + len(hits) < window,
            has_previous_page=request.offset > 0,
            start_cursor=edges[0].cursor if edges else None,
            end_cursor=edges[-1].cursor if edges else None,
        ),
        facets=[_facet(name, values) for name, values in results.facets.items() if name != "kind"],
        suggestion=results.suggestion,
        available=True,
    )


def _facet(name: str, values) -> SearchFacet:
    shown = str.upper if name in ENUM_FACETS else str
    return SearchFacet(
        field=name,
        label=FACET_LABELS[name],
        values=[FacetValue(value=shown(v.value), label=v.label, count=v.count,
                           selected=v.selected) for v in values],
    )  # fmt: skip
