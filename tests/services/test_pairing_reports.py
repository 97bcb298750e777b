"""Outcome reports: submission with evidence, the review steps per role, and their limits."""

import hashlib
import threading
from datetime import date

import pytest
import sqlalchemy as sa
from sqlmodel import select

from app.actors import ANONYMOUS
from app.errors import ConflictError, NotFoundError, PermissionDeniedError, ValidationError
from app.models import Event, OutcomeReport, ReportEvidence
from app.models.enums import AgreementStatus, ReportStatus
from app.services.inputs import InputErrors
from app.services.pairing import evidence as evidence_module
from app.services.pairing.evidence import MAX_FILE_BYTES, Upload, open_evidence
from app.services.pairing.reports import (
    confirm_report,
    resubmit_report,
    return_report,
    submit_report,
    verify_report,
)
from tests.factories import make_county, make_enterprise, make_village
from tests.image_factories import png_bytes
from tests.pairing_factories import (
    ADMIN,
    bureau_actor,
    enterprise_actor,
    make_active,
    make_report,
    village_actor,
)

R = ReportStatus
TODAY = date(2026, 7, 10)
PDF = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n"
# A real PNG: pictures are decoded and re-encoded (this one to the same bytes).
PNG = png_bytes()


def _form(**overrides) -> dict:
    return {
        "period": "2026Q2",
        "actual_funding_business": "12,345.67",
        "actual_jobs": "8",
        "narrative": "本季度建成冷库一座，吸纳 8 名脱贫群众就业。",
    } | overrides


@pytest.fixture
def agreement(session):
    make_county(session, code="140830", name="芮城县", category="overall")
    return make_active(session)


def _count(session, model) -> int:
    return session.exec(select(sa.func.count()).select_from(model)).one()


def _submit(session, agreement, tmp_path, files=(), actor=None, **overrides):
    return submit_report(
        session=session,
        actor=actor or enterprise_actor(agreement.enterprise_id, user_id=None),
        agreement_id=agreement.id,
        data=_form(**overrides),
        files=list(files),
        upload_dir=tmp_path,
        today=TODAY,
    )


def test_submit_stores_actuals_in_fen_and_evidence_outside_the_web_root(
    session, agreement, tmp_path
):
    report = _submit(
        session,
        agreement,
        tmp_path,
        files=[Upload("../../合同 扫描件.pdf", PDF), Upload("photo.png", PNG)],
    )
    assert (report.year, report.quarter, report.status) == (2026, 2, R.submitted)
    assert (report.actual_funding_business_fen, report.actual_jobs) == (1_234_567, 8)
    rows = session.exec(select(ReportEvidence).order_by(ReportEvidence.id)).all()
    assert [(r.filename, r.content_type, r.size_bytes) for r in rows] == [
        ("合同 扫描件.pdf", "application/pdf", len(PDF)),
        ("photo.png", "image/png", len(PNG)),
    ]
    stored = tmp_path / rows[0].storage_key
    assert stored.read_bytes() == PDF
    assert rows[0].sha256 == hashlib.sha256(PDF).hexdigest()
    assert rows[0].storage_key.startswith("evidence/") and rows[0].storage_key.endswith(".pdf")
    assert (stored.stat().st_mode & 0o777) == 0o600
    event = session.exec(select(Event)).one()
    assert (event.action, event.summary) == (
        "report.submit",
        f"报送结对协议 {agreement.number} 2026年第2季度成效报告",
    )


