"""Every page form that edits an existing row sends back the version it was opened at; a stale
one comes back 409 with the Chinese conflict message, without and with htmx, keeping the user's
input, and writes nothing (docs/decisions/0015-every-edit-versioned.md). One row per service of
the registry in tests/edit_paths.py."""

from dataclasses import dataclass
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.models import Demand, Enterprise, Product, Village, VillageNeed
from app.models.enums import ProductStatus
from app.services import orders, versioning
from tests.edit_paths import edits
from tests.trade_factories import buyer_actor, cooperative_actor, make_demand
from tests.web import pairing_web, trade_site
from tests.web.conftest import version_in

EDITS = edits()


@dataclass(frozen=True)
class PageForm:
    site: str  # "trade" or "pairing"
    user: str
    model: type
    row_id: object  # site -> the edited row's id
    page: object  # (site, row id) -> the page showing the form
    action: object  # (site, row id) -> where the form posts
    data: dict  # what the user typed
    kept: str  # the user's input, seen again in the 409 form ("" for a button)
    prepare: object = None  # (site) -> None: put the row in a state the form can edit


def _trade_product(site, db):
    return site.product_id


def _demand(site, db):
    with db.unit_of_work() as session:
        buyer = session.get(Enterprise, site.buyer_id)
        return make_demand(session, buyer, deliver_by=date.today() + timedelta(days=30)).id


def _need(site, db):
    with db.read_only() as session:
        return session.exec(
            select(VillageNeed.id).where(VillageNeed.village_id == site.village_id)
        ).first()


def _draft(site, db):
    trade_site.set_status(db, site.product_id, ProductStatus.draft)
    return site.product_id


FORMS = {
    "products.update_product": PageForm(
        "trade",
        "hezuoshe",
        Product,
        _trade_product,
        lambda s, i: f"/my/products/{i}",
        lambda s, i: f"/my/products/{i}",
        {
            "name": "黄河滩枣新包装",
            "category": "dried_nut",
            "unit": "斤",
            "price": "18.80",
            "min_order": "2",
            "stock": "300",
        },
        'value="黄河滩枣新包装"',
    ),
    "products.update_price_and_stock": PageForm(
        "trade",
        "hezuoshe",
        Product,
        _trade_product,
        lambda s, i: "/my/products",
        lambda s, i: f"/my/products/{i}/quick",
        {"price": "33.30", "stock": "77"},
        'value="33.30"',
    ),
    "products.list_product": PageForm(
        "trade",
        "hezuoshe",
        Product,
        _draft,
        lambda s, i: "/my/products",
        lambda s, i: f"/my/products/{i}/list",
        {},
        "",
    ),
    "products.delist_product": PageForm(
        "trade",
        "hezuoshe",
        Product,
        _trade_product,
        lambda s, i: "/my/products",
        lambda s, i: f"/my/products/{i}/delist",
        {},
        "",
    ),
    "villages.update_village_profile": PageForm(
        "pairing",
        "nanpo",
        Village,
        lambda s, db: s.village_id,
        lambda s, i: "/village",
        lambda s, i: "/village",
        {
            "population": "1200",
            "households": "300",
            "lifted_households": "30",
            "main_industries": "苹果、花椒、肉牛养殖",
            "contact_name": "王书记",
            "contact_phone": "13900000001",
        },
        'value="苹果、花椒、肉牛养殖"',
    ),
    "villages.update_need": PageForm(
        "pairing",
        "nanpo",
        VillageNeed,
        _need,
        lambda s, i: f"/needs/{i}",
        lambda s, i: f"/needs/{i}",
        {"kind": "employment", "description": "采摘季临时用工 30 人"},
        "采摘季临时用工 30 人",
    ),
    "villages.set_need_status": PageForm(
        "pairing",
        "nanpo",
        VillageNeed,
        _need,
        lambda s, i: "/needs",
        lambda s, i: f"/needs/{i}/status",
        {"status": "met"},
        "",
    ),
    "consumption.set_reserved_share": PageForm(
        "trade",
        "caigou",
        Enterprise,
        lambda s, db: s.buyer_id,
        lambda s, i: "/orders",
        lambda s, i: "/orders/reserved-share",
        {"reserved_share": "123456"},
        'value="123456"',
    ),
    "demands.close_demand": PageForm(
        "trade",
        "caigou",
        Demand,
        _demand,
        lambda s, i: f"/demands/{i}",
        lambda s, i: f"/demands/{i}/close",
        {},
        "",
    ),
}
MESSAGES = {path.name: path.message for path in EDITS}


