"""Each macro in app/templates/components rendered on its own."""

import re

import pytest
from markupsafe import Markup
from starlette.requests import Request

from app.actors import ANONYMOUS, Actor, Role
from app.models.enums import AgreementStatus, OrderStatus, ProductStatus, ReportStatus
from app.web.navigation import navigation_for
from app.web.templating import create_environment


@pytest.fixture
def env(make_settings):
    return create_environment(make_settings())


def render_macro(env, module: str, call: str, **context) -> str:
    name = call.split("(", 1)[0]
    source = f'{{% from "components/{module}.html" import {name} %}}{{{{ {call} }}}}'
    return env.from_string(source).render(**context)


def squash(html: str) -> str:
    return re.sub(r">\s+<", "><", html.strip())


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        (AgreementStatus.active, '<span class="badge badge--ok">履行中</span>'),
        (AgreementStatus.proposed, '<span class="badge badge--pending">待签约</span>'),
        (AgreementStatus.terminated, '<span class="badge badge--danger">已终止</span>'),
        (AgreementStatus.completed, '<span class="badge badge--done">已完成</span>'),
        (ReportStatus.returned, '<span class="badge badge--danger">已退回</span>'),
        (OrderStatus.cancelled, '<span class="badge badge--muted">已取消</span>'),
        (ProductStatus.listed, '<span class="badge badge--ok">在售</span>'),
    ],
)
def test_status_badge_has_colour_and_text(env, status, expected):
    assert render_macro(env, "badge", "status_badge(status)", status=status) == expected


@pytest.mark.parametrize(
    ("call", "expected"),
    [
        ("money(1234567)", '<data class="money" value="12345.67">¥12,345.67</data>'),
        ("money(-5)", '<data class="money" value="-0.05">-¥0.05</data>'),
        ("money(0)", '<data class="money" value="0.00">¥0.00</data>'),
        (
            "money(123450000, large=true)",
            '<data class="money" value="1234500.00">123.5 万元</data>',
        ),
        ("money(none)", '<span class="money money--missing">—</span>'),
    ],
)
def test_money_macro(env, call, expected):
    assert render_macro(env, "money", call) == expected


def test_empty_state_says_what_to_do_next(env):
    html = render_macro(
        env,
        "empty",
        'empty_state("还没有结对协议", "去看看推荐帮扶村", href="/recommendations", '
        'action="推荐帮扶村")',
    )
    assert squash(html) == (
        '<div class="empty-state"><p class="empty-state__title">还没有结对协议</p>'
        '<p class="empty-state__text">去看看推荐帮扶村</p>'
        '<p><a class="button" href="/recommendations">推荐帮扶村</a></p></div>'
    )


def test_empty_state_without_a_link(env):
    html = squash(render_macro(env, "empty", 'empty_state("暂无订单")'))
    assert html == '<div class="empty-state"><p class="empty-state__title">暂无订单</p></div>'


def test_stat(env):
    html = squash(render_macro(env, "stat", 'stat("行政村", "3,012", "含 1,024 个重点帮扶村")'))
    assert html == (
        '<div class="stat"><dt class="stat__label">行政村</dt><dd class="stat__value">3,012</dd>'
        '<dd class="stat__note">含 1,024 个重点帮扶村</dd></div>'
    )


def test_field_with_error_keeps_the_value_and_describes_hint_and_error(env):
    html = squash(
        render_macro(
            env,
            "form",
            'field("credit_code", "统一社会信用代码", value=value, hint="18 位，含字母", '
            'error="校验位不正确", required=true)',
            value='91140800MA0"<b>',
        )
    )
    assert html == (
        '<div class="field field--error">'
        '<label class="field__label" for="field-credit_code">统一社会信用代码'
        '<span class="field__required" aria-hidden="true">*</span></label>'
        '<input id="field-credit_code" name="credit_code" required aria-invalid="true" '
        'aria-describedby="field-credit_code-hint field-credit_code-error" type="text" '
        'value="91140800MA0&#34;&lt;b&gt;">'
        '<p class="field__hint" id="field-credit_code-hint">18 位，含字母</p>'
        '<p class="field__error" id="field-credit_code-error">校验位不正确</p></div>'
    )


def test_field_without_hint_or_error_has_no_describedby(env):
    html = squash(render_macro(env, "form", 'field("name", "名称", type="search")'))
    assert html == (
        '<div class="field"><label class="field__label" for="field-name">名称</label>'
        '<input id="field-name" name="name" type="search" value=""></div>'
    )


def test_field_select_keeps_the_chosen_option(env):
    html = squash(
        render_macro(
            env,
            "form",
            'field("county", "所属县", value=140829, type="select", error="请选择", '
            'options=[("140802", "盐湖区"), ("140829", "平陆县")])',
        )
    )
    assert '<select id="field-county" name="county" aria-invalid="true" ' in html
    assert 'aria-describedby="field-county-error">' in html
    assert '<option value="140802">盐湖区</option>' in html
    assert '<option value="140829" selected>平陆县</option>' in html


def test_field_textarea(env):
    html = squash(
        render_macro(
            env, "form", 'field("note", "说明", value="第一行\\n第二行", type="textarea", rows=6)'
        )
    )
    assert '<textarea id="field-note" name="note" rows="6">第一行\n第二行</textarea>' in html


