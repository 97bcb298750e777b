import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.actors import SYSTEM
from app.errors import ConflictError, ValidationError
from app.models import Event, SearchOutbox, Village
from app.services.villages import create_village
from tests.factories import make_township


def _count(session, model) -> int:
    return session.exec(select(sa.func.count()).select_from(model)).one()


def _form(**overrides) -> dict:
    return {"code": "140829100231", "name": "南坡村", "county_code": "140829"} | overrides


def test_create_village_under_its_township(session):
    township = make_township(session)
    village = create_village(session=session, actor=SYSTEM, data=_form(key_village=True))
    assert (village.township_code, village.county_code) == (township.code, "140829")
    assert session.exec(select(Event.action)).all() == ["village.create"]
    assert session.exec(select(SearchOutbox.doc_type)).all() == ["village"]


@pytest.mark.parametrize(
    ("code", "error_code", "message"),
    [
        ("1408291002", "village_code_invalid", "村级统计代码应为 12 位数字"),
        (
            "140830100231",
            "village_code_county_mismatch",
            "村级统计代码应以所属县的代码 140829 开头",
        ),
        ("140829999231", "township_unknown", "村级统计代码前 9 位 140829999 不是本县的乡镇代码"),
    ],
)
def test_bad_village_code_is_refused_in_chinese_and_writes_nothing(
    session, code, error_code, message
):
    make_township(session)
    with pytest.raises(ValidationError) as caught:
        create_village(session=session, actor=SYSTEM, data=_form(code=code))
    assert (caught.value.code, caught.value.message, caught.value.field) == (
        error_code,
        message,
        "code",
    )
    assert _count(session, Village) == 0
    assert _count(session, Event) == 0


def test_duplicate_village_code_is_a_conflict(session):
    make_township(session)
    create_village(session=session, actor=SYSTEM, data=_form())
    with pytest.raises(ConflictError):
        create_village(session=session, actor=SYSTEM, data=_form(name="北坡村"))
    assert _count(session, Village) == 1
