"""Products of cooperatives: create, edit, inline price and stock, list, delist, visibility."""

import pytest
import sqlalchemy as sa
from sqlmodel import Session, SQLModel, select

from app.actors import ANONYMOUS
from app.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from app.models import Event, Product, SearchOutbox
from app.models.enums import ProductStatus, RegistrationStatus
from app.models.flags import mask_to_months
from app.services import products
from app.services.versioning import PRODUCT_STALE
from tests.factories import make_cooperative, make_enterprise
from tests.trade_factories import bureau_actor, buyer_actor, cooperative_actor


def _form(**overrides) -> dict:
    return {
        "name": "平陆杜马百合",
        "category": "vegetable",
        "unit": "斤",
        "price": "35.50",
        "min_order": "5",
        "stock": "200",
        "harvest_months": ["8", "9"],
        "certifications": ["green"],
        "description": "黄河岸边的甜百合",
    } | overrides


def counts(session: Session) -> dict[str, int]:
    session.flush()
    return {
        name: session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for name, table in SQLModel.metadata.tables.items()
    }


def test_create_makes_a_draft_from_the_cooperatives_village_with_event_and_outbox(session):
    cooperative = make_cooperative(session)
    product = products.create_product(
        session=session, actor=cooperative_actor(cooperative), data=_form()
    )
    assert (product.status, product.price_fen, product.stock, product.min_order) == (
        ProductStatus.draft,
        3550,
        200,
        5,
    )
    assert product.village_id == cooperative.village_id
    assert mask_to_months(product.harvest_months) == [8, 9]
    assert product.certifications == 0b001
    assert session.exec(select(Event.action)).all() == ["product.create"]
    outbox = session.exec(select(SearchOutbox.doc_type, SearchOutbox.doc_id, SearchOutbox.op)).all()
    assert outbox == [("product", product.id, "upsert")]


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"price": "12.345"}, "price", "单价最多保留两位小数（精确到分）"),
        ({"price": "-3"}, "price", "单价不能为负数"),
        ({"price": "0"}, "price", "单价应大于 0"),
        ({"price": ""}, "price", "请填写单价"),
        ({"stock": "-1"}, "stock", "库存不能小于 0"),
        ({"min_order": "0"}, "min_order", "起订量不能小于 1"),
        (
            {"unit": "筐子"},
            "unit",
            "请选择计量单位（斤、公斤、吨、箱、件、袋、盒、瓶、桶、罐、只、个、套）",
        ),
        ({"harvest_months": ["13"]}, "harvest_months", "上市月份应为 1–12 月"),
        ({"name": "梨"}, "name", "产品名称至少 2 个字符"),
    ],
)
def test_bad_product_input_gets_a_chinese_message_by_its_field_and_writes_nothing(
    session, overrides, field, message
):
    cooperative = make_cooperative(session)
    before = counts(session)
    with pytest.raises(ValidationError) as caught:
        products.create_product(
            session=session, actor=cooperative_actor(cooperative), data=_form(**overrides)
        )
    errors = {e.field: e.message for e in getattr(caught.value, "errors", [caught.value])}
    assert errors[field] == message
    assert counts(session) == before


def test_only_approved_cooperative_staff_create_products(session):
    pending = make_cooperative(session, status=RegistrationStatus.pending)
    enterprise = make_enterprise(session)
    before = counts(session)
    for actor in (
        cooperative_actor(pending),
        buyer_actor(enterprise),
        bureau_actor(),
        ANONYMOUS,
    ):
        with pytest.raises(PermissionDeniedError):
            products.create_product(session=session, actor=actor, data=_form())
    assert counts(session) == before


def test_update_changes_every_field_and_records_before_and_after(session):
    cooperative = make_cooperative(session)
    actor = cooperative_actor(cooperative)
    product = products.create_product(session=session, actor=actor, data=_form())
    products.update_product(
        session=session,
        actor=actor,
        product_id=product.id,
        expected_version=product.version,
        data=_form(
            name="杜马百合礼盒", unit="盒", price="88", harvest_months=[], certifications=[]
        ),
    )
    assert (product.name, product.unit, product.price_fen, product.harvest_months) == (
        "杜马百合礼盒",
        "盒",
        8800,
        0,
    )
    event = session.exec(select(Event).where(Event.action == "product.update")).one()
    assert (event.before["price_fen"], event.after["price_fen"]) == (3550, 8800)


