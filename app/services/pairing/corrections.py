"""Correcting a verified outcome report (更正).

A verified report is locked: nobody edits it. Its enterprise may file a correction instead: the
verified version is kept as a ``ReportRevision`` (its figures, narrative, when it was submitted,
confirmed and verified, who corrected it and why), the report takes the corrected figures as its
next ``revision`` and goes back to ``submitted``, so the village confirms and the bureau verifies
it again. Until then the quarter's verified figures leave the dashboard's actuals (the summaries
subscriber subtracts the earlier version). The step is audited (``report.correct``) and notified
like a submission.
"""

from pathlib import Path

from sqlmodel import Session, select

from app.actors import Actor
from app.errors import ValidationError
from app.models import OutcomeReport, ReportRevision
from app.models.base import utcnow
from app.services.audit import snapshot
from app.services.bus import publish
from app.services.domain_events import ReportEvent
from app.services.inputs import clean_text, parse
from app.services.pairing import evidence
from app.services.pairing.common import STALE_REPORT_MESSAGE, flush_versioned
from app.services.pairing.periods import Quarter
from app.services.pairing.reports import ReportInput, evidence_count, load_report
from app.services.pairing.states import REPORT, ReportCase
from app.services.pairing.terms import quarter_text

MAX_REASON = 500
KEPT = (
    "actual_funding_business_fen",
    "actual_funding_welfare_fen",
    "actual_jobs",
    "actual_trainees",
    "actual_purchase_fen",
    "actual_beneficiaries",
    "narrative",
    "submitted_at",
    "confirmed_at",
    "verified_at",
)


def correct_report(
    *,
    session: Session,
    actor: Actor,
    report_id: int,
    expected_version: int,
    data: dict,
    reason: str,
    files: list[evidence.Upload | evidence.StoredUpload] = (),
    upload_dir: Path | None = None,
) -> OutcomeReport:
    """File a correction of a verified report; the verified version is kept and the corrected
        one is confirmed and verified again (more evidence may come with it; adapters pass the files
    already stored, as for a submission)."""
    report, agreement, village = load_report(session, report_id)
    case = ReportCase(report, agreement, village.county_code)
    REPORT.check("correct", actor, case, expected_version)
    form = parse(ReportInput, data)
    reason = clean_text(reason or "", multiline=True, label="更正原因", field="reason")
    if not reason:
        raise ValidationError("请填写更正原因", code="reason_required", field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError(
            f"更正原因不能超过 {MAX_REASON} 个字符", code="reason_too_long", field="reason"
        )
    uploads = evidence.check_uploads(list(files), already=evidence_count(session, report.id))
    before = snapshot(report)
    now = utcnow()
    session.add(
        ReportRevision(
            report_id=report.id,
            revision=report.revision,
            reason=reason,
            corrected_by=actor.user_id,
            corrected_at=now,
            **{name: getattr(report, name) for name in KEPT},
        )
    )
    for name, value in form.columns().items():
        setattr(report, name, value)
    REPORT.move("correct", case)
    report.revision += 1
    report.submitted_at, report.updated_at = now, now
    report.confirmed_at = report.verified_at = None
    report.return_comment = ""
    flush_versioned(session, STALE_REPORT_MESSAGE)
    evidence.attach(
        session,
        report=report,
        uploads=uploads,
        root=evidence.upload_root(upload_dir),
        user_id=actor.user_id,
    )
    quarter = quarter_text(Quarter(report.year, report.quarter))
    publish(
        session,
        ReportEvent.by(
            actor,
            action="report.correct",
            obj=report,
            agreement=agreement,
            summary=f"更正结对协议 {agreement.number} {quarter}成效报告"
            f"（第 {report.revision} 版）：{reason}",
            before=before,
            after=snapshot(report),
            county_code=village.county_code,
        ),
    )
    return report


def report_revisions(session: Session, report_id: int) -> list[ReportRevision]:
    """The earlier versions of a report, newest first (更正记录)."""
    return list(
        session.exec(
            select(ReportRevision)
            .where(ReportRevision.report_id == report_id)
            .order_by(ReportRevision.revision.desc())
        ).all()
    )
