"""Search over the Whoosh index (``app.search``): products for buyers, villages and enterprises for
pairing. Chinese word segmentation, pinyin, filters, facet counts, sorting and highlights.

The index only proposes: every hit is loaded from the database and re-checked (listed, approved,
visible to the actor) before it is returned, so nothing delisted shows even while the index lags.
Paging is by cursor like every connection (``first`` ≤ 100, counted by the node budget), up to the
search's result window.
"""

from enum import Enum
from typing import Annotated

import strawberry

from app.errors import ValidationError
from app.labels import CERTIFICATION
from app.models.enums import INDUSTRY_SECTIONS
from app.models.enums import Certification as DomainCertification
from app.money import yuan_to_fen
from app.permissions import ENTERPRISES, PRODUCTS
from app.schema import enums
from app.schema.context import Info
from app.schema.organisations import Enterprise
from app.schema.pagination import (
    AFTER_DESCRIPTION,
    DEFAULT_PAGE_SIZE,
    FIRST_DESCRIPTION,
    PageRequest,
    page_request,
)
from app.schema.regions import Village
from app.schema.scalars import Money
from app.schema.search_results import SearchConnection, connection
from app.schema.trade import Product
from app.search.documents import ASSISTANCE, ASSISTANCE_LABEL, ENTERPRISE, EXTERNAL_REGION, VILLAGE
from app.search.pairing import PairingQuery, PairingSort
from app.search.products import MAX_QUERY_LENGTH, SORT_LABELS, ProductQuery, ProductSort
from app.search.results import MAX_RESULT_WINDOW

FILTER = strawberry.argument(description="筛选条件")
SORT = strawberry.argument(description="排序，默认综合排序")
First = Annotated[int | None, strawberry.argument(description=FIRST_DESCRIPTION)]
After = Annotated[str | None, strawberry.argument(description=AFTER_DESCRIPTION)]
Text = Annotated[
    str,
    strawberry.argument(
        description="搜索词：空格分开的词须同时出现；支持拼音全拼和首字母；"
        f"最多 {MAX_QUERY_LENGTH} 字"
    ),
]


def _enum(name: str, values: dict[str, str], description: str) -> type[Enum]:
    members = {value.upper(): strawberry.enum_value(value, description=text)
               for value, text in values.items()}  # fmt: skip
    return strawberry.enum(Enum(name, members), description=description)


ProductSearchSort = _enum(
    "ProductSearchSort", {s.value: text for s, text in SORT_LABELS.items()}, "产品搜索的排序"
)
PairingSearchSort = _enum(
    "PairingSearchSort",
    {PairingSort.relevance.value: "综合排序（匹配程度，再按评分与时间）",
     PairingSort.newest.value: "最新登记的在前"},
    "帮扶村、帮扶主体搜索的排序",
)  # fmt: skip
SearchCertification = _enum(
    "SearchCertification",
    {**{c.value: CERTIFICATION[c] for c in DomainCertification},
     ASSISTANCE: f"{ASSISTANCE_LABEL}（今天在有效期内）"},
    "产品搜索可筛选的认证：第三方认证，以及乡村振兴局的消费帮扶产品认定",
)  # fmt: skip


# Filters --------------------------------------------------------------------------------------


@strawberry.input(description="产品搜索的筛选条件：各项同时满足；同一项的多个值满足其一即可")
class ProductSearchFilter:
    categories: list[enums.ProductCategory] | None = strawberry.field(
        default=None, description="类别"
    )
    county_codes: list[str] | None = strawberry.field(default=None, description="产地县级代码")
    county_category: enums.CountyCategory | None = strawberry.field(
        default=None, description="产地县的类别"
    )
    certifications: list[SearchCertification] | None = strawberry.field(
        default=None, description="认证"
    )
    price_min: Money | None = strawberry.field(default=None, description="最低单价（元），含")
    price_max: Money | None = strawberry.field(default=None, description="最高单价（元），含")
    in_stock: bool = strawberry.field(default=False, description="只要有库存的")
    harvest_month: int | None = strawberry.field(default=None, description="在这个月采收（1–12）")