def test_another_cooperative_cannot_edit_list_or_delist(session):
    owner, other = make_cooperative(session), make_cooperative(session)
    product = products.create_product(session=session, actor=cooperative_actor(owner), data=_form())
    before = counts(session)
    intruder = cooperative_actor(other)
    calls = [
        lambda: products.update_product(
            session=session, actor=intruder, product_id=product.id, expected_version=1, data=_form()
        ),
        lambda: products.update_price_and_stock(
            session=session,
            actor=intruder,
            product_id=product.id,
            expected_version=1,
            data={"price": 1, "stock": 1},
        ),
        lambda: products.list_product(
            session=session, actor=intruder, product_id=product.id, expected_version=1
        ),
        lambda: products.delist_product(
            session=session, actor=intruder, product_id=product.id, expected_version=1
        ),
    ]
    for call in calls:
        with pytest.raises(PermissionDeniedError):
            call()
    assert counts(session) == before


def test_inline_edit_sets_price_and_stock_and_refuses_a_stale_version(session):
    cooperative = make_cooperative(session)
    actor = cooperative_actor(cooperative)
    product = products.create_product(session=session, actor=actor, data=_form())
    opened_at = product.version
    products.update_price_and_stock(
        session=session,
        actor=actor,
        product_id=product.id,
        expected_version=opened_at,
        data={"price": "30", "stock": "150"},
    )
    assert (product.price_fen, product.stock, product.version) == (3000, 150, opened_at + 1)
    with pytest.raises(ConflictError) as caught:
        products.update_price_and_stock(
            session=session,
            actor=actor,
            product_id=product.id,
            expected_version=opened_at,
            data={"price": "31", "stock": "999"},
        )
    assert (caught.value.code, caught.value.message) == ("stale_version", PRODUCT_STALE)
    session.refresh(product)
    assert (product.price_fen, product.stock) == (3000, 150)


def test_list_then_delist_queues_upsert_then_delete(session):
    cooperative = make_cooperative(session)
    actor = cooperative_actor(cooperative)
    product = products.create_product(session=session, actor=actor, data=_form())

    def step(service):
        service(
            session=session, actor=actor, product_id=product.id, expected_version=product.version
        )

    step(products.list_product)
    assert product.status == ProductStatus.listed
    with pytest.raises(ConflictError) as caught:
        step(products.list_product)
    assert caught.value.code == "already_listed"
    step(products.delist_product)
    assert product.status == ProductStatus.delisted
    with pytest.raises(ConflictError) as caught:
        step(products.delist_product)
    assert caught.value.code == "not_listed"
    ops = session.exec(select(SearchOutbox.op).order_by(SearchOutbox.id)).all()
    assert ops == ["upsert", "upsert", "delete"]
    actions = session.exec(select(Event.action).order_by(Event.id)).all()
    assert actions == ["product.create", "product.list", "product.delist"]


def test_drafts_are_visible_only_to_their_cooperative_and_the_countys_bureau(session):
    cooperative = make_cooperative(session)
    product = products.create_product(
        session=session, actor=cooperative_actor(cooperative), data=_form()
    )
    for actor in (cooperative_actor(cooperative), bureau_actor("140829"), bureau_actor("140800")):
        assert products.get_product(session=session, actor=actor, product_id=product.id) is product
    for actor in (ANONYMOUS, bureau_actor("140830"), cooperative_actor(make_cooperative(session))):
        with pytest.raises(NotFoundError):
            products.get_product(session=session, actor=actor, product_id=product.id)
    products.list_product(
        session=session,
        actor=cooperative_actor(cooperative),
        product_id=product.id,
        expected_version=product.version,
    )
    assert products.get_product(session=session, actor=ANONYMOUS, product_id=product.id)


def test_my_products_lists_only_the_actors_cooperative(session):
    mine, theirs = make_cooperative(session), make_cooperative(session)
    for name in ("甲产品", "乙产品"):
        products.create_product(
            session=session, actor=cooperative_actor(mine), data=_form(name=name)
        )
    products.create_product(session=session, actor=cooperative_actor(theirs), data=_form())
    page = products.my_products(session=session, actor=cooperative_actor(mine))
    assert [p.name for p in page.items] == ["乙产品", "甲产品"]
    assert page.total == 2
    assert products.my_products(session=session, actor=ANONYMOUS).items == []
    assert isinstance(session.get(Product, page.items[0].id), Product)