def test_responsive_table_labels_every_cell(env):
    html = squash(
        render_macro(
            env,
            "table",
            "responsive_table(columns, rows, caption='重点帮扶县', totals=['合计', '3'])",
            columns=[{"label": "县"}, {"label": "村数", "numeric": True}],
            rows=[["平陆县", "2"], ["<垣曲县>", Markup('<span class="badge">1</span>')]],
        )
    )
    assert html == (
        '<div class="table-wrap"><table class="responsive-table"><caption>重点帮扶县</caption>'
        '<thead><tr><th scope="col">县</th><th scope="col" class="num">村数</th></tr></thead>'
        "<tbody>"
        '<tr><th scope="row" data-label="县">平陆县</th>'
        '<td data-label="村数" class="num">2</td></tr>'
        '<tr><th scope="row" data-label="县">&lt;垣曲县&gt;</th>'
        '<td data-label="村数" class="num"><span class="badge">1</span></td></tr>'
        "</tbody>"
        '<tfoot><tr><th scope="row" data-label="县">合计</th>'
        '<td data-label="村数" class="num">3</td></tr></tfoot>'
        "</table></div>"
    )


def test_bar_chart_draws_bars_relative_to_the_largest_and_repeats_the_numbers(env):
    html = squash(
        render_macro(
            env,
            "chart",
            'bar_chart("c1", "各县已结对村数", items, value_label="已结对村")',
            items=[("平陆县", 1200), ("垣曲县", 600), ("绛县", 0)],
        )
    )
    assert (
        '<svg class="chart__svg" role="img" aria-labelledby="c1-title" width="100%" height="132">'
        in html
    )
    assert '<title id="c1-title">各县已结对村数</title>' in html
    widths = re.findall(r'class="chart__bar" x="0" y="\d+" width="([\d.]+%)"', html)
    assert widths == ["100.00%", "50.00%", "0.00%"]
    assert re.findall(r'class="chart__value"[^>]*>([^<]*)<', html) == ["1,200", "600", "0"]
    table = html.split("<details", 1)[1]
    assert '<th scope="col" class="num">已结对村</th>' in table
    assert re.findall(
        r'<tr><th scope="row">([^<]*)</th><td class="num">([^<]*)</td></tr>', table
    ) == [
        ("平陆县", "1,200"),
        ("垣曲县", "600"),
        ("绛县", "0"),
    ]


def test_bar_chart_formats_money_and_survives_all_zero_or_no_items(env):
    html = render_macro(
        env, "chart", 'bar_chart("c2", "采购额", items, kind="wan_yuan")', items=[("盐湖区", 0)]
    )
    assert 'width="0.00%"' in html and "0.0 万元" in html
    empty = render_macro(env, "chart", 'bar_chart("c3", "无数据", [])')
    assert 'height="0"' in empty and "<tbody>" in squash(empty)


def test_labels_and_formatting_are_available_as_filters_and_globals(env):
    template = env.from_string(
        "{{ label(s) }}|{{ s|label }}|{{ status_tone(s) }}|{{ s|status_tone }}|{{ 1234|number }}"
        "|{{ 1234|money }}|{{ 12345678|wan_yuan }}|{{ '2026Q3'|quarter }}|{{ 2026|quarter(4) }}"
    )
    assert template.render(s=AgreementStatus.active) == (
        "履行中|履行中|ok|ok|1,234|¥12.34|12.3 万元|2026年第3季度|2026年第4季度"
    )


def test_autoescape_is_on(env):
    assert env.from_string("{{ name }}").render(name="<script>") == "&lt;script&gt;"


def test_undefined_names_fail_loudly(env):
    with pytest.raises(Exception, match="undefined"):
        env.from_string("{{ missing }}").render()


def _request(path="/", session=None) -> Request:
    scope = {"type": "http", "method": "GET", "path": path, "headers": [], "query_string": b""}
    scope["session"] = {} if session is None else session
    return Request(scope)


def _render_base(env, *, actor, request):
    return env.get_template("base.html").render(
        request=request, actor=actor, navigation=navigation_for(actor.role, request.url.path)
    )


def test_base_shows_the_signed_in_organisation_and_role_menu(env):
    actor = Actor(
        role=Role.bureau,
        user_id=1,
        name="张科长",
        region_code="140800",
        organisation="运城市乡村振兴局",
    )
    html = _render_base(env, actor=actor, request=_request("/reports/7"))
    assert '<span class="whoami__org">运城市乡村振兴局</span>' in html
    assert '<span class="whoami__name">张科长</span>' in html
    assert '<span class="whoami__role">乡村振兴局</span>' in html
    assert '<li><a href="/reports" aria-current="page">成效审核</a></li>' in html
    assert "登录" not in html


def test_base_shows_flash_messages_once(env):
    session = {"_flashes": [{"message": "已提交", "level": "success"}]}
    request = _request(session=session)
    html = _render_base(env, actor=ANONYMOUS, request=request)
    assert '<p class="flash flash--success">已提交</p>' in html
    assert "_flashes" not in session
