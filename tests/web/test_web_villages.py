"""Village pages: the list and its filters, profiles, the village's own profile and needs."""

import pytest
from sqlmodel import select

from app.models import Village, VillageNeed
from app.services.privacy import PERSONAL_NUMBER_MESSAGE
from tests.web.conftest import version_in
from tests.web.pairing_web import build_site, post


@pytest.fixture
def site(fresh_db, make_settings, tmp_path):
    return build_site(fresh_db, make_settings(upload_dir=tmp_path))


def test_the_list_is_a_full_page_and_its_results_a_partial_for_htmx(site):
    client = site.client()
    page = client.get("/villages")
    assert page.status_code == 200
    assert page.template.name == "pairing/villages.html"
    assert "<html" in page.text and "各县（市、区）结对概况" in page.text
    assert '<section id="village-results"' in page.text
    assert "共 <strong>2</strong> 个村" in page.text
    assert "HX-Request" in page.headers["vary"]

    partial = client.get("/villages?key=1", headers={"HX-Request": "true"})
    assert partial.template.name == "pairing/_village_results.html"
    assert "<html" not in partial.text and "各县（市、区）结对概况" not in partial.text
    assert partial.text.lstrip().startswith('<section id="village-results"')
    assert "共 <strong>1</strong> 个村" in partial.text
    assert "南坡村" in partial.text and "北坡村" not in partial.text
    assert "HX-Request" in partial.headers["vary"]


def test_filters_by_need_kind_and_unpaired(site):
    client = site.client()
    html = client.get("/villages?need=sales", headers={"HX-Request": "true"}).text
    assert "南坡村" in html and "北坡村" not in html
    html = client.get("/villages?unpaired=1", headers={"HX-Request": "true"}).text
    assert "南坡村" in html and "北坡村" not in html
    empty = client.get("/villages?county=140830", headers={"HX-Request": "true"}).text
    assert "没有符合条件的村" in empty and 'href="/villages"' in empty


def test_the_public_profile_shows_the_contact_only_to_parties_with_a_purpose(site):
    anonymous = site.client().get(f"/villages/{site.village_id}")
    assert anonymous.status_code == 200
    assert "13900000001" not in anonymous.text and "王书记" not in anonymous.text
    assert "联系方式仅对与本村有往来的单位显示" in anonymous.text
    assert "苹果滞销，需要帮销 5 万斤" in anonymous.text
    # 黄河果业 is paired with 北坡村, not 南坡村: no purpose, no contact.
    enterprise = site.client("qiye").get(f"/villages/{site.village_id}")
    assert "139****0001" not in enterprise.text and "王书记" not in enterprise.text
    assert f'href="/agreements/new?village_id={site.village_id}"' in enterprise.text
    bureau = site.client("pinglu").get(f"/villages/{site.village_id}")
    assert "王书记" in bureau.text and "139****0001" in bureau.text
    assert "13900000001" not in bureau.text


def test_an_unknown_village_is_404(site):
    assert site.client().get("/villages/9999").status_code == 404


def test_the_village_edits_its_profile_and_errors_come_back_by_the_field(site):
    client = site.client("nanpo")
    form = client.get("/village")
    assert form.template.name == "pairing/my_village.html"
    assert 'value="王书记"' in form.text
    data = {
        "population": "1200",
        "households": "100",
        "lifted_households": "300",
        "monitored_households": "2",
        "main_industries": "苹果、花椒、肉牛",
        "contact_name": "王书记",
        "contact_phone": "13900000001",
        "version": version_in(form.text, "/village"),
    }
    response = post(client, "/village", data)
    assert response.status_code == 422
    assert (
        '<p class="field__error" id="field-lifted_households-error">脱贫户数不能多于户数</p>'
        in response.text
    )
    assert 'value="苹果、花椒、肉牛"' in response.text
    assert version_in(response.text, "/village") == data["version"]
    response = post(client, "/village", data | {"lifted_households": "30"})
    assert (response.status_code, response.headers["location"]) == (303, "/village")
    assert "本村概况已保存" in client.get("/village").text
    with site.database.read_only() as session:
        assert session.get(Village, site.village_id).main_industries == "苹果、花椒、肉牛"


@pytest.mark.parametrize("username", ["qiye", "pinglu", None])
def test_only_village_staff_open_the_village_pages(site, username):
    response = site.client(username).get("/village", follow_redirects=False)
    assert response.status_code == (303 if username is None else 403)


def test_needs_are_added_with_errors_by_the_field_and_marked_met(site):
    client = site.client("nanpo")
    response = post(client, "/needs", {"kind": "talent", "description": "人", "headcount": "x"})
    assert response.status_code == 422
    assert 'id="field-description-error">需求内容至少 4 个字符</p>' in response.text
    assert 'id="field-headcount-error">所需人数应为整数</p>' in response.text
    assert '<option value="talent" selected>人才支援</option>' in response.text
    response = post(
        client, "/needs", {"kind": "talent", "description": "电商运营人才 2 名", "headcount": "2"}
    )
    assert (response.status_code, response.headers["location"]) == (303, "/needs")
    with site.database.read_only() as session:
        need = session.exec(select(VillageNeed).where(VillageNeed.kind == "talent")).one()
    status = f"/needs/{need.id}/status"
    version = version_in(client.get("/needs").text, status)
    response = post(client, status, {"status": "met", "version": version})
    assert response.status_code == 303
    page = client.get("/needs")
    assert "需求已改为“已满足”" in page.text
    assert '<span class="badge badge--ok">已满足</span>' in page.text


def test_a_village_cannot_edit_another_village_s_need(site):
    with site.database.read_only() as session:
        need = session.exec(select(VillageNeed)).first()
    response = post(
        site.client("beipo"),
        f"/needs/{need.id}",
        {"kind": "sales", "description": "改掉别人的需求"},
    )
    assert response.status_code == 404


def test_a_phone_number_in_the_public_introduction_is_refused_by_its_field(site):
    client = site.client("nanpo")
    data = {
        "version": version_in(client.get("/village").text, "/village"),
        "population": "1200",
        "households": "100",
        "lifted_households": "30",
        "monitored_households": "2",
        "introduction": "欢迎来南坡村采购，电话 139-0000-0001",
        "contact_name": "王书记",
        "contact_phone": "13900000001",
    }
    response = post(client, "/village", data)
    assert response.status_code == 422
    assert (
        f'<p class="field__error" id="field-introduction-error">{PERSONAL_NUMBER_MESSAGE}</p>'
        in response.text
    )
    with site.database.read_only() as session:
        assert "139" not in session.get(Village, site.village_id).introduction
