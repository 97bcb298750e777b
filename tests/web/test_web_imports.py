"""app/web/imports.py: templates, an upload checked row by row, errors shown with 422."""

import io
from collections.abc import Iterator

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

from app.models import Enterprise
from tests.factories import valid_credit_code
from tests.services.bureau_world import BureauWorld, build_bureau_world
from tests.web.bureau_site import bureau_app, csrf, signed_in

HEADERS = ["统一社会信用代码", "单位名称", "单位类型", "行业门类", "所在县级代码"]


@pytest.fixture(scope="module")
def world(database_factory) -> Iterator[BureauWorld]:
    built = build_bureau_world(database_factory, "webimport")
    yield built
    built.database.dispose()


@pytest.fixture(scope="module")
def app(world, tmp_path_factory):
    return bureau_app(world, tmp_path_factory.mktemp("imports"))


def xlsx(rows: list[list]) -> bytes:
    book = Workbook()
    book.active.title = "帮扶主体"
    for row in [HEADERS, *rows]:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def upload(client, content: bytes, name: str = "主体.xlsx", htmx: bool = False, **data):
    return client.post(
        "/imports",
        data=data | {"csrf_token": csrf(client)},
        files={"file": (name, content)},
        headers={"HX-Request": "true"} if htmx else {},
        follow_redirects=False,
    )


def enterprises(world) -> int:
    with world.database.read_only() as session:
        return session.execute(sa.select(sa.func.count(Enterprise.id))).scalar_one()


def test_templates_download_as_workbooks(app):
    response = signed_in(app, "city").get("/imports/templates/products")
    assert response.status_code == 200
    assert "filename*=utf-8''" in response.headers["content-disposition"]
    assert load_workbook(io.BytesIO(response.content)).sheetnames == ["产品", "填写说明"]
    assert signed_in(app, "city").get("/imports/templates/nothing").status_code == 404


def test_a_file_with_errors_comes_back_with_every_error_and_writes_nothing(app, world):
    before = enterprises(world)
    bad = valid_credit_code()[:17] + "I"
    content = xlsx(
        [
            [bad, "甲公司", "民营企业", "A", "140829"],
            [valid_credit_code(), "乙公司", "外星企业", "A", "140829"],
        ]
    )
    response = upload(signed_in(app, "city"), content, htmx=True)
    assert response.status_code == 422
    assert response.text.startswith('<div id="import-form"')
    assert "文件有 2 处错误，未导入任何数据" in response.text
    assert '<td data-label="行" class="num">2</td>' in response.text
    assert "统一社会信用代码（A 列）" in response.text
    assert "单位类型（C 列）" in response.text
    assert enterprises(world) == before


def test_a_valid_file_is_imported_and_the_page_says_how_much(app, world):
    before = enterprises(world)
    client = signed_in(app, "pinglu")
    content = xlsx([[valid_credit_code(), "平陆新农业有限公司", "民营企业", "A", "140829"]])
    response = upload(client, content)
    assert response.status_code == 303 and response.headers["location"] == "/imports"
    assert "导入成功：帮扶主体 1 条" in client.get("/imports").text
    assert enterprises(world) == before + 1


def test_a_csv_needs_its_kind_and_other_files_are_refused(app):
    client = signed_in(app, "city")
    response = upload(client, b"x", name="a.pdf")
    assert response.status_code == 422 and "只能导入 XLSX 或 CSV 文件" in response.text
    csv = ",".join(HEADERS).encode("utf-8-sig")
    response = upload(client, csv, name="a.csv", kind="villages")
    assert response.status_code == 422
    assert "缺少这一列" in response.text


def test_only_the_bureau_imports(app):
    client = signed_in(app, "qiye")
    assert client.get("/imports").status_code == 403
    assert upload(client, xlsx([])).status_code == 403


@pytest.mark.parametrize("name", ["主体.csv", "\u202e主体.csv", "../../主体.csv", "主体.xlsx.csv"])
def test_a_workbook_is_read_as_a_workbook_whatever_its_name(app, world, name):
    before = enterprises(world)
    client = signed_in(app, "pinglu")
    content = xlsx([[valid_credit_code(), "平陆新农业有限公司", "民营企业", "A", "140829"]])
    response = upload(client, content, name=name, kind="enterprises")
    assert (response.status_code, response.headers["location"]) == (303, "/imports")
    assert enterprises(world) == before + 1


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("主体.xlsx", b"\x89PNG\r\n\x1a\n" + bytes(300), "PNG 图片"),
        ("主体.xlsx", b"", "文件是空的"),
        ("主体.csv", "统一社会信用代码".encode("utf-16"), "文字编码"),
    ],
)
def test_a_damaged_or_wrong_file_gets_a_chinese_error_not_a_500(app, name, content, message):
    client = signed_in(app, "city")
    response = upload(client, content, name=name, kind="enterprises")
    assert response.status_code == 422 and message in response.text


def test_truncated_workbooks_get_a_chinese_error(app):
    client = signed_in(app, "city")
    content = xlsx([[valid_credit_code(), "平陆新农业有限公司", "民营企业", "A", "140829"]])
    response = upload(client, content[: len(content) // 2])
    assert response.status_code == 422 and "XLSX 文件已损坏或不完整" in response.text


def test_a_reimport_is_previewed_then_confirmed(app, world):
    client = signed_in(app, "pinglu")
    code = valid_credit_code()
    upload(client, xlsx([[code, "平陆旧名农业公司", "民营企业", "A", "140829"]]))
    before = enterprises(world)
    # The same organisation, renamed: a preview, nothing written yet
    response = upload(client, xlsx([[code, "平陆新名农业公司", "民营企业", "A", "140829"]]))
    assert response.status_code == 200 and "确认导入" in response.text
    assert "平陆旧名农业公司" in response.text and "平陆新名农业公司" in response.text
    with world.database.read_only() as session:
        name = session.execute(sa.select(Enterprise.name).where(Enterprise.credit_code == code))
        assert name.scalar_one() == "平陆旧名农业公司"
    token = response.text.split('name="token" value="')[1].split('"')[0]
    seen = response.text.split('name="fingerprint" value="')[1].split('"')[0]
    # Another officer cannot confirm it
    other = signed_in(app, "city")
    data = {"token": token, "fingerprint": seen}
    refused = other.post("/imports/confirm", data=data | {"csrf_token": csrf(other)})
    assert refused.status_code == 422 and "导入预览已过期或不存在" in refused.text
    confirmed = client.post(
        "/imports/confirm", data=data | {"csrf_token": csrf(client)}, follow_redirects=False
    )
    assert confirmed.status_code == 303
    assert "更新帮扶主体 1 个" in client.get("/imports").text
    with world.database.read_only() as session:
        name = session.execute(sa.select(Enterprise.name).where(Enterprise.credit_code == code))
        assert name.scalar_one() == "平陆新名农业公司"
    assert enterprises(world) == before
