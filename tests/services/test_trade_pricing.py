"""Price sanity: per standard quantity (per 斤 or per piece), among listed products of the same
category, variety and county; twice the median; portable SQL; a paged list with its total."""

import pytest

from app.errors import PermissionDeniedError
from app.models.enums import ProductCategory, ProductStatus
from app.services.pricing import price_checks, price_flags
from tests.factories import make_cooperative, make_county, make_township, make_village
from tests.trade_factories import bureau_actor, cooperative_actor, make_listed_product

FRUIT = ProductCategory.fruit


def _fruit(session, price_fen, **overrides):
    values = {"category": FRUIT, "unit": "斤", "price_fen": price_fen, "variety": "红富士"}
    return make_listed_product(session, **values | overrides)


def test_median_of_an_odd_and_an_even_number_of_prices(session):
    odd = [_fruit(session, p) for p in (300, 100, 200)]
    checks = price_checks(session, [p.id for p in odd])
    assert {c.median_fen for c in checks.values()} == {200}
    _fruit(session, 1000)  # now 100, 200, 300, 1000: median (200 + 300) / 2
    check = price_checks(session, [odd[0].id])[odd[0].id]
    assert (check.median_fen, check.comparables, check.percent_of_median) == (250, 4, 120)


def test_flagged_strictly_above_twice_the_median(session):
    for price in (200, 200, 200):
        _fruit(session, price)
    at_limit = _fruit(session, 400)  # median 200: 400 is exactly 2×
    above = _fruit(session, 401)
    checks = price_checks(session, [at_limit.id, above.id])
    assert not checks[at_limit.id].flagged
    assert checks[above.id].flagged
    found = price_flags(session=session, actor=bureau_actor())
    assert ([f.product.id for f in found.items], found.total) == ([above.id], 1)


def test_boxes_are_compared_per_jin_with_loose_fruit_and_the_basis_is_stated(session):
    for price in (500, 600, 700):  # ¥5–7 per 斤, loose
        _fruit(session, price)
    fair_box = _fruit(session, 6500, unit="箱", net_weight_g=5000)  # 10斤 at ¥6.50 per 斤
    dear_box = _fruit(session, 14_000, unit="盒", net_weight_g=2000)  # 4斤 at ¥35 per 斤
    checks = price_checks(session, [fair_box.id, dear_box.id])
    assert not checks[fair_box.id].flagged and checks[dear_box.id].flagged
    assert checks[dear_box.id].basis_text == "按每斤 ¥35.00，与本县同品种 5 个产品中位数 ¥6.50 比较"


def test_pieces_are_compared_per_piece(session):
    egg = {"category": ProductCategory.livestock, "variety": "柴鸡蛋"}
    for price, pieces in ((3000, 30), (6000, 60), (3300, 30)):
        make_listed_product(session, unit="盒", price_fen=price, pieces_per_unit=pieces, **egg)
    dear = make_listed_product(session, unit="盒", price_fen=9000, pieces_per_unit=30, **egg)
    check = price_checks(session, [dear.id])[dear.id]
    assert (check.basis_label, check.price_fen, check.median_fen, check.flagged) == (
        "每个",
        300,
        105,  # per piece 100, 100, 110, 300: (100 + 110) / 2
        True,
    )


def test_varieties_categories_and_unknown_units_are_compared_apart(session):
    for price in (1000, 1000, 1000):
        _fruit(session, price)
    other_variety = _fruit(session, 5000, variety="冰糖心")
    boxes = [_fruit(session, 8000, unit="箱") for _ in range(3)]  # weight unknown: per 箱
    _fruit(session, 99_999, status=ProductStatus.draft)
    vegetable = make_listed_product(session, category=ProductCategory.vegetable, price_fen=4000)
    checks = price_checks(session, [other_variety.id, boxes[0].id, vegetable.id])
    assert checks[other_variety.id].comparables == 1
    assert (checks[boxes[0].id].basis_label, checks[boxes[0].id].comparables) == ("每箱", 3)
    assert checks[vegetable.id].comparables == 1
    assert price_flags(session=session, actor=bureau_actor()).total == 0


def test_too_few_comparables_flag_nothing(session):
    _fruit(session, 100)
    expensive = _fruit(session, 10_000)
    assert not price_checks(session, [expensive.id])[expensive.id].flagged


def test_a_draft_is_warned_against_the_listed_median(session):
    for price in (500, 600, 700):
        _fruit(session, price)
    draft = _fruit(session, 2000, status=ProductStatus.draft)
    check = price_checks(session, [draft.id])[draft.id]
    assert (check.median_fen, check.flagged) == (600, True)


def test_the_list_is_paged_with_its_real_total(session):
    for _ in range(6):
        _fruit(session, 100)
    dear = [_fruit(session, 1000 + n) for n in range(5)]
    first = price_flags(session=session, actor=bureau_actor(), page=1, per_page=2)
    last = price_flags(session=session, actor=bureau_actor(), page=3, per_page=2)
    assert (first.total, first.pages, last.total) == (5, 3, 5)
    assert [f.product.id for f in first.items] == [dear[4].id, dear[3].id]
    assert [f.product.id for f in last.items] == [dear[0].id]


def test_flags_are_limited_to_the_officers_region_and_counties_compare_apart(session):
    make_county(session, code="140830", name="芮城县", category="overall")
    township = make_township(session, code="140830100", name="古魏镇", county_code="140830")
    ruicheng = make_cooperative(
        session,
        village=make_village(
            session, code="140830100201", township_code=township.code, county_code="140830"
        ),
    )
    for price in (100, 100, 100):
        _fruit(session, price)
        _fruit(session, 10 * price, cooperative=ruicheng)  # 芮城's own prices are higher
    pinglu_flag = _fruit(session, 900)
    ruicheng_fair = _fruit(session, 1100, cooperative=ruicheng)
    ruicheng_flag = _fruit(session, 8000, cooperative=ruicheng)
    city = price_flags(session=session, actor=bureau_actor("140800")).items
    assert [f.product.id for f in city] == [pinglu_flag.id, ruicheng_flag.id]
    assert ruicheng_fair.id not in [f.product.id for f in city]
    assert city[0].product.village.county.name == "平陆县"
    pinglu = price_flags(session=session, actor=bureau_actor("140829")).items
    assert [f.product.id for f in pinglu] == [pinglu_flag.id]
    with pytest.raises(PermissionDeniedError):
        price_flags(session=session, actor=cooperative_actor(ruicheng))
