"""Price sanity: the median of comparable listed products, per category and unit, portable SQL."""

import pytest

from app.errors import PermissionDeniedError
from app.models.enums import ProductCategory, ProductStatus
from app.services.pricing import price_checks, price_flags
from tests.factories import make_cooperative, make_county, make_township, make_village
from tests.trade_factories import bureau_actor, cooperative_actor, make_listed_product

FRUIT = ProductCategory.fruit


def _fruit(session, price_fen, **overrides):
    return make_listed_product(
        session, **{"category": FRUIT, "unit": "斤", "price_fen": price_fen} | overrides
    )


def test_median_of_an_odd_and_an_even_number_of_prices(session):
    odd = [_fruit(session, p) for p in (300, 100, 200)]
    checks = price_checks(session, [p.id for p in odd])
    assert {c.median_fen for c in checks.values()} == {200}
    _fruit(session, 1000)  # now 100, 200, 300, 1000: median (200 + 300) / 2
    check = price_checks(session, [odd[0].id])[odd[0].id]
    assert (check.median_fen, check.comparables, check.percent_of_median) == (250, 4, 120)


def test_flagged_strictly_above_one_and_a_half_times_the_median(session):
    for price in (200, 200, 200):
        _fruit(session, price)
    at_limit = _fruit(session, 300)  # median 200: 300 is exactly 1.5×
    above = _fruit(session, 301)
    checks = price_checks(session, [at_limit.id, above.id])
    assert not checks[at_limit.id].flagged
    assert checks[above.id].flagged
    assert [f.product.id for f in price_flags(session=session, actor=bureau_actor())] == [above.id]


def test_exact_comparison_with_a_half_fen_median(session):
    # Median (300 + 301) / 2 = 300.5 分, so 1.5× is 450.75: 451 is above it. A median rounded to
    # 301 would make the limit 451.5 and miss it.
    products = [_fruit(session, p) for p in (100, 300, 301, 451)]
    checks = price_checks(session, [p.id for p in products])
    assert [checks[p.id].flagged for p in products] == [False, False, False, True]
    assert checks[products[0].id].median_fen == 301  # displayed rounded half up


def test_units_and_categories_are_compared_separately_and_drafts_do_not_count(session):
    for price in (1000, 1000, 1000):
        _fruit(session, price)
    boxes = [_fruit(session, 8000, unit="箱") for _ in range(3)]
    _fruit(session, 99_999, status=ProductStatus.draft)
    vegetable = make_listed_product(session, category=ProductCategory.vegetable, price_fen=4000)
    checks = price_checks(session, [boxes[0].id, vegetable.id])
    assert not checks[boxes[0].id].flagged
    assert checks[vegetable.id].comparables == 1
    assert price_flags(session=session, actor=bureau_actor()) == []


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


def test_flags_are_limited_to_the_officers_region(session):
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
    pinglu_flag = _fruit(session, 900)
    ruicheng_flag = _fruit(session, 800, cooperative=ruicheng)
    city = price_flags(session=session, actor=bureau_actor("140800"))
    assert [f.product.id for f in city] == [pinglu_flag.id, ruicheng_flag.id]
    assert city[0].product.village.county.name == "平陆县"
    pinglu = price_flags(session=session, actor=bureau_actor("140829"))
    assert [f.product.id for f in pinglu] == [pinglu_flag.id]
    with pytest.raises(PermissionDeniedError):
        price_flags(session=session, actor=cooperative_actor(ruicheng))