@strawberry.input(description="帮扶村搜索的筛选条件")
class VillageSearchFilter:
    county_codes: list[str] | None = strawberry.field(default=None, description="县级代码")
    county_category: enums.CountyCategory | None = strawberry.field(
        default=None, description="县的类别"
    )
    key_village: bool | None = strawberry.field(
        default=None, description="true 只要重点帮扶村，false 只要非重点村"
    )
    has_partner: bool | None = strawberry.field(
        default=None, description="true 只要已有结对（提出、签订或履行中），false 只要尚未结对的"
    )
    need_kinds: list[enums.HelpKind] | None = strawberry.field(
        default=None, description="有这些类型的待对接需求"
    )


@strawberry.input(description="帮扶主体搜索的筛选条件")
class EnterpriseSearchFilter:
    county_codes: list[str] | None = strawberry.field(
        default=None, description=f"所在县级代码；{EXTERNAL_REGION} 表示市外"
    )
    kinds: list[enums.EnterpriseKind] | None = strawberry.field(default=None, description="类型")
    help_kinds: list[enums.HelpKind] | None = strawberry.field(
        default=None, description="能提供这些帮扶方式"
    )
    industries: list[str] | None = strawberry.field(
        default=None, description="所属行业门类（GB/T 4754 门类字母 A–T）"
    )


def _values(members) -> tuple[str, ...]:
    return tuple(member.value for member in members or ())


def _text(query: str) -> str:
    text = query.strip()
    if len(text) > MAX_QUERY_LENGTH:
        raise ValidationError(
            f"搜索词最多 {MAX_QUERY_LENGTH} 字", code="query_too_long", field="query"
        )
    return text


def _window(request: PageRequest) -> dict[str, int]:
    """The page of a search: ``per_page`` ≥ 1 even for ``first: 0`` (then nothing is shown)."""
    if request.offset >= MAX_RESULT_WINDOW:
        raise ValidationError(
            f"搜索结果最多翻到第 {MAX_RESULT_WINDOW} 条，请增加筛选条件缩小范围",
            code="result_window_exceeded",
            field="after",
        )
    return {"offset": request.offset, "per_page": max(request.limit, 1)}


def _county_codes(codes: list[str] | None, *, external: bool = False) -> tuple[str, ...]:
    for code in codes or ():
        if not (len(code) == 6 and code.isdigit()) and not (external and code == EXTERNAL_REGION):
            raise ValidationError(
                "县级代码应为 6 位数字，如 140829", code="invalid_county_code", field="countyCodes"
            )
    return tuple(codes or ())


def product_query(
    text: str, given: ProductSearchFilter | None, sort: Enum, request: PageRequest
) -> ProductQuery:
    given = given or ProductSearchFilter()
    if given.harvest_month is not None and not 1 <= given.harvest_month <= 12:
        raise ValidationError("采收月份应为 1 到 12", code="invalid_month", field="harvestMonth")

    def price(value: Money | None, field: str) -> int | None:
        return None if value is None else yuan_to_fen(value, field=field, label="价格")

    return ProductQuery(
        text=_text(text),
        categories=_values(given.categories),
        county_codes=_county_codes(given.county_codes),
        county_category=given.county_category.value if given.county_category else None,
        certifications=_values(given.certifications),
        price_min=price(given.price_min, "priceMin"),
        price_max=price(given.price_max, "priceMax"),
        in_stock=given.in_stock,
        harvest_month=given.harvest_month,
        sort=ProductSort(sort.value),
        **_window(request),
    )


def village_query(
    text: str, given: VillageSearchFilter | None, sort: Enum, request
) -> PairingQuery:
    given = given or VillageSearchFilter()
    return PairingQuery(
        text=_text(text),
        kinds=(VILLAGE,),
        county_codes=_county_codes(given.county_codes),
        county_category=given.county_category.value if given.county_category else None,
        key_village=given.key_village,
        has_partner=given.has_partner,
        help_kinds=_values(given.need_kinds),
        sort=PairingSort(sort.value),
        **_window(request),
    )


