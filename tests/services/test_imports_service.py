"""app/services/imports: every error by row and column, nothing written on error, one transaction."""

import io

import pytest
import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from sqlmodel import SQLModel

from app.actors import SYSTEM, Actor, Role
from app.errors import PermissionDeniedError
from app.models import Enterprise, Event, Product, SearchOutbox, Village
from app.services import imports
from app.services.imports.columns import KINDS
from app.services.imports.templates import template_workbook
from tests.factories import make_county, make_township, valid_credit_code

CITY_BUREAU = Actor(role=Role.bureau, user_id=None, region_code="140800")


def workbook(sheets: dict[str, list[list]]) -> io.BytesIO:
    book = Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def headers(kind: str) -> list[str]:
    return [c.header for c in KINDS[kind].columns]


def enterprise_row(credit_code: str, name: str, county: str) -> list:
    return [credit_code, name, "民营企业", "A", county, "", "产业合作、资金支持", "1200.50"]


def row_counts(session) -> dict[str, int]:
    session.flush()
    return {
        name: session.execute(sa.select(sa.func.count()).select_from(table)).scalar_one()
        for name, table in SQLModel.metadata.tables.items()
    }


@pytest.fixture
def regions(session):
    make_county(session)
    make_county(session, code="140830", name="芮城县", category="overall")
    make_township(session)
    return session


def test_bad_credit_code_and_unknown_county_are_the_only_two_errors_and_nothing_is_written(
    fresh_db,
):
    with fresh_db.unit_of_work() as session:
        make_county(session)
        make_county(session, code="140830", name="芮城县", category="overall")
    good = valid_credit_code()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    rows = [
        headers("enterprises")[:8],
        enterprise_row(good, "运城甲农业有限公司", "140829"),
        enterprise_row(bad, "运城乙农业有限公司", "140829"),
        enterprise_row(valid_credit_code(), "运城丙农业有限公司", "140830"),
        enterprise_row(valid_credit_code(), "运城丁农业有限公司", "140899"),
    ]
    with fresh_db.read_only() as session:
        before = row_counts(session)
    with pytest.raises(imports.ImportRejected) as caught, fresh_db.unit_of_work() as session:
        imports.import_file(
            session=session, actor=SYSTEM, source=workbook({"帮扶主体": rows}), filename="a.xlsx"
        )
    assert [(e.sheet, e.row, e.column, e.letter) for e in caught.value.row_errors] == [
        ("帮扶主体", 3, "统一社会信用代码", "A"),
        ("帮扶主体", 5, "所在县级代码", "E"),
    ]
    assert [e.message for e in caught.value.row_errors] == [
        "统一社会信用代码校验位不正确，请核对后重新输入",
        "该县级代码不在本市范围内",
    ]
    assert str(caught.value.row_errors[1]) == (
        "帮扶主体 第 5 行“所在县级代码”列（E 列）：该县级代码不在本市范围内"
    )
    with fresh_db.read_only() as session:
        assert row_counts(session) == before
    assert before["enterprises"] == before["events"] == before["search_outbox"] == 0


def test_a_valid_workbook_is_written_with_events_and_outbox_rows(regions):
    session = regions
    village_code = "140829100201"
    co_code = valid_credit_code("93140829")
    sheets = {
        # Out of order on purpose: villages go in first, then what refers to them.
        "产品": [
            headers("products"),
            [co_code, "平陆百合", "蔬菜", "斤", 35.5, 5, 100, "7、8", "绿色食品", "在售"],
        ],
        "合作社": [headers("cooperatives"), [co_code, "南坡百合合作社", village_code, 20, 5]],
        "行政村": [
            headers("villages")[:10],
            [village_code, "南坡村", "140829", "是"] + [""] * 4 + [900, 300],
        ],
        "填写说明": [["列", "是否必填"], ["村名", "必填"]],
    }
    before = row_counts(session)
    result = imports.import_file(
        session=session, actor=CITY_BUREAU, source=workbook(sheets), filename="b.xlsx"
    )
    assert result.counts == {"villages": 1, "cooperatives": 1, "products": 1}
    after = row_counts(session)
    assert after["villages"] - before["villages"] == 1
    assert after["events"] - before["events"] == 3
    village = session.execute(sa.select(Village).where(Village.code == village_code)).scalar_one()
    assert (village.key_village, village.population, village.households) == (True, 900, 300)
    product = session.execute(sa.select(Product).where(Product.name == "平陆百合")).scalar_one()
    assert (product.price_fen, product.min_order, product.stock, product.status) == (
        3550,
        5,
        100,
        "listed",
    )
    assert (product.harvest_months, product.certifications) == (0b11000000, 1)
    outbox = session.execute(sa.select(SearchOutbox.doc_type, SearchOutbox.doc_id)).all()
    assert ("village", village.id) in outbox and ("product", product.id) in outbox
    actions = session.execute(sa.select(Event.action).order_by(Event.id)).scalars().all()
    assert actions[-3:] == ["village.create", "cooperative.register", "product.import"]


