"""What happens about missing quarterly reports: reminders (催报), waivers (免报), and the
quarters an agreement still needs before it can be completed.

A reminder is sent for the missing quarters (``periods.missing_quarters``) of one agreement, of
several chosen ones, or of every overdue agreement in the officer's region; each quarter reminded
is one ``ReportReminder`` row, each agreement one audited event (``agreement.remind``) whose
notification goes to the enterprise (and by mail where it subscribed). A waiver is the bureau's
decision, with a reason, that a quarter needs no report; it is audited (``agreement.waive``).
"""

from dataclasses import dataclass
from datetime import date, datetime

import sqlalchemy as sa
from sqlmodel import Session, select

from app.actors import Actor, Role
from app.errors import ConflictError, PermissionDeniedError, ValidationError
from app.models import OutcomeReport, PairingAgreement, ReportReminder, ReportWaiver, Village
from app.models.base import utcnow
from app.models.enums import AgreementStatus, ReportStatus
from app.permissions import REGION_ROWS, can_remind_reports, can_waive_report
from app.permissions.base import DENIED_MESSAGE
from app.services.bus import publish
from app.services.domain_events import AgreementEvent
from app.services.inputs import clean_text
from app.services.pairing.common import load_agreement
from app.services.pairing.periods import (
    Quarter,
    local_today,
    missing_quarters,
    overdue_condition,
    term_quarters,
)

MAX_REASON = 500
# One bulk reminder reaches at most this many agreements (the officer sends the rest next).
BULK_LIMIT = 500


def quarter_text(quarter: Quarter) -> str:
    return f"{quarter.year}年第{quarter.quarter}季度"


@dataclass(frozen=True, slots=True)
class Followup:
    """An agreement's quarters as the follow-up reads them."""

    reports: dict[Quarter, ReportStatus]
    waivers: dict[Quarter, str]  # quarter → reason
    last_reminded_at: datetime | None

    @property
    def covered(self) -> set[Quarter]:
        return set(self.reports) | set(self.waivers)


def followups(session: Session, agreement_ids) -> dict[int, Followup]:
    """Each agreement's reports (by quarter), waivers and newest reminder, in three statements."""
    wanted = list(dict.fromkeys(agreement_ids))
    reports: dict[int, dict] = {key: {} for key in wanted}
    waivers: dict[int, dict] = {key: {} for key in wanted}
    reminded: dict[int, datetime] = {}
    if wanted:
        for agreement_id, year, quarter, status in session.execute(
            sa.select(
                OutcomeReport.agreement_id,
                OutcomeReport.year,
                OutcomeReport.quarter,
                OutcomeReport.status,
            ).where(OutcomeReport.agreement_id.in_(wanted))
        ):
            reports[agreement_id][Quarter(year, quarter)] = status
        for agreement_id, year, quarter, reason in session.execute(
            sa.select(
                ReportWaiver.agreement_id,
                ReportWaiver.year,
                ReportWaiver.quarter,
                ReportWaiver.reason,
            ).where(ReportWaiver.agreement_id.in_(wanted))
        ):
            waivers[agreement_id][Quarter(year, quarter)] = reason
        reminded = dict(
            session.execute(
                sa.select(ReportReminder.agreement_id, sa.func.max(ReportReminder.sent_at))
                .where(ReportReminder.agreement_id.in_(wanted))
                .group_by(ReportReminder.agreement_id)
            ).all()
        )
    return {key: Followup(reports[key], waivers[key], reminded.get(key)) for key in wanted}


def followup(session: Session, agreement_id: int) -> Followup:
    return followups(session, [agreement_id])[agreement_id]


def agreement_missing(
    session: Session, agreement: PairingAgreement, today: date | None = None
) -> list[Quarter]:
    """The agreement's overdue quarters (none unless it is active)."""
    if agreement.status != AgreementStatus.active:
        return []
    return missing_quarters(
        start_on=agreement.start_on,
        end_on=agreement.end_on,
        covered=followup(session, agreement.id).covered,
        today=today or local_today(),
    )


def unsettled_quarters(session: Session, agreement: PairingAgreement) -> list[Quarter]:
    """The quarters of the whole term with neither a verified report nor a waiver: completion
    waits for each of them."""
    found = followup(session, agreement.id)
    return [
        q
        for q in term_quarters(agreement.start_on, agreement.end_on)
        if found.reports.get(q) != ReportStatus.verified and q not in found.waivers
    ]


def remind_reports(
    *, session: Session, actor: Actor, agreement_id: int, today: date | None = None
) -> list[ReportReminder]:
    """Remind the enterprise of every overdue quarter of one agreement (催报)."""
    agreement, village = load_agreement(session, agreement_id)
    if not can_remind_reports(actor, village.county_code):
        raise PermissionDeniedError(DENIED_MESSAGE)
    missing = agreement_missing(session, agreement, today)
    if not missing:
        raise ConflictError("该协议没有逾期未报的季度，无需催报", code="nothing_overdue")
    return _remind(session, actor, agreement, village, missing)


