"""Quarterly outcome reports (帮扶成效报告).

    (enterprise) submit ─▶ submitted ─confirm (village)─▶ confirmed ─verify (bureau)─▶ verified
                             │ return (village)             │ return (bureau)
                             ▼                              ▼
                          returned ◀────────────────────────┘    resubmit (enterprise) ─▶ submitted

One report per agreement and quarter (a unique constraint backs the check, so a double submission is
a conflict, not a duplicate). Each step checks the version the user saw.
"""

from datetime import date
from pathlib import Path

import sqlalchemy as sa
from pydantic import BaseModel, Field, field_validator
from sqlmodel import Session, func, select

from app.actors import Actor
from app.db_errors import constraint_keys, integrity_error
from app.errors import ConflictError, NotFoundError, ValidationError
from app.models import OutcomeReport, PairingAgreement, ReportEvidence, Village
from app.models.base import utcnow
from app.models.enums import ReportStatus
from app.services.audit import snapshot
from app.services.bus import publish
from app.services.domain_events import ReportEvent
from app.services.inputs import MultilineText, Text, clean_text, parse
from app.services.pairing import evidence
from app.services.pairing.common import (
    STALE_REPORT_MESSAGE,
    blank_as_zero,
    flush_versioned,
    load_agreement,
    yuan_validator,
)
from app.services.pairing.periods import Quarter, local_today
from app.services.pairing.states import REPORT, ReportCase
from app.services.pairing.terms import check_report_quarter

R = ReportStatus
MAX_COMMENT = 500
ONE_PER_PERIOD = constraint_keys(
    "outcome_reports", "uq_outcome_reports_period", "agreement_id", "year", "quarter"
)


class ReportInput(BaseModel):
    """Actuals for the committed indicators; money typed in 元, held in 分."""

    actual_funding_business: int = Field(default=0, ge=0, title="经营性资金")
    actual_funding_welfare: int = Field(default=0, ge=0, title="公益性资金")
    actual_jobs: int = Field(default=0, ge=0, le=1_000_000, title="带动就业人数")
    actual_trainees: int = Field(default=0, ge=0, le=1_000_000, title="培训人次")
    actual_purchase: int = Field(default=0, ge=0, title="采购帮销金额")
    actual_beneficiaries: int = Field(default=0, ge=0, le=10_000_000, title="受益人数")
    narrative: MultilineText = Field(title="帮扶成效说明", min_length=10, max_length=4000)

    _money = yuan_validator("actual_funding_business", "actual_funding_welfare", "actual_purchase")
    _counts = blank_as_zero("actual_jobs", "actual_trainees", "actual_beneficiaries")

    @field_validator("narrative", mode="before")
    @classmethod
    def _strip(cls, value):
        return value.strip() if isinstance(value, str) else value

    def columns(self) -> dict:
        return {
            "actual_funding_business_fen": self.actual_funding_business,
            "actual_funding_welfare_fen": self.actual_funding_welfare,
            "actual_jobs": self.actual_jobs,
            "actual_trainees": self.actual_trainees,
            "actual_purchase_fen": self.actual_purchase,
            "actual_beneficiaries": self.actual_beneficiaries,
            "narrative": self.narrative,
        }


class ReportCreate(ReportInput):
    period: Text = Field(title="报告季度")

    @field_validator("period")
    @classmethod
    def _period(cls, value: str) -> str:
        try:
            return Quarter.parse(value).period
        except ValueError:
            raise ValueError("请选择报告季度") from None


def check_may_submit(
    *, session: Session, actor: Actor, agreement_id: int | None = None, report_id: int | None = None
) -> PairingAgreement:
    """Refuse before any evidence file is stored when the actor may not report on the agreement
    (named directly, or through one of its reports)."""
    if report_id is not None:
        _report, agreement, _village = load_report(session, report_id)
    else:
        agreement, _village = load_agreement(session, agreement_id)
    REPORT.authorize("submit", actor, agreement)
    return agreement


