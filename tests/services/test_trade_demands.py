"""Purchase demands and the products suggested for them, with reasons, in few queries."""

from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.actors import ANONYMOUS
from app.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from app.models import Demand, Event
from app.models.enums import AgreementStatus, DemandStatus, ProductCategory, RegistrationStatus
from app.models.flags import months_to_mask
from app.services import demands
from app.services.matching import month_ranges, season_window, suggest_products
from tests.factories import (
    make_agreement,
    make_cooperative,
    make_county,
    make_enterprise,
    make_township,
    make_village,
)
from tests.trade_factories import (
    bureau_actor,
    buyer_actor,
    cooperative_actor,
    days_from_today,
    make_demand,
    make_listed_product,
)

TODAY = date(2026, 11, 29)


def _form(**overrides) -> dict:
    return {
        "title": "机关食堂采购小米",
        "category": "grain_oil",
        "keywords": "小米 黄小米",
        "quantity": "500",
        "unit": "斤",
        "max_unit_price": "8.50",
        "deliver_by": "2026-12-20",
        "destination_region": "北京市",
    } | overrides


def _post(session, buyer, **overrides):
    return demands.post_demand(
        session=session, actor=buyer_actor(buyer), data=_form(**overrides), today=TODAY
    )


def test_a_buyer_posts_a_demand(session):
    buyer = make_enterprise(session)
    demand = _post(session, buyer)
    assert (demand.quantity, demand.max_unit_price_fen, demand.status) == (500, 850, "open")
    assert demand.deliver_by == date(2026, 12, 20)
    assert session.exec(select(Event.action)).all() == ["demand.post"]
    assert _post(session, buyer, max_unit_price="").max_unit_price_fen is None


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"deliver_by": "2026-11-28"}, "deliver_by", "交货日期不能早于今天"),
        ({"quantity": "0"}, "quantity", "采购数量应大于 0"),
        ({"quantity": "-5"}, "quantity", "采购数量应大于 0"),
        ({"max_unit_price": "8.505"}, "max_unit_price", "最高单价最多保留两位小数（精确到分）"),
        (
            {"unit": "车"},
            "unit",
            "请选择计量单位（斤、公斤、吨、箱、件、袋、盒、瓶、桶、罐、只、个、套）",
        ),
        ({"title": ""}, "title", "需求标题至少 2 个字符"),
    ],
)
def test_bad_demands_are_refused_by_field_and_write_nothing(session, overrides, field, message):
    buyer = make_enterprise(session)
    with pytest.raises(ValidationError) as caught:
        _post(session, buyer, **overrides)
    errors = {e.field: e.message for e in getattr(caught.value, "errors", [caught.value])}
    assert errors[field] == message
    assert session.execute(sa.select(sa.func.count()).select_from(Demand)).scalar() == 0
    assert session.execute(sa.select(sa.func.count()).select_from(Event)).scalar() == 0


def test_only_approved_buyers_post(session):
    pending = make_enterprise(session, status=RegistrationStatus.pending)
    for actor in (
        buyer_actor(pending),
        cooperative_actor(make_cooperative(session)),
        bureau_actor(),
        ANONYMOUS,
    ):
        with pytest.raises(PermissionDeniedError):
            demands.post_demand(session=session, actor=actor, data=_form(), today=TODAY)
    assert session.exec(select(Demand)).all() == []


def test_close_and_visibility(session):
    buyer, other = make_enterprise(session), make_enterprise(session)
    demand = _post(session, buyer)
    cooperative = cooperative_actor(make_cooperative(session))
    for actor in (buyer_actor(buyer), cooperative, bureau_actor("140830")):
        assert demands.get_demand(session=session, actor=actor, demand_id=demand.id) is demand
    for actor in (buyer_actor(other), ANONYMOUS):
        with pytest.raises(NotFoundError):
            demands.get_demand(session=session, actor=actor, demand_id=demand.id)

    def close(by):
        demands.close_demand(
            session=session, actor=by, demand_id=demand.id, expected_version=demand.version
        )

    with pytest.raises(PermissionDeniedError):
        close(buyer_actor(other))
    close(buyer_actor(buyer))
    assert demand.status == DemandStatus.closed
    with pytest.raises(ConflictError) as caught:
        close(buyer_actor(buyer))
    assert caught.value.code == "already_closed"
    with pytest.raises(NotFoundError):
        demands.get_demand(session=session, actor=cooperative, demand_id=demand.id)


def test_open_demands_for_cooperatives_skip_closed_and_overdue(session):
    buyer = make_enterprise(session)
    soon = make_demand(session, buyer, deliver_by=days_from_today(3))
    later = make_demand(session, buyer, deliver_by=days_from_today(20), category="fruit")
    make_demand(session, buyer, deliver_by=days_from_today(-1))
    make_demand(session, buyer, status=DemandStatus.closed)
    actor = cooperative_actor(make_cooperative(session))
    page = demands.open_demands(session=session, actor=actor)
    assert [d.id for d in page.items] == [soon.id, later.id]
    fruit = demands.open_demands(session=session, actor=actor, category=ProductCategory.fruit)
    assert [d.id for d in fruit.items] == [later.id]
    assert demands.open_demands(session=session, actor=ANONYMOUS).items == []
    mine = demands.my_demands(session=session, actor=buyer_actor(buyer))
    assert mine.total == 4


