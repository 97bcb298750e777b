"""Re-importing directory sheets: registered organisations are updated (matched by credit code)
after a field-level preview; the registration status never changes through an import."""

import csv
import io

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.actors import SYSTEM, Actor, Role
from app.errors import ConflictError, PermissionDeniedError
from app.models import Cooperative, Enterprise, Event
from app.models.enums import RegistrationStatus
from app.services import imports
from tests.factories import make_county, make_township, valid_credit_code
from tests.services.test_imports_service import headers

CITY_BUREAU = Actor(role=Role.bureau, user_id=None, region_code="140800")
RUICHENG_BUREAU = Actor(role=Role.bureau, user_id=None, region_code="140830")


def _csv(kind: str, *rows: list) -> io.BytesIO:
    text = io.StringIO()
    csv.writer(text).writerows([headers(kind), *rows])
    return io.BytesIO(text.getvalue().encode("utf-8"))


def _enterprise(code: str, name: str, status: str = "", phone: str = "") -> list:
    return [code, name, "民营企业", "A", "140829", "", "产业合作", "100", "", phone, status]


def _check(db, actor, source, kind="enterprises"):
    source.seek(0)
    parsed = imports.read_file(source, "e.csv", kind)
    with db.read_only() as session:
        return imports.check_file(session=session, actor=actor, parsed=parsed)


def _apply(db, actor, checked, previewed=None):
    with db.unit_of_work() as session:
        return imports.apply_import(
            session=session, actor=actor, checked=checked, previewed=previewed
        )


@pytest.fixture
def db(fresh_db):
    with fresh_db.unit_of_work() as session:
        make_county(session)
        make_county(session, code="140830", name="芮城县", category="overall")
        make_township(session)
    return fresh_db


def _enterprises(db) -> dict[str, tuple]:
    with db.read_only() as session:
        rows = session.exec(select(Enterprise)).all()
        return {e.credit_code: (e.name, e.contact_phone, e.status, e.version) for e in rows}


def test_a_reimport_previews_field_changes_then_updates_by_credit_code(db):
    first, second = valid_credit_code(), valid_credit_code()
    _apply(db, SYSTEM, _check(db, SYSTEM, _csv("enterprises", _enterprise(first, "甲农业公司"))))
    # Given the sheet again: the first renamed with a phone, and a new second organisation
    source = _csv(
        "enterprises",
        _enterprise(first, "甲农业有限公司", "已通过", "0359-1234567"),
        _enterprise(second, "乙农业公司", "已通过"),
    )
    checked = _check(db, SYSTEM, source)
    # Then the preview lists the first's two changed fields and counts the second as new
    assert checked.counts == {"enterprises": 1} and checked.needs_preview
    [change] = checked.changed
    assert (change.row, change.credit_code, change.name) == (2, first, "甲农业公司")
    assert [(c.column, c.before, c.after) for c in change.changes] == [
        ("单位名称", "甲农业公司", "甲农业有限公司"),
        ("联系电话", "（空）", "0359-1234567"),
    ]
    # When confirmed with the preview's fingerprint
    result = _apply(db, SYSTEM, _check(db, SYSTEM, source), previewed=checked.fingerprint)
    assert (result.counts, result.updated) == ({"enterprises": 1}, {"enterprises": 1})
    found = _enterprises(db)
    assert found[first][:2] == ("甲农业有限公司", "0359-1234567") and found[first][3] == 2
    assert second in found
    with db.read_only() as session:
        [event] = session.exec(select(Event).where(Event.action == "enterprise.import_update"))
        assert event.before == {"name": "甲农业公司", "contact_phone": ""}


def test_a_commit_after_the_data_changed_since_the_preview_writes_nothing(db):
    code = valid_credit_code()
    _apply(db, SYSTEM, _check(db, SYSTEM, _csv("enterprises", _enterprise(code, "甲农业公司"))))
    source = _csv("enterprises", _enterprise(code, "甲农业有限公司"))
    preview = _check(db, SYSTEM, source)
    source.seek(0)
    # Someone else renames it meanwhile
    other = _csv("enterprises", _enterprise(code, "甲农业股份公司"))
    _apply(db, SYSTEM, _check(db, SYSTEM, other))
    source.seek(0)
    with pytest.raises(ConflictError):
        _apply(db, SYSTEM, _check(db, SYSTEM, source), previewed=preview.fingerprint)
    assert _enterprises(db)[code][0] == "甲农业股份公司"
    # and the rows checked before someone else's change cannot be written either
    with pytest.raises(ConflictError):
        _apply(db, SYSTEM, preview)


def test_pending_and_rejected_organisations_never_come_back_approved(db):
    pending, rejected, new_pending = (valid_credit_code() for _ in range(3))
    rows = [_enterprise(pending, "待审公司"), _enterprise(rejected, "驳回公司")]
    _apply(db, SYSTEM, _check(db, SYSTEM, _csv("enterprises", *rows)))
    with db.unit_of_work() as session:
        for code, status in ((pending, "pending"), (rejected, "rejected")):
            session.execute(
                sa.update(Enterprise).where(Enterprise.credit_code == code).values(status=status)
            )
    # A sheet that says all three are approved, and one new organisation marked pending
    source = _csv(
        "enterprises",
        _enterprise(pending, "待审公司", "已通过"),
        _enterprise(rejected, "驳回公司改名", "已通过"),
        _enterprise(new_pending, "新的待审公司", "待审核"),
    )
    checked = _check(db, SYSTEM, source)
    notes = {c.credit_code: c.note for c in checked.changed}
    assert "仍为“待审核”" in notes[pending] and "仍为“未通过”" in notes[rejected]
    assert [(s.row, "待审核" in s.reason) for s in checked.skipped] == [(4, True)]
    result = _apply(db, SYSTEM, checked, previewed=checked.fingerprint)
    assert (result.counts, result.skipped) == ({"enterprises": 0}, 1)
    found = _enterprises(db)
    assert found[pending][2] == RegistrationStatus.pending
    assert found[rejected][:3] == ("驳回公司改名", "", RegistrationStatus.rejected)
    assert new_pending not in found


def test_cooperatives_are_updated_by_credit_code_within_the_officers_county(db):
    code = valid_credit_code()
    village = ["140829100201", "南坡村", "140829"]
    village_file = io.BytesIO(("村级统计代码,村名,所属县级代码\n" + ",".join(village)).encode())
    _apply(db, SYSTEM, _check(db, SYSTEM, village_file, "villages"))
    row = [code, "南坡果业合作社", "140829100201", "10", "2", "", "", "已通过"]
    _apply(db, SYSTEM, _check(db, SYSTEM, _csv("cooperatives", row), "cooperatives"))
    changed = [code, "南坡果业专业合作社", "140829100201", "12", "2", "", "", "已通过"]
    # An officer of another county may not update it
    with pytest.raises(PermissionDeniedError):
        _check(db, RUICHENG_BUREAU, _csv("cooperatives", changed), "cooperatives")
    checked = _check(db, CITY_BUREAU, _csv("cooperatives", changed), "cooperatives")
    [change] = checked.changed
    assert [(c.column, c.before, c.after) for c in change.changes] == [
        ("合作社名称", "南坡果业合作社", "南坡果业专业合作社"),
        ("成员数", "10", "12"),
    ]
    _apply(db, CITY_BUREAU, checked, previewed=checked.fingerprint)
    with db.read_only() as session:
        cooperative = session.exec(select(Cooperative)).one()
        assert (cooperative.name, cooperative.members) == ("南坡果业专业合作社", 12)
