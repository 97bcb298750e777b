"""The home page ``/`` over a real database."""

import re

import pytest
from starlette.testclient import TestClient

from app.asgi import create_app
from app.models.enums import AgreementStatus
from app.services.overview import HomeFigures
from tests.web.web_factories import make_home_scenario, make_yuncheng_counties


@pytest.fixture
def scenario_db(fresh_db):
    with fresh_db.unit_of_work() as session:
        make_home_scenario(session)
    return fresh_db


@pytest.fixture
def client(scenario_db, make_settings):
    return TestClient(create_app(make_settings(), database=scenario_db))


def stats(html: str) -> dict[str, str]:
    pattern = r'<dt class="stat__label">([^<]+)</dt>\s*<dd class="stat__value">([^<]+)</dd>'
    return dict(re.findall(pattern, html))


def table_rows(html: str) -> list[list[str]]:
    rows = re.findall(r"<tr>(.*?)</tr>", html, flags=re.S)
    cells = [re.findall(r'data-label="[^"]*"[^>]*>([^<]*)<', row) for row in rows]
    return [row for row in cells if row]


def test_home_renders_the_figures(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.template.name == "home/index.html"
    figures = response.context["figures"]
    assert isinstance(figures, HomeFigures)
    assert (figures.villages, figures.paired_villages, figures.agreements) == (5, 2, 6)
    assert stats(response.text) == {
        "行政村": "5",
        "重点帮扶村": "3",
        "已结对村": "2",
        "未结对重点帮扶村": "2",
        "帮扶主体": "2",
        "合作社": "1",
        "在售特色产品": "2",
        "结对帮扶协议": "6",
    }


def test_home_groups_counties_by_category_with_subtotals(client):
    html = client.get("/").text
    captions = re.findall(r"<caption>([^<]+)</caption>", html)
    assert captions == ["乡村振兴先行示范县（2 个）", "整体推进县（8 个）", "重点帮扶县（3 个）"]
    rows = table_rows(html)
    assert rows[:3] == [
        ["盐湖区", "2", "1", "0", "1"],
        ["河津市", "0", "0", "0", "0"],
        ["小计", "2", "1", "0", "1"],
    ]
    assert rows[-4:] == [
        ["绛县", "0", "0", "0", "0"],
        ["垣曲县", "0", "0", "0", "0"],
        ["平陆县", "3", "2", "2", "1"],
        ["小计", "3", "2", "2", "1"],
    ]


def test_home_lists_agreements_by_status_with_badges(client):
    html = client.get("/").text
    found = re.findall(
        r'<span class="badge badge--(\w+)">([^<]+)</span> <span class="status-counts__count">'
        r"([^<]+)</span>",
        html,
    )
    assert found == [
        ("muted", "待企业确认", "0 份"),
        ("pending", "待签约", "1 份"),
        ("pending", "待备案", "0 份"),
        ("danger", "退回修改", "0 份"),
        ("ok", "履行中", "3 份"),
        ("done", "已完成", "1 份"),
        ("muted", "已婉拒", "0 份"),
        ("muted", "已撤回", "0 份"),
        ("danger", "已终止", "1 份"),
    ]


def test_home_charts_paired_villages_by_county(client):
    html = client.get("/").text
    assert '<title id="chart-paired-villages-title">各县（市、区）已结对村数</title>' in html
    chart_table = html.split('<details class="chart__data">', 1)[1]
    assert '<tr><th scope="row">平陆县</th><td class="num">2</td></tr>' in chart_table


def test_home_introduces_both_programmes(client):
    html = client.get("/").text
    assert "千企帮千村 · 结对帮扶" in html
    assert "消费帮扶 · 产销衔接" in html


def test_home_is_a_chinese_mobile_page_with_one_stylesheet_and_htmx(client):
    html = client.get("/").text
    assert html.startswith('<!DOCTYPE html>\n<html lang="zh-CN">')
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in html
    assert html.count('rel="stylesheet"') == 1
    assert html.count("<script") == 1
    assert '<a class="skip-link" href="#main">跳到主要内容</a>' in html
    assert '<main id="main"' in html
    assert '<div id="flash" class="flash-region" role="status" aria-live="polite">' in html
    assert "<footer" in html


def test_home_shows_the_anonymous_navigation_boosted_with_home_current(client):
    html = client.get("/").text
    nav = html.split('<nav class="site-nav" aria-label="主导航" hx-boost="true">', 1)[1]
    nav = nav.split("</nav>", 1)[0]
    assert re.findall(r'<a href="([^"]+)"( aria-current="page")?>([^<]+)</a>', nav) == [
        ("/", ' aria-current="page"', "首页"),
        ("/products", "", "特色产品"),
        ("/villages", "", "帮扶村"),
        ("/disclosure", "", "公示"),
        ("/labour/postings", "", "招工岗位"),
        ("/login", "", "登录"),
        ("/register", "", "注册"),
    ]


def test_htmx_requests_get_the_figures_partial(client):
    response = client.get("/", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert response.template.name == "home/_figures.html"
    assert response.text.lstrip().startswith('<section id="figures"')
    assert "<html" not in response.text
    assert stats(response.text)["行政村"] == "5"
    assert response.headers["vary"] == "HX-Request"


@pytest.mark.parametrize("header", ["HX-Boosted", "HX-History-Restore-Request"])
def test_boosted_and_history_requests_get_the_full_page(client, header):
    response = client.get("/", headers={"HX-Request": "true", header: "true"})
    assert response.template.name == "home/index.html"
    assert '<html lang="zh-CN">' in response.text


def test_home_page_takes_a_fixed_number_of_queries(scenario_db, make_settings):
    import sqlalchemy as sa

    sent: list[str] = []

    def record(conn, cursor, statement, parameters, context, executemany):
        if not statement.lstrip().upper().startswith("BEGIN"):
            sent.append(statement)

    client = TestClient(create_app(make_settings(), database=scenario_db))
    sa.event.listen(scenario_db.engine, "before_cursor_execute", record)
    try:
        client.get("/")
    finally:
        sa.event.remove(scenario_db.engine, "before_cursor_execute", record)
    assert len(sent) == 3


def test_empty_database_shows_a_friendly_empty_state(fresh_db, make_settings):
    client = TestClient(create_app(make_settings(), database=fresh_db))
    response = client.get("/")
    assert response.status_code == 200
    assert response.context["figures"].is_empty
    assert '<p class="empty-state__title">平台还没有数据</p>' in response.text
    assert '<a class="button" href="/login">工作人员登录</a>' in response.text
    assert "<caption>" not in response.text


def test_counties_without_villages_show_zero_tables(fresh_db, make_settings):
    with fresh_db.unit_of_work() as session:
        make_yuncheng_counties(session)
    client = TestClient(create_app(make_settings(), database=fresh_db))
    html = client.get("/").text
    assert "平台还没有数据" not in html
    assert stats(html)["行政村"] == "0"
    assert ["平陆县", "0", "0", "0", "0"] in table_rows(html)


def test_status_labels_come_from_app_labels(client):
    from app.labels import AGREEMENT_STATUS

    html = client.get("/").text
    for status in AgreementStatus:
        assert f">{AGREEMENT_STATUS[status]}</span>" in html