def submit_report(
    *,
    session: Session,
    actor: Actor,
    agreement_id: int,
    data: dict,
    files: list[evidence.Upload | evidence.StoredUpload] = (),
    upload_dir: Path | None = None,
    today: date | None = None,
) -> OutcomeReport:
    """Report one quarter's actuals of an active agreement, with evidence files (adapters pass
    them already stored: ``check_may_submit`` then ``evidence.store_uploads``)."""
    agreement, village = load_agreement(session, agreement_id)
    REPORT.authorize("submit", actor, agreement)
    form = parse(ReportCreate, data)
    REPORT.check_guards("submit", agreement)
    quarter = Quarter.parse(form.period)
    check_report_quarter(quarter, agreement.start_on, agreement.end_on, today or local_today())
    if _report_for(session, agreement.id, quarter) is not None:
        raise _duplicate(quarter)
    uploads = evidence.check_uploads(list(files))
    report = OutcomeReport(
        agreement_id=agreement.id, year=quarter.year, quarter=quarter.quarter, **form.columns()
    )
    try:
        with session.begin_nested():
            session.add(report)
            session.flush()
    except sa.exc.IntegrityError as exc:
        raise integrity_error(exc, dict.fromkeys(ONE_PER_PERIOD, _duplicate(quarter))) from None
    evidence.attach(
        session,
        report=report,
        uploads=uploads,
        root=evidence.upload_root(upload_dir),
        user_id=actor.user_id,
    )
    publish(
        session,
        ReportEvent.by(
            actor,
            action="report.submit",
            obj=report,
            agreement=agreement,
            summary=f"报送结对协议 {agreement.number} {_quarter_text(quarter)}成效报告",
            after=snapshot(report),
            county_code=village.county_code,
        ),
    )
    return report


def resubmit_report(
    *,
    session: Session,
    actor: Actor,
    report_id: int,
    expected_version: int,
    data: dict,
    files: list[evidence.Upload | evidence.StoredUpload] = (),
    upload_dir: Path | None = None,
) -> OutcomeReport:
    """Correct a returned report and submit it again, optionally with more evidence."""
    report, agreement, village = load_report(session, report_id)
    case = ReportCase(report, agreement, village.county_code)
    REPORT.check("resubmit", actor, case, expected_version)
    form = parse(ReportInput, data)
    uploads = evidence.check_uploads(list(files), already=evidence_count(session, report.id))
    before = snapshot(report)
    for name, value in form.columns().items():
        setattr(report, name, value)
    now = utcnow()
    REPORT.move("resubmit", case)
    report.submitted_at, report.updated_at = now, now
    report.confirmed_at = None
    report.return_comment = ""
    flush_versioned(session, STALE_REPORT_MESSAGE)
    evidence.attach(
        session,
        report=report,
        uploads=uploads,
        root=evidence.upload_root(upload_dir),
        user_id=actor.user_id,
    )
    publish(
        session,
        ReportEvent.by(
            actor,
            action="report.resubmit",
            obj=report,
            agreement=agreement,
            summary=f"修改后重新报送结对协议 {agreement.number} "
            f"{_quarter_text(_quarter(report))}成效报告",
            before=before,
            after=snapshot(report),
            county_code=village.county_code,
        ),
    )
    return report


def confirm_report(
    *, session: Session, actor: Actor, report_id: int, expected_version: int
) -> OutcomeReport:
    """Confirm, as the village helped, that a submitted report is true."""
    report, agreement, village = load_report(session, report_id)
    case = ReportCase(report, agreement, village.county_code)
    REPORT.check("confirm", actor, case, expected_version)
    return _step(session, actor, case, village, "confirm")


def verify_report(
    *, session: Session, actor: Actor, report_id: int, expected_version: int
) -> OutcomeReport:
    """Verify, as the bureau, a report the village confirmed."""
    report, agreement, village = load_report(session, report_id)
    case = ReportCase(report, agreement, village.county_code)
    REPORT.check("verify", actor, case, expected_version)
    return _step(session, actor, case, village, "verify")


