"""The import's three steps: read (no session), check (read-only), apply (the short writer)."""

import io

import pytest
import sqlalchemy as sa

from app.actors import SYSTEM, Actor, Role
from app.errors import PermissionDeniedError
from app.models import Event, Village
from app.services import imports, villages
from tests.factories import make_county, make_township

CITY_BUREAU = Actor(role=Role.bureau, user_id=None, region_code="140800")
HEADER = "村级统计代码,村名,所属县级代码\n"


def _csv(*rows: str) -> io.BytesIO:
    return io.BytesIO((HEADER + "".join(f"{r}\n" for r in rows)).encode("utf-8"))


@pytest.fixture
def db(fresh_db):
    with fresh_db.unit_of_work() as session:
        make_county(session)
        make_township(session)
    return fresh_db


def _checked(db, actor, source):
    parsed = imports.read_file(source, "v.csv", "villages")
    with db.read_only() as session:
        return imports.check_file(session=session, actor=actor, parsed=parsed)


def _count(db, model) -> int:
    with db.read_only() as session:
        return session.execute(sa.select(sa.func.count()).select_from(model)).scalar_one()


def test_checking_writes_nothing_and_applying_writes_rows_events_in_one_go(db):
    checked = _checked(db, SYSTEM, _csv("140829100201,南坡村,140829", "140829100202,北坡村,140829"))
    assert (_count(db, Village), _count(db, Event)) == (0, 0)
    with db.unit_of_work() as session:
        result = imports.apply_import(session=session, actor=SYSTEM, checked=checked)
    assert result.counts == {"villages": 2}
    assert (_count(db, Village), _count(db, Event)) == (2, 2)


def test_a_row_repeating_an_earlier_one_names_that_row(db):
    source = _csv("140829100201,南坡村,140829", "140829100201,又一个南坡村,140829")
    with pytest.raises(imports.ImportRejected) as caught:
        _checked(db, SYSTEM, source)
    assert [str(e) for e in caught.value.row_errors] == [
        "行政村 第 3 行“村级统计代码”列（A 列）：村级统计代码与“行政村”第 2 行重复"
    ]


def test_a_code_registered_between_check_and_write_rejects_the_whole_file(db):
    checked = _checked(db, SYSTEM, _csv("140829100201,南坡村,140829", "140829100202,北坡村,140829"))
    with db.unit_of_work() as session:  # someone else, meanwhile
        villages.create_village(
            session=session,
            actor=SYSTEM,
            data={"code": "140829100202", "name": "抢先村", "county_code": "140829"},
        )
    with pytest.raises(imports.ImportRejected) as caught, db.unit_of_work() as session:
        imports.apply_import(session=session, actor=SYSTEM, checked=checked)
    assert [str(e) for e in caught.value.row_errors] == [
        "行政村 第 3 行：村级统计代码刚被他人登记，请核对后重新导入"
    ]
    assert _count(db, Village) == 1


def test_rows_checked_for_one_actor_cannot_be_written_by_another(db):
    checked = _checked(db, CITY_BUREAU, _csv("140829100201,南坡村,140829"))
    with pytest.raises(PermissionDeniedError), db.unit_of_work() as session:
        imports.apply_import(session=session, actor=SYSTEM, checked=checked)
    assert _count(db, Village) == 0