def test_season_window_and_month_ranges():
    assert season_window(date(2026, 11, 29), date(2027, 2, 1)) == months_to_mask([11, 12, 1, 2])
    assert season_window(date(2026, 3, 1), date(2026, 3, 31)) == months_to_mask([3])
    assert season_window(date(2026, 3, 1), date(2027, 2, 1)) == 0xFFF
    assert month_ranges([9, 10, 11, 1]) == "1、9–11"


# Suggestions -----------------------------------------------------------------------------------


@pytest.fixture
def market(session):
    """Buyer paired with a village of 平陆 (a key county); products there and in 芮城."""
    make_county(session, code="140830", name="芮城县", category="overall")
    ruicheng = make_township(session, code="140830100", name="古魏镇", county_code="140830")
    pinglu_village = make_village(session, name="南坡村")
    ruicheng_village = make_village(
        session, code="140830100201", township_code=ruicheng.code, county_code="140830"
    )
    buyer = make_enterprise(session)
    make_agreement(session, enterprise=buyer, village=pinglu_village, status=AgreementStatus.active)
    paired = make_cooperative(session, village=pinglu_village)
    elsewhere = make_cooperative(session, village=ruicheng_village)
    demand = make_demand(
        session,
        buyer,
        category=ProductCategory.grain_oil,
        keywords="小米",
        quantity=100,
        unit="斤",
        max_unit_price_fen=1000,
        deliver_by=TODAY + timedelta(days=20),
    )
    grain = {"category": ProductCategory.grain_oil, "unit": "斤", "stock": 500}
    p = {
        "paired": make_listed_product(
            session, cooperative=paired, name="平陆黄小米", price_fen=900, **grain
        ),
        "cheap_far": make_listed_product(
            session,
            cooperative=elsewhere,
            name="芮城小米",
            price_fen=700,
            harvest_months=months_to_mask([9, 10]),
            **grain,
        ),
        "expensive": make_listed_product(
            session, cooperative=elsewhere, name="有机荞麦", price_fen=2500, **grain
        ),
        "keyword_only": make_listed_product(
            session,
            cooperative=elsewhere,
            name="小米锅巴",
            category=ProductCategory.processed,
            unit="袋",
            price_fen=600,
            stock=20,
        ),
        "unrelated": make_listed_product(
            session, cooperative=elsewhere, name="冬枣", category=ProductCategory.fruit
        ),
    }
    return buyer, demand, p


def test_suggestions_rank_paired_villages_first_and_explain_why(session, market):
    buyer, demand, p = market
    _, suggestions = suggest_products(
        session=session, actor=buyer_actor(buyer), demand_id=demand.id, today=TODAY
    )
    order = [s.product.id for s in suggestions]
    assert order == [p["paired"].id, p["cheap_far"].id, p["expensive"].id, p["keyword_only"].id]
    first = suggestions[0]
    assert first.paired and first.county_name == "平陆县"
    assert [(r.text, r.met) for r in first.reasons] == [
        ("来自您结对帮扶的南坡村，计入结对帮销", True),
        ("同品类（粮油）", True),
        ("名称含“小米”", True),
        ("库存充足（500 斤）", True),
        ("全年供应", True),
        ("单价 ¥9.00 不高于最高价 ¥10.00", True),
        ("来自重点帮扶县（平陆县）", True),
    ]
    far = {r.text: r.met for r in suggestions[1].reasons}
    assert far["交货前不在上市季（9–10月上市）"] is False
    last = {r.text: r.met for r in suggestions[3].reasons}
    assert last["品类为加工食品，与需求不同"] is False
    assert last["按“袋”销售，与需求单位“斤”不同"] is False
    assert last["库存不足（现有 20 袋）"] is False


def test_certification_in_force_adds_a_reason(session, market):
    buyer, demand, p = market
    p["expensive"].assistance_certified_until = TODAY
    _, suggestions = suggest_products(
        session=session, actor=buyer_actor(buyer), demand_id=demand.id, today=TODAY
    )
    texts = [r.text for s in suggestions for r in s.reasons]
    assert "消费帮扶认定产品（有效期至 2026年11月29日）" in texts
    _, later = suggest_products(
        session=session,
        actor=buyer_actor(buyer),
        demand_id=demand.id,
        today=TODAY + timedelta(days=1),
    )
    assert not any("消费帮扶认定" in r.text for s in later for r in s.reasons)


def test_a_cooperative_sees_only_its_own_products_matched(session, market):
    _buyer, demand, p = market
    cooperative = p["paired"].cooperative
    _, suggestions = suggest_products(
        session=session, actor=cooperative_actor(cooperative), demand_id=demand.id, today=TODAY
    )
    assert [s.product.id for s in suggestions] == [p["paired"].id]
    assert suggestions[0].paired
    assert suggestions[0].reasons[0].text == "来自采购方结对帮扶的南坡村，计入结对帮销"


def test_suggestions_take_a_fixed_number_of_queries(session, market):
    buyer, demand, _p = market
    statements: list[str] = []
    engine = session.get_bind().engine

    def count(conn, cursor, statement, *args):
        statements.append(statement)

    def run() -> int:
        session.expunge_all()
        statements.clear()
        sa.event.listen(engine, "before_cursor_execute", count)
        try:
            suggest_products(
                session=session, actor=buyer_actor(buyer), demand_id=demand.id, today=TODAY
            )
        finally:
            sa.event.remove(engine, "before_cursor_execute", count)
        return len(statements)

    few = run()
    others = make_cooperative(session)
    for i in range(15):
        make_listed_product(
            session, cooperative=others, name=f"小米{i}", category=ProductCategory.grain_oil
        )
    assert run() == few
    assert few == 3  # the demand, its buyer, the ranked products