def return_report(
    *, session: Session, actor: Actor, report_id: int, expected_version: int, comment: str
) -> OutcomeReport:
    """Send a report back for correction with a comment.

    Each reviewer returns at its own stage: the village a submitted report, the bureau a confirmed
    one. A reviewer whose version is stale gets a conflict, whatever the report's stage now.
    """
    report, agreement, village = load_report(session, report_id)
    case = ReportCase(report, agreement, village.county_code)
    REPORT.check("return", actor, case, expected_version)
    comment = clean_text(comment or "", multiline=True, label="退回意见", field="comment")
    if not comment:
        raise ValidationError("请填写退回意见", code="comment_required", field="comment")
    if len(comment) > MAX_COMMENT:
        raise ValidationError(
            f"退回意见不能超过 {MAX_COMMENT} 个字符", code="comment_too_long", field="comment"
        )
    return _step(session, actor, case, village, "return", comment)


_STAMPS = {"confirm": "confirmed_at", "verify": "verified_at"}
_SUMMARIES = {
    "confirm": "{village} 确认 {period}成效报告（协议 {number}）",
    "verify": "核实 {period}成效报告（协议 {number}）",
    "return": "退回 {period}成效报告（协议 {number}）：{comment}",
}


def _step(
    session: Session,
    actor: Actor,
    case: ReportCase,
    village: Village,
    action: str,
    comment: str | None = None,
) -> OutcomeReport:
    """Take a checked step (with the return comment, if any) and record it."""
    report, agreement = case.report, case.agreement
    before = snapshot(report)
    now = utcnow()
    REPORT.move(action, case)
    report.updated_at = now
    if comment is not None:
        report.return_comment = comment
    if action in _STAMPS:
        setattr(report, _STAMPS[action], now)
    flush_versioned(session, STALE_REPORT_MESSAGE)
    summary = _SUMMARIES[action].format(
        village=village.name,
        period=_quarter_text(_quarter(report)),
        number=agreement.number,
        comment=report.return_comment,
    )
    publish(
        session,
        ReportEvent.by(
            actor,
            action=f"report.{action}",
            obj=report,
            agreement=agreement,
            summary=summary,
            before=before,
            after=snapshot(report),
            county_code=village.county_code,
        ),
    )
    return report


def report_actions(
    actor: Actor, report: OutcomeReport, agreement: PairingAgreement, county_code: str
) -> list[str]:
    """The steps ``actor`` may take on ``report`` now (the same rules as the services)."""
    return REPORT.allowed(actor, ReportCase(report, agreement, county_code))


def load_report(
    session: Session, report_id: int
) -> tuple[OutcomeReport, PairingAgreement, Village]:
    report = session.get(OutcomeReport, report_id)
    if report is None:
        raise NotFoundError("成效报告不存在")
    agreement, village = load_agreement(session, report.agreement_id)
    return report, agreement, village


def _report_for(session: Session, agreement_id: int, quarter: Quarter) -> OutcomeReport | None:
    return session.exec(
        select(OutcomeReport).where(
            OutcomeReport.agreement_id == agreement_id,
            OutcomeReport.year == quarter.year,
            OutcomeReport.quarter == quarter.quarter,
        )
    ).first()


def evidence_count(session: Session, report_id: int) -> int:
    return session.exec(
        select(func.count())
        .select_from(ReportEvidence)
        .where(ReportEvidence.report_id == report_id)
    ).one()


def _duplicate(quarter: Quarter) -> ConflictError:
    return ConflictError(
        f"{_quarter_text(quarter)}的成效报告已经提交，请勿重复提交", code="duplicate_report"
    )


def _quarter(report: OutcomeReport) -> Quarter:
    return Quarter(report.year, report.quarter)


def _quarter_text(quarter: Quarter) -> str:
    return f"{quarter.year}年第{quarter.quarter}季度"