def enterprise_query(
    text: str, given: EnterpriseSearchFilter | None, sort: Enum, request
) -> PairingQuery:
    given = given or EnterpriseSearchFilter()
    industries = tuple(given.industries or ())
    if any(len(s) != 1 or s not in INDUSTRY_SECTIONS for s in industries):
        raise ValidationError(
            "行业门类应为 A 到 T 的字母", code="invalid_industry", field="industries"
        )
    return PairingQuery(
        text=_text(text),
        kinds=(ENTERPRISE,),
        county_codes=_county_codes(given.county_codes, external=True),
        enterprise_kinds=_values(given.kinds),
        help_kinds=_values(given.help_kinds),
        industries=industries,
        sort=PairingSort(sort.value),
        **_window(request),
    )


def search_service(info: Info):
    """The serving app's search service; None when there is none (no index yet, or no app)."""
    request = info.context.request
    return None if request is None else request.app.state.search


# Queries --------------------------------------------------------------------------------------


@strawberry.type
class SearchQueries:
    @strawberry.field(
        description="搜索在售特色产品：中文分词、拼音（pingguo、pg）、筛选、分面计数、排序、"
        "高亮和“您是不是要找”。每条结果都按数据库重新核对上架状态和查看权限"
    )
    async def search_products(
        self,
        info: Info,
        query: Text = "",
        filter: Annotated[ProductSearchFilter | None, FILTER] = None,
        sort: Annotated[ProductSearchSort, SORT] = ProductSearchSort.RELEVANCE,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> SearchConnection[Product]:
        request = page_request(first, after)
        search = product_query(query, filter, sort, request)
        actor, service = info.context.actor, search_service(info)

        def permit(product) -> bool:
            return PRODUCTS.allows(
                actor,
                status=product.status,
                cooperative_id=product.cooperative_id,
                county_code=product.village.county_code,
            )

        def work(session):
            return (
                None if service is None else service.search_products(session, search, permit=permit)
            )

        results = await info.context.read(work)
        loaders = info.context.loaders
        for hit in results.hits if results else ():
            # Loaded with their villages: nested fields need no statement to find them again.
            loaders.product_by_id.prime(hit.product_id, hit.product)
            loaders.village_by_id.prime(hit.product.village_id, hit.product.village)
        return connection(results, request, lambda hit: hit.product)

    @strawberry.field(
        description="搜索行政村（供企业寻找帮扶对象）：村名、主导产业、资源、介绍，按县、重点村、"
        "结对情况和需求类型筛选"
    )
    async def search_villages(
        self,
        info: Info,
        query: Text = "",
        filter: Annotated[VillageSearchFilter | None, FILTER] = None,
        sort: Annotated[PairingSearchSort, SORT] = PairingSearchSort.RELEVANCE,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> SearchConnection[Village]:
        request = page_request(first, after)
        search = village_query(query, filter, sort, request)
        return await _pairing(info, search, request, None, info.context.loaders.village_by_id)

    @strawberry.field(
        description="搜索已审核通过的帮扶主体（企业、机关、学校等）：名称、介绍，按所在县、类型、"
        "能提供的帮扶方式和行业筛选"
    )
    async def search_enterprises(
        self,
        info: Info,
        query: Text = "",
        filter: Annotated[EnterpriseSearchFilter | None, FILTER] = None,
        sort: Annotated[PairingSearchSort, SORT] = PairingSearchSort.RELEVANCE,
        first: First = DEFAULT_PAGE_SIZE,
        after: After = None,
    ) -> SearchConnection[Enterprise]:
        request = page_request(first, after)
        actor = info.context.actor

        def permit(obj) -> bool:
            return ENTERPRISES.allows(
                actor, status=obj.status, id=obj.id, county_code=obj.county_code
            )

        search = enterprise_query(query, filter, sort, request)
        loader = info.context.loaders.enterprise_by_id
        return await _pairing(info, search, request, permit, loader)


async def _pairing(info: Info, search: PairingQuery, request: PageRequest, permit, loader):
    service = search_service(info)

    def work(session):
        return None if service is None else service.search_pairing(session, search, permit=permit)

    results = await info.context.read(work)
    for hit in results.hits if results else ():
        loader.prime(hit.object_id, hit.obj)
    return connection(results, request, lambda hit: hit.obj)
