"""Purchase demand pages: the buyer's list and form, the cooperatives' list, suggestions."""

import pytest
from sqlmodel import select

from app.models import Demand
from app.models.enums import DemandStatus, ProductCategory
from tests.trade_factories import days_from_today, make_demand
from tests.web.conftest import version_in
from tests.web.trade_site import build_site, field_error, post, row_counts


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path / "uploads"))


def _form(**overrides) -> dict:
    return {
        "title": "机关食堂采购百合",
        "category": "vegetable",
        "keywords": "百合",
        "quantity": "50",
        "unit": "斤",
        "max_unit_price": "40",
        "deliver_by": days_from_today(10).isoformat(),
        "destination_region": "运城市盐湖区",
        "note": "",
    } | overrides


def test_the_buyer_sees_its_demands_and_the_form(site):
    client = site.client("caigou")
    page = client.get("/demands")
    assert page.template.name == "demands/mine.html"
    assert 'id="demand-form"' in page.text and "还没有采购需求" in page.text
    partial = client.get("/demands?status=open", headers={"HX-Request": "true"})
    assert partial.template.name == "demands/_mine.html"
    assert "<html" not in partial.text


def test_posting_a_demand_leads_to_its_suggestions(site):
    client = site.client("caigou")
    response = post(client, "/demands", _form())
    assert response.status_code == 303
    page = client.get(response.headers["location"])
    assert page.template.name == "demands/detail.html"
    assert [s.product.name for s in page.context["suggestions"]] == ["平陆杜马百合"]
    assert "✓" in page.text and "同品类（蔬菜）" in page.text
    assert "单价 ¥35.00 不高于最高价 ¥40.00" in page.text
    assert f'href="/products/{site.product_id}?demand=' in page.text


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"deliver_by": days_from_today(-1).isoformat()}, "deliver_by", "交货日期不能早于今天"),
        ({"quantity": "0"}, "quantity", "采购数量应大于 0"),
        ({"max_unit_price": "3.999"}, "max_unit_price", "最高单价最多保留两位小数（精确到分）"),
    ],
)
def test_bad_demands_come_back_by_the_field_and_write_nothing(site, overrides, field, message):
    client = site.client("caigou")
    before = row_counts(site.db)
    response = post(client, "/demands", _form(**overrides))
    assert response.status_code == 422
    assert response.template.name == "demands/mine.html"
    assert field_error(response.text, f"field-{field}") == message
    assert 'value="机关食堂采购百合"' in response.text
    partial = post(client, "/demands", _form(**overrides), htmx=True)
    assert (partial.status_code, partial.template.name) == (422, "demands/_form.html")
    assert row_counts(site.db) == before


def test_cooperatives_see_open_demands_and_their_own_matching_products(site):
    with site.db.unit_of_work() as session:
        from app.models import Enterprise

        buyer = session.get(Enterprise, site.buyer_id)
        demand = make_demand(session, buyer, title="工会采购百合", keywords="百合")
        make_demand(session, buyer, title="采购苹果", category=ProductCategory.fruit)
    client = site.client("hezuoshe")
    page = client.get("/demands")
    assert page.template.name == "demands/open.html"
    assert [d.title for d in page.context["page"].items] == ["工会采购百合", "采购苹果"]
    fruit = client.get("/demands?category=fruit", headers={"HX-Request": "true"})
    assert fruit.template.name == "demands/_open_results.html"
    assert [d.title for d in fruit.context["page"].items] == ["采购苹果"]
    detail = client.get(f"/demands/{demand.id}")
    assert detail.context["is_buyer"] is False
    assert [s.product.id for s in detail.context["suggestions"]] == [site.product_id]
    assert "运城市机关事务管理局" in detail.text
    other = site.client("qita").get(f"/demands/{demand.id}")
    assert other.context["suggestions"] == []
    assert "您还没有这个品类的在售产品" in other.text


def test_the_buyer_closes_a_demand(site):
    client = site.client("caigou")
    location = post(client, "/demands", _form()).headers["location"]
    demand_id = int(location.rsplit("/", 1)[1])
    close = f"/demands/{demand_id}/close"
    version = version_in(client.get(location).text, close)
    assert post(site.client("hezuoshe"), close, {"version": version}).status_code == 403
    response = post(client, close, {"version": version})
    assert response.headers["location"] == f"/demands/{demand_id}"
    assert "采购需求已关闭" in client.get(location).text
    with site.db.read_only() as session:
        assert session.exec(select(Demand.status)).one() == DemandStatus.closed
    # Closed demands are no longer visible to cooperatives.
    assert site.client("hezuoshe").get(location).status_code == 404


def test_demands_need_a_buyer_or_a_cooperative(site):
    assert site.client("pinglu").get("/demands").status_code == 403
    assert site.client().get("/demands", follow_redirects=False).status_code == 303


def test_ordering_from_a_demand_prefills_and_links_it(site):
    client = site.client("caigou")
    location = post(client, "/demands", _form(quantity="60")).headers["location"]
    demand_id = int(location.rsplit("/", 1)[1])
    page = client.get(f"/products/{site.product_id}?demand={demand_id}")
    assert page.context["values"] == {"quantity": 60, "unit": "斤", "demand_id": demand_id}
    assert "按采购需求“" in page.text
    data = {
        "quantity": "60",
        "unit": "斤",
        "recipient_name": "王主任",
        "recipient_phone": "13903591234",
        "shipping_address": "盐湖区",
        "demand_id": str(demand_id),
    }
    assert post(client, f"/products/{site.product_id}/orders", data).status_code == 303
    with site.db.read_only() as session:
        assert session.get(Demand, demand_id).status == DemandStatus.matched