def test_cells_that_cannot_be_read_name_their_column(regions):
    rows = [
        headers("villages")[:4],
        ["140829100301", "北坡村", "140829", "也许"],
        ["", "", "", ""],  # blank rows are skipped
        ["140829100302", "", "140829", "否"],
    ]
    with pytest.raises(imports.ImportRejected) as caught:
        imports.import_file(
            session=regions, actor=SYSTEM, source=workbook({"行政村": rows}), filename="c.xlsx"
        )
    assert [(e.row, e.column, e.message) for e in caught.value.row_errors] == [
        (2, "重点帮扶村", "重点帮扶村应填“是”或“否”"),
        (4, "村名", "请填写村名"),
    ]


def test_a_csv_of_one_kind_with_a_missing_column_is_rejected_at_the_header(regions):
    csv = "村名,所属县级代码\n南坡村,140829\n".encode("utf-8-sig")
    with pytest.raises(imports.ImportRejected) as caught:
        imports.import_file(
            session=regions,
            actor=SYSTEM,
            source=io.BytesIO(csv),
            filename="d.csv",
            kind="villages",
        )
    assert [(e.row, e.column, e.message) for e in caught.value.row_errors] == [
        (1, "村级统计代码", "缺少这一列")
    ]


def test_a_county_officer_cannot_import_another_countys_rows(regions):
    officer = Actor(role=Role.bureau, user_id=None, region_code="140830")
    rows = [headers("enterprises")[:8], enterprise_row(valid_credit_code(), "某公司", "140829")]
    with pytest.raises(PermissionDeniedError):
        imports.import_file(
            session=regions, actor=officer, source=workbook({"帮扶主体": rows}), filename="e.xlsx"
        )
    assert regions.execute(sa.select(sa.func.count(Enterprise.id))).scalar_one() == 0


def test_templates_carry_the_headers_and_the_instructions():
    for kind, spec in KINDS.items():
        book = load_workbook(io.BytesIO(template_workbook(kind)))
        assert book.sheetnames == [spec.title, "填写说明"]
        sheet = book[spec.title]
        assert [c.value for c in sheet[1]] == headers(kind)
        assert sheet.freeze_panes == "A2"
        notes = list(book["填写说明"].iter_rows(min_row=2, values_only=True))
        assert [n[0] for n in notes] == headers(kind)
    notes = load_workbook(io.BytesIO(template_workbook("products")))["填写说明"]
    assert (
        notes["C4"].value
        == "以下之一：水果、蔬菜、粮油、畜禽肉蛋、干果坚果、中药材、加工食品、手工艺品、其他"
    )


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("北坡\x00村", "村名不能包含控制字符"),
        ("北\u202e坡村", "村名不能包含改变文字方向的控制字符"),
        ("\u200b\u3000\u3164", "村名至少 2 个字符"),
    ],
)
def test_control_characters_and_invisible_names_in_a_csv_are_refused_by_cell(
    fresh_db, name, message
):
    # Given a CSV whose second row's village name is bad
    with fresh_db.unit_of_work() as session:
        make_county(session)
        make_township(session)
    header = ",".join(headers("villages")[:4])
    csv = f"{header}\n140829100301,南坡村,140829,是\n140829100302,{name},140829,否\n"
    with fresh_db.read_only() as session:
        before = row_counts(session)
    # When it is imported
    with pytest.raises(imports.ImportRejected) as caught, fresh_db.unit_of_work() as session:
        imports.import_file(
            session=session,
            actor=SYSTEM,
            source=io.BytesIO(csv.encode("utf-8")),
            filename="e.csv",
            kind="villages",
        )
    # Then that cell is named with a Chinese message and nothing is written
    assert [(e.row, e.column, e.message) for e in caught.value.row_errors] == [(3, "村名", message)]
    with fresh_db.read_only() as session:
        assert row_counts(session) == before