@pytest.mark.parametrize(
    ("files", "message"),
    [
        (
            [Upload("readme.pdf", b"just text, not a pdf")],
            "文件“readme.pdf”不是 PDF、JPG 或 PNG 文件",
        ),
        ([Upload("big.pdf", b"%PDF-" + b"0" * MAX_FILE_BYTES)], "文件“big.pdf”超过 5 MB"),
        ([Upload("empty.png", b"")], "文件“empty.png”是空文件"),
        ([Upload(f"{i}.png", PNG) for i in range(11)], "每份报告最多 10 个证明材料"),
    ],
)
def test_evidence_of_another_type_or_too_large_is_refused_and_nothing_is_written(
    session, agreement, tmp_path, files, message
):
    with pytest.raises(ValidationError) as caught:
        _submit(session, agreement, tmp_path, files=files)
    assert (caught.value.field, caught.value.message) == ("evidence", message)
    assert _count(session, OutcomeReport) == _count(session, ReportEvidence) == 0
    assert list(tmp_path.iterdir()) == []


def test_an_empty_file_field_is_ignored(session, agreement, tmp_path):
    report = _submit(session, agreement, tmp_path, files=[Upload("", b"")])
    assert report.id is not None
    assert _count(session, ReportEvidence) == 0


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        (
            {"period": "2026Q3"},
            "period",
            "2026年第3季度尚未结束（2026年9月30日 结束），季度结束后才能报送成效",
        ),
        (
            {"period": "2025Q4"},
            "period",
            "2025年第4季度不在协议期（2026年1月1日 至 2027年12月31日）内",
        ),
        ({"period": "上季度"}, "period", "请选择报告季度"),
        ({"narrative": "很好"}, "narrative", "帮扶成效说明至少 10 个字符"),
        (
            {"actual_funding_business": "12.345"},
            "actual_funding_business",
            "经营性资金最多保留两位小数（精确到分）",
        ),
        ({"actual_jobs": "-1"}, "actual_jobs", "带动就业人数不能小于 0"),
    ],
)
def test_bad_input_is_refused_by_field(session, agreement, tmp_path, overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        _submit(session, agreement, tmp_path, **overrides)
    errors = caught.value.errors if isinstance(caught.value, InputErrors) else [caught.value]
    assert (errors[0].field, errors[0].message) == (field, message)
    assert _count(session, OutcomeReport) == 0


def test_one_report_per_agreement_and_quarter(session, agreement, tmp_path):
    _submit(session, agreement, tmp_path)
    with pytest.raises(ConflictError) as caught:
        _submit(session, agreement, tmp_path)
    assert caught.value.message == "2026年第2季度的成效报告已经提交，请勿重复提交"
    assert _count(session, OutcomeReport) == 1


def test_only_active_agreements_take_reports(session, tmp_path):
    signed = make_active(session, status=AgreementStatus.signed)
    with pytest.raises(ConflictError) as caught:
        _submit(session, signed, tmp_path)
    assert caught.value.message == "协议备案生效后才能报送成效"


@pytest.mark.parametrize(
    "actor_of",
    [
        lambda a: enterprise_actor(a.enterprise_id + 1000),
        lambda a: village_actor(a.village_id),
        lambda a: bureau_actor("140829"),
        lambda a: ADMIN,
        lambda a: ANONYMOUS,
    ],
)
def test_only_the_enterprise_submits(session, agreement, tmp_path, actor_of):
    with pytest.raises(PermissionDeniedError):
        _submit(
            session, agreement, tmp_path, files=[Upload("a.pdf", PDF)], actor=actor_of(agreement)
        )
    assert _count(session, OutcomeReport) == _count(session, Event) == 0
    assert list(tmp_path.iterdir()) == []


# Review steps --------------------------------------------------------------------------------

ACTORS = {
    "enterprise": lambda a: enterprise_actor(a.enterprise_id),
    "other_enterprise": lambda a: enterprise_actor(a.enterprise_id + 1000),
    "village": lambda a: village_actor(a.village_id),
    "other_village": lambda a: village_actor(a.village_id + 1000),
    "county_bureau": lambda a: bureau_actor("140829"),
    "city_bureau": lambda a: bureau_actor("140800"),
    "other_bureau": lambda a: bureau_actor("140830"),
    "admin": lambda a: ADMIN,
    "anonymous": lambda a: ANONYMOUS,
}
BUREAUS = {"county_bureau", "city_bureau"}
STEPS = [
    ("confirm", R.submitted, R.confirmed, {"village"}),
    ("return", R.submitted, R.returned, {"village"}),
    ("verify", R.confirmed, R.verified, BUREAUS),
    ("return", R.confirmed, R.returned, BUREAUS),
]


def _step(session, action, actor, report_id, version=1):
    if action == "confirm":
        return confirm_report(
            session=session, actor=actor, report_id=report_id, expected_version=version
        )
    if action == "verify":
        return verify_report(
            session=session, actor=actor, report_id=report_id, expected_version=version
        )
    return return_report(
        session=session,
        actor=actor,
        report_id=report_id,
        expected_version=version,
        comment="就业人数与花名册不符",
    )


@pytest.mark.parametrize("who", list(ACTORS))
@pytest.mark.parametrize(("action", "source", "target", "allowed"), STEPS, ids=str)
def test_each_review_step_only_by_those_allowed(
    session, agreement, who, action, source, target, allowed
):
    report = make_report(session, agreement, 2026, 2, status=source)
    actor = ACTORS[who](agreement)
    if who in allowed:
        result = _step(session, action, actor, report.id)
        assert (result.status, result.version) == (target, 2)
        event = session.exec(select(Event)).one()
        assert (event.action, event.object_type, event.county_code) == (
            f"report.{action}",
            "OutcomeReport",
            "140829",
        )
        if action == "return":
            assert result.return_comment == "就业人数与花名册不符"
        return
    with pytest.raises(PermissionDeniedError):
        _step(session, action, actor, report.id)
    session.refresh(report)
    assert (report.status, report.version) == (source, 1)
    assert _count(session, Event) == 0


def test_a_return_needs_a_comment(session, agreement):
    report = make_report(session, agreement, 2026, 2)
    with pytest.raises(ValidationError) as caught:
        return_report(
            session=session,
            actor=village_actor(agreement.village_id),
            report_id=report.id,
            expected_version=1,
            comment=" ",
        )
    assert (caught.value.field, caught.value.message) == ("comment", "请填写退回意见")


def test_a_stale_confirmation_is_a_conflict(session, agreement):
    report = make_report(session, agreement, 2026, 2)
    confirm_report(
        session=session,
        actor=village_actor(agreement.village_id),
        report_id=report.id,
        expected_version=1,
    )
    with pytest.raises(ConflictError) as caught:
        confirm_report(
            session=session,
            actor=village_actor(agreement.village_id),
            report_id=report.id,
            expected_version=1,
        )
    assert caught.value.message == "该报告已被他人处理，请刷新后再试"


def test_a_returned_report_is_corrected_and_goes_round_again(session, agreement, tmp_path):
    enterprise = enterprise_actor(agreement.enterprise_id)
    village = village_actor(agreement.village_id)
    bureau = bureau_actor("140829")
    report = _submit(session, agreement, tmp_path, files=[Upload("a.pdf", PDF)])
    return_report(
        session=session,
        actor=village,
        report_id=report.id,
        expected_version=1,
        comment="请补充照片",
    )
    with pytest.raises(ConflictError):
        confirm_report(session=session, actor=village, report_id=report.id, expected_version=2)
    resubmit_report(
        session=session,
        actor=enterprise,
        report_id=report.id,
        expected_version=2,
        data=_form(actual_jobs="9"),
        files=[Upload("b.png", PNG)],
        upload_dir=tmp_path,
    )
    assert (report.status, report.actual_jobs, report.return_comment) == (R.submitted, 9, "")
    confirm_report(session=session, actor=village, report_id=report.id, expected_version=3)
    verify_report(session=session, actor=bureau, report_id=report.id, expected_version=4)
    assert report.status == R.verified and report.verified_at is not None
    assert _count(session, ReportEvidence) == 2
    actions = session.exec(select(Event.action).order_by(Event.id)).all()
    assert actions == [
        "report.submit",
        "report.return",
        "report.resubmit",
        "report.confirm",
        "report.verify",
    ]


def test_only_returned_reports_can_be_resubmitted(session, agreement, tmp_path):
    report = make_report(session, agreement, 2026, 2)
    with pytest.raises(ConflictError) as caught:
        resubmit_report(
            session=session,
            actor=enterprise_actor(agreement.enterprise_id),
            report_id=report.id,
            expected_version=1,
            data=_form(),
            upload_dir=tmp_path,
        )
    assert caught.value.message == "报告当前为“待村确认”，不能修改后重新提交"


# Serving evidence ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "allowed"),
    [
        ("enterprise", True),
        ("village", True),
        ("county_bureau", True),
        ("city_bureau", True),
        ("admin", True),
        ("other_enterprise", False),
        ("other_village", False),
        ("other_bureau", False),
        ("anonymous", False),
    ],
)
def test_evidence_is_served_only_to_those_who_may_see_the_agreement(
    session, agreement, tmp_path, who, allowed
):
    _submit(session, agreement, tmp_path, files=[Upload("a.pdf", PDF)])
    row = session.exec(select(ReportEvidence)).one()
    actor = ACTORS[who](agreement)
    if allowed:
        found, path = open_evidence(
            session=session, actor=actor, evidence_id=row.id, upload_dir=tmp_path
        )
        assert (found.id, path.read_bytes()) == (row.id, PDF)
    else:
        with pytest.raises(PermissionDeniedError):
            open_evidence(session=session, actor=actor, evidence_id=row.id, upload_dir=tmp_path)


