"""Public disclosure (公示): no sign-in, nothing private, only verified figures; objections."""

from datetime import date

import pytest
from sqlmodel import select

from app.models import (
    CertificationApplication,
    CertificationObjection,
    Enterprise,
    Event,
    Product,
    User,
    Village,
)
from app.models.enums import AgreementStatus, CertificationStatus, HelpKind, ReportStatus
from app.models.flags import to_mask
from tests.factories import make_agreement, make_village
from tests.pairing_factories import make_report
from tests.trade_factories import days_from_today
from tests.web.notice_site import publicise
from tests.web.trade_site import build_site, field_error, post, row_counts

PRIVATE = ("13800001111", "13900002222", "13700003333", "王支书", "赵经理")


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    site = build_site(fresh_db, make_settings(upload_dir=tmp_path / "uploads"))
    with site.db.unit_of_work() as session:
        enterprise = session.get(Enterprise, site.buyer_id)
        enterprise.contact_name, enterprise.contact_phone = "赵经理", "13800001111"
        village = session.exec(select(Village)).first()
        village.contact_name, village.contact_phone = "王支书", "13900002222"
        for user in session.exec(select(User)).all():
            user.phone = "13700003333"
        kinds = to_mask([HelpKind.industry, HelpKind.sales], HelpKind)
        active = make_agreement(
            session,
            enterprise=enterprise,
            village=village,
            status=AgreementStatus.active,
            help_kinds=kinds,
            start_on=date(2026, 1, 1),
            end_on=date(2028, 12, 31),
        )
        make_agreement(session, status=AgreementStatus.proposed, village=make_village(session))
        make_report(session, active, 2026, 2, status=ReportStatus.verified, actual_jobs=12)
        make_report(session, active, 2026, 3, status=ReportStatus.confirmed, actual_jobs=777)
        site.agreement_number = active.number
    return site


def _assert_public(html: str) -> None:
    for private in PRIVATE:
        assert private not in html
    assert "91140829" not in html  # no credit codes (统一社会信用代码) either


def test_pairings_by_county_without_signing_in(site):
    client = site.client()
    overview = client.get("/disclosure")
    assert overview.status_code == 200
    assert overview.template.name == "disclosure/pairings.html"
    counts = {c.code: c.count for c in overview.context["counts"]}
    assert counts == {"140829": 1, "140830": 0}
    county = client.get("/disclosure?county=140829")
    assert [row.number for row in county.context["page"].items] == [site.agreement_number]
    assert "运城市机关事务管理局" in county.text and "产业合作、结对帮销" in county.text
    assert "2026年1月1日 至 2028年12月31日" in county.text
    partial = client.get("/disclosure?county=140829", headers={"HX-Request": "true"})
    assert partial.template.name == "disclosure/_pairings.html"
    for page in (overview, county, partial):
        _assert_public(page.text)


def test_outcomes_count_verified_reports_only(site):
    page = site.client().get("/disclosure/outcomes")
    [total] = page.context["totals"]
    assert (total.county, total.year, total.quarter, total.reports, total.jobs) == (
        "平陆县",
        2026,
        2,
        1,
        12,
    )
    assert "777" not in page.text
    assert "2026年第2季度" in page.text and "2026年第3季度" not in page.text
    _assert_public(page.text)
    other = site.client().get("/disclosure/outcomes?county=140830")
    assert other.context["totals"] == []


def test_products_on_notice_and_certified_products(site):
    application_id = publicise(site)
    with site.db.unit_of_work() as session:
        certified = session.get(Product, site.product_id)
        certified.assistance_certified_until = days_from_today(100)
        session.add(
            CertificationApplication(
                product_id=site.product_id,
                status=CertificationStatus.approved,
                expires_on=days_from_today(100),
            )
        )
    page = site.client().get("/disclosure/products")
    assert [n.application_id for n in page.context["notices"]] == [application_id]
    assert [p.product for p in page.context["page"].items] == ["平陆杜马百合"]
    assert f'action="/disclosure/objections/{application_id}"' in page.text
    _assert_public(page.text)


def test_anyone_may_object_and_the_filer_is_not_shown(site):
    application_id = publicise(site)
    client = site.client()
    url = f"/disclosure/objections/{application_id}"
    before = row_counts(site.db)
    short = post(client, url, {"reason": "不好"}, htmx=True)
    assert short.status_code == 422
    assert short.template.name == "disclosure/_objection_form.html"
    assert field_error(short.text, "reason") == "异议理由至少 5 个字符"
    assert 'value="不好"' not in short.text and ">不好</textarea>" in short.text
    plain = post(client, url, {"reason": "短"})
    assert plain.status_code == 422
    assert plain.template.name == "disclosure/products.html"
    assert row_counts(site.db) == before
    data = {
        "reason": "产地实际在邻县，与申报不符。",
        "filer_name": "钱某",
        "filer_contact": "13600004444",
    }
    done = post(client, url, data, htmx=True)
    assert done.status_code == 200
    assert "异议已提交" in done.text
    with site.db.read_only() as session:
        objection = session.exec(select(CertificationObjection)).one()
        assert (objection.filer_name, objection.filer_contact) == ("钱某", "13600004444")
        assert objection.filer_user_id is None
        summary = session.exec(select(Event.summary).where(Event.action == "objection.file")).one()
    assert "钱某" not in summary and "13600004444" not in summary
    page = site.client().get("/disclosure/products").text
    assert "钱某" not in page and "13600004444" not in page
    redirect = post(client, url, {"reason": "第二条异议：价格偏高。"})
    assert (redirect.status_code, redirect.headers["location"]) == (303, "/disclosure/products")
    assert (
        post(client, "/disclosure/objections/999", {"reason": "没有这个公示。"}).status_code == 404
    )
