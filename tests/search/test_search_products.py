"""Product search against a real index built from a real database (rolled back per test)."""

from datetime import date

import pytest
import sqlalchemy as sa
from markupsafe import Markup

from app.models import County, Product, Village
from app.models.enums import Certification, ProductCategory, ProductStatus
from app.models.flags import months_to_mask, to_mask
from app.search.products import ProductQuery, ProductSort
from tests.search_factories import index_from_session, listed

TODAY = date(2026, 11, 29)


@pytest.fixture
def catalog(session, index_dir):
    """Ten products in five counties (two not listed), indexed; returns (service, products)."""
    p = {
        "fuji": listed(
            session, "红富士苹果", "140830", price_fen=800, stock=100,
            harvest_months=months_to_mask([9, 10]),
            certifications=to_mask([Certification.green], Certification),
            description="芮城黄河滩地的红富士，脆甜多汁。",
        ),
        "wanrong": listed(
            session, "万荣苹果", "140822", price_fen=600, stock=0,
            harvest_months=months_to_mask([10]), rating_total=9, rating_count=2,
        ),
        "lily": listed(
            session, "平陆杜马百合", "140829", category=ProductCategory.vegetable,
            price_fen=3500, stock=100, harvest_months=months_to_mask([8]),
        ),
        "pepper": listed(
            session, "大红袍花椒", "140830", category=ProductCategory.dried_nut,
            price_fen=12000, stock=50, rating_total=10, rating_count=2,
            certifications=to_mask([Certification.geographic_indication], Certification),
            assistance_certified_until=date(2027, 6, 30),
        ),
        "jujube": listed(
            session, "稷山板枣", "140824", category=ProductCategory.dried_nut,
            price_fen=2500, stock=100, assistance_certified_until=date(2026, 6, 30),
            description="稷山板枣，皮薄肉厚。",
        ),
        "script": listed(session, "<script>alert(1)</script>苹果", "140802", price_fen=100),
        "vinegar": listed(
            session, "芮城苹果醋", "140830", category=ProductCategory.processed, price_fen=1500
        ),
        "walnut": listed(
            session, "核桃仁", "140829", category=ProductCategory.dried_nut, price_fen=4000
        ),
        "delisted": listed(session, "下架的苹果", "140822", status=ProductStatus.delisted),
        "draft": listed(session, "草稿苹果", "140822", status=ProductStatus.draft),
    }  # fmt: skip
    return index_from_session(session, index_dir), p


def names(results) -> set[str]:
    return {hit.product.name for hit in results.hits}


def run(service, session, **query):
    return service.search_products(session, ProductQuery(**query), today=TODAY)


def test_apple_finds_red_fuji_and_wanrong_apples_but_nothing_unlisted(catalog, session):
    service, _products = catalog
    results = run(service, session, text="苹果")
    assert {"红富士苹果", "万荣苹果"} <= names(results)
    assert names(results) == {
        "红富士苹果",
        "万荣苹果",
        "<script>alert(1)</script>苹果",
        "芮城苹果醋",
    }
    assert results.total == 4


@pytest.mark.parametrize(
    ("text", "expected"),
    [("百合", {"平陆杜马百合"}), ("花椒", {"大红袍花椒"}), ("杜马百合", {"平陆杜马百合"})],
)
def test_words_inside_product_names_are_found(catalog, session, text, expected):
    service, _products = catalog
    assert names(run(service, session, text=text)) == expected


@pytest.mark.parametrize("text", ["pingguo", "pg", "PingGuo", "ping guo", "pingg"])
def test_pinyin_and_initials_find_apples(catalog, session, text):
    service, _products = catalog
    assert {"红富士苹果", "万荣苹果"} <= names(run(service, session, text=text))


def test_pinyin_of_several_words_run_together(catalog, session):
    service, _products = catalog
    assert names(run(service, session, text="hongfushipingguo")) == {"红富士苹果"}
    assert names(run(service, session, text="hongfushi")) == {"红富士苹果"}


