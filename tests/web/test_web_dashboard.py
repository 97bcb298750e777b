"""app/web/dashboard.py: lazy panels, partials for htmx, a page per panel without JavaScript."""

import re
from collections.abc import Iterator

import pytest

from app.services import stats
from tests.services.bureau_world import BureauWorld, build_bureau_world
from tests.web.bureau_site import bureau_app, signed_in, svg_titles

PANELS = ["coverage", "agreements", "commitments", "sales", "shares", "overdue", "enterprises"]


@pytest.fixture(scope="module")
def world(database_factory) -> Iterator[BureauWorld]:
    built = build_bureau_world(database_factory, "webdash")
    yield built
    built.database.dispose()


@pytest.fixture(scope="module")
def app(world, tmp_path_factory):
    return bureau_app(world, tmp_path_factory.mktemp("dash"))


def test_the_page_lists_lazy_panels_each_with_a_link_that_works_without_javascript(app):
    html = signed_in(app, "city").get("/dashboard").text
    triggers = re.findall(r'hx-get="/dashboard/(\w+)" hx-trigger="revealed"', html)
    assert triggers == PANELS
    for name in PANELS:
        assert f'<a href="/dashboard/{name}">' in html
    assert '<a href="/dashboard" aria-current="page">工作台</a>' in html


def test_htmx_gets_the_panel_and_a_browser_gets_a_page(app):
    client = signed_in(app, "city")
    partial = client.get("/dashboard/coverage", headers={"HX-Request": "true"})
    assert partial.status_code == 200
    assert partial.text.startswith('<section class="dashboard-panel" id="panel-coverage"')
    assert "<html" not in partial.text
    page = client.get("/dashboard/coverage")
    assert page.text.startswith("<!DOCTYPE html>")
    assert svg_titles(page.text) == [
        "运城市各县（市、区）重点帮扶村结对覆盖地图",
        "各县行政村数与已结对村数",
    ]
    assert "HX-Request" in page.headers["vary"]


def test_every_chart_has_a_title_and_a_table_of_its_numbers(app, world):
    html = signed_in(app, "city").get("/dashboard?all=1").text
    assert svg_titles(html) == [
        "运城市各县（市、区）重点帮扶村结对覆盖地图",
        "各县行政村数与已结对村数",
        "各状态的帮扶协议数",
        "各县帮扶资金（经营性与公益性）：承诺与实绩",
        "各季度帮扶资金：承诺（分摊）与实绩",
        "2026 年各县消费帮扶金额",
        "2026 年各品类消费帮扶金额",
        "近 12 个月消费帮扶金额",
        "机关事业单位和国有企业：预留份额与已采购",
        "各县逾期未报的协议数",
        "近四个季度提交成效报告最多的帮扶主体",
    ]
    assert html.count("<summary>查看数据表</summary>") == 10
    with world.database.read_only() as session:
        figures = stats.dashboard(session=session, actor=world.actors["city"])
    coverage = figures.coverage
    assert f'<dd class="stat__value">{coverage.total.villages:,}</dd>' in html
    active = dict(figures.agreements)["active"]
    assert f'<tr><th scope="row">履行中</th><td class="num">{active:,}</td></tr>' in html


def test_a_county_officer_sees_only_the_county(app):
    html = signed_in(app, "pinglu").get("/dashboard/coverage").text
    assert "平陆县" in html and "盐湖区" not in html


def test_only_the_bureau_opens_the_dashboard(app):
    assert signed_in(app, "qiye").get("/dashboard").status_code == 403
    assert signed_in(app, "qiye").get("/dashboard/coverage").status_code == 403
    response = signed_in(app, None).get("/dashboard/sales", follow_redirects=False)
    assert response.headers["location"] == "/login?next=/dashboard/sales"
    assert signed_in(app, "city").get("/dashboard/nothing").status_code == 404