def remind_overdue(
    *,
    session: Session,
    actor: Actor,
    agreement_ids: list[int] | None = None,
    today: date | None = None,
) -> list[ReportReminder]:
    """Remind, in one go, the chosen agreements (``agreement_ids``) or every overdue agreement of
    the officer's region. Agreements outside the region are refused; chosen agreements with
    nothing overdue are passed over."""
    if actor.role != Role.bureau:
        raise PermissionDeniedError(DENIED_MESSAGE)
    today = today or local_today()
    query = (
        select(PairingAgreement, Village)
        .join(Village, Village.id == PairingAgreement.village_id)
        .where(overdue_condition(today))
        .order_by(PairingAgreement.id)
    )
    if agreement_ids is not None:
        wanted = list(dict.fromkeys(agreement_ids))
        if not wanted:
            raise ValidationError("请选择要催报的协议", code="nothing_selected")
        if len(wanted) > BULK_LIMIT:
            raise ValidationError(f"一次最多催报 {BULK_LIMIT} 份协议", code="too_many")
        counties = session.execute(
            sa.select(Village.county_code)
            .join(PairingAgreement, PairingAgreement.village_id == Village.id)
            .where(PairingAgreement.id.in_(wanted))
        ).scalars()
        if not all(can_remind_reports(actor, code) for code in counties):
            raise PermissionDeniedError(DENIED_MESSAGE)
        query = query.where(PairingAgreement.id.in_(wanted))
    else:
        query = query.where(REGION_ROWS.where(actor, county_code=Village.county_code))
    sent = []
    for agreement, village in session.exec(query.limit(BULK_LIMIT)).all():
        missing = agreement_missing(session, agreement, today)
        if missing:
            sent += _remind(session, actor, agreement, village, missing)
    return sent


def _remind(session, actor, agreement, village, missing: list[Quarter]) -> list[ReportReminder]:
    now = utcnow()  # one reminder: its quarters share the moment it was sent
    rows = [
        ReportReminder(
            agreement_id=agreement.id,
            year=q.year,
            quarter=q.quarter,
            sent_by_id=actor.user_id,
            sent_at=now,
        )
        for q in missing
    ]
    session.add_all(rows)
    session.flush()
    periods = "、".join(quarter_text(q) for q in missing)
    publish(
        session,
        AgreementEvent.by(
            actor,
            action="agreement.remind",
            obj=agreement,
            village=village,
            was=agreement.status,
            summary=f"催报结对协议 {agreement.number} 的成效报告：{periods}",
            after={"periods": [q.period for q in missing]},
            county_code=village.county_code,
        ),
    )
    return rows


def waive_report(
    *, session: Session, actor: Actor, agreement_id: int, period: str, reason: str
) -> ReportWaiver:
    """Decide, as the bureau, that one quarter of the term needs no report (免报), saying why."""
    agreement, village = load_agreement(session, agreement_id)
    if not can_waive_report(actor, village.county_code):
        raise PermissionDeniedError(DENIED_MESSAGE)
    try:
        quarter = Quarter.parse(period)
    except ValueError:
        raise ValidationError("请选择季度", code="period_invalid", field="period") from None
    if quarter not in term_quarters(agreement.start_on, agreement.end_on):
        raise ValidationError("只能免报协议期内的季度", code="period_invalid", field="period")
    if agreement.status != AgreementStatus.active:
        raise ConflictError("只有履行中的协议可以免报季度", code="invalid_state")
    reason = clean_text(reason or "", multiline=True, label="免报原因", field="reason")
    if not reason:
        raise ValidationError("请填写免报原因", code="reason_required", field="reason")
    if len(reason) > MAX_REASON:
        raise ValidationError(
            f"免报原因不能超过 {MAX_REASON} 个字符", code="reason_too_long", field="reason"
        )
    found = followup(session, agreement.id)
    if quarter in found.waivers:
        raise ConflictError(f"{quarter_text(quarter)}已经免报", code="already_waived")
    if found.reports.get(quarter) == ReportStatus.verified:
        raise ConflictError(
            f"{quarter_text(quarter)}的成效报告已核实，无需免报", code="already_verified"
        )
    waiver = ReportWaiver(
        agreement_id=agreement.id,
        year=quarter.year,
        quarter=quarter.quarter,
        reason=reason,
        waived_by_id=actor.user_id,
    )
    try:
        with session.begin_nested():
            session.add(waiver)
            session.flush()
    except sa.exc.IntegrityError:
        raise ConflictError(f"{quarter_text(quarter)}已经免报", code="already_waived") from None
    publish(
        session,
        AgreementEvent.by(
            actor,
            action="agreement.waive",
            obj=agreement,
            village=village,
            was=agreement.status,
            summary=f"结对协议 {agreement.number} {quarter_text(quarter)}免报：{reason}",
            after={"period": quarter.period, "reason": reason},
            county_code=village.county_code,
        ),
    )
    return waiver