def test_a_single_character_finds_words_containing_it(catalog, session):
    service, _products = catalog
    assert names(run(service, session, text="枣")) == {"稷山板枣"}


def test_place_and_word_together_narrow_the_results(catalog, session):
    service, _products = catalog
    assert names(run(service, session, text="平陆 百合")) == {"平陆杜马百合"}
    assert names(run(service, session, text="芮城 苹果")) == {"红富士苹果", "芮城苹果醋"}


def test_highlights_escape_everything_but_the_mark(catalog, session):
    service, products = catalog
    results = run(service, session, text="苹果")
    hit = next(h for h in results.hits if h.product_id == products["script"].id)
    assert isinstance(hit.name, Markup)
    assert hit.name == Markup("&lt;script&gt;alert(1)&lt;/script&gt;<mark>苹果</mark>")
    fuji = next(h for h in results.hits if h.product_id == products["fuji"].id)
    assert fuji.name == Markup("红富士<mark>苹果</mark>")


def test_pinyin_hits_highlight_the_chinese_word(catalog, session):
    service, products = catalog
    hit = run(service, session, text="pg").hits
    fuji = next(h for h in hit if h.product_id == products["fuji"].id)
    assert fuji.name == Markup("红富士<mark>苹果</mark>")
    jujube = run(service, session, text="枣").hits[0]
    assert jujube.name == Markup("稷山板<mark>枣</mark>")
    assert jujube.snippet == Markup("稷山板<mark>枣</mark>，皮薄肉厚。")


def _sql_counts(session, column, *conditions) -> dict[str, int]:
    query = (
        sa.select(column, sa.func.count())
        .select_from(Product)
        .join(Village, Village.id == Product.village_id)
        .join(County, County.code == Village.county_code)
        .where(Product.status == ProductStatus.listed, *conditions)
        .group_by(column)
    )
    return {str(value): count for value, count in session.execute(query)}


def test_facet_counts_equal_sql_counts_for_the_same_filter(catalog, session):
    service, _products = catalog
    results = run(service, session, in_stock=True, price_min=500, price_max=13000)
    same_filter = (Product.stock > 0, Product.price_fen.between(500, 13000))
    assert results.facet_counts("category") == _sql_counts(session, Product.category, *same_filter)
    assert results.facet_counts("county") == _sql_counts(session, County.code, *same_filter)
    assert results.total == sum(_sql_counts(session, Product.category, *same_filter).values())


def test_text_facets_count_each_value_with_the_other_filters(catalog, session):
    service, _products = catalog
    results = run(service, session, text="苹果", categories=("fruit",), county_codes=("140830",))
    apples = Product.name.like("%苹果%")
    assert results.total == 1
    # A facet ignores its own filter, so ticking another value shows what it would add.
    assert results.facet_counts("category") == _sql_counts(
        session, Product.category, apples, County.code == "140830"
    )
    assert results.facet_counts("county") == _sql_counts(
        session, County.code, apples, Product.category == "fruit"
    )
    selected = {v.value for v in results.facets["category"] if v.selected}
    assert selected == {"fruit"}


def test_certification_filter_and_facet_know_whether_assistance_is_in_force(catalog, session):
    service, _products = catalog
    results = run(service, session, certifications=("assistance",))
    assert names(results) == {"大红袍花椒"}  # 稷山板枣's certification expired in June
    assert results.facet_counts("certification") == {
        "green": 1,
        "geographic_indication": 1,
        "assistance": 1,
    }
    labels = {v.value: v.label for v in results.facets["certification"]}
    assert labels["assistance"] == "消费帮扶认证"
    earlier = service.search_products(
        session, ProductQuery(certifications=("assistance",)), today=date(2026, 5, 1)
    )
    assert names(earlier) == {"大红袍花椒", "稷山板枣"}


