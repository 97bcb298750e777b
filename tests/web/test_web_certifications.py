"""The bureau's pages: certification queue, price flags and consumption figures."""

from datetime import UTC, datetime

import pytest
from sqlmodel import select

from app.models import CertificationApplication, Enterprise, Product
from app.models.enums import Certification, CertificationStatus, OrderStatus
from app.models.flags import to_mask
from app.services import certification, clock
from tests.trade_factories import days_from_today, make_listed_product, make_order
from tests.web.trade_site import build_site, field_error, post, row_counts


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    site = build_site(fresh_db, make_settings(upload_dir=tmp_path / "uploads"))
    post(
        site.client("hezuoshe"),
        f"/my/products/{site.product_id}/certification",
        {"note": "带动脱贫户 32 户"},
    )
    return site


def _application(site) -> CertificationApplication:
    with site.db.read_only() as session:
        return session.exec(select(CertificationApplication)).one()


def test_the_queue_lists_pending_applications_of_the_region(site):
    page = site.client("pinglu").get("/certifications")
    assert page.template.name == "certifications/queue.html"
    assert [a.product.name for a in page.context["queue"]] == ["平陆杜马百合"]
    assert "带动脱贫户 32 户" in page.text
    assert site.client("ruicheng").get("/certifications").context["queue"] == []
    assert site.client("hezuoshe").get("/certifications").status_code == 403


def test_approving_publishes_a_notice_and_the_badge_appears_when_it_ends(site):
    application = _application(site)
    expires = days_from_today(200)
    response = post(
        site.client("pinglu"),
        f"/certifications/{application.id}/approve",
        {"expires_on": expires.isoformat()},
        htmx=True,
    )
    assert response.status_code == 200
    assert response.template.name == "certifications/_decided.html"
    assert response.headers["HX-Trigger"] == "inbox-changed"
    assert '<span class="badge badge--pending">公示中</span>' in response.text
    assert "“平陆杜马百合”审核通过，进入公示期" in response.text
    badge = f"消费帮扶认定 · 至 {expires.year}年{expires.month}月{expires.day}日"
    assert badge not in site.client().get(f"/products/{site.product_id}").text
    with site.db.unit_of_work() as session:
        ended = session.get(CertificationApplication, application.id).notice_ends_at
        assert certification.take_effect_when_due(session=session, now=ended) == 1
    assert badge in site.client().get(f"/products/{site.product_id}").text


def test_an_expired_certification_shows_no_badge(site):
    with site.db.unit_of_work() as session:
        session.get(Product, site.product_id).assistance_certified_until = days_from_today(-1)
    assert "消费帮扶认定 ·" not in site.client().get(f"/products/{site.product_id}").text
    with site.db.unit_of_work() as session:
        session.get(Product, site.product_id).assistance_certified_until = clock.today()
    assert "消费帮扶认定 ·" in site.client().get(f"/products/{site.product_id}").text


def test_decision_errors_stay_on_the_card(site):
    application = _application(site)
    client = site.client("pinglu")
    before = row_counts(site.db)
    past = post(
        client, f"/certifications/{application.id}/approve", {"expires_on": "2020-01-01"}, htmx=True
    )
    assert past.status_code == 422
    assert past.template.name == "certifications/_application.html"
    assert field_error(past.text, f"expires-{application.id}") == "有效期应晚于今天"
    no_reason = post(client, f"/certifications/{application.id}/reject", {"reason": ""})
    assert no_reason.status_code == 422
    assert no_reason.template.name == "certifications/queue.html"
    assert field_error(no_reason.text, f"reason-{application.id}") == "不通过的原因不能为空"
    assert row_counts(site.db) == before


def test_rejecting_tells_the_cooperative_why(site):
    application = _application(site)
    response = post(
        site.client("pinglu"),
        f"/certifications/{application.id}/reject",
        {"reason": "证明材料不全"},
    )
    assert (response.status_code, response.headers["location"]) == (303, "/certifications")
    assert _application(site).status == CertificationStatus.rejected
    page = site.client("hezuoshe").get(f"/my/products/{site.product_id}").text
    assert "上次申请未通过：证明材料不全" in page


def test_another_countys_bureau_cannot_decide(site):
    application = _application(site)
    response = post(
        site.client("ruicheng"),
        f"/certifications/{application.id}/approve",
        {"expires_on": "2027-06-30"},
    )
    assert response.status_code == 404
    assert _application(site).status == CertificationStatus.pending


def test_price_flags_list_expensive_products(site):
    with site.db.unit_of_work() as session:
        cooperative_product = session.get(Product, site.product_id)
        for price in (1000, 1100, 1200):
            make_listed_product(
                session, cooperative=cooperative_product.cooperative, price_fen=price
            )
    page = site.client("pinglu").get("/price-flags")
    assert page.template.name == "certifications/price_flags.html"
    assert [f.product.name for f in page.context["flags"]] == ["平陆杜马百合"]
    assert "¥11.50" in page.text  # median of 10.00, 11.00, 12.00, 35.00
    warning = site.client("hezuoshe").get("/my/products").text
    assert "价格偏高：" in warning


def test_consumption_page_totals_received_orders(site):
    received_at = datetime(clock.today().year, 3, 1, 4, tzinfo=UTC)
    with site.db.unit_of_work() as session:
        buyer = session.get(Enterprise, site.buyer_id)
        buyer.reserved_share_fen = 1_000_000
        product = session.get(Product, site.product_id)
        make_order(
            session, buyer, product, 10, status=OrderStatus.received, received_at=received_at
        )
        make_order(session, buyer, product, 5, status=OrderStatus.shipped)
    client = site.client("pinglu")
    page = client.get("/consumption")
    assert page.template.name == "trade/consumption.html"
    assert page.context["total_fen"] == 35_000
    assert [(s.enterprise_name, s.percent) for s in page.context["shares"]] == [
        ("运城市机关事务管理局", 3)
    ]
    assert '<title id="consumption-by-county-title">' in page.text
    last_year = client.get(
        f"/consumption?year={clock.today().year - 1}", headers={"HX-Request": "true"}
    )
    assert last_year.template.name == "trade/_consumption.html"
    assert last_year.context["total_fen"] == 0


def test_the_review_card_shows_claims_with_numbers_the_price_check_and_photos(site):
    with site.db.unit_of_work() as session:
        product = session.get(Product, site.product_id)
        product.certifications = to_mask(
            [Certification.green, Certification.geographic_indication], Certification
        )
        product.green_certificate_no = "LB-18-2301140829"
        for price in (1000, 1100, 1200):
            make_listed_product(session, cooperative=product.cooperative, price_fen=price)
    page = site.client("pinglu").get("/certifications").text
    assert "绿色食品（证书编号 LB-18-2301140829）" in page
    assert '地理标志<span class="muted">（未填证书编号，请核实）</span>' in page
    assert "与本县同品类 4 个产品中位数 ¥11.50 比较" in page and "偏高（" in page
    assert "未上传产品照片" in page