def test_a_storage_key_cannot_leave_the_upload_directory(tmp_path):
    with pytest.raises(NotFoundError):
        evidence_module.resolve(tmp_path, "../secret_key")
    assert evidence_module.resolve(tmp_path, "evidence/ab/x.pdf") == (
        tmp_path.resolve() / "evidence/ab/x.pdf"
    )


# Concurrency ---------------------------------------------------------------------------------


def test_a_double_submission_makes_one_report(fresh_db, tmp_path):
    with fresh_db.unit_of_work() as session:
        agreement = make_active(
            session, enterprise=make_enterprise(session), village=make_village(session)
        )
        agreement_id, enterprise_id = agreement.id, agreement.enterprise_id
    barrier = threading.Barrier(2, timeout=10)
    outcomes: list = []

    def submit() -> None:
        barrier.wait()
        try:
            with fresh_db.unit_of_work() as session:
                submit_report(
                    session=session,
                    actor=enterprise_actor(enterprise_id),
                    agreement_id=agreement_id,
                    data=_form(),
                    upload_dir=tmp_path,
                    today=TODAY,
                )
            outcomes.append("ok")
        except ConflictError as exc:
            outcomes.append(exc.code)

    threads = [threading.Thread(target=submit) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["duplicate_report", "ok"]
    with fresh_db.read_only() as session:
        assert _count(session, OutcomeReport) == 1
        assert session.exec(select(Event.action)).all() == ["report.submit"]


@pytest.mark.parametrize("status", [R.verified, R.returned])
def test_a_settled_report_cannot_be_returned(session, agreement, status):
    report = make_report(session, agreement, 2026, 2, status=status)
    with pytest.raises(ConflictError) as caught:
        _step(session, "return", bureau_actor("140829"), report.id)
    assert caught.value.code == "invalid_state"


def test_a_reviewer_with_a_stale_page_gets_a_conflict_not_a_refusal(session, agreement):
    report = make_report(session, agreement, 2026, 2)
    village = village_actor(agreement.village_id)
    confirm_report(session=session, actor=village, report_id=report.id, expected_version=1)
    # A second cadre still has the page of the submitted report open and returns it.
    with pytest.raises(ConflictError) as caught:
        _step(session, "return", village, report.id, version=1)
    assert caught.value.message == "该报告已被他人处理，请刷新后再试"