def test_filters_combine(catalog, session):
    service, _products = catalog
    assert names(run(service, session, text="苹果", in_stock=True)) == {
        "红富士苹果",
        "<script>alert(1)</script>苹果",
        "芮城苹果醋",
    }
    assert names(run(service, session, harvest_month=10)) == {"红富士苹果", "万荣苹果"}
    assert names(run(service, session, county_category="key")) == {"平陆杜马百合", "核桃仁"}
    assert names(run(service, session, certifications=("green", "geographic_indication"))) == {
        "红富士苹果",
        "大红袍花椒",
    }
    assert names(run(service, session, price_min=2500, price_max=4000)) == {
        "平陆杜马百合",
        "稷山板枣",
        "核桃仁",
    }


@pytest.mark.parametrize(
    ("sort", "expected"),
    [
        (ProductSort.price_asc, ["<script>alert(1)</script>苹果", "万荣苹果", "红富士苹果"]),
        (ProductSort.price_desc, ["芮城苹果醋", "红富士苹果", "万荣苹果"]),
        (ProductSort.rating, ["万荣苹果"]),
    ],
)
def test_sorting_by_a_field(catalog, session, sort, expected):
    service, _products = catalog
    results = run(service, session, text="苹果", sort=sort)
    assert [h.product.name for h in results.hits][: len(expected)] == expected


def test_relevance_puts_name_matches_before_description_matches(catalog, session):
    service, _products = catalog
    results = run(service, session, text="黄河")
    assert names(results) == {"红富士苹果"}  # only its description mentions 黄河
    ranked = [h.product.name for h in run(service, session, text="芮城").hits]
    assert ranked[0] == "芮城苹果醋"  # 芮城 in the name beats 芮城 as the county


def test_newest_first_and_pages(catalog, session):
    service, products = catalog
    first = run(service, session, sort=ProductSort.newest, per_page=3)
    second = run(service, session, sort=ProductSort.newest, per_page=3, page=2)
    assert first.total == 8 and first.pages == 3
    listed_ids = [p.id for k, p in products.items() if k not in ("delisted", "draft")]
    newest = sorted(listed_ids, key=lambda i: (session.get(Product, i).created_at, i), reverse=True)
    assert [h.product_id for h in first.hits + second.hits] == newest[:6]
    by_offset = run(service, session, sort=ProductSort.newest, per_page=3, offset=1)
    assert [h.product_id for h in by_offset.hits] == newest[1:4]


def test_a_query_with_no_results_suggests_a_correction(catalog, session):
    service, _products = catalog
    homophone = run(service, session, text="平果")
    assert homophone.total == 0 and homophone.suggestion == "苹果"
    typo = run(service, session, text="pinguo")
    assert typo.total == 0 and typo.suggestion == "苹果"
    together = run(service, session, text="苹果 花椒")
    assert together.total == 0 and together.suggestion in ("苹果", "花椒")
    assert run(service, session, text="苹果").suggestion is None


def test_a_product_delisted_behind_the_index_never_appears(catalog, session):
    service, products = catalog
    products["fuji"].status = ProductStatus.delisted  # no outbox row: the index lags behind
    session.flush()
    results = run(service, session, text="苹果")
    assert "红富士苹果" not in names(results)
    assert service.pending_repairs().products == {products["fuji"].id}


def test_a_permission_predicate_can_refuse_hits(catalog, session):
    service, products = catalog
    results = service.search_products(
        session, ProductQuery(text="苹果"), permit=lambda p: p.id != products["wanrong"].id
    )
    assert "万荣苹果" not in names(results)
    assert service.pending_repairs().products == frozenset()


def test_without_an_index_search_answers_empty(search, session):
    results = search.search_products(session, ProductQuery(text="苹果"))
    assert results.available is False and results.total == 0 and results.hits == []


def test_query_pages_are_validated(catalog, session):
    service, _products = catalog
    with pytest.raises(ValueError):
        run(service, session, per_page=0)
    with pytest.raises(ValueError):
        run(service, session, page=0)