@pytest.fixture
def sites(fresh_db, make_settings, tmp_path):
    """Build the site a form needs, on the test's own database."""

    def build(kind: str):
        settings = make_settings(upload_dir=tmp_path / "uploads")
        builder = trade_site.build_site if kind == "trade" else pairing_web.build_site
        return builder(fresh_db, settings)

    return build


def _row(db, model, row_id) -> dict:
    with db.read_only() as session:
        row = session.get(model, row_id)
        return {c.key: getattr(row, c.key) for c in sa.inspect(model).column_attrs}


def _someone_else_saves(db, model, row_id) -> None:
    table = model.__table__
    with db.unit_of_work() as session:
        session.execute(
            sa.update(table).where(table.c.id == row_id).values(version=table.c.version + 1)
        )


def _post(client, url, data, *, htmx):
    headers = {"HX-Request": "true"} if htmx else {}
    return trade_site.post(client, url, data, headers=headers)


def test_every_registered_edit_has_its_page_form():
    assert set(FORMS) == {path.name for path in EDITS}


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("service", sorted(FORMS))
def test_a_stale_form_is_409_with_the_message_and_writes_nothing(fresh_db, sites, service, htmx):
    form = FORMS[service]
    site = sites(form.site)
    row_id = form.row_id(site, fresh_db)
    client = site.client(form.user)
    action = form.action(site, row_id)
    # Given the user opened the form, and someone else saved the row afterwards
    opened = version_in(client.get(form.page(site, row_id)).text, action)
    _someone_else_saves(fresh_db, form.model, row_id)
    row, counts = _row(fresh_db, form.model, row_id), trade_site.row_counts(fresh_db)
    # When the user saves
    response = _post(client, action, form.data | {"version": opened}, htmx=htmx)
    # Then the form comes back 409 with the message and the user's input; nothing was written
    assert response.status_code == 409, response.text[:500]
    assert MESSAGES[service] in response.text
    assert form.kept in response.text
    assert _row(fresh_db, form.model, row_id) == row
    assert trade_site.row_counts(fresh_db) == counts
    # A form with input keeps the version it was opened at (saving it again stays a conflict
    # until it is reloaded); a button comes back as saved now, at the current version.
    expected = opened if form.kept else str(row["version"])
    assert version_in(response.text, action) == expected


def test_a_stale_product_form_after_a_confirmed_order_leaves_stock_untouched(fresh_db, sites):
    site = sites("trade")
    client = site.client("hezuoshe")
    url = f"/my/products/{site.product_id}"
    # Given the cooperative opened the product's form (stock 100) ...
    page = client.get(url)
    opened = version_in(page.text, url)
    assert page.context["values"]["stock"] == 100
    # ... and an order was then placed and confirmed, reserving 20
    with fresh_db.unit_of_work() as session:
        buyer = session.get(Enterprise, site.buyer_id)
        product = session.get(Product, site.product_id)
        cooperative = product.cooperative
        order = orders.place_order(
            session=session,
            actor=buyer_actor(buyer),
            product_id=product.id,
            data={
                "quantity": 20,
                "unit": "斤",
                "recipient_name": "王主任",
                "recipient_phone": "13903591234",
                "shipping_address": "运城市盐湖区",
            },
        )
        session.flush()
        orders.confirm_order(
            session=session,
            actor=cooperative_actor(cooperative),
            order_id=order.id,
            expected_version=order.version,
        )
    after_sale = _row(fresh_db, Product, site.product_id)
    assert after_sale["stock"] == 80
    data = {
        "name": "平陆杜马百合",
        "category": "vegetable",
        "unit": "斤",
        "price": "36.00",
        "min_order": "5",
        "stock": "100",
        "version": opened,
    }
    for htmx in (False, True):
        # When the form is saved with the stock it showed
        response = _post(client, url, data, htmx=htmx)
        # Then: 409, the message, the user's input, the stock saved now; the stock is untouched
        assert response.status_code == 409
        assert response.template.name == ("products/_form.html" if htmx else "products/manage.html")
        assert versioning.PRODUCT_STALE in response.text
        assert 'value="36.00"' in response.text
        assert response.context["saved"][2] == ("库存", "80 斤")
        assert f'href="{url}"' in response.text  # reload the form with what is saved now
        assert version_in(response.text, url) == opened  # saving again stays a conflict
        assert _row(fresh_db, Product, site.product_id) == after_sale
    # The inline editor opened before the sale is refused the same way.
    quick = f"{url}/quick"
    response = _post(client, quick, {"price": "36", "stock": "100", "version": opened}, htmx=True)
    assert response.status_code == 409
    assert "当前已保存：单价 35.00 元，库存 80 斤" in response.text
    assert _row(fresh_db, Product, site.product_id) == after_sale
