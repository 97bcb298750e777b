"""One submit shows every problem of a form, with the values kept: registration, products,
orders and proposals, each posted with several bad fields (app/services/inputs.py:
ErrorCollector and the messages of parse)."""

import re

import pytest

from tests.web import pairing_web, trade_site
from tests.web.test_web_registration import _post as registration_post
from tests.web.test_web_registration import app  # noqa: F401


def _errors(html: str, *fields: str) -> dict[str, str | None]:
    """The message under each field (``field-<name>-error``), None where there is none."""
    found = {}
    for field in fields:
        match = re.search(rf'id="[^"]*{field}-error"[^>]*>([^<]+)</p>', html)
        found[field] = match.group(1) if match else None
    return found


def test_registration_reports_account_organisation_and_consent_at_once(app):  # noqa: F811
    from starlette.testclient import TestClient

    response = registration_post(
        TestClient(app),
        "/register/enterprise",
        {
            "username": "a",
            "display_name": "张三",
            "password": "short",
            "password_again": "other",
            "name": "平陆县黄河果业有限公司",
            "credit_code": "12345",
            "kind": "",
            "industry": "",
            "county_code": "140829",
        },
    )
    assert response.status_code == 422
    errors = _errors(
        response.text,
        "username",
        "password",
        "password_again",
        "credit_code",
        "kind",
        "industry",
        "privacy_consent",
    )
    assert errors == {
        "username": "用户名应为 3–40 位字母、数字或 _ . @ -",
        "password": "密码至少 8 位，且须同时包含字母和数字",
        "password_again": "两次输入的密码不一致",
        "credit_code": "统一社会信用代码应为 18 位",
        "kind": "请选择单位类型",
        "industry": "所属行业不能为空",
        "privacy_consent": "请阅读并同意《个人信息处理说明》后再提交",
    }
    assert 'value="平陆县黄河果业有限公司"' in response.text


@pytest.fixture
def trade(fresh_db, make_settings, tmp_path):
    return trade_site.build_site(fresh_db, make_settings(upload_dir=tmp_path))


def test_a_product_with_several_bad_fields(trade):
    client = trade.client("hezuoshe")
    response = trade_site.post(
        client,
        "/my/products/new",
        {"name": "", "category": "", "unit": "", "price": "abc", "min_order": "-1", "stock": "x"},
    )
    assert response.status_code == 422
    errors = _errors(response.text, "name", "category", "price", "min_order", "stock")
    assert all(errors.values()), errors
    assert "取值无效" not in response.text


def test_an_order_with_several_bad_fields(trade):
    client = trade.client("caigou")
    response = trade_site.post(
        client,
        f"/products/{trade.product_id}/orders",
        {"quantity": "abc", "unit": "吨", "shipping_address": ""},
    )
    assert response.status_code == 422
    errors = _errors(response.text, "quantity", "unit", "shipping_address")
    assert all(errors.values()), errors
    assert "取值无效" not in response.text


@pytest.fixture
def pairing(fresh_db, make_settings, tmp_path):
    return pairing_web.build_site(fresh_db, make_settings(upload_dir=tmp_path))


def test_a_proposal_with_several_bad_fields(pairing):
    response = pairing_web.post(
        pairing.client("qiye"),
        "/agreements",
        {
            "village_id": str(pairing.village_id),
            "help_kinds": [],
            "start_on": "2027-01-01",
            "end_on": "2027-06-30",
            "commit_purchase": "12.345",
            "commit_jobs": "abc",
        },
    )
    assert response.status_code == 422
    errors = _errors(response.text, "help_kinds", "end_on", "commit_purchase", "commit_jobs")
    assert all(errors.values()), errors
