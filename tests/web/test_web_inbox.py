"""Pages: the to-do inbox and its badge, notifications, and the bureau's objection review."""

import json

import pytest
from sqlmodel import select

from app.actors import ANONYMOUS
from app.models import (
    CertificationApplication,
    CertificationObjection,
    Enterprise,
    Notification,
    Product,
)
from app.models.base import utcnow
from app.models.enums import CertificationStatus, ObjectionStatus, OrderStatus
from app.services import objections
from tests.trade_factories import make_order
from tests.web.notice_site import publicise
from tests.web.trade_site import build_site, field_error, post, row_counts

SHIPPED = {"version": "1", "carrier": "中国邮政", "tracking_number": "9812345678901"}


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path / "uploads"))


def _order(site, status=OrderStatus.placed):
    with site.db.unit_of_work() as session:
        buyer = session.get(Enterprise, site.buyer_id)
        product = session.get(Product, site.product_id)
        return make_order(session, buyer, product, status=status).id


def test_the_inbox_lists_what_waits_and_links_to_where_it_is_done(site):
    order_id = _order(site)
    page = site.client("hezuoshe").get("/inbox")
    assert page.template.name == "inbox/index.html"
    groups = {g.key: g for g in page.context["groups"]}
    assert (groups["orders_to_confirm"].count, groups["orders_to_ship"].count) == (1, 0)
    assert f'href="/orders/{order_id}"' in page.text
    assert "待确认的订单" in page.text
    partial = site.client("hezuoshe").get("/inbox", headers={"HX-Request": "true"})
    assert partial.template.name == "inbox/_groups.html"
    empty = site.client("caigou").get("/inbox")
    assert "暂无待办事项" in empty.text


def test_the_badge_counts_and_the_navigation_refreshes_it_with_htmx(site):
    _order(site)
    _order(site, OrderStatus.confirmed)
    client = site.client("hezuoshe")
    badge = client.get("/inbox/count", headers={"HX-Request": "true"})
    assert badge.template.name == "inbox/_badge.html"
    assert '<span class="count-badge">2</span>' in badge.text
    assert badge.headers["Cache-Control"] == "no-store"
    home = client.get("/").text
    assert (
        '<span id="inbox-badge" hx-get="/inbox/count"'
        ' hx-trigger="load, every 60s, inbox-changed from:body"'
    ) in home
    assert site.client().get("/inbox/count").text.strip() == ""
    assert site.client("caigou").get("/inbox/count").text.strip() == ""
    # The bureau's menu has no 待办 item (app/web/navigation.py): its badge sits by the account links.
    bureau_home = site.client("pinglu").get("/registrations").text
    assert 'href="/inbox">待办 <span id="inbox-badge"' in bureau_home


def test_the_inbox_needs_sign_in(site):
    response = site.client().get("/inbox", follow_redirects=False)
    assert (response.status_code, response.headers["location"]) == (303, "/login?next=/inbox")


def _notify_buyer(site) -> list[int]:
    """Ship two orders to the buyer: two notifications for 采购单位."""
    ids = []
    for _ in range(2):
        order_id = _order(site, OrderStatus.confirmed)
        response = post(site.client("hezuoshe"), f"/orders/{order_id}/ship", SHIPPED)
        assert response.status_code == 303
        ids.append(order_id)
    return ids


def test_notifications_page_shows_unread_and_marks_one_then_all_read(site):
    order_ids = _notify_buyer(site)
    client = site.client("caigou")
    page = client.get("/notifications")
    assert page.template.name == "notifications/list.html"
    assert (page.context["page"].total, page.context["unread"]) == (2, 2)
    assert "订单已发货" in page.text
    assert f'href="/orders/{order_ids[0]}"' in page.text
    newest = page.context["page"].items[0].id
    one = post(client, f"/notifications/{newest}/read", {}, htmx=True)
    assert one.template.name == "notifications/_list.html"
    assert json.loads(one.headers["HX-Trigger"]) == {"inbox-changed": 1}
    assert one.context["unread"] == 1
    unread = client.get("/notifications?unread=1")
    assert [n.id for n in unread.context["page"].items] != [newest]
    assert len(unread.context["page"].items) == 1
    everything = post(client, "/notifications/read", {})
    assert (everything.status_code, everything.headers["location"]) == (303, "/notifications")
    with site.db.read_only() as session:
        assert all(n.read_at for n in session.exec(select(Notification)).all())
    # Someone else's notification is not found, and nothing changes.
    assert post(site.client("qita"), f"/notifications/{newest}/read", {}).status_code == 404


def test_mail_address_form_shows_errors_by_the_field(fresh_db, make_settings, tmp_path):
    site = build_site(fresh_db, make_settings(upload_dir=tmp_path / "u", smtp_host="127.0.0.1"))
    client = site.client("caigou")
    assert "邮件通知" in client.get("/notifications").text
    before = row_counts(site.db)
    bad = post(client, "/notifications/email", {"address": "不是邮箱"})
    assert bad.status_code == 422
    assert field_error(bad.text, "address") == "请填写有效的邮箱地址"
    assert row_counts(site.db) == before
    good = post(client, "/notifications/email", {"address": "caigou@example.cn"})
    assert good.status_code == 303
    assert 'value="caigou@example.cn"' in client.get("/notifications").text


def test_the_bureau_resolves_an_objection_on_its_page(site):
    application_id = publicise(site)
    with site.db.unit_of_work() as session:
        objection = objections.file_objection(
            session=session,
            actor=ANONYMOUS,
            application_id=application_id,
            data={"reason": "产地与申报不符，请核查。", "filer_name": "李四"},
        )
        objection_id = objection.id
    page = site.client("pinglu").get("/certifications/objections")
    assert page.template.name == "certifications/objections.html"
    assert [o.id for o in page.context["queue"]] == [objection_id]
    assert "产地与申报不符" in page.text and "李四" in page.text
    assert site.client("ruicheng").get("/certifications/objections").context["queue"] == []
    assert site.client("hezuoshe").get("/certifications/objections").status_code == 403
    url = f"/certifications/objections/{objection_id}/resolve"
    missing = post(site.client("pinglu"), url, {"decision": "upheld", "resolution": ""}, htmx=True)
    assert missing.status_code == 422
    assert missing.template.name == "certifications/_objection.html"
    assert field_error(missing.text, "resolution") == "处理意见不能为空"
    denied = post(site.client("ruicheng"), url, {"decision": "upheld", "resolution": "核查属实"})
    assert denied.status_code == 404  # another county's objection answers as a missing one
    done = post(
        site.client("pinglu"), url, {"decision": "upheld", "resolution": "核查属实"}, htmx=True
    )
    assert done.template.name == "certifications/_objection_resolved.html"
    assert done.headers["HX-Trigger"] == "inbox-changed"
    with site.db.read_only() as session:
        assert session.get(CertificationObjection, objection_id).status == ObjectionStatus.upheld
        application = session.get(CertificationApplication, application_id)
        assert application.status == CertificationStatus.rejected
    assert utcnow() < application.notice_ends_at
